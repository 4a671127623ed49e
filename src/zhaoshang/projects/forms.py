"""Forms of investment attraction; every choice list is limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.choices import AreaLevel
from zhaoshang.core.forms import IsoDateInput, ListFilterForm
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.core.selectors import areas_visible_to, units_visible_to, users_visible_to

from .choices import CHAIN_RANKS, ActivityKind, EnterpriseTag, KeyLevel, KeyRegion, Method, Stage
from .models import Activity, Cluster, Enterprise, Project
from .selectors import (
    INCOMPLETE_SORTS,
    SORTS,
    chain_leaders,
    clusters_visible_to,
    enterprises_visible_to,
    persons_fitting,
)

#: under every multi-select: how to pick several (searchable box, or Ctrl without script)
MULTI_PICK_HELP = _(
    "To pick several, type part of a name and choose each one in turn "
    "(without the search box: hold Ctrl, or ⌘ on a Mac, while clicking)."
)
DATE = IsoDateInput()


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class YearField(forms.IntegerField):
    """The year a key-project level is of (``?year=``); blank means this year."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Year"))
        super().__init__(required=False, min_value=2000, max_value=2100, **kwargs)


class ProjectFilterForm(ListFilterForm):
    sorts = SORTS
    q = forms.CharField(label=_("Search name or investor"), required=False, max_length=100)
    year = YearField(help_text=_("The key-project level shown and filtered is that of this year."))
    area = forms.ModelChoiceField(
        label=_("Area"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
        empty_label=_("All"),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_blank(Stage.choices))
    cluster = forms.ModelChoiceField(
        label=_("Cluster"), required=False, queryset=Cluster.objects.none(), empty_label=_("All")
    )
    source_region = forms.ChoiceField(
        label=_("Source region"), required=False, choices=_blank(KeyRegion.choices)
    )
    method = forms.ChoiceField(
        label=_("Attraction method"), required=False, choices=_blank(Method.choices)
    )
    sub_bureau = forms.ModelChoiceField(
        label=_("Sub-bureau"), required=False, queryset=Unit.objects.none(), empty_label=_("All")
    )
    key_level = forms.ChoiceField(
        label=_("Key-project level"), required=False, choices=_blank(KeyLevel.choices[1:])
    )
    leader = forms.ModelChoiceField(
        label=_("Lead cadre"), required=False, queryset=Person.objects.none(), empty_label=_("All")
    )
    stuck = forms.BooleanField(label=_("Stuck only"), required=False)
    #: set by the column headers (``{% sort_th %}``); kept hidden so a new filter keeps it
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_visible_to(user)  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters_visible_to(user)  # type: ignore[attr-defined]
        self.fields["sub_bureau"].queryset = units_visible_to(user).filter(  # type: ignore[attr-defined]
            kind="sub_bureau"
        )
        self.fields["leader"].queryset = chain_leaders(user)  # type: ignore[attr-defined]


class ChainReportForm(ListFilterForm):
    """The incomplete-chain report's year: the key projects of that year's lists."""

    year = YearField()


class DataQualityFilterForm(ListFilterForm):
    """The filter bar of the 资料待补 page: an area of the user's (and everything below it)."""

    sorts = INCOMPLETE_SORTS

    area = forms.ModelChoiceField(
        label=_("Area"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
        empty_label=_("All"),
    )
    #: set by the column headers (``{% sort_th %}``); kept hidden so a new filter keeps it
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_visible_to(user)  # type: ignore[attr-defined]


class ProjectForm(forms.ModelForm):
    """Create/edit a project; the stage moves only through the transition form."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = [
            "area",
            "code",
            "name",
            "investor",
            "investor_name",
            "cluster",
            "source_region",
            "source_province",
            "source_country",
            "method",
            "total_investment",
            "foreign_capital",
            "out_of_city_capital",
            "land_area",
            "land_parcel",
            "sub_bureau",
            "lead_cadre",
            "responsible_chief",
            "frontline_sub_chief",
            "trackers",
            "cooperating_units",
            "contract_date",
            "contracted_amount",
            "start_date",
            "production_date",
            "notes",
        ]
        widgets = {
            "contract_date": DATE,
            "start_date": DATE,
            "production_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chain_pickers(user)
        self.fields["area"].queryset = areas_visible_to(user).exclude(  # type: ignore[attr-defined]
            level__in=[AreaLevel.PROVINCE]
        )
        self.fields["investor"].queryset = enterprises_visible_to(user)  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters_visible_to(user)  # type: ignore[attr-defined]
        self.fields["sub_bureau"].queryset = units_visible_to(user).filter(kind="sub_bureau")  # type: ignore[attr-defined]
        self.fields["cooperating_units"].queryset = units_visible_to(user)  # type: ignore[attr-defined]
        for name in ("trackers", "cooperating_units"):
            self.fields[name].help_text = MULTI_PICK_HELP
        if self.instance.pk:
            self.fields["area"].disabled = True
            self.fields["version"].initial = self.instance.version

    def _chain_pickers(self, user: User) -> None:
        """Each chain slot offers the Persons of its ranks in reach of the project's area
        (the user's own area for a new one); the service judges whatever is sent."""
        project = self.instance
        area = project.area if project.area_id else user.area
        for name, ranks in CHAIN_RANKS.items():
            if name == "trackers":
                keep = tuple(project.trackers.values_list("pk", flat=True)) if project.pk else ()
            else:
                keep = (getattr(project, f"{name}_id"),)
            self.fields[name].queryset = persons_fitting(user, area, ranks, keep)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("investor") and not data.get("investor_name"):
            self.add_error("investor_name", _("Choose an enterprise or write the investor's name."))
        return data

    def _post_clean(self) -> None:
        """Model validation happens in the service (with the version check), not here."""


class TransitionForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to stage"), choices=Stage.choices)
    event_date = forms.DateField(label=_("Date it happened"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("Reason (for pausing, terminating or moving back)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contract_date = forms.DateField(label=_("Contract date"), required=False, widget=DATE)
    contracted_amount = forms.DecimalField(
        label=_("Contracted amount (10k yuan)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=4,
    )
    start_date = forms.DateField(label=_("Construction start date"), required=False, widget=DATE)
    evidence = forms.FileField(label=_("Evidence file"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, options: list[tuple[str, str]], **kwargs: Any) -> None:
        """``options``: the legal moves, next stage first (``PROJECT.move_options``)."""
        super().__init__(*args, **kwargs)
        field = self.fields["to_stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = options


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind",
            "date",
            "days",
            "people",
            "other_people",
            "region",
            "outcome",
            "next_step",
            "next_due",
        ]
        widgets = {"date": DATE, "next_due": DATE, "outcome": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "days": _(
                "Calendar days from the date, rounded up; record the activity once it is over."
            )
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ActivityKind.choices  # type: ignore[attr-defined]
        people = self.fields["people"]
        people.queryset = (  # type: ignore[attr-defined]
            users_visible_to(user).exclude(roles__code="investor").distinct()
        )

    def _post_clean(self) -> None:
        """Validated by the service."""


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Evidence file (PDF, JPG, PNG, DOCX, XLSX)"))


class EnterpriseForm(forms.ModelForm):
    tags = forms.MultipleChoiceField(
        label=_("Tags"),
        required=False,
        choices=EnterpriseTag.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Enterprise
        fields = [
            "area",
            "name",
            "uscc",
            "region_code",
            "industry_code",
            "registered_capital",
            "founded_on",
            "employees",
            "tags",
            "is_leading",
            "cluster",
            "description",
        ]
        widgets = {"founded_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_visible_to(user)  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters_visible_to(user)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["area"].disabled = True

    def _post_clean(self) -> None:
        """Validated (full_clean) by the service, so errors land on the form from there."""


class LinkForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Related enterprise"), queryset=Enterprise.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("Relation"),
        choices=[("supplier_of", _("Supplier of")), ("customer_of", _("Customer of"))],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = enterprises_visible_to(user)  # type: ignore[attr-defined]
