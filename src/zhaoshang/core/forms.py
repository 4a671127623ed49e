"""Forms of the core app; labels are gettext msgids (Chinese via locale/zh_Hans)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, AuditResult, CalendarDayKind, PersonRank
from .models import Area, CalendarNotice, Person, Unit, User
from .selectors import PERSON_SORTS, areas_visible_to, units_visible_to, writable_areas
from .services import NoticeDay, calendar_notice_check


class IsoDateInput(forms.DateInput):
    """A date typed as 2026-11-29 whatever the browser's language.

    ``<input type="date">`` shows mm/dd/yyyy in an English-locale browser and
    ignores ``lang``, so every date field of the site is a text input with the
    ISO pattern and an example; the server parses it (``DATE_INPUT_FORMATS``,
    also 2026/11/29 and 2026年11月29日) and answers a wrong one in Chinese.
    """

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "inputmode": "numeric",
            "pattern": r"\d{4}-\d{2}-\d{2}",
            "placeholder": "2026-11-29",
            "maxlength": "10",
            "size": "10",
            "autocomplete": "off",
            "class": "date",
            "title": _("A date such as 2026-11-29"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. After 5 failures the account is locked for 30 minutes."
        ),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form plus one rule: the new password must differ from the old."""

    def clean_new_password1(self) -> str:
        new = self.cleaned_data["new_password1"]
        if self.user.check_password(new):
            raise forms.ValidationError(_("The new password must differ from the current one."))
        return new


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("Enter the 6-digit code shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("zh-hans", "简体中文"), ("en", "English")])


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *AuditAction.choices]
    )
    result = forms.ChoiceField(
        label=_("Result"), required=False, choices=[("", _("All")), *AuditResult.choices]
    )
    username = forms.CharField(
        label=_("Person (username or full name)"), required=False, max_length=150
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False, choices=[])
    q = forms.CharField(label=_("Object or IP"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def __init__(self, *args: Any, object_types: Sequence[tuple[str, str]] = (), **kwargs: Any):
        """``object_types``: (type, Chinese name) of the types in the rows the user may read."""
        super().__init__(*args, **kwargs)
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *object_types]


class ListFilterForm(forms.Form):
    """The filter bar of a list page: ``filters()`` gives the valid, non-empty values;
    a sort key outside ``sorts`` is dropped rather than passed to ``order_by``."""

    sorts: ClassVar[Collection[str]] = ()

    def filters(self) -> dict[str, Any]:
        """Cleaned filters (invalid input is ignored and shown as errors on the form)."""
        if not self.is_valid():
            return {}
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if v not in (None, "", False) and (k != "sort" or v in self.sorts)
        }


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class PersonFilterForm(ListFilterForm):
    """The 人员库 filter bar (``selectors.person_list``)."""

    sorts = PERSON_SORTS
    q = forms.CharField(label=_("Search name, post, unit or phone"), required=False, max_length=100)
    rank = forms.ChoiceField(
        label=_("Cadre rank"), required=False, choices=_all(PersonRank.choices)
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
        empty_label=_("All"),
    )
    has_account = forms.ChoiceField(
        label=_("Login account"),
        required=False,
        choices=_all([("yes", _("With an account")), ("no", _("Without an account"))]),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_all([("yes", _("Active")), ("no", _("Deactivated"))]),
    )
    duplicates = forms.BooleanField(label=_("Possible duplicates only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("", _("Area, then name")), *((k, k) for k in PERSON_SORTS)],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_visible_to(user)  # type: ignore[attr-defined]


class PersonForm(forms.Form):
    """Create or edit a Person; the area is chosen on create only, among writable areas.

    Units are the user's visible ones; the service refuses a unit of another
    area than the Person's (on the ``unit`` field), so the rule lives in one place.
    """

    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    name = forms.CharField(label=_("Full name"), max_length=64)
    post = forms.CharField(label=_("Post"), max_length=64, required=False)
    rank = forms.ChoiceField(label=_("Cadre rank"), choices=PersonRank.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, person: Person | None = None, **kwargs: Any):
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "area": person.area,
                    "name": person.name,
                    "post": person.post,
                    "rank": person.rank,
                    "unit": person.unit,
                    "phone": person.phone,
                    "version": person.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = writable_areas(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_visible_to(user)  # type: ignore[attr-defined]
        if person is not None:
            self.fields["area"].disabled = True
            self.fields["area"].queryset = Area.objects.filter(pk=person.area_id)  # type: ignore[attr-defined]


class PersonMergeForm(forms.Form):
    """Pick the duplicates to fold into the Person shown (candidates: writable, same name first)."""

    duplicates = forms.ModelMultipleChoiceField(
        label=_("Duplicates to merge into this person"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicates"].queryset = candidates  # type: ignore[attr-defined]


# --- the working-day calendar: a year's notice in the admin ---------------------------

#: The last word of a notice line: 休 (holiday) or 班 (make-up working day).
NOTICE_KINDS = {
    "休": CalendarDayKind.HOLIDAY,
    "放假": CalendarDayKind.HOLIDAY,
    "holiday": CalendarDayKind.HOLIDAY,
    "班": CalendarDayKind.WORKDAY,
    "上班": CalendarDayKind.WORKDAY,
    "workday": CalendarDayKind.WORKDAY,
}
NOTICE_LINE_HELP = _(
    "One line per date or date range: “2027-02-05~2027-02-11 春节 休” for holidays, "
    "“2027-02-14 春节 班” for a make-up working day (调休上班)."
)
#: A range longer than this is a typing mistake, not a holiday.
NOTICE_MAX_RANGE = 15


def _notice_dates(text: str) -> list[dt.date]:
    """``2027-02-05`` or ``2027-02-05~2027-02-11`` (also ``至``) as its dates; ValueError if bad."""
    first, _sep, last = text.replace("至", "~").partition("~")
    start = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last) if last else start
    if not 0 <= (end - start).days < NOTICE_MAX_RANGE:
        raise ValueError(text)
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def parse_notice_lines(text: str) -> tuple[list[NoticeDay], list[str]]:
    """The days the lines list, and one message per line that cannot be read."""
    days: list[NoticeDay] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        kind = NOTICE_KINDS.get(words[-1].lower()) if len(words) >= 3 else None
        try:
            dates = _notice_dates(words[0])
        except ValueError:
            dates = []
        if kind is None or not dates:
            errors.append(
                _("Line %(line)d cannot be read: “%(text)s”.") % {"line": number, "text": line}
            )
            continue
        name = " ".join(words[1:-1])
        days += [NoticeDay(day, kind, name) for day in dates]
    return days, errors


def notice_lines(notice: CalendarNotice) -> str:
    """A stored notice's days written back as lines (one per date), for correcting it."""
    return "\n".join(
        f"{d.date:%Y-%m-%d} {d.name} {'班' if d.kind == CalendarDayKind.WORKDAY else '休'}"
        for d in notice.days.all()
    )


class CalendarNoticeForm(forms.ModelForm):
    """A year's notice as typed from its text; saved through ``calendar_notice_enter``."""

    lines = forms.CharField(
        label=_("Days"), widget=forms.Textarea(attrs={"rows": 16}), help_text=NOTICE_LINE_HELP
    )

    class Meta:
        model = CalendarNotice
        fields = ["year", "number", "title", "published", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["lines"].initial = notice_lines(self.instance)
        self.notice_days: list[NoticeDay] = []

    def validate_unique(self) -> None:
        """Entering a year again is a correction of its notice, not a duplicate."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days, errors = parse_notice_lines(data.get("lines", ""))
        if errors:
            self.add_error("lines", errors)
        elif data.get("year") is not None:
            try:
                calendar_notice_check(year=data["year"], published=data.get("published"), days=days)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error("lines" if field == "days" else field, messages)
        self.notice_days = days
        return data


class InboxFilterForm(forms.Form):
    """The inbox's filter bar (``selectors.alerts_for``)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("unread", _("Unread")), ("read", _("Read"))],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .alert_kinds import alert_kind_choices

        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("All")), *alert_kind_choices()]

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid value (a typo in the URL) is dropped, not an error."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class AlertChannelForm(forms.Form):
    """How a user is told: the inbox always, email when chosen."""

    email = forms.BooleanField(label=_("Also send my alerts by email"), required=False)
