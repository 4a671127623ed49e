"""Migrations projects 0005 and construction 0002 keep every chain and work-plan row.

Run in a child process on its own SQLite file: migrating backwards and forwards
cannot happen inside the test database's transaction (SQLite schema changes), and
the shared demo data must stay as it is for the other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("core", "0003_api_token"),
    ("projects", "0004_enterprise_founded_not_future"),
    ("construction", "0001_initial"),
]
executor = MigrationExecutor(connection)
executor.migrate(BEFORE)
old = executor.loader.project_state(BEFORE).apps
Area, Unit, User = (old.get_model("core", n) for n in ("Area", "Unit", "User"))
Project = old.get_model("projects", "Project")
Milestone = old.get_model("construction", "Milestone")
province = Area.objects.create(code="410000", name="河南省", level="province", path="410000/")
county = Area.objects.create(
    code="411702", name="驿城区", level="county", parent=province, path="410000/411702/"
)
unit = Unit.objects.create(name="驿城区人民政府", kind="party_gov", area=county)
leader = User.objects.create(
    username="leader", full_name="陈志远", title="副区长", area=county, unit=unit
)
staff = User.objects.create(username="staff", full_name="周晓燕", area=county)
root = User.objects.create(username="root", full_name="", area=None)  # no area: no Person yet
project = Project.objects.create(
    area=county, name="链条项目", stage="lead", lead_cadre=leader, frontline_sub_chief=root
)
project.trackers.set([staff])
Milestone.objects.create(
    area=county, project=project, title="甲", due_date="2027-01-01", leader=leader,
    responsible_person="周晓燕",
)
Milestone.objects.create(
    area=county, project=project, title="乙", due_date="2027-01-01", responsible_person="王欣"
)
Milestone.objects.create(
    area=county, project=project, title="丙", due_date="2027-01-01", responsible_person="王欣"
)

executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from zhaoshang.core.models import Person
from zhaoshang.projects.models import Project
from zhaoshang.construction.models import Milestone

p = Project.objects.get()
print(json.dumps({
    "lead": [p.lead_cadre.name, p.lead_cadre.user.username, p.lead_cadre.rank],
    "sub_chief": [p.frontline_sub_chief.user.username, p.frontline_sub_chief.area.code],
    "trackers": [t.user.username for t in p.trackers.all()],
    "milestones": [
        [m.title, m.leader.user.username if m.leader else None,
         m.responsible_person.name, m.responsible_person.user_id is not None]
        for m in Milestone.objects.order_by("title")
    ],
    "wang": Person.objects.filter(name="王欣", area__code="411702", user=None).count(),
}, ensure_ascii=False))
"""


def test_it_repoints_chains_and_milestones_to_persons_and_keeps_every_row(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ZHAOSHANG_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])

    assert got["lead"] == ["陈志远", "leader", "other"]  # no roles in this file: rank other
    assert got["sub_chief"] == ["root", "411702"]  # an account without area: a Person made
    assert got["trackers"] == ["staff"]
    assert got["milestones"] == [
        ["丙", None, "王欣", False],
        ["乙", None, "王欣", False],
        ["甲", "leader", "周晓燕", True],  # the text matched the account's Person
    ]
    assert got["wang"] == 1  # one Person for the name, however many milestones
