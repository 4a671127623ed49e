"""The audit log as a 督查室 reader sees it: Chinese names, labelled changes, links (issue 11 §6).

New msgids are not in the catalogue until merge, so texts built from them are
compared through gettext; labels that are translated already (field names,
choices, 是/否) are compared in Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from tests.factories import ProjectFactory, UserFactory
from zhaoshang.core import services
from zhaoshang.core.audit_display import Change, describe, format_value, object_label
from zhaoshang.core.models import Area, AuditEvent, Role, User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.choices import Method
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

YICHENG, XIPING = "411702", "411721"


def _project(code: str = YICHENG) -> Project:
    """A demo project of the county (or its zone) whose method is not 产业链招商 yet."""
    found = Project.objects.filter(area__path__contains=f"/{code}/").exclude(method=Method.CHAIN)
    project = found.order_by("pk").first()
    return project or ProjectFactory(area=Area.objects.get(code=code), method=Method.OTHER)


def _update(project: Project, user: User) -> AuditEvent:
    project_services.project_update(
        acting_user=user,
        project=project,
        expected_version=project.version,
        method=Method.CHAIN,
        total_investment=Decimal("12345.50"),
    )
    return AuditEvent.objects.latest("id")


def _label(project: Project) -> str:
    kind = str(Project._meta.verbose_name)
    return _("%(type)s “%(name)s”") % {"type": kind, "name": project.name}


def _field_label(name: str) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def _method_change(old: str) -> str:
    return f"{_field_label('method')}: {Method(old).label} → {Method.CHAIN.label}"


def _xiping_supervisor() -> User:
    user = UserFactory(area=Area.objects.get(code=XIPING), roles=["supervisor"])
    User.objects.filter(pk=user.pk).update(
        must_change_password=False, password_changed_at=timezone.now()
    )
    return user


def test_a_project_update_reads_as_its_chinese_type_name_and_labelled_changes(user_named):
    project = _project()
    old_method, old_total = project.method, project.total_investment
    _update(project, user_named("yc_staff"))
    (row,) = describe([AuditEvent.objects.latest("id")], user_named("yc_supervisor"))
    assert row.type_label == "招商项目" and row.object_label == _label(project)
    assert _method_change(old_method) in [str(c) for c in row.changes]
    total = str(Project._meta.get_field("total_investment").verbose_name)
    assert Change(total, format(old_total.normalize(), "f"), "12345.5") in row.changes
    assert {c.label for c in row.changes} == {total, _field_label("method")}


def test_the_supervisor_page_shows_the_row_with_a_link_to_the_project(client_for, user_named):
    project = _project()
    old_method = project.method
    _update(project, user_named("yc_staff"))
    page = client_for("yc_supervisor").get("/audit/?object_type=projects.project").content.decode()
    assert _label(project) in page
    assert _method_change(old_method) in page
    assert f'href="/projects/{project.pk}/"' in page
    assert "projects.project#" not in page and "{&#x27;" not in page


def test_the_other_countys_supervisor_does_not_see_the_row(client_for, user_named):
    project = _project()
    _update(project, user_named("yc_staff"))
    outsider = _xiping_supervisor()
    client = client_for(outsider.username)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert project.name not in response.content.decode()
    rows = response.context["rows"]
    assert not [
        r
        for r in rows
        if (r.event.object_type, r.event.object_id) == ("projects.project", str(project.pk))
    ]
    export = client.get("/audit/export.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    assert not [row for row in book.to_python() if project.name in str(row[5])]
    assert client_for("yc_supervisor").get("/audit/").context["page"].paginator.count


def test_no_link_when_the_viewer_cannot_open_the_object(client_for, user_named):
    """A row in the supervisor's area naming another county's project: listed, not linked."""
    other = _project(XIPING)
    services.audit_record(
        acting_user=user_named("yc_staff"),
        action="update",
        instance=other,
        area=Area.objects.get(code=YICHENG),
        before={"method": other.method},
        after={"method": Method.CHAIN},
    )
    response = client_for("yc_supervisor").get("/audit/?object_type=projects.project")
    page = response.content.decode()
    assert _label(other) in page and f'href="/projects/{other.pk}/"' not in page
    city = client_for("zmd_city").get("/audit/?object_type=projects.project").content.decode()
    assert f'href="/projects/{other.pk}/"' in city


def test_the_export_has_the_same_chinese_columns_and_changes(client_for, user_named):
    project = _project()
    old_method = project.method
    _update(project, user_named("yc_staff"))
    response = client_for("yc_supervisor").get("/audit/export.xlsx?object_type=projects.project")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    header, *body = rows.to_python()
    assert header[0] == "时间" and header[2:5] == ["操作", "结果", "对象类型"]
    mine = [r for r in body if r[5] == _label(project)]
    assert mine and mine[0][2:5] == ["修改", "成功", "招商项目"]
    assert _method_change(old_method) in mine[0][6].splitlines()
    assert mine[0][1] == "周晓燕（yc_staff）"


def test_values_read_as_a_person_expects():
    method = Project._meta.get_field("method")
    land = Project._meta.get_field("land_area")
    assert format_value(method, Method.CHAIN) == Method.CHAIN.label
    assert format_value(land, "100.00") == "100" and format_value(land, "12.50") == "12.5"
    assert format_value(None, True) == "是" and format_value(None, False) == "否"
    assert format_value(land, None) == format_value(None, "") == _("empty")
    created = Project._meta.get_field("contract_date")
    assert format_value(created, dt.date(2026, 5, 1).isoformat()) == "2026-05-01"


def test_foreign_keys_and_role_lists_read_as_names(user_named):
    staff = user_named("yc_staff")
    services.user_set_roles(acting_user=None, user=staff, roles=["staff", "viewer"])
    event = AuditEvent.objects.latest("id")
    (row,) = describe([event], user_named("yc_admin"))
    roles = str(User._meta.get_field("roles").verbose_name)
    names = "、".join(Role.objects.get(code=c).name for c in ("staff", "viewer"))
    assert row.changes == [Change(roles, Role.objects.get(code="staff").name, names)]
    assert row.object_label == _("%(type)s “%(name)s”") % {"type": "用户", "name": str(staff)}


def test_secrets_never_show(user_named):
    event = AuditEvent(
        action="update",
        object_type="core.apitoken",
        object_repr="zs_abc… (script)",
        before={"key_hash": "a" * 64, "revoked": False, "password": "x"},
        after={"key_hash": "b" * 64, "revoked": True, "password": "y"},
    )
    (row,) = describe([event], user_named("yc_admin"))
    assert [(c.old, c.new) for c in row.changes] == [("否", "是")]


def test_keys_that_are_not_fields_keep_their_name(user_named):
    event = AuditEvent(
        action="update",
        object_type="projects.project",
        object_repr="某项目",
        before={"method": Method.OTHER, "import_export": None, "updated_at": "2026-05-01T01:00Z"},
        after={"method": Method.CHAIN, "import_export": {"rows": 2}, "updated_at": "2026-05-02"},
    )
    (row,) = describe([event], user_named("yc_admin"))
    assert [c.label for c in row.changes] == [_field_label("method"), "import_export"]
    assert row.changes[1].new == '{"rows": 2}' and row.changes[1].old == _("empty")


def test_an_export_row_names_what_was_exported(user_named):
    event = AuditEvent(
        action="export", object_type="core.auditevent", object_repr="审计日志", after={"rows": 3}
    )
    assert object_label(event) == "审计日志"


def test_the_list_query_count_does_not_grow_with_its_rows(client_for, user_named):
    staff, client = user_named("yc_staff"), client_for("yc_supervisor")
    projects = [ProjectFactory(area=Area.objects.get(code=YICHENG)) for _i in range(3)]
    url = "/audit/?object_type=projects.project&action=update"

    def touch(times: int) -> None:
        for i in range(times):
            project = projects[i % len(projects)]
            project.refresh_from_db()
            project_services.project_update(
                acting_user=staff,
                project=project,
                expected_version=project.version,
                total_investment=Decimal(1000 + i),
            )

    touch(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    touch(60)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 50
    assert len(few) == len(many) <= 14, [q["sql"] for q in many.captured_queries]


def test_it_filters_by_full_name_object_type_action_and_dates(client_for, user_named):
    project = _project()
    _update(project, user_named("yc_staff"))
    services.auth_record_login(user=user_named("yc_chief"))
    client = client_for("yc_supervisor")
    by_name = client.get("/audit/?username=周晓燕").context["rows"]
    assert by_name and {r.event.username for r in by_name} == {"yc_staff"}
    typed = client.get("/audit/?object_type=projects.project&action=update").context["rows"]
    assert typed and {r.event.object_type for r in typed} == {"projects.project"}
    today = dt.date.today().isoformat()
    dated = client.get(f"/audit/?date_from={today}&date_to={today}&action=login").context["rows"]
    assert any(r.event.username == "yc_chief" for r in dated)
    page = client.get("/audit/").content.decode()
    assert '<option value="projects.project">招商项目</option>' in page


def test_an_unknown_object_type_is_a_form_error_not_a_500(client_for):
    response = client_for("yc_supervisor").get("/audit/?object_type=no.such")
    assert response.status_code == 200
    assert response.context["form"].errors["object_type"]


def test_related_names_are_loaded_once_per_model_not_per_row(user_named):
    """Foreign keys and M2M ids of a whole page cost one query per related model."""
    areas = list(Area.objects.order_by("pk").values_list("pk", flat=True)[:3])
    viewer = user_named("yc_admin")

    def events(n: int) -> list[AuditEvent]:
        return [
            AuditEvent(
                action="update",
                object_type="core.unit",
                object_id="",
                before={"area_id": areas[i % 3]},
                after={"area_id": areas[(i + 1) % 3]},
            )
            for i in range(n)
        ]

    with CaptureQueriesContext(connection) as few:
        two = describe(events(2), viewer)
    with CaptureQueriesContext(connection) as many:
        fifty = describe(events(50), viewer)
    assert len(few) == len(many) == 1
    assert all("（" in r.changes[0].old and "（" in r.changes[0].new for r in two + fifty)


def test_an_exports_filters_read_one_by_one_with_labels_and_names(user_named):
    unit = user_named("yc_staff").unit
    event = AuditEvent(
        action="export",
        object_type="projects.project",
        object_repr="招商项目台账",
        after={
            "filters": {"stage": "lead", "sub_bureau": unit.pk, "within": "411702", "q": ""},
            "rows": 3,
        },
    )
    (row,) = describe([event], user_named("yc_admin"))
    shown = {c.label: c.new for c in row.changes}
    assert shown == {
        f"{_field_label('stage')}（筛选）": "线索",
        f"{_field_label('sub_bureau')}（筛选）": unit.name,
        "所属区域及下级（筛选）": "411702",
        "行数": "3",
    }


def test_a_dashboard_export_is_named_by_its_chinese_type(user_named):
    event = AuditEvent(
        action="export",
        object_type="reports.dashboard",
        object_repr="驿城区 2026：下辖地区指标排名",
        after={"filters": {"area": "411702", "year": 2026, "panel": "下辖地区指标排名"}},
    )
    (row,) = describe([event], user_named("yc_admin"))
    assert row.type_label == "数据看板"
    assert [str(c) for c in row.changes] == [
        "行政区划（筛选）: 411702",
        "年度（筛选）: 2026",
        "面板（筛选）: 下辖地区指标排名",
    ]


def test_an_import_jobs_counts_read_in_chinese(user_named):
    event = AuditEvent(
        action="update",
        object_type="imports.importjob",
        object_repr="台账.xlsx",
        before=None,
        after={"created": 2, "updated": 1, "unchanged": 7, "errors": 0},
    )
    (row,) = describe([event], user_named("yc_admin"))
    assert [str(c) for c in row.changes] == [
        "新增: 2",
        "更新: 1",
        "未变: 7",
        "错误: 0",
    ]
