"""core.snapshots: one encoder for audit pictures, the same as Django's JSON round trip."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.core.models import User
from zhaoshang.core.snapshots import snapshot, snapshot_column, snapshot_value

UTC8 = dt.timezone(dt.timedelta(hours=8))
SAMPLES: list[Any] = [
    None,
    "文本",
    0,
    7,
    True,
    1.5,
    Decimal("12.3400"),
    dt.date(2026, 11, 29),
    dt.datetime(2026, 11, 29, 9, 30, 1, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 29, 9, 30, tzinfo=UTC8),
    dt.time(8, 15, 30, 250000),
    dt.timedelta(days=2, hours=3),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    [Decimal("1"), dt.date(2026, 1, 1)],
    {"a": Decimal("2.5")},
]


def round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_it_encodes_each_value_as_djangos_json_round_trip(value: Any) -> None:
    assert snapshot_value(value) == round_trip(value)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.decimals(allow_nan=False, allow_infinity=False, places=4),
            st.dates(),
            st.datetimes(timezones=st.just(dt.UTC)),
        ),
        max_size=20,
    )
)
def test_it_encodes_a_column_like_each_of_its_values(values: list[Any]) -> None:
    assert snapshot_column(values) == [snapshot_value(v) for v in values]
    assert snapshot_column(values) == [round_trip(v) for v in values]


def test_it_leaves_secrets_out_of_a_users_snapshot(db: None) -> None:
    user = User(username="pic", full_name="照片")
    user.set_password("Zs-very-secret-1")
    picture = snapshot(user)
    assert picture["username"] == "pic" and "password" not in picture
    assert json.loads(json.dumps(picture)) == picture
