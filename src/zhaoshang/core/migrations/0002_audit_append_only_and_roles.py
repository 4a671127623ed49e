"""Make the audit log append-only in the database itself, and create the fixed roles.

Triggers, not application code, so that neither a bug, a shell session nor a
direct SQL statement can rewrite or erase history (等保 2.0 audit integrity).
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END""",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_auditevent_reject() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'core_auditevent is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_reject()""",
    """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_reject()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    "DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_reject()",
]

ROLES = [
    ("admin", "管理员", "管理本区域的区划、单位、用户和角色"),
    ("leader", "区级领导", "分包联系重点项目，带头招商"),
    ("chief", "局长", "责任单位主抓"),
    ("sub_chief", "分局长", "专业招商分局前线带队"),
    ("staff", "招商专员", "跟踪落实项目"),
    ("supervisor", "督查", "四位一体督查，查看审计日志"),
    ("viewer", "查看", "只读"),
    ("investor", "投资者", "只看本企业的项目、审批和投诉"),
]


def _run(statements, schema_editor):
    for sql in statements:
        schema_editor.execute(sql)


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(SQLITE_UP, schema_editor)
    elif vendor == "postgresql":
        _run(POSTGRES_UP, schema_editor)
    else:
        raise RuntimeError(f"No append-only audit triggers for database {vendor!r}")


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(SQLITE_DOWN if vendor == "sqlite" else POSTGRES_DOWN, schema_editor)


def roles_up(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for code, name, description in ROLES:
        Role.objects.update_or_create(code=code, defaults={"name": name,
                                                           "description": description})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(triggers_up, triggers_down),
        migrations.RunPython(roles_up, migrations.RunPython.noop),
    ]
