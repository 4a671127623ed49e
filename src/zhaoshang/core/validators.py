"""Password rules beyond Django's built-ins (等保 2.0 L3)."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator:
    """At least N characters, with a message our catalogue translates.

    Django 5.2's own message changed its placeholder and its zh_Hans
    translation no longer matches, so it would show in English.
    """

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("The password is too short: it must have at least %(n)d characters.")
                % {"n": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return _("At least %(n)d characters.") % {"n": self.min_length}


class CharacterClassesValidator:
    """At least N of: lower-case, upper-case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    @staticmethod
    def classes_in(password: str) -> int:
        return sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(c in string.punctuation or c.isspace() for c in password),
            ]
        )

    def validate(self, password: str, user: Any = None) -> None:
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: lower-case letters, upper-case "
                    "letters, digits, symbols."
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least %(n)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"n": self.min_classes}
