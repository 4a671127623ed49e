"""What the OpenAPI document adds to ninja's: every error answer, and NUL refused in text.

ninja lists only the 2xx answer a route declares. A client (and a fuzzer)
must also learn the JSON errors ``zhaoshang.api.errors`` gives, so every
operation documents, with the one ``Error`` schema, the statuses it can
answer: 401 (no or bad token), 403 (a read-only token writing, CSRF, a role
that may not), 404 (a row or area outside the caller's), 422 (bad input), 400
(unparsable JSON body), 409 (a stale ``version``) and 503 (database busy) on
writes. And every text a request carries says it may not hold NUL, as the
``Clean`` schemas enforce (PostgreSQL cannot store it).
"""

from __future__ import annotations

from typing import Any

from .schemas import NO_NUL_PATTERN

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "description": "Every error answer of the API.",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "string",
            "description": "machine-readable: unauthenticated, forbidden, forbidden_scope, "
            "not_found, validation_error, bad_request, conflict, busy …",
        },
        "message": {"type": "string", "description": "for people, in the caller's language"},
        "errors": {
            "type": "object",
            "description": "bad input (422): each field's messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "current_version": {
            "anyOf": [{"type": "integer"}, {"type": "null"}],
            "description": "a stale write (409): the version now stored",
        },
    },
}

#: Why each error status may be answered (the ``description`` of the response).
REASONS = {
    400: "unparsable JSON body",
    401: "no, unknown, expired or revoked token, and no session",
    403: "not allowed: a read-only token writing, a role that may not, or CSRF",
    404: "not found, or outside the caller's areas",
    409: "stale version: someone saved this record since you read it",
    422: "invalid input; `errors` names each field",
    503: "the database is busy with another large write; retry",
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses one operation can answer."""
    statuses = [401, 403, 404]
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append(422)
    if operation.get("requestBody"):
        statuses.append(400)
    if method in WRITE_METHODS:
        statuses += [409, 503]
    return sorted(statuses)


def document_errors(schema: dict[str, Any]) -> None:
    """Add the ``Error`` schema and each operation's error answers (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                responses.setdefault(
                    str(status),
                    {
                        "description": REASONS[status],
                        "content": {"application/json": {"schema": reference}},
                    },
                )


def refuse_nul_in_requests(schema: dict[str, Any]) -> None:
    """Every plain text a request carries (parameters, bodies and what they refer to)
    gets the NUL-free pattern, so the document refuses what ``Clean`` refuses."""
    components = schema.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                _no_nul(parameter.get("schema", {}), components, seen)
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                _no_nul(media.get("schema", {}), components, seen)


def _no_nul(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    """Walk one JSON schema, following ``$ref`` once per component."""
    if isinstance(node, list):
        for item in node:
            _no_nul(item, components, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _no_nul(components.get(name), components, seen)
        return
    if (
        node.get("type") == "string"
        and "enum" not in node
        and "format" not in node
        and "pattern" not in node
    ):
        node["pattern"] = NO_NUL_PATTERN
    for key, value in node.items():
        if key in {"properties", "$defs", "definitions"} and isinstance(value, dict):
            for child in value.values():
                _no_nul(child, components, seen)
        elif key in {"items", "anyOf", "oneOf", "allOf", "additionalProperties", "not"}:
            _no_nul(value, components, seen)
