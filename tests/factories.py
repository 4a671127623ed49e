"""factory_boy factories: areas, units, users with roles, enterprises, projects.

Each factory creates through the service that production writes with
(``acting_user=None``, the system), so a factory-built row obeys the same
invariants as a real one: an area's ``path`` follows its parent, ``full_clean``
runs, a project is born with its stage event, and each write is audited.

Text comes from Faker's ``zh_CN`` locale. Codes are sequences chosen away from
the demo district's (41xxxx) and synth's (9x0000): provinces 50–89, and cities
and counties 50–99 under their parent, so a test can build its own tree beside
the demo data without a clash.

    county = CountyFactory()                      # with its own city and province
    staff = UserFactory(area=county)              # role staff by default
    viewer = UserFactory(area=county, roles=[RoleCode.VIEWER])
    project = ProjectFactory(area=county)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory
from factory.random import randgen

from zhaoshang.core import services as core_services
from zhaoshang.core.choices import AreaLevel, PersonRank, RoleCode, UnitKind
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.projects import services as project_services
from zhaoshang.projects.demo import person_of  # noqa: F401 - the Person of an account, for tests
from zhaoshang.projects.models import Enterprise, Project
from zhaoshang.projects.validators import USCC_CHARSET, uscc_check_char

LOCALE = "zh_CN"


class ProvinceFactory(DjangoModelFactory[Area]):
    """A province (省); :class:`CityFactory` and :class:`CountyFactory` build below one."""

    class Meta:
        model = Area

    level = AreaLevel.PROVINCE
    parent = None
    code = factory.Sequence(lambda n: f"{50 + n % 40}0000")
    name = factory.Faker("province", locale=LOCALE)

    @classmethod
    def _create(cls, model_class: type[Area], *args: Any, **kwargs: Any) -> Area:
        return core_services.area_save(acting_user=None, area=model_class(*args, **kwargs))


class CityFactory(ProvinceFactory):
    """A city (市) under a new province unless ``parent`` is given."""

    level = AreaLevel.CITY
    parent = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:2]}{50 + n % 50}00")
    name = factory.LazyAttribute(lambda o: f"{o.place}市")

    class Params:
        place = factory.Faker("city_name", locale=LOCALE)


class CountyFactory(ProvinceFactory):
    """A county or district (县/区) under a new city unless ``parent`` is given."""

    level = AreaLevel.COUNTY
    parent = factory.SubFactory(CityFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code[:4]}{50 + n % 50}")
    name = factory.LazyAttribute(lambda o: f"{o.place}区")

    class Params:
        place = factory.Faker("district", locale=LOCALE)


class UnitFactory(DjangoModelFactory[Unit]):
    """A unit (单位) of an area: a bureau by default."""

    class Meta:
        model = Unit

    area = factory.SubFactory(CountyFactory)
    kind = UnitKind.BUREAU
    parent = None
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.area.name}{o.brand}招商服务局{n}")

    class Params:
        brand = factory.Faker("company_prefix", locale=LOCALE)

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        return core_services.unit_save(acting_user=None, unit=model_class(*args, **kwargs))


class UserFactory(DjangoModelFactory[User]):
    """A user of an area holding ``roles`` (default: staff); ``roles=[]`` for none.

    A superuser with no area sees everything: ``UserFactory(is_superuser=True,
    area=None, roles=[])``. ``password`` (checked by the validators) is optional.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"factory_user{n}")
    full_name = factory.Faker("name", locale=LOCALE)
    title = factory.Faker("job", locale=LOCALE)
    phone = factory.Faker("phone_number", locale=LOCALE)
    area = factory.SubFactory(CountyFactory)
    unit = None
    is_active = True
    is_superuser = False
    password = None

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", None)
        user = model_class(*args, **kwargs)
        return core_services.user_save(acting_user=None, user=user, password=password)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create:
            codes = [RoleCode.STAFF] if extracted is None else extracted
            core_services.user_set_roles(acting_user=None, user=self, roles=codes)


def uscc_for(region_code: str) -> str:
    """A valid 统一社会信用代码: enterprise (9) company (1), the region, a random body, check."""
    body = "".join(randgen.choice(USCC_CHARSET) for _ in range(9))
    first17 = f"91{region_code}{body}"
    return first17 + uscc_check_char(first17)


class EnterpriseFactory(DjangoModelFactory[Enterprise]):
    """An enterprise (企业) registered by an area, with a valid credit code for it."""

    class Meta:
        model = Enterprise

    area = factory.SubFactory(CountyFactory)
    name = factory.Faker("company", locale=LOCALE)
    uscc = factory.LazyAttribute(lambda o: uscc_for(o.area.code))
    region_code = factory.LazyAttribute(lambda o: o.area.code)
    employees = factory.Faker("random_int", min=5, max=2000)

    @classmethod
    def _create(cls, model_class: type[Enterprise], *args: Any, **kwargs: Any) -> Enterprise:
        enterprise = model_class(*args, **kwargs)
        return project_services.enterprise_save(acting_user=None, enterprise=enterprise)


class ProjectFactory(DjangoModelFactory[Project]):
    """A project (招商项目) at the lead stage; pass the gate fields for a later ``stage``."""

    class Meta:
        model = Project

    area = factory.SubFactory(CountyFactory)
    investor_name = factory.Faker("company", locale=LOCALE)
    name = factory.LazyAttribute(lambda o: f"{o.place}{o.investor_name[:4]}产业园项目")
    total_investment = factory.LazyFunction(lambda: Decimal(randgen.randint(100, 500_000)))

    class Params:
        place = factory.Faker("city_name", locale=LOCALE)

    @classmethod
    def _create(cls, model_class: type[Project], *args: Any, **kwargs: Any) -> Project:
        return project_services.project_create(acting_user=None, **kwargs)


class PersonFactory(DjangoModelFactory[Person]):
    """A Person (人员库 row) without an account: ``PersonFactory(area=…, rank=…, post=…)``.

    The Person of an account is ``person_of(user)`` (the linked one, else made with a
    rank from the account's roles).
    """

    class Meta:
        model = Person

    area = factory.SubFactory(CountyFactory)
    name = factory.Faker("name", locale=LOCALE)
    post = ""
    rank = PersonRank.OFFICER
