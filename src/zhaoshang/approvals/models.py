"""Data of agency approvals (全程代办, DOMAIN.md §3): catalogue, settings, items and their clocks.

Invariants only (``clean()`` and constraints); the workflow — moves, pauses,
promises, conversion — is in ``services``, the lights in ``selectors``/``sweep``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area, Person, StageLog, Unit, stage_fields
from zhaoshang.projects.models import Project

from .choices import EventKind, ItemStatus, Light, Mode, PauseKind, Phase

PROMISED_OVER_LEGAL = _("The promised limit cannot exceed the legal limit.")


class ApprovalItemType(models.Model):
    """One item of an area's approval catalogue: who decides it and in how many working days."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(_("phase"), max_length=24, choices=Phase.choices)
    name = models.CharField(_("approval item"), max_length=100)
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    legal_limit = models.PositiveSmallIntegerField(_("legal limit (working days)"))
    promised_limit = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    materials = models.TextField(_("required materials"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("approval item type")
        verbose_name_plural = _("approval catalogue")
        ordering = ["area", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="approvals_type_unique_name"),
            models.CheckConstraint(
                condition=Q(promised_limit__lte=F("legal_limit")),
                name="approvals_type_promised_le_legal",
                violation_error_message=PROMISED_OVER_LEGAL,
            ),
            models.CheckConstraint(
                condition=Q(promised_limit__gte=1), name="approvals_type_promised_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.legal_limit is not None and self.legal_limit < 1:
            raise ValidationError({"legal_limit": _("The legal limit is at least 1 working day.")})
        if (
            self.promised_limit is not None
            and self.legal_limit is not None
            and self.promised_limit > self.legal_limit
        ):
            raise ValidationError({"promised_limit": PROMISED_OVER_LEGAL})


class ApprovalSettings(models.Model):
    """An area's promises: the promised share of legal limits and the total-time target."""

    area = models.OneToOneField(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    ratio_numerator = models.PositiveSmallIntegerField(_("promised ratio numerator"), default=2)
    ratio_denominator = models.PositiveSmallIntegerField(_("promised ratio denominator"), default=3)
    total_target = models.PositiveSmallIntegerField(
        _("total approval target (working days)"), default=60
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("approval settings")
        verbose_name_plural = _("approval settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio_numerator__lte=F("ratio_denominator"))
                & Q(ratio_denominator__gte=1),
                name="approvals_settings_ratio_le_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.ratio_numerator}/{self.ratio_denominator}"

    def clean(self) -> None:
        if not self.ratio_denominator or self.ratio_numerator > self.ratio_denominator:
            raise ValidationError(
                {"ratio_numerator": _("The promised ratio is a fraction no larger than 1.")}
            )


class LandTransfer(models.Model):
    """The project's land is transferred (土地出让): simulated approvals turn formal from here."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="land_transfer"
    )
    transferred_on = models.DateField(_("land transferred on"))
    document = models.CharField(_("transfer contract or certificate"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("land transfer")
        verbose_name_plural = _("land transfers")

    def __str__(self) -> str:
        return f"{self.project_id} {self.transferred_on}"


class ApprovalItem(models.Model):
    """One approval item of a project's plan, on the clock from 受理.

    ``due_date`` = the promised limit counted from ``accepted_on`` (次日起算),
    moved later by the working days of closed pauses; ``due_provisional`` when
    the count passed through a year without a published holiday notice (预计).
    ``light``/``overdue`` are the sweep's stored copy; pages compute them live.
    The ``sim_*`` fields keep the simulated issue once the item turned formal.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="approval_items",
    )
    item_type = models.ForeignKey(
        ApprovalItemType,
        verbose_name=_("approval item"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    agent = models.ForeignKey(
        Person,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_items",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.FORMAL)
    promised_limit = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    legal_limit = models.PositiveSmallIntegerField(_("legal limit (working days)"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    done_on = models.DateField(_("concluded on"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    paused_days = models.PositiveIntegerField(_("paused working days"), default=0)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    converted_on = models.DateField(_("converted to formal on"), null=True, blank=True)
    sim_document_number = models.CharField(
        _("simulated document number"), max_length=100, blank=True
    )
    sim_document_date = models.DateField(_("simulated document date"), null=True, blank=True)
    sim_status = models.CharField(
        _("simulated outcome"), max_length=16, choices=ItemStatus.choices, blank=True
    )
    light = models.CharField(
        _("light"), max_length=8, choices=Light.choices, blank=True, default=Light.NONE
    )
    overdue = models.BooleanField(_("overdue"), default=False)
    light_since = models.DateField(_("light since"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("approval item")
        verbose_name_plural = _("approval items")
        ordering = ["project", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "item_type"], name="approvals_item_unique_type"
            )
        ]
        indexes = [
            models.Index(fields=["area", "status", "due_date"], name="approvals_item_clock"),
            models.Index(fields=["area", "light"], name="approvals_item_light"),
        ]

    def __str__(self) -> str:
        return self.item_type.name if self.item_type_id else str(self.pk)

    def clean(self) -> None:
        errors = {}
        if self.accepted_on and self.submitted_on and self.accepted_on < self.submitted_on:
            errors["accepted_on"] = _("Acceptance cannot be before submission.")
        if self.done_on and self.accepted_on and self.done_on < self.accepted_on:
            errors["done_on"] = _("The conclusion cannot be before acceptance.")
        if errors:
            raise ValidationError(errors)


class ApprovalEvent(StageLog):
    """One move of an item's status, or its conversion to formal; 补录 when entered late.

    ``late_entry``: the date it happened is more than 2 working days before the
    day it was entered (``recorded_at``), so it shows who entered it and when.
    """

    item = models.ForeignKey(
        ApprovalItem,
        verbose_name=_("approval item"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    from_stage, to_stage = stage_fields(ItemStatus.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=EventKind.choices, default=EventKind.MOVE
    )
    late_entry = models.BooleanField(_("late entry"), default=False)

    class Meta(StageLog.Meta):
        verbose_name = _("approval event")
        verbose_name_plural = _("approval events")


class ApprovalPause(models.Model):
    """A stretch the law excludes from the clock (《行政许可法》 art. 45); ``end`` null while open.

    Working days ``d`` with ``start < d ≤ end`` are not counted: the clock runs
    on the day the pause starts and stands still through the day it ends.
    """

    item = models.ForeignKey(
        ApprovalItem,
        verbose_name=_("approval item"),
        on_delete=models.CASCADE,
        related_name="pauses",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PauseKind.choices)
    reason = models.TextField(_("reason"))
    start = models.DateField(_("paused from"))
    end = models.DateField(_("resumed on"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("working days paused"), default=0)
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(end__isnull=True), name="approvals_one_open_pause"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="approvals_pause_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}–{self.end or ''}"


class ApprovalPromise(models.Model):
    """容缺受理 / 告知承诺: a material missing at acceptance, promised by a date."""

    item = models.ForeignKey(
        ApprovalItem,
        verbose_name=_("approval item"),
        on_delete=models.CASCADE,
        related_name="promises",
    )
    material = models.CharField(_("missing material"), max_length=200)
    promised_by = models.DateField(_("promised by"))
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("missing-material promise")
        verbose_name_plural = _("missing-material promises")
        ordering = ["promised_by", "id"]

    def __str__(self) -> str:
        return self.material
