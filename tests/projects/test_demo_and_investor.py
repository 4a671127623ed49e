"""The project demo (seed enterprises, 40+ projects, idempotent) and the investor's view."""

from __future__ import annotations

from collections import Counter

import pytest

from zhaoshang.construction.demo.investment import CURRENT_YEAR, load_yicheng_current
from zhaoshang.projects import selectors
from zhaoshang.projects.choices import KeyRegion, Method, Stage
from zhaoshang.projects.demo import load_demo
from zhaoshang.projects.models import Activity, Cluster, Enterprise, Project, StageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():  # type: ignore[no-untyped-def]
    load_demo()


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Cluster, Enterprise, Project, StageEvent, Activity))


def test_it_loads_the_seed_projects_idempotently(demo):
    before = counts()
    load_demo()
    assert counts() == before
    assert before[2] >= 40


def test_it_covers_every_stage_method_cluster_and_key_region(demo):
    projects = Project.objects.filter(area__code="411702")
    assert set(projects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(projects.values_list("method", flat=True)) == set(Method.values)
    assert {KeyRegion.YANGTZE, KeyRegion.PEARL, KeyRegion.JINGJINJI} <= set(
        projects.values_list("source_region", flat=True)
    )
    assert Counter(
        projects.exclude(cluster=None).values_list("cluster__name", flat=True)
    ).keys() == {"运输装备", "新能源汽车", "农业工程机械装备", "电力电缆电器装备", "电商现代物流"}
    leading = set(Enterprise.objects.filter(is_leading=True).values_list("name", flat=True))
    assert {"中集华骏车辆有限公司", "河南银泰新能源汽车有限公司", "河南德威电缆有限公司"} <= leading


def test_it_shows_stuck_projects_and_incomplete_chains(demo, user_named):
    staff = user_named("yc_staff")
    listed = list(selectors.project_list(staff))
    assert any(selectors.is_stuck(p) for p in listed)
    assert not all(selectors.is_stuck(p) for p in listed)
    load_yicheng_current()  # the current year's key lists (the construction demo)
    assert selectors.incomplete_chains(staff, CURRENT_YEAR)


def test_it_shows_an_investor_only_their_enterprises_projects(demo, client_for, user_named):
    investor = user_named("yc_investor")
    own = set(selectors.projects_visible_to(investor).values_list("name", flat=True))
    assert own == {"中集华骏年产2万辆专用车扩建项目"}
    other = Project.objects.exclude(name__in=own).filter(area__code="411702").first()
    client = client_for("yc_investor")
    mine = Project.objects.get(name="中集华骏年产2万辆专用车扩建项目")
    assert client.get(f"/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/projects/{other.pk}/").status_code == 404
    assert client.get(f"/projects/{mine.pk}/edit/").status_code == 404


def test_the_investor_lands_on_their_enterprises_projects(demo, client_for):
    landing = client_for("yc_investor").get("/", follow=True)
    assert landing.redirect_chain == [("/my/projects/", 302)]
    page = landing.content.decode()
    assert "我的项目" in page and "中集华骏年产2万辆专用车扩建项目" in page
    assert Project.objects.filter(area__code="411702").count() > 1
    assert page.count("/projects/") - page.count("/my/projects/") == 1  # one project linked
