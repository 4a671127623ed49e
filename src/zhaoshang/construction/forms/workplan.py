"""Forms of work plans; every choice list is limited to what the user may name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.choices import PersonRank
from zhaoshang.core.forms import IsoDateInput, ListFilterForm
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.core.selectors import units_in_reach, units_visible_to
from zhaoshang.projects.choices import LEADER_RANKS
from zhaoshang.projects.selectors import chain_leaders, persons_fitting

from ..choices import MilestoneStatus
from ..models import Milestone
from ..selectors.workplan import MILESTONE_SORTS

DATE = IsoDateInput()


class MilestoneFilterForm(ListFilterForm):
    sorts = MILESTONE_SORTS
    q = forms.CharField(label=_("Search milestone or project"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MilestoneStatus.choices]
    )
    leader = forms.ModelChoiceField(
        label=_("Leader in charge"),
        required=False,
        queryset=Person.objects.none(),
        empty_label=_("All"),
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All"),
    )
    project = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    #: set by the column headers (``{% sort_th %}``); kept hidden so a new filter keeps it
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = chain_leaders(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_visible_to(user).order_by("area__path", "name")  # type: ignore[attr-defined]


class MilestoneForm(forms.ModelForm):
    """Add or edit a milestone; leader and unit from the project's area or above."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Milestone
        fields = ["title", "due_date", "leader", "unit", "responsible_person", "status", "note"]
        widgets = {"due_date": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: User, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        milestone = self.instance
        self.fields["leader"].queryset = persons_fitting(  # type: ignore[attr-defined]
            user, area, LEADER_RANKS, (milestone.leader_id,)
        )
        self.fields["responsible_person"].queryset = persons_fitting(  # type: ignore[attr-defined]
            user, area, tuple(PersonRank.values), (milestone.responsible_person_id,)
        )
        self.fields["unit"].queryset = units_in_reach(user, area).order_by("name")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.status != MilestoneStatus.DONE:
                # Done is recorded with its date through the complete form.
                self.fields["status"].choices = MilestoneStatus.choices[:2]  # type: ignore[attr-defined]
        else:
            del self.fields["status"]

    def _post_clean(self) -> None:
        """Validated by the service (with the version check), not here."""


class CompleteForm(forms.Form):
    done_date = forms.DateField(label=_("Done on"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)
