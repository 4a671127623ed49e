"""Vocabularies of agency approvals (全程代办, 模拟审批, 限时办结), with their Chinese names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """The four phases of the engineering-construction approval reform (国办发〔2019〕11号)."""

    LAND_PLANNING = "land_planning", _("Project approval and land-use planning permit")
    WORKS_PERMIT = "works_permit", _("Construction works permit")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")
    COMPLETION = "completion", _("Completion acceptance")


class ItemStatus(models.TextChoices):
    """未启动 → 已申报 → 已受理 → 已办结, or 不予许可 (both final)."""

    NOT_STARTED = "not_started", _("Not started yet")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    APPROVED = "approved", _("Concluded")
    REFUSED = "refused", _("Permit refused")


ITEM_MAIN: tuple[str, ...] = (
    ItemStatus.NOT_STARTED,
    ItemStatus.SUBMITTED,
    ItemStatus.ACCEPTED,
    ItemStatus.APPROVED,
)
#: statuses whose clock has stopped for good
ITEM_DONE: tuple[str, ...] = (ItemStatus.APPROVED, ItemStatus.REFUSED)


class Mode(models.TextChoices):
    """模拟审批 before the land is transferred, formal after."""

    SIMULATED = "simulated", _("Simulated")
    FORMAL = "formal", _("Formal")


class PauseKind(models.TextChoices):
    """What the law excludes from the clock (《行政许可法》 art. 45)."""

    CORRECTION = "correction", _("Supplementing materials")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    HEARING = "hearing", _("Hearing")
    TESTING = "testing", _("Testing and inspection")


class Light(models.TextChoices):
    """电子监察 lights: 绿/黄/红 while the clock runs; paused; done on time or late."""

    NONE = "", _("Clock not running")
    GREEN = "green", _("Green: on time")
    YELLOW = "yellow", _("Yellow: one working day or less left")
    RED = "red", _("Red: overdue")
    PAUSED = "paused", _("Clock paused")
    DONE = "done", _("Done on time")
    LATE = "late", _("Done late")


class EventKind(models.TextChoices):
    """What an item's log row records: a status move, or the 模拟→正式 conversion."""

    MOVE = "move", _("Status move")
    CONVERSION = "conversion", _("Converted to formal")
