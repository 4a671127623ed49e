"""schemathesis against the API in-process: the OpenAPI document is the contract.

Every operation is fuzzed with a bounded number of examples (fixed seed), as a
read token and as a write token, with data that fits the schema and data that
does not. The checks: no 5xx, every answer's status documented and its body
matching the documented schema, data the schema refuses refused (4xx), and
data the schema allows never refused by the schema validation itself (a 422
from a service's domain rule, say an unknown person id, is a fair answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja.errors import ValidationError
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from zhaoshang.api.site import api
from zhaoshang.core import services
from zhaoshang.core.models import User

pytestmark = pytest.mark.django_db

EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # 422 from a service (a domain rule) is fair for schema-valid data; a
            # refusal by the schema validation itself is caught by the `schema_refusals` fixture.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]
            }
        }
    }
)
DOCUMENT = api.get_openapi_schema()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
SCHEMA.app = get_wsgi_application()
LABELS = [result.ok().label for result in SCHEMA.get_all_operations()]


def token_for(scope: str) -> str:
    user = User.objects.get(username="yc_staff")
    _record, plain = services.token_create(
        acting_user=None, user=user, name="fuzz", scope=scope, days=5
    )
    return plain


@pytest.fixture(autouse=True)
def _connection_kept() -> Iterator[None]:
    """Keep the test's database connection across the WSGI calls, as Django's test client does.

    schemathesis calls the WSGI application itself, so each request's start and end
    signals run ``close_old_connections``: on PostgreSQL that closes the connection
    holding the test's transaction (SQLite's in-memory database ignores the close).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def schema_refusals(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every body the schema validation refused, to tell them from a service's 422."""
    refusals: list[Any] = []
    handlers = api._exception_handlers
    original = handlers[ValidationError]

    def recording(request: Any, exc: ValidationError) -> Any:
        refusals.append(exc.errors)
        return original(request, exc)

    monkeypatch.setitem(handlers, ValidationError, recording)
    yield refusals


@pytest.mark.parametrize("scope", ["read", "write"])
@pytest.mark.parametrize("label", LABELS)
def test_the_contract_holds(label: str, scope: str, schema_refusals: list[Any]) -> None:
    operation = SCHEMA.find_operation_by_label(label)
    assert operation is not None
    headers = {"Authorization": f"Bearer {token_for(scope)}"}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),  # no shrinking: CI reports the first find
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        del schema_refusals[:]
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if response.status_code == 409:  # a stale version, never bad input hitting a constraint
            assert "current_version" in response.json(), case.as_curl_command()
        if case.meta.generation.mode.is_positive and response.status_code == 422:
            assert not schema_refusals, (
                f"schema-valid input refused by the schema: {schema_refusals}\n"
                f"{case.as_curl_command()}"
            )

    run()
