"""Reads of 模拟审批: the land transfer and what a formal issue changed."""

from __future__ import annotations

from zhaoshang.projects.models import Project

from ..choices import ITEM_DONE, Mode
from ..models import ApprovalItem, LandTransfer


def issue_differences(item: ApprovalItem) -> list[str]:
    """What the formal issue changed against the simulated one: the fields' names."""
    if item.converted_on is None or not item.sim_status:
        return []
    pairs = (
        ("document_number", item.sim_document_number, item.document_number),
        ("document_date", item.sim_document_date, item.document_date),
        ("status", item.sim_status, item.status),
    )
    # an item converted before its (simulated) conclusion has nothing to differ from yet
    if item.sim_status not in ITEM_DONE:
        return []
    return [name for name, simulated, formal in pairs if formal and simulated != formal]


def land_of(project: Project) -> LandTransfer | None:
    return LandTransfer.objects.filter(project=project).first()


def simulated_count(items: list[ApprovalItem]) -> int:
    return sum(i.mode == Mode.SIMULATED for i in items)
