"""统一社会信用代码 (GB 32100-2015): valid codes pass, each bad position is named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.projects.validators import (
    USCC_CHARSET,
    uscc_check_char,
    validate_industry_code,
    validate_uscc,
)

VALID = "91350100M000100Y43"  # a published example code with a correct check digit


def test_it_accepts_a_known_valid_code():
    validate_uscc(VALID)
    validate_uscc(VALID.lower())


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17))
def test_it_accepts_any_body_with_its_check_digit(body):
    validate_uscc(body + uscc_check_char(body))


@pytest.mark.parametrize("position", range(1, 19))
def test_it_names_the_position_of_a_bad_character(position):
    code = VALID[: position - 1] + "I" + VALID[position:]
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert info.value.params["position"] == position
    assert f"第 {position} 位" in info.value.messages[0]


@pytest.mark.parametrize("position", range(1, 18))
def test_it_catches_a_mistyped_character_by_the_check_digit(position):
    wrong = next(c for c in USCC_CHARSET if c != VALID[position - 1])
    code = VALID[: position - 1] + wrong + VALID[position:]
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert info.value.params["position"] == 18
    assert "校验" in info.value.messages[0]


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y431"])
def test_it_refuses_a_wrong_length(code):
    with pytest.raises(ValidationError, match="18"):
        validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("C", True),
        ("C36", True),
        ("C366", True),
        ("C3663", True),
        ("Z12", False),
        ("C3", False),
        ("36", False),
    ],
)
def test_it_checks_industry_codes(code, ok):
    if ok:
        validate_industry_code(code)
    else:
        with pytest.raises(ValidationError):
            validate_industry_code(code)
