"""The demo district: seed structure, and a second load changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps

from zhaoshang.core.demo import load_demo
from zhaoshang.core.models import Area, Unit, User

pytestmark = pytest.mark.django_db


def table_snapshot() -> dict[str, list[tuple]]:
    """Every row of every core table, so any change by a second load shows."""
    return {
        model._meta.label: sorted(map(tuple, model.objects.values_list()))
        for model in apps.get_app_config("core").get_models()
    } | {"roles": sorted(User.roles.through.objects.values_list("user_id", "role_id"))}


def test_it_loads_the_demo_idempotently():
    before = table_snapshot()
    load_demo()
    load_demo()
    assert table_snapshot() == before


def test_it_has_the_real_area_codes():
    assert dict(Area.objects.filter(parent__code="411700").values_list("code", "name")) == {
        "411702": "驿城区",
        "411721": "西平县",
        "411722": "上蔡县",
        "411723": "平舆县",
        "411724": "正阳县",
        "411725": "确山县",
        "411726": "泌阳县",
        "411727": "汝南县",
        "411728": "遂平县",
        "411729": "新蔡县",
    }
    zone = Area.objects.get(name="驻马店装备产业集聚区")
    assert (zone.level, zone.parent.code) == ("zone", "411702")


def test_it_has_the_seed_units_of_yicheng():
    kinds = dict(Unit.objects.filter(area__code="411702").values_list("name", "kind"))
    sub_bureaus = {n for n, k in kinds.items() if k == "sub_bureau"}
    assert sub_bureaus == {
        "新能源汽车装备专业招商分局",
        "专用车运输装备专业招商局",
        "农业工程机械装备专业招商分局",
        "电力电缆电器装备专业招商分局",
        "电商现代物流专业招商分局",
    }
    assert {n for n, k in kinds.items() if k == "supervision"} == {
        "区委督查室",
        "区政府目标督查室",
        "区纪委效能监察室",
        "区委组织部干部监督室",
    }
    assert list(kinds.values()).count("outside_office") == 1
    assert Unit.objects.get(kind="zone_committee").area.code == "411702500"


def test_it_has_a_user_for_every_role():
    held = set(User.roles.through.objects.values_list("role_id", flat=True))
    assert held == {
        "admin",
        "leader",
        "chief",
        "sub_chief",
        "staff",
        "supervisor",
        "viewer",
        "investor",
    }


def test_it_prints_the_demo_logins(capsys):
    from django.core.management import call_command

    call_command("demo")
    out = capsys.readouterr().out
    assert "yc_admin" in out and "xp_staff" in out and "Zhaoshang@2026" in out
