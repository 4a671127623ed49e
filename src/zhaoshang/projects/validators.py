"""Code validators: 统一社会信用代码 (GB 32100-2015), region and industry codes."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
REGION_CODE_RE = re.compile(r"^\d{6}$")
INDUSTRY_CODE_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")


def uscc_check_char(first17: str) -> str:
    """The 18th character: 31 − (Σ value×weight mod 31), with 31 written as 0."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Reject a malformed code, naming the position (1–18) of the first bad character."""
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="uscc_length",
        )
    for position, char in enumerate(code, start=1):
        if char not in USCC_CHARSET:
            raise ValidationError(
                _("Character %(pos)d (“%(char)s”) is not allowed in a unified social credit code.")
                % {"pos": position, "char": char},
                code="uscc_char",
                params={"position": position},
            )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "Character 18 is the check digit: it should be “%(expected)s”, not “%(char)s”; "
                "a character before it may be mistyped."
            )
            % {"expected": expected, "char": code[17]},
            code="uscc_checksum",
            params={"position": 18},
        )


def validate_region_code(value: str) -> None:
    if not REGION_CODE_RE.match(value or ""):
        raise ValidationError(_("A region code is 6 digits (GB/T 2260)."), code="region_code")


def validate_industry_code(value: str) -> None:
    if not INDUSTRY_CODE_RE.match(value or ""):
        raise ValidationError(
            _(
                "An industry code is a section letter A–T, optionally followed by 2–4 digits "
                "(GB/T 4754-2017), e.g. C3660."
            ),
            code="industry_code",
        )


def validate_not_future(value: dt.date) -> None:
    """A date that records what happened (an enterprise's founding) cannot be after today."""
    if value > timezone.localdate():
        raise ValidationError(_("This date cannot be in the future."), code="future")
