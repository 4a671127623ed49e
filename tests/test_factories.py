"""The factories build rows that pass the same checks as production's writes."""

from __future__ import annotations

import pytest

from tests.factories import (
    CountyFactory,
    EnterpriseFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)
from zhaoshang.core.choices import AreaLevel, RoleCode
from zhaoshang.projects.validators import validate_uscc

pytestmark = pytest.mark.django_db


def test_it_builds_an_area_hierarchy_with_codes_and_paths_in_step():
    county = CountyFactory()
    city = county.parent
    province = city.parent
    assert (province.level, city.level, county.level) == (
        AreaLevel.PROVINCE,
        AreaLevel.CITY,
        AreaLevel.COUNTY,
    )
    assert city.code.startswith(province.code[:2]) and county.code.startswith(city.code[:4])
    assert county.path == f"{province.code}/{city.code}/{county.code}/"
    assert not province.code.startswith(("41", "9"))  # beside the demo and synth areas


def test_it_builds_users_with_roles_in_a_unit_of_their_area():
    unit = UnitFactory()
    user = UserFactory(area=unit.area, unit=unit, roles=[RoleCode.CHIEF, RoleCode.LEADER])
    assert user.role_codes == {RoleCode.CHIEF, RoleCode.LEADER}
    assert UserFactory().role_codes == {RoleCode.STAFF}
    assert UserFactory(roles=[]).role_codes == frozenset()


def test_it_builds_an_enterprise_with_a_valid_credit_code_of_its_area():
    enterprise = EnterpriseFactory()
    validate_uscc(enterprise.uscc or "")
    assert enterprise.uscc[2:8] == enterprise.area.code == enterprise.region_code  # type: ignore[index]


def test_it_builds_a_project_through_the_service():
    investor = EnterpriseFactory()
    project = ProjectFactory(area=investor.area, investor=investor)
    assert project.stage == "lead" and project.last_progress_on is not None
    assert project.stage_events.count() == 1
    assert project.investor_display == investor.name
