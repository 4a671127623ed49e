"""Project.key_level stops being a typed fact: a project's level is that of its year's key lists.

Each typed level is moved into a ``construction.KeyProjectEntry`` of the year
it belonged to, then the column is dropped:

* a project already in some key list: its lists were always the fact (the
  demo and the reserve promotion wrote both); the typed value was a copy of
  its latest listing, so nothing is added;
* a project in no list: the level was typed when the project was recorded and
  describes that moment, so it goes into the list of that level of the year the
  project was created (``created_at``, Asia/Shanghai), with an annual plan of 0
  and a note saying where it came from. Its later years stay unlisted until
  someone puts it in a list: carrying a 2014 level into 2026 is the error this
  change removes.

The rollups (``KeyPlanRollup``, ``InvestmentRollup``) of every (area, year)
touched are rebuilt here with the same rule as
``construction.services.investment.rollups_rebuild`` (a project counts once, under
its highest list). Reversing restores each project's highest level of its
creation year (else of its latest listed year) and removes the entries this
migration added.
"""

from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import migrations, models

NOTE = "由原“重点项目级别”字段迁移"
RANK = {"district": 1, "city": 2, "province": 3}
LOCAL = ZoneInfo("Asia/Shanghai")


def _year(project) -> int:
    return project.created_at.astimezone(LOCAL).year


def _rebuild(apps, touched) -> None:
    """KeyPlanRollup and InvestmentRollup of each (area, year), from the entries and reports."""
    entry = apps.get_model("construction", "KeyProjectEntry")
    report = apps.get_model("construction", "MonthlyInvestment")
    plan_rollup = apps.get_model("construction", "KeyPlanRollup")
    invest_rollup = apps.get_model("construction", "InvestmentRollup")
    for area_id, year in sorted(touched):
        top: dict[int, tuple[str, Decimal]] = {}
        for project_id, level, planned in entry.objects.filter(
            area_id=area_id, year=year
        ).values_list("project_id", "level", "planned_investment"):
            if project_id not in top or RANK[level] > RANK[top[project_id][0]]:
                top[project_id] = (level, planned)
        plan_rollup.objects.filter(area_id=area_id, year=year).delete()
        invest_rollup.objects.filter(area_id=area_id, year=year).delete()
        plans: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
        for level, planned in top.values():
            plans[level][0] += 1
            plans[level][1] += planned
        plan_rollup.objects.bulk_create(
            plan_rollup(area_id=area_id, year=year, top_level=lv, projects=n, planned=s)
            for lv, (n, s) in plans.items()
        )
        sums: dict[tuple[int, str], list] = defaultdict(lambda: [Decimal(0), 0])
        for project_id, month, amount in report.objects.filter(
            area_id=area_id, year=year, is_current=True, project_id__in=list(top)
        ).values_list("project_id", "month", "amount"):
            cell = sums[(month, top[project_id][0])]
            cell[0] += amount
            cell[1] += 1
        invest_rollup.objects.bulk_create(
            invest_rollup(area_id=area_id, year=year, month=m, top_level=lv, amount=a, reports=n)
            for (m, lv), (a, n) in sums.items()
        )


def forwards(apps, schema_editor) -> None:
    project_model = apps.get_model("projects", "Project")
    entry = apps.get_model("construction", "KeyProjectEntry")
    listed = set(entry.objects.values_list("project_id", flat=True).distinct())
    touched: set[tuple[int, int]] = set()
    added = []
    for project in project_model.objects.exclude(key_level="").only(
        "pk", "area_id", "key_level", "created_at"
    ):
        if project.pk in listed or project.key_level not in RANK:
            continue
        year = _year(project)
        added.append(
            entry(
                area_id=project.area_id,
                project_id=project.pk,
                year=year,
                level=project.key_level,
                planned_investment=Decimal(0),
                note=NOTE,
            )
        )
        touched.add((project.area_id, year))
    entry.objects.bulk_create(added, batch_size=500)
    _rebuild(apps, touched)


def backwards(apps, schema_editor) -> None:
    project_model = apps.get_model("projects", "Project")
    entry = apps.get_model("construction", "KeyProjectEntry")
    by_project: dict[int, dict[int, str]] = defaultdict(dict)
    for project_id, year, level in entry.objects.values_list("project_id", "year", "level"):
        best = by_project[project_id].get(year)
        if best is None or RANK[level] > RANK[best]:
            by_project[project_id][year] = level
    for project in project_model.objects.filter(pk__in=list(by_project)).only(
        "pk", "created_at"
    ):
        years = by_project[project.pk]
        level = years.get(_year(project)) or years[max(years)]
        project_model.objects.filter(pk=project.pk).update(key_level=level)
    moved = entry.objects.filter(note=NOTE, planned_investment=0)
    touched = set(moved.values_list("area_id", "year"))
    moved.delete()
    _rebuild(apps, touched)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_chain_persons"),
        ("construction", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="project", name="key_level"),
    ]
