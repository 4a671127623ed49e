"""core.policy: each role's capabilities, the trusted system, and where a user may reach.

The data is built with the factories (a province → city → two counties of its
own), not the demo, so each rule is checked on users made for it. The role ×
capability table is written out here rather than read from the module: a rule
removed from ``ROLE_CAPABILITIES`` must fail a case, not quietly change it.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import CityFactory, CountyFactory, ProvinceFactory, UserFactory
from zhaoshang.core.choices import RoleCode
from zhaoshang.core.policy import (
    OUT_OF_REACH,
    Capability,
    area_scope_path,
    can,
    can_reach,
    can_set_targets,
    require,
    require_area,
    within,
)

pytestmark = pytest.mark.django_db

#: role → what it may do, as core.policy declares it (written out here, not read from it)
GRANTS: dict[str, set[Capability]] = {
    RoleCode.ADMIN: {
        Capability.WRITE,
        Capability.IMPORT,
        Capability.SET_TARGETS,
        Capability.READ_AUDIT,
        Capability.ADMINISTER,
    },
    RoleCode.LEADER: {Capability.WRITE, Capability.SET_TARGETS},
    RoleCode.CHIEF: {Capability.WRITE, Capability.IMPORT, Capability.SET_TARGETS},
    RoleCode.SUB_CHIEF: {Capability.WRITE, Capability.IMPORT},
    RoleCode.STAFF: {Capability.WRITE, Capability.IMPORT},
    RoleCode.SUPERVISOR: {Capability.READ_AUDIT, Capability.SUPERVISE},
    RoleCode.VIEWER: set(),
    RoleCode.INVESTOR: set(),
}
MATRIX = [(role, cap, cap in GRANTS[role]) for role in RoleCode.values for cap in Capability]


@pytest.fixture
def tree() -> SimpleNamespace:
    """A province with two cities; the first city has two counties (siblings)."""
    province = ProvinceFactory()
    city = CityFactory(parent=province)
    return SimpleNamespace(
        province=province,
        city=city,
        other_city=CityFactory(parent=province),
        county=CountyFactory(parent=city),
        sibling=CountyFactory(parent=city),
    )


def test_it_covers_every_role_and_capability():
    assert set(GRANTS) == set(RoleCode.values)
    assert len(MATRIX) == len(RoleCode.values) * len(Capability)


@pytest.mark.parametrize(("role", "capability", "granted"), MATRIX)
def test_it_grants_each_role_exactly_its_capabilities(tree, role, capability, granted):
    user = UserFactory(area=tree.county, roles=[role])
    assert can(user, capability) is granted
    if granted:
        require(user, capability)
    else:
        with pytest.raises(PermissionDenied):
            require(user, capability)


def test_it_gives_a_user_holding_several_roles_the_union(tree):
    user = UserFactory(area=tree.county, roles=[RoleCode.VIEWER, RoleCode.SUPERVISOR])
    assert can(user, Capability.SUPERVISE) and can(user, Capability.READ_AUDIT)
    assert not can(user, Capability.WRITE)


def test_it_lets_a_superuser_do_everything_everywhere(tree):
    root = UserFactory(is_superuser=True, area=None, roles=[])
    assert all(can(root, cap) for cap in Capability)
    assert area_scope_path(root) == ""
    assert can_reach(root, tree.sibling) and can_reach(root, tree.other_city)
    assert can_set_targets(root, tree.province)
    require_area(root, Capability.ADMINISTER, tree.other_city)


def test_it_keeps_a_superuser_with_an_area_to_that_area(tree):
    root = UserFactory(is_superuser=True, area=tree.city, roles=[])
    assert area_scope_path(root) == tree.city.path
    assert can_reach(root, tree.county) and not can_reach(root, tree.other_city)


def test_it_refuses_an_inactive_user_everything(tree):
    user = UserFactory(area=tree.city, roles=[RoleCode.ADMIN], is_active=False)
    assert not any(can(user, cap) for cap in Capability)
    assert area_scope_path(user) is None
    assert not can_reach(user, tree.city)
    assert not can_set_targets(user, tree.county)
    with pytest.raises(PermissionDenied):
        require(user, Capability.WRITE)


def test_it_refuses_an_anonymous_user_everything(tree):
    anonymous = AnonymousUser()
    assert not any(can(anonymous, cap) for cap in Capability)
    assert area_scope_path(anonymous) is None
    assert not can_reach(anonymous, tree.county)
    assert not can_set_targets(anonymous, tree.county)
    with pytest.raises(PermissionDenied):
        require(anonymous, Capability.WRITE)


def test_it_gives_an_investor_no_area_and_no_capability(tree):
    investor = UserFactory(area=tree.county, roles=[RoleCode.INVESTOR])
    assert area_scope_path(investor) is None
    assert not can_reach(investor, tree.county)
    assert not any(can(investor, cap) for cap in Capability)
    with pytest.raises(PermissionDenied):
        require_area(investor, Capability.WRITE, tree.county)


def test_it_lets_an_investor_who_is_also_an_official_see_their_area(tree):
    both = UserFactory(area=tree.county, roles=[RoleCode.INVESTOR, RoleCode.STAFF])
    assert area_scope_path(both) == tree.county.path
    assert can_reach(both, tree.county) and not can_reach(both, tree.sibling)


@pytest.mark.parametrize("capability", list(Capability))
def test_it_trusts_the_system(tree, capability):
    require(None, capability)
    require_area(None, capability, tree.sibling)


def test_it_reaches_the_users_area_and_below_only(tree):
    cadre = UserFactory(area=tree.city, roles=[RoleCode.STAFF])
    assert area_scope_path(cadre) == tree.city.path
    assert can_reach(cadre, tree.city) and can_reach(cadre, tree.county)
    assert not can_reach(cadre, tree.province)
    assert not can_reach(cadre, tree.other_city)


def test_it_refuses_a_write_into_a_sibling_district_or_above(tree):
    staff = UserFactory(area=tree.county, roles=[RoleCode.STAFF])
    require_area(staff, Capability.WRITE, tree.county)
    for outside in (tree.sibling, tree.city):
        with pytest.raises(ValidationError) as refused:
            require_area(staff, Capability.WRITE, outside)
        assert refused.value.message_dict == {"area": [str(OUT_OF_REACH)]}


def test_it_refuses_a_reader_in_their_own_area(tree):
    viewer = UserFactory(area=tree.county, roles=[RoleCode.VIEWER])
    assert can_reach(viewer, tree.county)
    with pytest.raises(PermissionDenied):
        require_area(viewer, Capability.WRITE, tree.county)


def test_it_lets_targets_be_set_only_strictly_below_the_users_area(tree):
    chief = UserFactory(area=tree.city, roles=[RoleCode.CHIEF])
    assert can_set_targets(chief, tree.county)
    assert can_set_targets(chief, tree.sibling)
    assert not can_set_targets(chief, tree.city)  # not their own area's
    assert not can_set_targets(chief, tree.province)  # not above
    assert not can_set_targets(chief, tree.other_city)  # not beside


def test_it_lets_only_a_target_setting_role_set_targets_below(tree):
    staff = UserFactory(area=tree.city, roles=[RoleCode.STAFF])
    assert not can_set_targets(staff, tree.county)


def test_it_says_an_area_is_within_itself_and_its_ancestors_only(tree):
    assert within(tree.city, tree.county)
    assert within(tree.county, tree.county)
    assert within(tree.province, tree.county)
    assert not within(tree.county, tree.city)
    assert not within(tree.county, tree.sibling)
    assert not within(None, tree.county)
