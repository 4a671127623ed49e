"""Enterprises, clusters, projects, their stage log, activities and evidence files.

Data and invariants only; workflow (stage gating, versions, audit) lives in
``projects.services``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area, Person, StageLog, Unit, stage_fields

from .choices import (
    ActivityKind,
    EnterpriseTag,
    KeyLevel,
    KeyRegion,
    LinkKind,
    Method,
    Stage,
)
from .validators import (
    validate_industry_code,
    validate_not_future,
    validate_region_code,
    validate_uscc,
)

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def money(verbose_name: Any, **kwargs: Any) -> Any:
    """Amounts in 万元/万美元: Decimal with 4 decimals, never float, never negative."""
    return models.DecimalField(
        verbose_name, max_digits=16, decimal_places=4, validators=NON_NEGATIVE, **kwargs
    )


class Cluster(models.Model):
    """产业集群 of an area (seed: 运输装备, 新能源汽车 …), led by one sub-bureau."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="clusters"
    )
    name = models.CharField(_("name"), max_length=64)
    sub_bureau = models.ForeignKey(
        Unit,
        verbose_name=_("sub-bureau"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clusters",
    )

    class Meta:
        verbose_name = _("industry cluster")
        verbose_name_plural = _("industry clusters")
        ordering = ["area__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="projects_cluster_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """企业库: one enterprise, kept by the area that registered it."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="enterprises"
    )
    name = models.CharField(_("name"), max_length=128)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_uscc],
    )
    region_code = models.CharField(
        _("region code"), max_length=6, blank=True, validators=[validate_region_code]
    )
    industry_code = models.CharField(
        _("industry code"), max_length=5, blank=True, validators=[validate_industry_code]
    )
    registered_capital = money(_("registered capital (10k yuan)"), null=True, blank=True)
    founded_on = models.DateField(
        _("founding date"), null=True, blank=True, validators=[validate_not_future]
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    is_leading = models.BooleanField(_("leading enterprise"), default=False)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        indexes = [models.Index(fields=["area", "name"], name="projects_ent_area_name")]

    def __str__(self) -> str:
        return self.name

    def tag_labels(self) -> list[str]:
        """The tags as their Chinese labels (``china500`` → 中国500强); an unknown one as is."""
        labels = dict(EnterpriseTag.choices)
        return [str(labels.get(tag, tag)) for tag in self.tags or []]

    def clean(self) -> None:
        if self.uscc == "":
            self.uscc = None
        if self.uscc:
            self.uscc = self.uscc.strip().upper()
        unknown = set(self.tags or []) - set(EnterpriseTag.values)
        if unknown:
            raise ValidationError(
                {"tags": _("Unknown tags: %(tags)s") % {"tags": "、".join(sorted(unknown))}}
            )


class EnterpriseLink(models.Model):
    """A supply relation: ``source`` is supplier_of / customer_of ``target``."""

    source = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="links_out"
    )
    target = models.ForeignKey(
        Enterprise,
        verbose_name=_("related enterprise"),
        on_delete=models.CASCADE,
        related_name="links_in",
    )
    kind = models.CharField(_("relation"), max_length=16, choices=LinkKind.choices)

    class Meta:
        verbose_name = _("enterprise link")
        verbose_name_plural = _("enterprise links")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="projects_link_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="projects_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class InvestorAccount(models.Model):
    """Ties an investor-role user to their enterprise: all they may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="investor_account",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="investor_accounts",
    )

    class Meta:
        verbose_name = _("investor account")
        verbose_name_plural = _("investor accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.enterprise_id}"


class Project(models.Model):
    """招商项目: one record from first lead to production.

    ``version`` is bumped by every write so that a stale edit (API or form)
    is refused with 409 instead of silently overwriting someone else's.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(_("project number"), max_length=32, blank=True)
    name = models.CharField(_("project name"), max_length=200)
    investor = models.ForeignKey(
        Enterprise,
        verbose_name=_("investor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    investor_name = models.CharField(_("investor (as written)"), max_length=200, blank=True)
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    source_region = models.CharField(
        _("source region"), max_length=16, blank=True, choices=KeyRegion.choices
    )
    source_province = models.CharField(_("source province code"), max_length=6, blank=True)
    source_country = models.CharField(_("source country"), max_length=64, blank=True)
    method = models.CharField(
        _("attraction method"), max_length=16, choices=Method.choices, default=Method.OTHER
    )
    total_investment = money(_("total investment (10k yuan)"), default=Decimal("0"))
    foreign_capital = money(_("foreign capital (10k USD)"), default=Decimal("0"))
    out_of_city_capital = money(_("out-of-city capital (10k yuan)"), default=Decimal("0"))
    land_area = models.DecimalField(
        _("land (mu)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    land_parcel = models.CharField(_("zone and parcel"), max_length=128, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.LEAD)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    contracted_amount = money(_("contracted amount (10k yuan)"), null=True, blank=True)
    start_date = models.DateField(_("construction start date"), null=True, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    sub_bureau = models.ForeignKey(
        Unit,
        verbose_name=_("responsible sub-bureau"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    # Responsibility chain (seed: 一名处级干部牵头 … 五家相关局委协作推进): Persons (人员库),
    # not accounts, so a district leader who never logs in can lead (services check ranks).
    lead_cadre = models.ForeignKey(
        Person,
        verbose_name=_("lead cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_led",
    )
    responsible_chief = models.ForeignKey(
        Person,
        verbose_name=_("responsible chief"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_as_chief",
    )
    frontline_sub_chief = models.ForeignKey(
        Person,
        verbose_name=_("frontline sub-chief"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_as_sub_chief",
    )
    trackers = models.ManyToManyField(
        Person,
        verbose_name=_("trackers"),
        blank=True,
        related_name="projects_tracked",
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("cooperating units"), blank=True, related_name="projects_cooperating"
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The later of the last stage move and the last activity, kept by the services
    # so the stuck flag is an index range, not two subqueries per project.
    last_progress_on = models.DateField(_("last progress"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["area", "stage"], name="projects_area_stage"),
            models.Index(fields=["area", "name"], name="projects_area_name"),
            models.Index(fields=["area", "code"], name="projects_area_code"),
            models.Index(
                fields=["area", "stage", "last_progress_on"], name="projects_area_progress"
            ),
            # Covering indexes of the dashboards' "investment by cluster / by region"
            # panels: at province scale (200k projects) 325 ms → 71 ms on SQLite.
            models.Index(
                fields=["area", "cluster", "stage", "total_investment"],
                name="projects_area_cluster_inv",
            ),
            models.Index(
                fields=["area", "source_region", "stage", "total_investment"],
                name="projects_area_region_inv",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "code"],
                condition=~models.Q(code=""),
                name="projects_unique_code_in_area",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def investor_display(self) -> str:
        return self.investor.name if self.investor_id and self.investor else self.investor_name

    @property
    def key_level_display(self) -> str:
        """The label of ``key_level_of_year``, the level a queryset annotated for its year
        (``projects.keylevels``); "" when none or not annotated (the level is a year's fact)."""
        level = getattr(self, "key_level_of_year", "") or ""
        return str(KeyLevel(level).label) if level in KeyLevel.values and level else ""


class Attachment(models.Model):
    """Evidence (pdf/jpg/png/docx/xlsx), served only to users who can see the project."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="projects/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class StageEvent(StageLog):
    """One move of a project between stages (``from_stage`` blank for the first)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stage_events"
    )
    from_stage, to_stage = stage_fields(Stage.choices)
    evidence = models.ForeignKey(
        Attachment,
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(StageLog.Meta):
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        indexes = [
            models.Index(fields=["project", "event_date"], name="projects_event_date"),
            # Covering: 新签约/新开工项目数 count events of a stage in a year by project.
            models.Index(
                fields=["to_stage", "event_date", "project"], name="projects_event_stage_cov"
            ),
        ]


ACTIVITY_MAX_SPAN = 1000  # dates covered by the longest ``days`` the field holds (999.9)


def activity_span(days: Decimal) -> int:
    """The calendar dates an activity of ``days`` covers: ``days`` rounded up, at least one."""
    return max(math.ceil(days), 1)


class Activity(models.Model):
    """招商活动: a visit, reception, talks, exhibition or call, with its next step.

    ``date`` is the day it starts; ``days`` (用时) the calendar days it lasts,
    weekends and holidays included, halves allowed. It covers the consecutive
    dates ``date`` … ``last_date``: ``days`` rounded up, at least ``date``
    itself (a 0.5-day call covers its date; a 6-day trip from 2026-09-28 covers
    09-28 … 10-03). ``activity_create`` refuses one covering a date after today.

    The leaders' “二分之一” report counts, per month, the covered dates that are
    working days of that month, each once however many activities cover it.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="activities"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    days = models.DecimalField(
        _("days spent"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1"),
        validators=NON_NEGATIVE,
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people"), blank=True, related_name="activities"
    )
    other_people = models.CharField(_("other participants"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_due = models.DateField(_("next step due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("investment activity")
        verbose_name_plural = _("investment activities")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["project", "date"], name="projects_activity_date"),
            models.Index(fields=["area", "date"], name="projects_activity_area"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def last_date(self) -> dt.date:
        """The last date the activity covers (``date`` for an activity of a day or less)."""
        return self.date + dt.timedelta(days=activity_span(self.days) - 1)


class YearRollup(models.Model):
    """The dashboards' projects per (area, year): what changed in that year, as deltas.

    ``kind`` is ``stage`` (key: the stage a project was in at the end of the
    year), ``cluster`` (key: the cluster id, "" for none) or ``region`` (key:
    the source region) — the last two count projects not terminated at the end
    of the year, with their total investment. A row holds the change during
    ``year``, so the state at the end of year Y is the sum of the rows with
    ``year <= Y``: a new year needs no new rows, and a province reads a few
    thousand small rows instead of 200 000 projects and their events.
    Rebuilt per area by ``projects.rollups.recount`` in the same transaction as
    every write that moves a project or changes what it counts under.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8)
    key = models.CharField(max_length=32, blank=True)
    projects = models.IntegerField(default=0)
    investment = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "kind", "key"], name="projects_yearrollup_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "area", "year", "key", "projects", "investment"],
                name="projects_yearrollup_cov",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.kind}:{self.key}"
