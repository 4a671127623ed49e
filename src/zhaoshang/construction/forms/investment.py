"""Forms of key-project lists and monthly reports; the services do the domain checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ListLevel
from ..selectors.investment import SORTS


class KeyListFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    level = forms.ChoiceField(
        label=_("List level"),
        required=False,
        choices=[("", _("All lists")), *ListLevel.choices],
    )
    q = forms.CharField(label=_("Project"), required=False, max_length=100)
    through = forms.IntegerField(
        label=_("Through month"), required=False, min_value=1, max_value=12
    )
    #: set by the column headers (``{% sort_th %}``); kept hidden so a new filter keeps it
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped and shown as an error)."""
        if not self.is_bound:
            return {"year": timezone.localdate().year}
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}
        data.setdefault("year", timezone.localdate().year)
        if data.get("sort") not in SORTS:
            data.pop("sort", None)
        return data


class KeyEntryForm(forms.Form):
    project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Project"),
        queryset=None,  # type: ignore[arg-type]
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("List level"), choices=ListLevel.choices)
    planned_investment = forms.DecimalField(
        label=_("Annual planned investment (10k yuan)"), max_digits=16, decimal_places=4
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = projects


class KeyEntryEditForm(forms.Form):
    planned_investment = forms.DecimalField(
        label=_("Annual planned investment (10k yuan)"), max_digits=16, decimal_places=4
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class MonthReportForm(forms.Form):
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    amount = forms.DecimalField(
        label=_("Investment completed in the month (10k yuan)"), max_digits=16, decimal_places=4
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
