"""Fixtures of the core tests: a stand-in model naming Persons (``person_refs``)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.core.person_refs import ChainStandIn
from zhaoshang.core.person_slots import register_person_slots


@pytest.fixture(scope="session", autouse=True)
def _chain_stand_in_table(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Create the stand-in's tables once per test database (outside any test transaction)."""
    register_person_slots(ChainStandIn, ("lead", "chief", "trackers"))
    with django_db_blocker.unblock():
        tables = connection.introspection.table_names()
        if ChainStandIn._meta.db_table not in tables:
            with connection.schema_editor() as editor:
                editor.create_model(ChainStandIn)
