"""/api/docs and /api/openapi.json: signed-in officials (or a token) only, in Chinese."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.helpers import signed_in_client
from zhaoshang.core import services
from zhaoshang.core.models import User

pytestmark = pytest.mark.django_db

DOCS, SCHEMA = "/api/docs", "/api/openapi.json"


def token_for(username: str) -> str:
    user = User.objects.get(username=username)
    _record, plain = services.token_create(
        acting_user=None, user=user, name="docs", scope="read", days=5
    )
    return plain


def test_the_anonymous_reader_is_sent_to_log_in_or_gets_401_json():
    page = Client().get(DOCS)
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert "next=/api/docs" in page["Location"]
    schema = Client().get(SCHEMA)
    assert schema.status_code == 401
    assert schema.json()["code"] == "unauthenticated"
    assert "paths" not in schema.json()


def test_a_bad_token_gets_401_and_no_schema():
    schema = Client().get(SCHEMA, HTTP_AUTHORIZATION="Bearer zs_not-a-token")
    assert schema.status_code == 401 and "paths" not in schema.json()


@pytest.mark.parametrize("username", ["yc_staff", "yc_viewer", "zmd_city"])
def test_officials_read_both_with_a_way_back_to_the_site(username):
    client = signed_in_client(username)
    page = client.get(DOCS)
    assert page.status_code == 200
    body = page.content.decode()
    assert "swagger-ui" in body and 'href="/"' in body and "https://" not in body
    assert client.get(SCHEMA).json()["paths"]


def test_a_token_reads_the_schema_but_not_the_page():
    token = token_for("yc_staff")
    schema = Client().get(SCHEMA, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert schema.status_code == 200 and "/api/v1/projects" in schema.json()["paths"]
    assert Client().get(DOCS, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 302


def test_an_investor_gets_404_by_session_and_by_token():
    assert signed_in_client("yc_investor").get(DOCS).status_code == 404
    assert signed_in_client("yc_investor").get(SCHEMA).status_code == 404
    token = token_for("yc_investor")
    assert Client().get(SCHEMA, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_the_summaries_follow_the_readers_language():
    client = signed_in_client("yc_staff")
    zh = client.get(SCHEMA, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["paths"]["/api/v1/key-projects"]["post"]["summary"] == "将项目列入清单"
    summary = zh["paths"]["/api/v1/projects"]["post"]["summary"]
    with translation.override("zh-hans"):
        assert summary == translation.gettext("Create a project")  # 创建项目 once merged
    User.objects.filter(username="yc_staff").update(language="en")  # the reader's own choice
    en = signed_in_client("yc_staff").get(SCHEMA).json()
    assert en["paths"]["/api/v1/key-projects"]["post"]["summary"] == "Add a project to a list"
