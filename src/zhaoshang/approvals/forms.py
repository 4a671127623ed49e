"""Forms of agency approvals: the board's filters, the tracker's actions, the catalogue.

They check form only; the rules are the services'. Every choice list is
limited to what the user may name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.choices import PersonRank
from zhaoshang.core.forms import IsoDateInput, ListFilterForm
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.core.selectors import units_in_reach, units_visible_to, writable_areas
from zhaoshang.projects.selectors import persons_fitting

from .choices import ItemStatus, Light, Mode, PauseKind, Phase
from .models import ApprovalItemType
from .selectors import ITEM_SORTS, items_visible_to

DATE = IsoDateInput()


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class ItemFilterForm(ListFilterForm):
    """The board's filters: light, department, phase, 代办员, status, mode, search."""

    sorts = ITEM_SORTS
    q = forms.CharField(label=_("Search item or project"), required=False, max_length=100)
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=_all([c for c in Light.choices if c[0]])
    )
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=_all(Phase.choices))
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Unit.objects.none(), empty_label=_("All")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), required=False, queryset=Person.objects.none(), empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_all(ItemStatus.choices))
    mode = forms.ChoiceField(label=_("Mode"), required=False, choices=_all(Mode.choices))
    project = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = units_visible_to(user).order_by("area__path", "name")  # type: ignore[attr-defined]
        agents = items_visible_to(user).exclude(agent=None).values("agent_id")
        self.fields["agent"].queryset = Person.objects.filter(pk__in=agents).order_by("name")  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveForm(VersionForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=ItemStatus.choices)
    event_date = forms.DateField(label=_("Date it happened"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=100)
    document_date = forms.DateField(label=_("Document date"), widget=DATE, required=False)


class PauseForm(VersionForm):
    kind = forms.ChoiceField(label=_("Pause for"), choices=PauseKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    start = forms.DateField(label=_("Paused from"), widget=DATE, required=False)


class ResumeForm(VersionForm):
    end = forms.DateField(label=_("Resumed on"), widget=DATE, required=False)


class PromiseForm(VersionForm):
    material = forms.CharField(label=_("Missing material"), max_length=200)
    promised_by = forms.DateField(label=_("Promised by"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class FulfilForm(VersionForm):
    fulfilled_on = forms.DateField(label=_("Fulfilled on"), widget=DATE, required=False)


class IssueForm(VersionForm):
    document_number = forms.CharField(label=_("Document number"), max_length=100)
    document_date = forms.DateField(label=_("Document date"), widget=DATE)


class AgentForm(VersionForm):
    agent = forms.ModelChoiceField(
        label=_("Agent"), required=False, queryset=Person.objects.none(), empty_label="—"
    )

    def __init__(self, *args: Any, user: User, area: Area, keep: int | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["agent"].queryset = persons_fitting(  # type: ignore[attr-defined]
            user, area, tuple(PersonRank.values), (keep,)
        ).order_by("name")


class PlanForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=_("Agent"), required=False, queryset=Person.objects.none(), empty_label="—"
    )

    def __init__(self, *args: Any, user: User, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = persons_fitting(  # type: ignore[attr-defined]
            user, area, tuple(PersonRank.values)
        ).order_by("name")


class LandForm(forms.Form):
    transferred_on = forms.DateField(label=_("Land transferred on"), widget=DATE)
    document = forms.CharField(
        label=_("Transfer contract or certificate"), required=False, max_length=100
    )


class ItemTypeForm(forms.ModelForm):
    """Add or edit a catalogue item; the department from the area or above."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ApprovalItemType
        fields = [
            "area",
            "phase",
            "name",
            "department",
            "legal_limit",
            "promised_limit",
            "legal_basis",
            "materials",
            "order",
            "active",
        ]
        widgets = {"materials": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = writable_areas(user)  # type: ignore[attr-defined]
        area = self.instance.area if self.instance.pk else user.area
        units = units_in_reach(user, area) if area is not None else units_visible_to(user)
        self.fields["department"].queryset = units.order_by("name")  # type: ignore[attr-defined]
        self.fields["promised_limit"].required = False
        self.fields["promised_limit"].help_text = _(
            "Left empty: the area's promised ratio of the legal limit."
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            del self.fields["area"]

    def _post_clean(self) -> None:
        """Validated by the service (with the version check), not here."""


class SettingsForm(VersionForm):
    ratio_numerator = forms.IntegerField(label=_("Promised ratio numerator"), min_value=1)
    ratio_denominator = forms.IntegerField(label=_("Promised ratio denominator"), min_value=1)
    total_target = forms.IntegerField(
        label=_("Total approval target (working days)"), min_value=1, max_value=999
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
