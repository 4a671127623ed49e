"""Shared fixtures: the demo district loaded once per test database, users by role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

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


@pytest.fixture(scope="session", autouse=True)
def _chain_stand_in_table(request):  # type: ignore[no-untyped-def]
    """The test-only model naming Persons (``tests/core/person_refs``) and its table.

    Collecting ``tests/core`` imports the model into the app registry of every
    worker, so ``core.selectors.person_relations`` sees it in any test that
    follows; its table must then exist in every worker's database, not only in
    those that happened to run a core test first.
    """
    if not any(item.get_closest_marker("django_db") for item in request.session.items):
        return
    from django.db import connection

    from tests.core.person_refs import ChainStandIn
    from zhaoshang.core.person_slots import register_person_slots

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    register_person_slots(ChainStandIn, ("lead", "chief", "trackers"))
    with blocker.unblock():
        if ChainStandIn._meta.db_table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(ChainStandIn)


@pytest.fixture(scope="session")
def _calendar_warm(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The working-day snapshot of the seeded calendar, built once outside any test."""
    from zhaoshang.core import calendar

    with django_db_blocker.unblock():
        return calendar.warm()


@pytest.fixture(autouse=True)
def _calendar_as_seeded(request):  # type: ignore[no-untyped-def]
    """Each test counts with the seeded calendar, whatever notice an earlier test entered.

    Only tests that use the database get it (others never count working days
    from the table); the snapshot is put back before and after, so no test's
    pinned query count pays for building it.
    """
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        yield
        return
    from zhaoshang.core import calendar

    state = request.getfixturevalue("_calendar_warm")
    calendar.restore(state)
    yield
    calendar.restore(state)


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


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own for processes to share, as a ``DATABASE_URL``.

    SQLite: a file in ``tmp_path``. PostgreSQL (the suite run with
    ``DATABASE_URL=postgres://…``): a database created next to the test database
    on the same server and dropped afterwards, so the processes commit for real
    (the test database's transaction would hide their rows from each other).
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_own_{os.getpid()}"
    server = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    yield f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
