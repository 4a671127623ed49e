"""Forms of the core app; labels are gettext msgids (Chinese via locale/zh_Hans)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, AuditResult


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
    username = forms.CharField(label=_("Username"), required=False, max_length=150)
    q = forms.CharField(label=_("Object or IP"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


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
