"""Pages of approvals: the board, the tracker and its actions, the catalogue, the home panel;
the outsider from a sibling district gets 404 everywhere, a reader 404 on every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import ProjectFactory
from tests.helpers import assert_visibility, signed_in_client
from zhaoshang.approvals import services
from zhaoshang.approvals.choices import ItemStatus
from zhaoshang.approvals.models import ApprovalEvent, ApprovalItem
from zhaoshang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def accepted(item, user, on=dt.date(2026, 11, 2)):  # type: ignore[no-untyped-def]
    services.item_move(acting_user=user, item=item, to_status=ItemStatus.SUBMITTED, event_date=on)
    services.item_move(acting_user=user, item=item, to_status=ItemStatus.ACCEPTED, event_date=on)
    item.refresh_from_db()
    return item


def test_the_tracker_shows_bars_lights_and_a_late_entry(plan, fire, staff, project):
    accepted(fire, staff, dt.date(2026, 11, 20))
    response = signed_in_client("yc_staff").get(reverse("approvals:project", args=[project.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "消防设计审查" in page and 'class="gantt"' in page and "light-green" in page
    assert 'class="badge late-entry"' in page  # 受理 of 11-20 entered on 11-27


def test_the_project_page_links_to_the_tracker(plan, project):
    page = signed_in_client("yc_staff").get(reverse("projects:project_detail", args=[project.pk]))
    assert reverse("approvals:project", args=[project.pk]) in page.content.decode()


def test_a_move_from_the_tracker_changes_the_status(fire):
    client = signed_in_client("yc_staff")
    url = reverse("approvals:item_move", args=[fire.pk])
    data = {"to_status": "submitted", "event_date": "2026-11-26", "version": fire.version}
    response = client.post(url, data)
    assert response.status_code == 302
    fire.refresh_from_db()
    assert (fire.status, fire.submitted_on) == ("submitted", dt.date(2026, 11, 26))


def test_an_illegal_move_from_the_tracker_shows_the_refusal_and_writes_nothing(fire):
    client = signed_in_client("yc_staff")
    before = (ApprovalEvent.objects.count(), AuditEvent.objects.count())
    url = reverse("approvals:item_move", args=[fire.pk])
    response = client.post(
        url,
        {"to_status": "approved", "event_date": "2026-11-26", "version": fire.version},
        follow=True,
    )
    assert "不能跳过阶段" in response.content.decode()
    fire.refresh_from_db()
    assert fire.status == "not_started"
    assert (ApprovalEvent.objects.count(), AuditEvent.objects.count()) == before


def test_a_pause_without_a_reason_is_refused_on_the_page(fire, staff):
    accepted(fire, staff)
    response = signed_in_client("yc_staff").post(
        reverse("approvals:item_pause", args=[fire.pk]),
        {"kind": "hearing", "reason": "", "version": fire.version},
        follow=True,
    )
    assert response.status_code == 200
    assert fire.pauses.count() == 0
    assert 'role="alert"' in response.content.decode() or "error" in response.content.decode()


def test_the_board_filters_by_light_and_its_queries_are_bounded(
    plan, staff, yicheng, catalogue, django_assert_max_num_queries
):
    accepted(plan[1], staff)  # due 11-16: red on 11-27
    for n in range(5):
        other = ProjectFactory(area=yicheng, name=f"看板测试项目{n}")
        services.plan_generate(acting_user=None, project=other)
    client = signed_in_client("yc_staff")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("approvals:board"), {"light": "red"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    with django_assert_max_num_queries(16):
        response = client.get(reverse("approvals:board"), {"sort": "-due", "per": 100})
    assert (
        response.context["page"].paginator.count
        == ApprovalItem.objects.filter(area=yicheng).count()
    )


def test_the_board_exports_to_excel(plan):
    response = signed_in_client("yc_staff").get(reverse("approvals:board_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="approvals.approvalitem").exists()


def test_the_catalogue_adds_an_item_and_refuses_a_promise_above_the_law(catalogue, yicheng):
    client = signed_in_client("yc_staff")
    unit = catalogue[0].department
    data = {
        "area": yicheng.pk,
        "phase": "completion",
        "name": "联合验收",
        "department": unit.pk,
        "legal_limit": 12,
        "promised_limit": 15,
        "order": 9,
        "active": "on",
    }
    response = client.post(reverse("approvals:catalogue"), data)
    assert response.status_code == 400
    data["promised_limit"] = ""
    response = client.post(reverse("approvals:catalogue"), data)
    assert response.status_code == 302
    from zhaoshang.approvals.models import ApprovalItemType

    assert ApprovalItemType.objects.get(area=yicheng, name="联合验收").promised_limit == 8


def test_my_work_shows_the_items_i_am_agent_of(plan):
    page = signed_in_client("yc_staff").get("/").content.decode()
    assert "消防设计审查" in page


def test_every_page_and_action_is_404_for_a_sibling_district(plan, fire, project, catalogue, staff):
    accepted(fire, staff)
    promise = services.promise_add(
        acting_user=staff, item=fire, material="图纸", promised_by=dt.date(2026, 11, 30)
    )
    reads = [
        reverse("approvals:project", args=[project.pk]),
    ]
    for url in reads:
        assert_visibility(
            url, owner="yc_staff", outsider="xp_staff", others={"yc_viewer": 200, "zmd_city": 200}
        )
    assert_visibility(
        reverse("approvals:type_edit", args=[catalogue[0].pk]),
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_viewer": 404},
    )
    writes = [
        reverse("approvals:item_move", args=[fire.pk]),
        reverse("approvals:item_pause", args=[fire.pk]),
        reverse("approvals:item_resume", args=[fire.pk]),
        reverse("approvals:item_promise", args=[fire.pk]),
        reverse("approvals:item_agent", args=[fire.pk]),
        reverse("approvals:item_convert", args=[fire.pk]),
        reverse("approvals:item_issue", args=[fire.pk]),
        reverse("approvals:promise_fulfil", args=[promise.pk]),
        reverse("approvals:project_plan", args=[project.pk]),
        reverse("approvals:project_land", args=[project.pk]),
    ]
    before = (ApprovalEvent.objects.count(), AuditEvent.objects.count())
    for url in writes:
        assert_visibility(
            url,
            owner="yc_staff",
            outsider="xp_staff",
            others={"yc_viewer": 404},
            method="post",
            data={},
            owner_status=302,
        )
    assert (ApprovalEvent.objects.count(), AuditEvent.objects.count()) == before
    board = signed_in_client("xp_staff").get(reverse("approvals:board"))
    assert board.context["page"].paginator.count == 0
