"""The approvals demo: a sourced catalogue and plans in every state, as of 2026-11-27."""

from __future__ import annotations

import pytest

from zhaoshang.approvals import selectors
from zhaoshang.approvals.demo import DEMO_DAY, PROJECTS, load_demo
from zhaoshang.approvals.models import ApprovalEvent, ApprovalItem, ApprovalItemType
from zhaoshang.projects.demo import load_demo as load_projects

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded")]


@pytest.fixture
def loaded() -> None:
    load_projects()
    load_demo()


def lights(project_name: str) -> dict[str, str]:
    rows = selectors.with_light(ApprovalItem.objects.filter(project__name=project_name), DEMO_DAY)
    return {i.item_type.name: i.live_light for i in rows.select_related("item_type")}


def test_it_loads_a_catalogue_of_twelve_items_with_fire_review_at_15_days():
    types = ApprovalItemType.objects.filter(area__code="411702")
    assert types.count() == 12
    fire = types.get(name="消防设计审查")
    assert (fire.legal_limit, fire.promised_limit) == (15, 10)


def test_it_shows_every_light_on_the_demo_day():
    seen = {light for p in PROJECTS[:5] for light in lights(p[0]).values()}
    assert {"green", "yellow", "red", "paused", "done", "late"} <= seen


def test_it_has_a_simulated_project_a_converted_one_and_one_late_entry():
    simulated = ApprovalItem.objects.filter(project__name=PROJECTS[3][0])
    assert set(simulated.values_list("mode", flat=True)) == {"simulated"}
    converted = ApprovalItem.objects.get(
        project__name=PROJECTS[4][0], item_type__name="用地预审与选址意见书"
    )
    assert converted.mode == "formal"
    assert selectors.issue_differences(converted) == ["document_number", "document_date"]
    late = ApprovalEvent.objects.filter(late_entry=True, item__area__code="411702")
    assert late.count() == 1


def test_it_runs_again_without_writing_anything():
    before = (ApprovalItem.objects.count(), ApprovalEvent.objects.count())
    load_demo()
    assert (ApprovalItem.objects.count(), ApprovalEvent.objects.count()) == before
