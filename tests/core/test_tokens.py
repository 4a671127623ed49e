"""Personal API tokens: issued on the CLI, stored as a hash, scoped, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from tests.helpers import signed_in_client
from zhaoshang.core import services
from zhaoshang.core.models import ApiToken, AuditEvent, User
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db


def issue(user: User, scope: str = "write", days: int = 30) -> tuple[ApiToken, str]:
    return services.token_create(acting_user=None, user=user, name="script", scope=scope, days=days)


def api(method: str, url: str, token: str | None = None, body: Any = None, **kw: Any) -> Any:
    """Call the API from a fresh, cookie-less client, optionally with a bearer token."""
    client = kw.pop("client", None) or Client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        kw.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(url, headers=headers, **kw)
    response.data = json.loads(response.content)
    return response


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- issuing ---------------------------------------------------------------------


def test_it_stores_only_the_hash_of_the_secret(user_named):
    token, plaintext = issue(user_named("yc_staff"))
    assert plaintext.startswith("zs_") and len(plaintext) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert stored["prefix"] == plaintext[3:11]
    assert not any(plaintext[3:] in str(value) for value in stored.values())


def test_it_audits_issuing_and_revoking_without_the_secret(user_named):
    token, plaintext = issue(user_named("yc_staff"))
    services.token_revoke(acting_user=user_named("yc_admin"), token=token)
    events = AuditEvent.objects.filter(object_type="core.apitoken", object_id=str(token.pk))
    assert sorted(events.values_list("action", flat=True)) == ["create", "update"]
    assert all(plaintext[3:] not in json.dumps([e.before, e.after]) for e in events)
    assert events.get(action="update").username == "yc_admin"


def test_it_refuses_a_bad_scope_or_lifetime_and_writes_nothing(user_named):
    before = (ApiToken.objects.count(), AuditEvent.objects.count())
    for scope, days in (("admin", 30), ("read", 0), ("read", 367)):
        with pytest.raises(ValidationError):
            issue(user_named("yc_staff"), scope=scope, days=days)
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


def test_it_prints_the_secret_once_on_the_cli(user_named):
    out, err = run("create", "yc_staff", "--scope", "write", "--days", "30", "--name", "etl")
    plaintext = out.strip()
    token = ApiToken.objects.get(key_hash=hashlib.sha256(plaintext.encode()).hexdigest())
    assert (token.user.username, token.scope, token.name) == ("yc_staff", "write", "etl")
    assert "not shown again" in err
    listing, _ = run("list", "yc_staff")
    assert token.prefix in listing and "active" in listing
    assert plaintext[3:] not in listing


def test_it_revokes_by_prefix_on_the_cli(user_named):
    token, plaintext = issue(user_named("yc_staff"))
    out, _ = run("revoke", f"zs_{token.prefix}")
    token.refresh_from_db()
    assert token.revoked and "revoked" in out
    assert "revoked" in run("list", "yc_staff")[0]
    assert api("get", "/api/v1/me", plaintext).status_code == 401


def test_it_refuses_bad_cli_input_and_writes_nothing():
    count = ApiToken.objects.count()
    for args in (
        ("create", "nobody", "--days", "30"),
        ("create", "yc_staff", "--days", "0"),
        ("list", "nobody"),
        ("revoke", "zs_nothere"),
    ):
        with pytest.raises(CommandError):
            run(*args)
    assert ApiToken.objects.count() == count


# --- authenticating --------------------------------------------------------------------


def test_it_authenticates_a_bearer_token_as_its_user(user_named):
    _, plaintext = issue(user_named("yc_staff"), scope="read")
    response = api("get", "/api/v1/me", plaintext)
    assert response.status_code == 200
    assert response.data["username"] == "yc_staff"


def test_it_answers_401_without_credentials():
    response = api("get", "/api/v1/me")
    assert (response.status_code, response.data["code"]) == (401, "unauthenticated")


@pytest.mark.parametrize(
    "header",
    ["Bearer zs_not-a-real-token-at-all-0000000000000000", "Bearer abc", "Bearer ", "Bearer zs_"],
)
def test_it_answers_401_to_an_unknown_token(header):
    response = Client().get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "unauthenticated"


def test_it_answers_401_to_an_expired_token(user_named):
    token, plaintext = issue(user_named("yc_staff"))
    assert api("get", "/api/v1/me", plaintext).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api("get", "/api/v1/me", plaintext)
    assert (response.status_code, response.data["code"]) == (401, "unauthenticated")


def test_it_answers_401_to_a_revoked_token(user_named):
    token, plaintext = issue(user_named("yc_staff"))
    services.token_revoke(acting_user=None, token=token)
    assert api("get", "/api/v1/me", plaintext).status_code == 401


def test_it_answers_401_when_the_account_is_disabled(user_named):
    user = user_named("yc_staff")
    _, plaintext = issue(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert api("get", "/api/v1/me", plaintext).status_code == 401


def test_it_does_not_fall_back_to_the_session_for_a_bad_token():
    client = signed_in_client("yc_staff")
    assert api("get", "/api/v1/me", client=client).status_code == 200
    for wrong in ("zs_wrong", "not-even-ours"):
        assert api("get", "/api/v1/me", wrong, client=client).status_code == 401


def test_it_forbids_writes_with_a_read_token(user_named):
    _, plaintext = issue(user_named("yc_staff"), scope="read")
    count = Project.objects.count()
    response = api("post", "/api/v1/projects", plaintext, body={"name": "只读令牌的项目"})
    assert response.status_code == 403
    assert response.data["code"] == "forbidden_scope" and response.data["message"]
    assert Project.objects.count() == count
    assert api("get", "/api/v1/projects", plaintext).status_code == 200


def test_it_lets_a_write_token_write_without_csrf(user_named):
    _, plaintext = issue(user_named("yc_staff"), scope="write")
    client = Client(enforce_csrf_checks=True)
    response = api("post", "/api/v1/projects", plaintext, body={"name": "令牌创建"}, client=client)
    assert response.status_code == 201, response.data
    project = Project.objects.get(pk=response.data["id"])
    assert (
        AuditEvent.objects.get(
            object_type="projects.project", object_id=str(project.pk), action="create"
        ).username
        == "yc_staff"
    )


def test_it_keeps_csrf_for_session_writes():
    client = signed_in_client("yc_staff")
    client.handler.enforce_csrf_checks = True
    count = Project.objects.count()
    refused = api("post", "/api/v1/projects", body={"name": "无CSRF"}, client=client)
    assert refused.status_code == 403 and refused.data["code"] == "forbidden"
    assert Project.objects.count() == count
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    accepted = api(
        "post", "/api/v1/projects", body={"name": "有CSRF"}, client=client, HTTP_X_CSRFTOKEN=secret
    )
    assert accepted.status_code == 201, accepted.data


def test_it_records_last_use_at_most_once_a_minute(user_named):
    token, plaintext = issue(user_named("yc_staff"), scope="read")
    assert token.last_used_at is None
    api("get", "/api/v1/me", plaintext)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api("get", "/api/v1/me", plaintext)
    token.refresh_from_db()
    assert token.last_used_at == first
    earlier = first - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    api("get", "/api/v1/me", plaintext)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_it_accepts_tokens_of_totp_accounts_which_sessions_must_verify(user_named):
    """TOTP guards the browser log-in; an admin-issued token is its own factor."""
    _, plaintext = issue(user_named("yc_admin"), scope="read")
    assert api("get", "/api/v1/me", plaintext).data["username"] == "yc_admin"
    session = Client()
    session.force_login(user_named("yc_admin"), backend="zhaoshang.core.backends.AccountBackend")
    assert api("get", "/api/v1/me", client=session).status_code == 403
