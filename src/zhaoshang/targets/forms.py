"""Forms of the targets pages: the area/year picker, the target form, the monthly grid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area

from .choices import ActualMode
from .models import Indicator
from .selectors import plain


def figure_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=4,
        widget=forms.NumberInput(
            attrs={"step": "any", "inputmode": "decimal", "aria-label": str(label)}
        ),
    )


class PickForm(forms.Form):
    """Which area and year a page shows; the areas are only those offered to the user."""

    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), to_field_name="code", required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(pk__in=[a.pk for a in areas]).order_by("path")
        field.empty_label = None

    def year_or_now(self) -> int:
        self.is_valid()  # the year stands on its own even if the area is not offered
        year = self.cleaned_data.get("year")
        return int(year) if year else timezone.localdate().year


class TargetForm(forms.Form):
    """All indicators of one area and year: a blank box clears that target (未设定)."""

    def __init__(
        self, *args: Any, indicators: list[Indicator], current: dict[str, Decimal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for ind in indicators:
            self.fields[ind.code] = figure_field(
                gettext("%(name)s (%(unit)s)") % {"name": ind.name, "unit": ind.unit}
            )
            self.fields[ind.code].initial = plain(current.get(ind.code))


class ModeForm(forms.Form):
    """Whether one paid-in indicator's actual is entered or computed (the table page's switch)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    indicator = forms.CharField(label=_("Indicator"), max_length=32)
    mode = forms.ChoiceField(label=_("Actual from"), choices=ActualMode.choices)


def cell_name(code: str, month: int) -> str:
    return f"{code}__{month}"


class ActualGridForm(forms.Form):
    """Twelve months × the manual indicators; months still to come cannot be typed."""

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        year: int,
        stored: dict[tuple[str, int], Decimal],
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for ind in indicators:
            for month in range(1, 13):
                field = figure_field(f"{ind.name} {month}")
                field.initial = plain(stored.get((ind.code, month)))
                field.disabled = (year, month) > (today.year, today.month)
                self.fields[cell_name(ind.code, month)] = field

    def grid(self) -> list[tuple[Indicator, list[forms.BoundField]]]:
        return [
            (ind, [self[cell_name(ind.code, m)] for m in range(1, 13)]) for ind in self.indicators
        ]

    def changed_cells(self) -> list[tuple[Indicator, int, Decimal | None]]:
        """Cells whose value differs from what is stored (a cleared cell is ``None``)."""
        changed = set(self.changed_data)
        return [
            (ind, m, self.cleaned_data[cell_name(ind.code, m)])
            for ind in self.indicators
            for m in range(1, 13)
            if cell_name(ind.code, m) in changed
        ]
