"""The reserve pipeline (项目储备): moves, refusals that write nothing, promotion, the board."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhaoshang.construction.choices import RESERVE_MAIN, ReserveStage
from zhaoshang.construction.models import ReserveEvent, ReserveItem
from zhaoshang.construction.selectors import reserve as selectors
from zhaoshang.construction.services.reserve import (
    reserve_create,
    reserve_transition,
    reserve_update,
)
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.core.versions import ConflictError as VersionConflict
from zhaoshang.projects.models import Cluster

pytestmark = pytest.mark.django_db

S = ReserveStage
START = dt.date(2026, 3, 2)


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def cluster(staff: User) -> Cluster:
    from zhaoshang.projects.demo import load_clusters

    return load_clusters(staff.area)["新能源汽车"]


@pytest.fixture
def item(staff: User, cluster: Cluster) -> ReserveItem:
    return reserve_create(
        acting_user=staff,
        area=staff.area,
        name="氢燃料电池重卡项目",
        investor_name="某氢能科技公司",
        cluster=cluster,
        total_investment=Decimal("150000"),
        event_date=START,
    )


def walk(item: ReserveItem, staff: User, to: str, **extra: Any) -> ReserveItem:
    """Move ``item`` forward one step at a time to ``to``, a week per step."""
    when = START
    for stage in RESERVE_MAIN[RESERVE_MAIN.index(item.stage) + 1 : RESERVE_MAIN.index(to) + 1]:
        when += dt.timedelta(days=7)
        reserve_transition(
            acting_user=staff,
            item=item,
            to_stage=stage,
            event_date=when,
            **(extra if stage == S.INCLUDED else {}),
        )
    return item


def written() -> tuple[int, int, int]:
    return ReserveItem.objects.count(), ReserveEvent.objects.count(), AuditEvent.objects.count()


def refused(item: ReserveItem, staff: User, field: str, **move: Any) -> None:
    """The move raises ValidationError on ``field`` and changes nothing at all."""
    fresh = ReserveItem.objects.get(pk=item.pk)
    before = written(), (fresh.stage, fresh.version, fresh.target_level, fresh.reject_reason)
    with pytest.raises(ValidationError) as exc:
        reserve_transition(acting_user=staff, item=fresh, **move)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert all(exc.value.message_dict[field])
    after = ReserveItem.objects.get(pk=item.pk)
    assert (written(), (after.stage, after.version, after.target_level, after.reject_reason)) == (
        before
    )


# --- create and update ------------------------------------------------------------------


def test_it_creates_an_item_at_screening_with_its_first_event(item, staff):
    assert (item.stage, item.version, item.area_id) == (S.SCREENING, 1, staff.area_id)
    (event,) = item.events.all()
    assert (event.from_stage, event.to_stage, event.event_date) == ("", S.SCREENING, START)
    assert AuditEvent.objects.filter(
        object_type="construction.reserveitem", object_id=str(item.pk), action="create"
    ).exists()


def test_it_refuses_a_blank_name_or_a_foreign_cluster_and_writes_nothing(staff, cluster):
    other = Cluster.objects.create(area=User.objects.get(username="xp_staff").area, name="西平集群")
    before = written()
    with pytest.raises(ValidationError) as exc:
        reserve_create(acting_user=staff, area=staff.area, name=" ")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        reserve_create(acting_user=staff, area=staff.area, name="甲", cluster=other)
    assert "cluster" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        reserve_create(
            acting_user=staff,
            area=staff.area,
            name="甲",
            event_date=timezone.localdate() + dt.timedelta(days=2),
        )
    assert "event_date" in exc.value.message_dict
    assert written() == before


def test_it_updates_an_item_and_refuses_a_stale_version(item, staff):
    reserve_update(
        acting_user=staff, item=item, expected_version=1, total_investment=Decimal("180000")
    )
    assert ReserveItem.objects.get(pk=item.pk).version == 2
    stale = ReserveItem.objects.get(pk=item.pk)
    before = written()
    with pytest.raises(VersionConflict):
        reserve_update(acting_user=staff, item=stale, expected_version=1, name="改名")
    assert ReserveItem.objects.get(pk=item.pk).name == "氢燃料电池重卡项目"
    assert written() == before


def test_it_refuses_a_district_list_as_the_target(item, staff):
    with pytest.raises(ValidationError) as exc:
        reserve_update(acting_user=staff, item=item, expected_version=1, target_level="district")
    assert "target_level" in exc.value.message_dict


# --- legal moves ---------------------------------------------------------------------------


def test_it_walks_the_main_line_one_step_at_a_time_to_inclusion(item, staff):
    walk(item, staff, S.INCLUDED, target_level="province")
    fresh = ReserveItem.objects.get(pk=item.pk)
    assert (fresh.stage, fresh.target_level, fresh.version) == (S.INCLUDED, "province", 6)
    moves = [(e.from_stage, e.to_stage) for e in selectors.reserve_timeline(fresh)]
    assert moves == [("", S.SCREENING), *itertools.pairwise(RESERVE_MAIN)]
    assert (
        AuditEvent.objects.filter(
            object_type="construction.reserveitem", object_id=str(item.pk), action="update"
        ).count()
        == 5
    )


def test_it_rejects_from_any_open_stage_with_a_reason(item, staff):
    walk(item, staff, S.PACKAGING)
    event = reserve_transition(
        acting_user=staff, item=item, to_stage=S.REJECTED, reason="投资强度不达标", note="评审会"
    )
    fresh = ReserveItem.objects.get(pk=item.pk)
    assert (fresh.stage, fresh.reject_reason) == (S.REJECTED, "投资强度不达标")
    assert (event.from_stage, event.reason, event.actor) == (S.PACKAGING, "投资强度不达标", staff)


def test_it_moves_back_with_a_reason(item, staff):
    walk(item, staff, S.APPLICATION)
    reserve_transition(
        acting_user=staff, item=item, to_stage=S.EVALUATION, reason="申报材料需重新论证"
    )
    assert ReserveItem.objects.get(pk=item.pk).stage == S.EVALUATION


# --- every illegal move, nothing written ------------------------------------------------


def test_it_refuses_skipping_a_stage(item, staff):
    refused(item, staff, "to_stage", to_stage=S.PACKAGING)


def test_it_refuses_an_unknown_or_the_same_stage(item, staff):
    refused(item, staff, "to_stage", to_stage="approved")
    refused(item, staff, "to_stage", to_stage=S.SCREENING)


def test_it_refuses_rejection_without_a_reason(item, staff):
    refused(item, staff, "to_stage", to_stage=S.REJECTED, reason="  ")


def test_it_refuses_moving_back_without_a_reason(item, staff):
    walk(item, staff, S.PACKAGING)
    refused(item, staff, "to_stage", to_stage=S.SCREENING)


def test_it_refuses_inclusion_without_a_city_or_provincial_list(item, staff):
    walk(item, staff, S.RESERVED)
    refused(item, staff, "target_level", to_stage=S.INCLUDED, event_date=dt.date(2026, 5, 1))
    refused(
        item,
        staff,
        "target_level",
        to_stage=S.INCLUDED,
        target_level="district",
        event_date=dt.date(2026, 5, 1),
    )


def test_it_refuses_any_move_out_of_rejected_or_included(item, staff):
    reserve_transition(acting_user=staff, item=item, to_stage=S.REJECTED, reason="不符合产业政策")
    for to in (S.SCREENING, S.EVALUATION, S.INCLUDED):
        refused(item, staff, "to_stage", to_stage=to, reason="重新考虑", target_level="city")
    included = reserve_create(acting_user=staff, area=staff.area, name="乙", event_date=START)
    walk(included, staff, S.INCLUDED, target_level="city")
    for to in (S.RESERVED, S.REJECTED):
        refused(included, staff, "to_stage", to_stage=to, reason="撤回")


def test_it_refuses_a_future_date_or_one_before_the_previous_move(item, staff):
    refused(
        item,
        staff,
        "event_date",
        to_stage=S.EVALUATION,
        event_date=timezone.localdate() + dt.timedelta(days=1),
    )
    refused(
        item, staff, "event_date", to_stage=S.EVALUATION, event_date=START - dt.timedelta(days=1)
    )


def test_it_refuses_a_stale_version_on_a_move(item, staff):
    before = written()
    with pytest.raises(VersionConflict):
        reserve_transition(acting_user=staff, item=item, to_stage=S.EVALUATION, expected_version=7)
    assert written() == before


# --- board --------------------------------------------------------------------------------


def test_it_groups_the_board_by_stage_in_one_query(
    item, staff, cluster, django_assert_max_num_queries
):
    walk(item, staff, S.EVALUATION)
    for i in range(6):
        other = reserve_create(
            acting_user=staff, area=staff.area, name=f"储备{i}", cluster=cluster, event_date=START
        )
        if i % 2:
            reserve_transition(acting_user=staff, item=other, to_stage=S.REJECTED, reason="否")
    with django_assert_max_num_queries(2):  # the cards, and the user's roles for the scope
        board = selectors.reserve_board(staff, today=dt.date(2026, 3, 30))
        columns = {c.stage: [(i.name, d) for i, d in c.cards] for c in board}
    assert [c.stage for c in board] == [*RESERVE_MAIN, S.REJECTED]
    assert columns[S.EVALUATION] == [("氢燃料电池重卡项目", 21)]
    assert len(columns[S.SCREENING]) == 3
    assert len(columns[S.REJECTED]) == 3
    assert selectors.stage_counts(staff)[S.REJECTED] == 3


def test_it_filters_the_board_by_cluster_and_text(item, staff):
    reserve_create(acting_user=staff, area=staff.area, name="冷链物流园", event_date=START)
    names = lambda f: [i.name for c in selectors.reserve_board(staff, f) for i, _ in c.cards]  # noqa: E731
    assert names({"q": "冷链"}) == ["冷链物流园"]
    assert names({"cluster": item.cluster_id}) == ["氢燃料电池重卡项目"]


def test_it_hides_reserve_items_from_the_sibling_district(item):
    outsider = User.objects.get(username="xp_staff")
    city = User.objects.get(username="zmd_city")
    assert all(not c.cards for c in selectors.reserve_board(outsider))
    assert [i.name for i in selectors.reserve_list(city)] == ["氢燃料电池重卡项目"]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.reserve_or_404(outsider, item.pk)


# --- promotion ------------------------------------------------------------------------------


def test_it_promotes_an_included_item_into_a_project_and_the_key_list(item, staff, cluster):
    from zhaoshang.construction.models import KeyProjectEntry
    from zhaoshang.projects.models import StageEvent

    walk(item, staff, S.INCLUDED, target_level="province")
    project = promote(item, staff)
    assert (project.name, project.investor_name, project.cluster, project.area) == (
        "氢燃料电池重卡项目",
        "某氢能科技公司",
        cluster,
        staff.area,
    )
    from zhaoshang.projects.keylevels import key_level_of

    assert (project.total_investment, project.stage, key_level_of(project, 2027)) == (
        Decimal("150000"),
        "lead",
        "province",
    )
    assert project.sub_bureau == cluster.sub_bureau
    entry = KeyProjectEntry.objects.get(project=project)
    assert (entry.year, entry.level, entry.planned_investment) == (
        2027,
        "province",
        Decimal("30000"),
    )
    fresh = ReserveItem.objects.get(pk=item.pk)
    assert fresh.project == project
    assert StageEvent.objects.filter(project=project).count() == 1
    assert AuditEvent.objects.filter(
        object_type="construction.reserveitem", object_id=str(item.pk), after__project_id=project.pk
    ).exists()


def promote(item: ReserveItem, staff: User, **extra: Any) -> Any:
    from zhaoshang.construction.services.reserve import reserve_promote

    extra.setdefault("year", 2027)
    extra.setdefault("planned_investment", Decimal("30000"))
    return reserve_promote(acting_user=staff, item=item, **extra)


def promotion_counts() -> tuple[int, ...]:
    from zhaoshang.construction.models import KeyProjectEntry
    from zhaoshang.projects.models import Project

    return (*written(), Project.objects.count(), KeyProjectEntry.objects.count())


def test_it_refuses_a_second_promotion_and_writes_nothing(item, staff):
    walk(item, staff, S.INCLUDED, target_level="city")
    promote(item, staff)
    before = promotion_counts()
    with pytest.raises(ValidationError) as exc:
        promote(ReserveItem.objects.get(pk=item.pk), staff, year=2028)
    assert "project" in exc.value.message_dict
    assert promotion_counts() == before


def test_it_refuses_to_promote_an_item_not_yet_included(item, staff):
    walk(item, staff, S.RESERVED)
    before = promotion_counts()
    with pytest.raises(ValidationError) as exc:
        promote(item, staff)
    assert "stage" in exc.value.message_dict
    assert promotion_counts() == before


def test_it_rolls_the_project_back_when_the_key_entry_is_refused(item, staff):
    walk(item, staff, S.INCLUDED, target_level="city")
    before = promotion_counts()
    with pytest.raises(ValidationError) as exc:
        promote(item, staff, planned_investment=Decimal("-5"))
    assert "planned_investment" in exc.value.message_dict
    assert promotion_counts() == before
    assert ReserveItem.objects.get(pk=item.pk).project is None


def test_it_freezes_a_promoted_item(item, staff):
    walk(item, staff, S.INCLUDED, target_level="city")
    promote(item, staff)
    fresh = ReserveItem.objects.get(pk=item.pk)
    with pytest.raises(ValidationError):
        reserve_update(acting_user=staff, item=fresh, expected_version=fresh.version, name="新名")


# --- pages --------------------------------------------------------------------------------


def client(username: str = "yc_staff") -> Any:
    from tests.helpers import signed_in_client

    return signed_in_client(username)


def test_it_hides_reserve_pages_from_the_outsider(item):
    from tests.helpers import assert_visibility

    assert_visibility(
        f"/construction/reserve/{item.pk}/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 200, "yc_investor": 404},
    )
    assert_visibility(
        f"/construction/reserve/{item.pk}/edit/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 404},
    )
    for action, data in (
        ("transition", {"to_stage": "evaluation", "version": 1}),
        ("promote", {"year": 2027, "planned_investment": "1", "stage": "lead"}),
    ):
        assert_visibility(
            f"/construction/reserve/{item.pk}/{action}/",
            method="post",
            data=data,
            owner="yc_viewer",
            owner_status=404,
            outsider="xp_staff",
        )
    assert ReserveItem.objects.get(pk=item.pk).stage == S.SCREENING


def test_it_shows_what_the_next_stage_still_needs_on_the_item_page(item, staff):
    url = f"/construction/reserve/{item.pk}/"
    assert "next-needs" not in client().get(url).content.decode()
    walk(item, staff, S.RESERVED)
    page = client().get(url).content.decode()
    assert "进入下一阶段“纳入重点”还需：申报重点级别" in page
    assert client("xp_staff").get(url).status_code == 404
    reserve_update(acting_user=staff, item=item, expected_version=item.version, target_level="city")
    assert "next-needs" not in client().get(url).content.decode()


def test_it_shows_the_board_with_cards_and_move_forms_in_few_queries(
    item, staff, django_assert_max_num_queries
):
    for i in range(20):
        other = reserve_create(
            acting_user=staff, area=staff.area, name=f"看板{i}", event_date=START
        )
        if i % 4 == 0:
            reserve_transition(acting_user=staff, item=other, to_stage=S.REJECTED, reason="不达标")
    c = client()
    c.get("/construction/reserve/")
    with django_assert_max_num_queries(8):
        r = c.get("/construction/reserve/")
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count('class="board-card"') == 21
    assert "氢燃料电池重卡项目" in body and "不达标" in body
    assert f'action="/construction/reserve/{item.pk}/transition/"' in body
    viewer = client("yc_viewer").get("/construction/reserve/").content.decode()
    assert "氢燃料电池重卡项目" in viewer and "/transition/" not in viewer
    outsider = client("xp_staff").get("/construction/reserve/").content.decode()
    assert "氢燃料电池重卡项目" not in outsider


def test_it_moves_a_card_from_the_board(item):
    r = client().post(
        f"/construction/reserve/{item.pk}/transition/",
        {"to_stage": "evaluation", "version": 1, "next": "board", "event_date": str(START)},
    )
    assert r.status_code == 302 and r["Location"] == "/construction/reserve/"
    assert ReserveItem.objects.get(pk=item.pk).stage == S.EVALUATION


def test_it_shows_an_illegal_move_on_the_item_page_and_writes_nothing(item):
    before = written()
    r = client().post(
        f"/construction/reserve/{item.pk}/transition/",
        {"to_stage": "rejected", "version": 1, "next": "board"},
    )
    assert r.status_code == 400
    assert r.context["move_form"].errors
    assert written() == before


def test_it_creates_and_edits_an_item_from_the_pages(staff, cluster):
    c = client()
    r = c.post(
        "/construction/reserve/new/",
        {
            "name": "农机装备产业园",
            "investor_name": "某农机集团",
            "cluster": cluster.pk,
            "total_investment": "50000",
        },
    )
    assert r.status_code == 302
    created = ReserveItem.objects.get(name="农机装备产业园")
    assert (created.stage, created.area_id, created.created_by) == (
        S.SCREENING,
        staff.area_id,
        staff,
    )
    r = c.post(
        f"/construction/reserve/{created.pk}/edit/",
        {"name": "农机装备产业园二期", "total_investment": "-1", "version": 1},
    )
    assert r.status_code == 400
    assert "total_investment" in r.context["form"].errors
    assert ReserveItem.objects.get(pk=created.pk).name == "农机装备产业园"
    r = c.post(
        f"/construction/reserve/{created.pk}/edit/", {"name": "农机装备产业园二期", "version": 1}
    )
    assert r.status_code == 302
    assert ReserveItem.objects.get(pk=created.pk).name == "农机装备产业园二期"


def test_it_promotes_from_the_item_page(item, staff):
    walk(item, staff, S.INCLUDED, target_level="province")
    page = client().get(f"/construction/reserve/{item.pk}/").content.decode()
    assert 'id="promote"' in page
    r = client().post(
        f"/construction/reserve/{item.pk}/promote/",
        {"year": 2027, "planned_investment": "30000", "stage": "lead", "version": item.version},
    )
    assert r.status_code == 302
    project = ReserveItem.objects.get(pk=item.pk).project
    assert project is not None and r["Location"] == f"/projects/{project.pk}/"
    before = promotion_counts()
    r = client().post(
        f"/construction/reserve/{item.pk}/promote/",
        {"year": 2027, "planned_investment": "30000", "stage": "lead"},
    )
    assert r.status_code == 400
    assert promotion_counts() == before


# --- demo ---------------------------------------------------------------------------------


def test_it_loads_the_demo_once_with_every_stage_and_overdue_milestones():
    import time_machine

    from zhaoshang.construction.demo import reserve as demo
    from zhaoshang.construction.demo import workplan
    from zhaoshang.construction.models import KeyProjectEntry, Milestone
    from zhaoshang.construction.selectors import workplan as plans
    from zhaoshang.projects.demo import load_demo as load_projects

    load_projects()

    def load() -> None:
        workplan.load_demo()
        demo.load_demo()

    with time_machine.travel(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC), tick=False):
        load()
        first = (
            Milestone.objects.count(),
            ReserveItem.objects.count(),
            ReserveEvent.objects.count(),
            KeyProjectEntry.objects.count(),
        )
        load()
        assert (
            Milestone.objects.count(),
            ReserveItem.objects.count(),
            ReserveEvent.objects.count(),
            KeyProjectEntry.objects.count(),
        ) == first
        staff = User.objects.get(username="yc_staff")
        overdue = plans.overdue_count(staff)
        statuses = set(Milestone.objects.values_list("status", flat=True))
    assert first[0] >= 60 and 10 <= first[1] <= 15
    assert overdue > 0 and statuses == {"planned", "in_progress", "done"}
    assert Milestone.objects.filter(due_date__gt=dt.date(2026, 11, 26)).exists()
    assert set(ReserveItem.objects.values_list("stage", flat=True)) == set(ReserveStage.values)
    rejected = ReserveItem.objects.get(stage=S.REJECTED)
    assert rejected.reject_reason == demo.REJECT_REASON
    promoted = ReserveItem.objects.get(name=demo.PROMOTED)
    assert promoted.project is not None
    assert KeyProjectEntry.objects.filter(
        project=promoted.project, year=2027, level="province"
    ).exists()
