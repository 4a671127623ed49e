"""Forms of the reserve pipeline; choice lists limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import IsoDateInput
from zhaoshang.core.models import User
from zhaoshang.projects.choices import MAIN_STAGES, Stage
from zhaoshang.projects.models import Cluster
from zhaoshang.projects.selectors import clusters_visible_to

from ..choices import CITY_OR_ABOVE, ListLevel, ReserveStage
from ..models import ReserveItem

DATE = IsoDateInput()
LEVELS = [(v, label) for v, label in ListLevel.choices if v in CITY_OR_ABOVE]


class ReserveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search name or investor"), required=False, max_length=100)
    cluster = forms.ModelChoiceField(
        label=_("Cluster"), required=False, queryset=Cluster.objects.none(), empty_label=_("All")
    )
    target_level = forms.ChoiceField(
        label=_("Key list applied for"), required=False, choices=[("", _("All")), *LEVELS]
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters_visible_to(user)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ReserveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReserveItem
        fields = [
            "name",
            "investor_name",
            "cluster",
            "total_investment",
            "target_level",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters_visible_to(user)  # type: ignore[attr-defined]
        self.fields["target_level"].choices = [("", "—"), *LEVELS]  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self) -> None:
        """Validated by the service (with the version check), not here."""


class ReserveMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to stage"), choices=ReserveStage.choices)
    event_date = forms.DateField(label=_("Date it happened"), widget=DATE, required=False)
    target_level = forms.ChoiceField(
        label=_("Key list (when including)"), required=False, choices=[("", "—"), *LEVELS]
    )
    reason = forms.CharField(
        label=_("Reason (for rejecting or moving back)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)


class PromoteForm(forms.Form):
    year = forms.IntegerField(label=_("Key-list year"), min_value=2000, max_value=2100)
    planned_investment = forms.DecimalField(
        label=_("Annual planned investment (10k yuan)"),
        min_value=0,
        max_digits=16,
        decimal_places=4,
    )
    stage = forms.ChoiceField(
        label=_("The project starts at"),
        choices=[(s, Stage(s).label) for s in MAIN_STAGES],
        initial=Stage.LEAD,
    )
    event_date = forms.DateField(label=_("Date it happened"), widget=DATE, required=False)
    contract_date = forms.DateField(label=_("Contract date"), required=False, widget=DATE)
    contracted_amount = forms.DecimalField(
        label=_("Contracted amount (10k yuan)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=4,
    )
    start_date = forms.DateField(label=_("Construction start date"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
