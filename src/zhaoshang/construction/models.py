"""Key-project lists, monthly investment, work plans and the reserve pipeline (DOMAIN.md §3).

Data and invariants only. Every write goes through ``construction.services``,
which also keeps the two rollup tables (``KeyPlanRollup``, ``InvestmentRollup``)
in step in the same transaction: dashboards read the rollups, never the
millions of monthly rows.

``area`` on entries, reports and milestones is the project's area, copied by the
services so scoping and the rollups need no join to ``projects_project``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area, Person, StageLog, Unit, stage_fields
from zhaoshang.projects.models import Cluster, Project, money

from .choices import ListLevel, MilestoneStatus, ReserveStage

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
MONTH = [MinValueValidator(1), MaxValueValidator(12)]


class KeyProjectEntry(models.Model):
    """One project in one year's key-project list of one level, with its annual plan (万元).

    A project may sit in several levels' lists of the same year (市重点 and 省重点).
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="key_entries"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    level = models.CharField(_("list level"), max_length=16, choices=ListLevel.choices)
    planned_investment = money(_("annual planned investment (10k yuan)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("key-project list entry")
        verbose_name_plural = _("key-project list entries")
        ordering = ["year", "level", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "level"], name="construction_entry_unique"
            )
        ]
        indexes = [
            models.Index(fields=["area", "year", "level"], name="construction_entry_list"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()} {self.project_id}"


class MonthlyInvestment(models.Model):
    """月度完成投资 of one project in one month (万元), versioned.

    A correction adds a new row with ``version + 1`` and clears ``is_current`` on
    the old one, which stays for the history. At most one current row per
    project and month (a partial unique constraint).
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="investments"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH)
    amount = money(_("investment completed in the month (10k yuan)"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("monthly investment report")
        verbose_name_plural = _("monthly investment reports")
        ordering = ["year", "month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month", "version"],
                name="construction_investment_version",
            ),
            models.UniqueConstraint(
                fields=["project", "year", "month"],
                condition=models.Q(is_current=True),
                name="construction_investment_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["area", "year", "month", "is_current"], name="construction_inv_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d} v{self.version}"


class KeyPlanRollup(models.Model):
    """Per area, year and top list level: how many key projects and their annual plan (万元).

    ``top_level`` is the highest list a project sits in that year, so a project
    in both 市重点 and 省重点 counts once (under 省重点) with that entry's plan.
    Rebuilt by the services for the (area, year) they touch.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    top_level = models.CharField(max_length=16, choices=ListLevel.choices)
    projects = models.PositiveIntegerField(default=0)
    planned = models.DecimalField(max_digits=18, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "top_level"], name="construction_planrollup_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["year", "area", "top_level", "projects", "planned"],
                name="construction_planrollup_cov",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.top_level}"


class InvestmentRollup(models.Model):
    """Per area, year, month and top list level: current monthly investment summed (万元).

    Only projects in that year's key lists are rolled up; rebuilt by the services
    for the (area, year) they touch, in the same transaction as the write.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    top_level = models.CharField(max_length=16, choices=ListLevel.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    reports = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "month", "top_level"],
                name="construction_invrollup_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["year", "area", "month", "top_level", "amount"],
                name="construction_invrollup_cov",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}-{self.month:02d} {self.top_level}"


class Milestone(models.Model):
    """工作方案 node: what must be done by when, by whom (分包领导, 责任单位, 责任人)."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due date"))
    leader = models.ForeignKey(  # a leader-rank Person (区级领导 or 处级干部), see the services
        Person,
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones_led",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones_responsible",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    done_date = models.DateField(_("done date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work-plan milestone")
        verbose_name_plural = _("work-plan milestones")
        ordering = ["due_date", "id"]
        indexes = [
            # the dashboards count a year's overdue nodes per area from the index alone
            models.Index(
                fields=["area", "due_date", "status", "done_date"], name="construction_ms_due"
            ),
            models.Index(fields=["project", "due_date"], name="construction_ms_project"),
        ]

    def __str__(self) -> str:
        return self.title


class ReserveItem(models.Model):
    """项目储备: a candidate project being screened, evaluated, packaged and applied for.

    Promotion creates a ``Project`` (and a key-list entry) from it without
    retyping; ``project`` then points at the result.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("project name"), max_length=200)
    investor_name = models.CharField(_("investor"), max_length=200, blank=True)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total_investment = money(_("total investment (10k yuan)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    stage = models.CharField(
        _("stage"), max_length=16, choices=ReserveStage.choices, default=ReserveStage.SCREENING
    )
    target_level = models.CharField(
        _("key list applied for"), max_length=16, choices=ListLevel.choices, blank=True
    )
    reject_reason = models.TextField(_("rejection reason"), blank=True)
    project = models.OneToOneField(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reserve_item",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reserve project")
        verbose_name_plural = _("reserve projects")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["area", "stage"], name="construction_reserve_stage")]

    def __str__(self) -> str:
        return self.name


class ReserveEvent(StageLog):
    """One move of a reserve item between stages (``from_stage`` blank for the first)."""

    item = models.ForeignKey(
        ReserveItem,
        verbose_name=_("reserve project"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    from_stage, to_stage = stage_fields(ReserveStage.choices)

    class Meta(StageLog.Meta):
        verbose_name = _("reserve stage event")
        verbose_name_plural = _("reserve stage events")


class PaidInCapital(models.Model):
    """到位资金 of one project in one month, versioned like ``MonthlyInvestment``.

    ``foreign_capital`` (万美元) counts toward 实际利用外资 and
    ``out_of_city_capital`` (万元) toward 引进市外资金 when an area's actual of
    that indicator is computed (``targets``). A correction adds a row with
    ``version + 1`` and clears ``is_current`` on the old one, which stays.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="paid_in"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH)
    foreign_capital = money(_("foreign capital paid in (10k USD)"), default=0)
    out_of_city_capital = money(_("out-of-city capital paid in (10k yuan)"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("paid-in capital report")
        verbose_name_plural = _("paid-in capital reports")
        ordering = ["year", "month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month", "version"],
                name="construction_capital_version",
            ),
            models.UniqueConstraint(
                fields=["project", "year", "month"],
                condition=models.Q(is_current=True),
                name="construction_capital_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["area", "year", "month", "is_current"], name="construction_cap_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}-{self.month:02d} v{self.version}"
