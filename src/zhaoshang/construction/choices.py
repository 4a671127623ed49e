"""Fixed vocabularies of project construction (DOMAIN.md §3), with their Chinese names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListLevel(models.TextChoices):
    """重点项目清单级别: whose key-project list (区重点/市重点/省重点)."""

    DISTRICT = "district", _("District key project")
    CITY = "city", _("City key project")
    PROVINCE = "province", _("Provincial key project")


# Low to high; a project's "top level" in a year is the highest list it sits in.
LEVEL_RANK: dict[str, int] = {ListLevel.DISTRICT: 1, ListLevel.CITY: 2, ListLevel.PROVINCE: 3}
# The seed counts "纳入省、市重点建设项目" (21 projects, 51.2亿元): city and provincial lists.
CITY_OR_ABOVE: tuple[str, ...] = (ListLevel.CITY, ListLevel.PROVINCE)


class MilestoneStatus(models.TextChoices):
    """工作方案节点状态; "overdue" is derived (due date passed, not done), never stored."""

    PLANNED = "planned", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ReserveStage(models.TextChoices):
    """项目储备: 筛选→论证→包装→申报→储备→纳入(省/市重点), or 否决 with a reason."""

    SCREENING = "screening", _("Screening")
    EVALUATION = "evaluation", _("Evaluation")
    PACKAGING = "packaging", _("Packaging")
    APPLICATION = "application", _("Application")
    RESERVED = "reserved", _("Reserved")
    INCLUDED = "included", _("Included in key list")
    REJECTED = "rejected", _("Rejected")


RESERVE_MAIN: tuple[str, ...] = (
    ReserveStage.SCREENING,
    ReserveStage.EVALUATION,
    ReserveStage.PACKAGING,
    ReserveStage.APPLICATION,
    ReserveStage.RESERVED,
    ReserveStage.INCLUDED,
)
