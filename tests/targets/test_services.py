"""Writes: who sets targets (the level above), manual actuals only, no future month, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.targets.conftest import TODAY
from zhaoshang.core.models import AuditEvent
from zhaoshang.targets import services
from zhaoshang.targets.models import Actual, Target

pytestmark = pytest.mark.django_db

D = Decimal


def written() -> tuple[int, int, int]:
    return Target.objects.count(), Actual.objects.count(), AuditEvent.objects.count()


def test_it_lets_the_city_chief_set_a_county_target_and_audits_it(yicheng, ind, city_chief):
    target = services.target_set(
        acting_user=city_chief, area=yicheng, year=2026, indicator=ind("fdi"), value="4800.5"
    )
    assert (target.value, target.set_by) == (D("4800.5"), city_chief)
    event = AuditEvent.objects.filter(object_type="targets.target").latest("id")
    assert (event.action, event.before, event.after["value"]) == ("create", None, "4800.5")
    assert event.object_repr == f"驿城区 2026年 {ind('fdi').name}"
    services.target_set(
        acting_user=city_chief, area=yicheng, year=2026, indicator=ind("fdi"), value=D("5000")
    )
    assert Target.objects.get(pk=target.pk).value == D("5000")
    event = AuditEvent.objects.filter(object_type="targets.target").latest("id")
    assert (event.action, event.before["value"], event.after["value"]) == (
        "update",
        "4800.5000",
        "5000",
    )


def test_it_lets_a_county_chief_set_its_zones_target(area, ind, user_named):
    services.target_set(
        acting_user=user_named("yc_chief"),
        area=area("411702500"),
        year=2026,
        indicator=ind("import_export"),
        value="100",
    )
    assert Target.objects.filter(area__code="411702500").count() == 1


@pytest.mark.parametrize("username", ["yc_chief", "yc_leader", "yc_admin", "yc_staff"])
def test_it_refuses_a_county_setting_its_own_target(yicheng, ind, user_named, username):
    before = written()
    with pytest.raises(PermissionDenied, match="上一级"):
        services.target_set(
            acting_user=user_named(username),
            area=yicheng,
            year=2026,
            indicator=ind("fdi"),
            value="1",
        )
    assert written() == before


def test_it_refuses_a_zone_target_from_a_staff_member(area, ind, user_named):
    with pytest.raises(PermissionDenied):
        services.target_set(
            acting_user=user_named("yc_staff"),
            area=area("411702500"),
            year=2026,
            indicator=ind("fdi"),
            value="1",
        )


def test_it_answers_404_for_a_sibling_countys_target(xiping, ind, user_named):
    with pytest.raises(Http404):
        services.target_set(
            acting_user=user_named("yc_chief"),
            area=xiping,
            year=2026,
            indicator=ind("fdi"),
            value="1",
        )


@pytest.mark.parametrize(
    ("value", "field", "text"),
    [("-1", "value", "不能为负"), ("abc", "value", "请输入数字"), ("NaN", "value", "请输入数字")],
)
def test_it_refuses_a_bad_target_value(yicheng, ind, city_chief, value, field, text):
    before = written()
    with pytest.raises(ValidationError) as caught:
        services.target_set(
            acting_user=city_chief, area=yicheng, year=2026, indicator=ind("fdi"), value=value
        )
    assert text in " ".join(caught.value.message_dict[field])
    assert written() == before


def test_it_refuses_a_target_year_out_of_range(yicheng, ind, city_chief):
    with pytest.raises(ValidationError) as caught:
        services.target_set(
            acting_user=city_chief, area=yicheng, year=1999, indicator=ind("fdi"), value="1"
        )
    assert "year" in caught.value.message_dict
    assert not Target.objects.exists()


# --- actuals -----------------------------------------------------------------------------


def enter(user, area, code, month, value, ind, year=2026):  # type: ignore[no-untyped-def]
    return services.actual_set(
        acting_user=user,
        area=area,
        year=year,
        month=month,
        indicator=ind(code),
        value=value,
        today=TODAY,
    )


def test_it_enters_changes_and_clears_a_months_figure(yicheng, ind, user_named):
    staff = user_named("yc_staff")
    row = enter(staff, yicheng, "import_export", 10, "1234.5", ind)
    assert (row.value, row.entered_by, row.month) == (D("1234.5"), staff, 10)
    enter(staff, yicheng, "import_export", 10, "1300", ind)
    assert Actual.objects.get().value == D("1300")
    actions = list(
        AuditEvent.objects.filter(object_type="targets.actual")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    named = AuditEvent.objects.filter(object_type="targets.actual").latest("id").object_repr
    assert named == f"驿城区 2026年10月 {ind('import_export').name}"
    assert enter(staff, yicheng, "import_export", 10, None, ind) is None
    assert not Actual.objects.exists()
    assert AuditEvent.objects.filter(object_type="targets.actual").latest("id").action == "delete"


def test_it_lets_the_city_enter_a_countys_figure(yicheng, ind, city_chief):
    enter(city_chief, yicheng, "fdi", 1, "10", ind)
    assert Actual.objects.get().area == yicheng


def test_it_refuses_a_computed_indicator(yicheng, ind, user_named):
    before = written()
    with pytest.raises(ValidationError) as caught:
        enter(user_named("yc_staff"), yicheng, "key_project_investment", 1, "5", ind)
    assert "重点项目完成投资" in caught.value.message_dict["indicator"][0]
    assert written() == before


def test_it_refuses_a_future_month(yicheng, ind, user_named):
    before = written()
    with pytest.raises(ValidationError) as caught:
        enter(user_named("yc_staff"), yicheng, "fdi", 11, "5", ind)
    assert "2026-11" in caught.value.message_dict["month"][0]
    with pytest.raises(ValidationError):
        enter(user_named("yc_staff"), yicheng, "fdi", 1, "5", ind, year=2027)
    with pytest.raises(ValidationError):
        enter(user_named("yc_staff"), yicheng, "fdi", 13, "5", ind)
    assert written() == before
    assert enter(user_named("yc_staff"), yicheng, "fdi", 10, "5", ind, year=TODAY.year)


def test_it_refuses_a_negative_figure(yicheng, ind, user_named):
    before = written()
    with pytest.raises(ValidationError) as caught:
        enter(user_named("yc_staff"), yicheng, "fdi", 1, "-0.01", ind)
    assert "不能为负" in caught.value.message_dict["value"][0]
    assert written() == before


def test_it_refuses_a_reader_and_hides_a_sibling(yicheng, xiping, ind, user_named):
    with pytest.raises(PermissionDenied):
        enter(user_named("yc_viewer"), yicheng, "fdi", 1, "5", ind)
    with pytest.raises(Http404):
        enter(user_named("xp_staff"), yicheng, "fdi", 1, "5", ind)
    with pytest.raises(Http404):
        enter(user_named("yc_staff"), xiping, "fdi", 1, "5", ind)
    assert not Actual.objects.exists()


def test_it_uses_the_real_today_by_default(yicheng, ind, user_named):
    future = dt.date.today().year + 1
    with pytest.raises(ValidationError):
        services.actual_set(
            acting_user=user_named("yc_staff"),
            area=yicheng,
            year=future,
            month=1,
            indicator=ind("fdi"),
            value="1",
        )
