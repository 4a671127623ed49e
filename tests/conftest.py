"""Shared fixtures: the demo district loaded once per test database, users by role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from zhaoshang.core.demo import DEMO_PASSWORD, load_demo
from zhaoshang.core.models import Person, User
from zhaoshang.projects.demo import person_of


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo once per test database; each test then runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(autouse=True)
def _chinese_after_each_test():  # type: ignore[no-untyped-def]
    """A request in English must not leave English active for the next test's messages."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def user_named(db) -> Callable[[str], User]:  # type: ignore[no-untyped-def]
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def person_named(user_named: Callable[[str], User]) -> Callable[[str], Person]:
    """The Person (人员库) of a demo account, as chains and work plans name them."""

    def get(username: str) -> Person:
        return person_of(user_named(username))

    return get


@pytest.fixture
def client_for(db) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """A test client already signed in (and, for admin/leader, TOTP-verified) as a demo user."""
    from tests.helpers import signed_in_client

    return signed_in_client
