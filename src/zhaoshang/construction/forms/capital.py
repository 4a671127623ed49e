"""Forms of paid-in capital (到位资金): the list's filters and a month's report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CapitalFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), required=False, min_value=1, max_value=12)
    area = forms.CharField(label=_("Area code"), required=False, max_length=9)
    #: set by the column headers (``{% sort_th %}``); kept hidden so a new filter keeps it
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped and shown as an error)."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}
        data.setdefault("year", timezone.localdate().year)
        return data


class CapitalReportForm(forms.Form):
    """One month's 到位资金; the service checks the month, the signs and the project."""

    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    foreign_capital = forms.DecimalField(
        label=_("Foreign capital paid in (10k USD)"), max_digits=16, decimal_places=4
    )
    out_of_city_capital = forms.DecimalField(
        label=_("Out-of-city capital paid in (10k yuan)"), max_digits=16, decimal_places=4
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
