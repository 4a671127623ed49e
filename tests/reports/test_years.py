"""Every panel follows the chosen year; the rollup the stage/cluster/region panels read stays
equal to a recount after writes and imports; the default year is the latest with data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import signed_in_client
from tests.reports.conftest import TODAY, make
from zhaoshang.construction.models import KeyPlanRollup, Milestone
from zhaoshang.core.models import Area
from zhaoshang.projects import rollups, services
from zhaoshang.projects.models import Cluster, YearRollup
from zhaoshang.reports import selectors

pytestmark = pytest.mark.django_db


def rows() -> list[tuple[Any, ...]]:
    return sorted(YearRollup.objects.values_list("area_id", "year", "kind", "key", "projects"))


def recounted() -> list[tuple[Any, ...]]:
    """What a recount from scratch writes (the kept rows are restored afterwards by rollback)."""
    kept = rows()
    rollups.recount(Area.objects.values_list("pk", flat=True))
    fresh = rows()
    assert fresh == kept, "the rollup kept by the writes differs from a recount"
    return fresh


@pytest.fixture
def history(user_named: Any, yicheng: Area) -> dict[str, Any]:
    """A lead of 2013 an intention in 2014 and terminated in 2015; a 2015 lead with a cluster."""
    staff = user_named("yc_staff")
    cluster = Cluster.objects.create(area=yicheng, name="历史集群")
    old = make(staff, "老项目", total_investment=Decimal("100"), event_date=dt.date(2013, 5, 1))
    services.project_transition(
        acting_user=staff,
        project=old,
        to_stage="intention",
        event_date=dt.date(2014, 3, 1),
    )
    services.project_transition(
        acting_user=staff,
        project=old,
        to_stage="terminated",
        event_date=dt.date(2015, 6, 1),
        reason="撤资",
    )
    new = make(
        staff,
        "新项目",
        cluster=cluster,
        source_region="yrd",
        total_investment=Decimal("300"),
        event_date=dt.date(2015, 2, 1),
    )
    return {"old": old, "new": new, "staff": staff, "cluster": cluster}


def stages(user: Any, area: Area, year: int) -> dict[str, int]:
    return {s.stage: s.count for s in selectors.stage_funnel(user, area=area, year=year) if s.count}


def test_it_counts_each_project_in_its_stage_at_each_year_end(history, yicheng):
    staff = history["staff"]
    assert stages(staff, yicheng, 2012) == {}
    assert stages(staff, yicheng, 2013) == {"lead": 1}
    assert stages(staff, yicheng, 2014) == {"intention": 1}
    assert stages(staff, yicheng, 2015) == {"terminated": 1, "lead": 1}
    assert stages(staff, yicheng, TODAY.year) == {"terminated": 1, "lead": 1}


def test_it_sums_clusters_and_regions_of_the_projects_of_that_year(history, yicheng):
    staff = history["staff"]
    by_cluster = selectors.investment_by_cluster(staff, area=yicheng, year=2014)
    assert [(g.key, g.projects, g.investment) for g in by_cluster] == [("", 1, Decimal("100"))]
    later = selectors.investment_by_cluster(staff, area=yicheng, year=2015)
    # the old project is terminated by the end of 2015: only the new one counts
    assert [(g.label, g.projects, g.investment) for g in later] == [("历史集群", 1, Decimal("300"))]
    regions = selectors.investment_by_region(staff, area=yicheng, year=2015)
    assert [(g.key, g.projects) for g in regions] == [("yrd", 1)]
    assert selectors.investment_by_region(staff, area=yicheng, year=2013)[0].key == ""


def test_writes_keep_the_rollup_equal_to_a_recount(history, yicheng):
    staff = history["staff"]
    project = history["new"]
    services.project_update(
        acting_user=staff,
        project=project,
        expected_version=project.version,
        total_investment=Decimal("450"),
        cluster=None,
    )
    assert recounted()
    by_cluster = selectors.investment_by_cluster(staff, area=yicheng, year=2015)
    assert [(g.key, g.projects, g.investment) for g in by_cluster] == [("", 1, Decimal("450"))]
    assert selectors.investment_by_region(staff, area=yicheng, year=2015)[0].investment == 450


def test_the_migration_backfill_equals_the_kept_rollup(history):
    kept = rows()
    YearRollup.objects.all().delete()
    rollups.recount(Area.objects.values_list("pk", flat=True))
    assert rows() == kept and kept


def test_an_outsider_reads_nothing_of_another_area(history, user_named, yicheng):
    assert stages(user_named("xp_staff"), yicheng, 2014) == {}
    assert signed_in_client("xp_staff").get("/reports/area/411702/?year=2014").status_code == 404


def test_it_lists_milestones_overdue_at_a_past_year_end(history, yicheng, user_named):
    old = history["old"]
    for title, due, done in (
        ("晚办完", dt.date(2014, 11, 1), dt.date(2015, 1, 20)),
        ("按时办完", dt.date(2014, 5, 1), dt.date(2014, 4, 30)),
        ("一直没办", dt.date(2014, 12, 1), None),
        ("次年到期", dt.date(2015, 1, 5), None),
    ):
        Milestone.objects.create(
            area=yicheng,
            project=old,
            title=title,
            due_date=due,
            done_date=done,
            status="done" if done else "planned",
        )
    watch = selectors.overdue_milestones(
        user_named("yc_staff"), area=yicheng, today=TODAY, year=2014
    )
    assert [(r["title"], r["days_late"]) for r in watch.rows] == [("晚办完", 60), ("一直没办", 30)]
    assert watch.count == 2


def test_it_lists_projects_stuck_at_a_past_year_end(history, yicheng, user_named):
    watch = selectors.stuck_projects(user_named("yc_staff"), area=yicheng, today=TODAY, year=2014)
    # an intention on 2014-03-01, idle until Dec 31 (over the stuck threshold)
    assert [(r["name"], r["stage"], r["days_idle"]) for r in watch.rows] == [
        ("老项目", "intention", (dt.date(2014, 12, 31) - dt.date(2014, 3, 1)).days)
    ]
    later = selectors.stuck_projects(user_named("yc_staff"), area=yicheng, today=TODAY, year=2015)
    assert [r["name"] for r in later.rows] == ["新项目"]  # the old one is terminated


def test_the_default_year_is_the_latest_with_data(user_named, yicheng):
    staff = user_named("yc_staff")
    make(staff, "十四年项目", event_date=dt.date(2014, 5, 1))
    KeyPlanRollup.objects.create(area=yicheng, year=2012, top_level="city", projects=1)
    page = signed_in_client("yc_staff").get("/reports/area/411702/")
    assert page.status_code == 200
    assert page.context["year"] == 2014
    assert page.context["years"] == [2014, 2012]
    asked = signed_in_client("yc_staff").get("/reports/area/411702/?year=2013")
    assert asked.context["year"] == 2013 and asked.context["years"] == [2014, 2013, 2012]
    assert '<option value="2014">' in asked.content.decode()


def test_a_ledger_import_keeps_the_rollup_equal_to_a_recount(tmp_path, user_named, yicheng):
    from tests.projects.test_ledger_import import ensure_clusters, messy_ledger, run

    ensure_clusters()
    before = sum(s.count for s in selectors.stage_funnel(user_named("yc_staff"), area=yicheng))
    outcome = run(messy_ledger(tmp_path / "台账.xlsx"))
    assert outcome.created == 6
    assert recounted()
    # this year's end, as before: the file's rows without a date move on the real today
    after = selectors.stage_funnel(user_named("yc_staff"), area=yicheng)
    assert sum(s.count for s in after) == before + 6
