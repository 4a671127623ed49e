"""模拟审批: items before the land is transferred run simulated and turn formal, keeping history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.approvals import selectors, services
from zhaoshang.approvals.choices import ItemStatus
from zhaoshang.approvals.models import ApprovalEvent, ApprovalItem, LandTransfer
from zhaoshang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def conclude(item, user, doc):  # type: ignore[no-untyped-def]
    for status, on in (
        (ItemStatus.SUBMITTED, dt.date(2026, 10, 12)),
        (ItemStatus.ACCEPTED, dt.date(2026, 10, 13)),
        (ItemStatus.APPROVED, dt.date(2026, 10, 20)),
    ):
        extra = {"document_number": doc, "document_date": on} if doc else {}
        services.item_move(acting_user=user, item=item, to_status=status, event_date=on, **extra)


def test_a_plan_without_land_is_simulated_and_skips_items_present(plan, project, staff):
    assert {i.mode for i in plan} == {"simulated"}
    assert services.plan_generate(acting_user=staff, project=project) == []
    assert ApprovalItem.objects.filter(project=project).count() == 3


def test_the_land_transfer_converts_every_simulated_item_keeping_its_history(plan, project, staff):
    first, fire, _permit = plan
    conclude(first, staff, "驿自然资模拟预〔2026〕5号")
    services.item_move(
        acting_user=staff,
        item=fire,
        to_status=ItemStatus.SUBMITTED,
        event_date=dt.date(2026, 11, 2),
    )
    history = list(
        ApprovalEvent.objects.filter(item=first).values_list("id", "to_stage", "event_date")
    )
    services.project_land_transferred(
        acting_user=staff,
        project=project,
        transferred_on=dt.date(2026, 11, 10),
        document="出让合同",
    )
    first.refresh_from_db()
    assert (first.mode, first.status, first.converted_on) == (
        "formal",
        "approved",
        dt.date(2026, 11, 10),
    )
    assert (first.document_number, first.done_on) == (
        "驿自然资模拟预〔2026〕5号",
        dt.date(2026, 10, 20),
    )
    assert (first.sim_document_number, first.sim_status) == (
        "驿自然资模拟预〔2026〕5号",
        "approved",
    )
    events = ApprovalEvent.objects.filter(item=first).order_by("id")
    assert list(events.values_list("id", "to_stage", "event_date"))[: len(history)] == history
    assert events.last().kind == "conversion"  # type: ignore[union-attr]
    assert set(ApprovalItem.objects.filter(project=project).values_list("mode", flat=True)) == {
        "formal"
    }
    assert AuditEvent.objects.filter(
        object_type="approvals.approvalitem", object_id=str(first.pk), after__mode="formal"
    ).exists()
    assert selectors.issue_differences(first) == []


def test_a_formal_issue_that_differs_from_the_simulated_one_says_so(plan, project, staff):
    first = plan[0]
    conclude(first, staff, "模拟〔2026〕5号")
    services.project_land_transferred(
        acting_user=staff, project=project, transferred_on=dt.date(2026, 11, 10)
    )
    first.refresh_from_db()
    services.item_issue(
        acting_user=staff,
        item=first,
        document_number="正式〔2026〕9号",
        document_date=dt.date(2026, 11, 12),
    )
    first.refresh_from_db()
    assert selectors.issue_differences(first) == ["document_number", "document_date"]


def test_a_plan_after_the_land_transfer_is_formal(project, catalogue, staff):
    services.project_land_transferred(
        acting_user=staff, project=project, transferred_on=dt.date(2026, 11, 2)
    )
    assert {i.mode for i in services.plan_generate(acting_user=staff, project=project)} == {
        "formal"
    }


def test_conversion_needs_the_land_and_a_transfer_is_recorded_once(plan, project, staff):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.item_convert(acting_user=staff, item=plan[0])
    assert "mode" in caught.value.message_dict
    assert AuditEvent.objects.count() == before
    services.project_land_transferred(
        acting_user=staff, project=project, transferred_on=dt.date(2026, 11, 2)
    )
    with pytest.raises(ValidationError):
        services.project_land_transferred(
            acting_user=staff, project=project, transferred_on=dt.date(2026, 11, 3)
        )
    assert LandTransfer.objects.filter(project=project).count() == 1
    plan[1].refresh_from_db()
    with pytest.raises(ValidationError):
        services.item_convert(acting_user=staff, item=plan[1])
