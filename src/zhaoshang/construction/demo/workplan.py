"""Demo work plans of 驿城区 (DOMAIN.md §3).

Milestones for every key project of the projects demo (three or four each:
some done, some overdue as of 2026-11-26, some due later). Everything goes
through the services, so it is validated and audited like real input.

Dates are fixed (never after 2026-11-20, the projects demo's last day), so the
demo is the same on every machine. Idempotent: a project that already has
milestones is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhaoshang.core.models import Area, Unit, User
from zhaoshang.projects.demo import PROJECTS
from zhaoshang.projects.models import Project

from ..choices import MilestoneStatus
from ..models import Milestone
from ..services.workplan import milestone_complete, milestone_create, milestone_update

YICHENG = "411702"
LAST_DAY = dt.date(2026, 11, 20)
PLAN_START = dt.date(2026, 6, 15)
MILESTONES = [
    "完成项目备案",
    "取得用地规划许可",
    "完成环评批复",
    "取得施工许可证",
    "主体工程封顶",
    "设备安装调试",
]


@transaction.atomic
def load_demo() -> None:
    area = Area.objects.get(code=YICHENG)
    recorder = User.objects.get(username="yc_staff")
    load_milestones(area, recorder)


def _key_projects(area: Area) -> list[Project]:
    # the demo's key projects of this year: those the projects demo gives a list level
    names = [row[0] for row in PROJECTS if row[5]]
    return list(
        Project.objects.filter(area=area, name__in=names)
        .select_related("area", "lead_cadre", "sub_bureau")
        .prefetch_related("trackers", "cooperating_units")
        .order_by("code", "id")
    )


def load_milestones(area: Area, recorder: User) -> None:
    """Three or four milestones per key project, spread across 2026-06 … 2027-03."""
    planned = set(Milestone.objects.filter(area=area).values_list("project_id", flat=True))
    government = Unit.objects.filter(area=area, name="驿城区人民政府").first()
    for i, project in enumerate(_key_projects(area)):
        if project.pk in planned:
            continue
        trackers = list(project.trackers.all())
        units = [project.sub_bureau, *project.cooperating_units.all(), government]
        start = PLAN_START + dt.timedelta(days=(i * 17) % 75)
        for k in range(3 + i % 2):
            due = start + dt.timedelta(days=55 * k)
            milestone = milestone_create(
                acting_user=recorder,
                project=project,
                title=MILESTONES[(i + k) % len(MILESTONES)],
                due_date=due,
                leader=project.lead_cadre,
                unit=next((u for u in units[k:] if u is not None), None),
                responsible_person=trackers[k % len(trackers)] if trackers else None,
            )
            _progress(milestone, recorder, due, late=(i + k) % 4 == 1)


def _progress(milestone: Milestone, recorder: User, due: dt.date, *, late: bool) -> None:
    """Done on time when due by the demo's last day, unless ``late`` (left overdue)."""
    if due <= LAST_DAY and not late:
        milestone_complete(
            acting_user=recorder, milestone=milestone, done_date=due - dt.timedelta(days=3)
        )
    elif due > LAST_DAY and due <= LAST_DAY + dt.timedelta(days=60):
        milestone_update(
            acting_user=recorder,
            milestone=milestone,
            expected_version=milestone.version,
            status=MilestoneStatus.IN_PROGRESS,
        )
