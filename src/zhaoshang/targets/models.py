"""Indicators, annual targets and monthly actuals (目标考核, DOMAIN.md §6).

Completion % and ranks are derived by ``targets.selectors``; nothing here
stores a percentage or a rank.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area

from .choices import ActualMode, IndicatorCode, Source

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
MONTH = [MinValueValidator(1), MaxValueValidator(12)]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def indicator_label(code: str) -> str:
    """An indicator's Chinese name from its code without a query (the audit log's object
    names are these strings, so they must never show ``import_export``)."""
    return str(dict(IndicatorCode.choices).get(code, code))


def amount(verbose_name: object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=18,
        decimal_places=4,
        validators=NON_NEGATIVE,
        **kwargs,  # type: ignore[arg-type]
    )


class Indicator(models.Model):
    """考核指标: 进出口总额 (万美元), 实际利用外资 (万美元), 引进市外资金 (亿元) …"""

    code = models.SlugField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    unit = models.CharField(_("unit"), max_length=16)
    decimals = models.PositiveSmallIntegerField(_("decimal places shown"), default=2)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """市定目标: the annual target of one indicator for one area, set by the level above."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    value = amount(_("target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "indicator__sort", "area__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "indicator"], name="targets_target_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "indicator", "area"], name="targets_target_cov")]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year} {indicator_label(self.indicator_id)}"


class Actual(models.Model):
    """The actual of a manual indicator in one month (the month's own amount, not YTD)."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="actuals"
    )
    value = amount(_("actual in the month"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly actual")
        verbose_name_plural = _("monthly actuals")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "month", "indicator"], name="targets_actual_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["year", "indicator", "area", "month", "value"], name="targets_actual_cov"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year}-{self.month:02d} {indicator_label(self.indicator_id)}"


class ActualModeChoice(models.Model):
    """Per area, year and paid-in indicator: is the actual computed from 到位资金 or entered?

    No row means entered (``ActualMode.ENTERED``), so data from before this
    choice existed reads as it always did. Set by whoever sets that area's
    targets or an admin of the area (``targets.services.actual_mode_set``).
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="modes"
    )
    mode = models.CharField(
        _("actual from"), max_length=16, choices=ActualMode.choices, default=ActualMode.ENTERED
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("actual mode")
        verbose_name_plural = _("actual modes")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "indicator"], name="targets_actualmode_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "indicator", "area"], name="targets_mode_cov")]

    def __str__(self) -> str:
        label = indicator_label(self.indicator_id)
        return f"{self.area.name} {self.year} {label} {self.get_mode_display()}"
