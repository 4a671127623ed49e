"""422 bodies speak the caller's language: each schema error by its pydantic type, never
pydantic's English ("Input should be …", "Field required") nor its "Value error, " prefix.

The site is Chinese by default (``zh-hans``), so every message asserted here is Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.helpers import signed_in_client
from zhaoshang.api.errors import pydantic_message
from zhaoshang.core.models import User
from zhaoshang.projects import services
from zhaoshang.projects.choices import KeyRegion
from zhaoshang.projects.models import Enterprise, Project

pytestmark = pytest.mark.django_db


def call(method: str, url: str, body: Any = None, username: str = "yc_staff") -> Any:
    client: Client = signed_in_client(username)
    if body is None:
        response = getattr(client, method)(url)
    else:
        data = json.dumps(body)
        response = getattr(client, method)(url, data=data, content_type="application/json")
    response.data = json.loads(response.content) if response.content else None
    return response


def messages_of(response: Any, field: str) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.data)
    assert response.data["code"] == "validation_error"
    assert response.data["message"] == "输入有误"
    assert field in response.data["errors"], response.data
    return list(response.data["errors"][field])


@pytest.fixture
def staff() -> User:
    return User.objects.get(username="yc_staff")


@pytest.fixture
def project(staff: User) -> Project:
    return services.project_create(
        acting_user=staff,
        area=staff.area,
        name="报错文案测试项目",
        investor_name="测试投资方",
        total_investment=Decimal("5000"),
        event_date=dt.date(2026, 6, 1),
    )


@pytest.fixture
def enterprise(staff: User) -> Enterprise:
    return services.enterprise_save(
        acting_user=staff,
        enterprise=Enterprise(area=staff.area, name="报错文案测试企业", region_code="411702"),
    )


# --- the exact Chinese of each kind of bad input ------------------------------------------


def test_it_says_a_missing_field_is_required():
    response = call("post", "/api/v1/projects", {"investor_name": "某公司"})
    assert messages_of(response, "name") == ["此项必填。"]


def test_it_says_text_was_expected(enterprise):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"name": 5})
    assert messages_of(response, "name") == ["请填写文本。"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("many", "请填写整数。"), ([3], "请填写整数。"), (1.5, "请填写整数，不能带小数。")],
)
def test_it_says_a_whole_number_was_expected(enterprise, value, expected):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"employees": value})
    assert messages_of(response, "employees") == [expected]


@pytest.mark.parametrize("value", [1, "yes"])
def test_it_says_a_boolean_is_true_or_false(enterprise, value):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"is_leading": value})
    assert messages_of(response, "is_leading") == ["请填写 true 或 false。"]


def test_it_lists_the_choices_of_an_enum_in_chinese(project):
    body = {"source_region": "mars", "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    choices = "、".join(KeyRegion.values)
    assert messages_of(response, "source_region") == [f"请从以下选项中选择：{choices}。"]


def test_it_lists_the_choices_of_a_literal_in_chinese():
    response = call("get", "/api/v1/inbox?status=gone")
    assert messages_of(response, "status") == ["请从以下选项中选择：unread、read。"]


def test_it_writes_an_empty_choice_as_the_empty_string():
    response = call("get", "/api/v1/projects?key_level=national")
    expected = '请从以下选项中选择：""、district、city、province。'
    assert messages_of(response, "key_level") == [expected]


def test_it_names_the_maximum_length_of_a_text():
    response = call("post", "/api/v1/projects", {"name": "长" * 201})
    assert messages_of(response, "name") == ["太长：最多 200 个字符。"]


def test_it_names_the_minimum_length_of_a_text():
    response = call("post", "/api/v1/projects", {"name": ""})
    assert messages_of(response, "name") == ["太短：至少 1 个字符。"]


def test_it_names_the_maximum_number_of_items(project):
    body = {"tracker_ids": list(range(1, 12)), "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert messages_of(response, "tracker_ids") == ["项数太多：最多 10 项。"]


def test_it_says_a_list_was_expected(enterprise):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"tags": "listed"})
    assert messages_of(response, "tags") == ["请填写一个列表。"]


def test_it_names_an_unknown_field(enterprise):
    response = call("put", f"/api/v1/enterprises/{enterprise.pk}", {"nmae": "拼错的字段"})
    assert messages_of(response, "nmae") == ["无法识别的字段，请检查字段名。"]


def test_it_says_a_number_is_not_a_date(project):
    body = {"kind": "visit", "date": 20260601}
    response = call("post", f"/api/v1/projects/{project.pk}/activities", body)
    assert messages_of(response, "date") == ["日期请写成 YYYY-MM-DD 格式（如 2026-11-29）。"]


def test_it_says_month_13_of_a_date_is_no_date(project):
    body = {"kind": "visit", "date": "2026-13-01"}
    response = call("post", f"/api/v1/projects/{project.pk}/activities", body)
    assert messages_of(response, "date") == ["请填写有效的日期。"]


def test_it_names_the_largest_month():
    response = call("get", "/api/v1/investments?month=13")
    assert messages_of(response, "month") == ["不能大于 12。"]


def test_it_names_the_smallest_page_size():
    response = call("get", "/api/v1/projects?limit=0")
    assert messages_of(response, "limit") == ["不能小于 1。"]


def test_it_names_the_digits_of_money_with_too_many_places(project):
    body = {"total_investment": "12.34567", "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    expected = "数值整数部分最多 12 位、小数部分最多 4 位，如「1234.5」。"
    assert messages_of(response, "total_investment") == [expected]


def test_it_names_the_digits_of_a_too_large_whole_number(project):
    body = {"total_investment": 10**20, "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert messages_of(response, "total_investment") == ["总位数不能超过 16 位。"]


def test_our_own_message_comes_without_a_value_error_prefix(project):
    body = {"key_level": "city", "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    [message] = messages_of(response, "key_level")
    assert message.startswith("不能直接设置项目的重点项目级别："), message


def test_a_nul_character_is_refused_in_chinese(project):
    body = {"notes": "a\x00b", "version": project.version}
    response = call("put", f"/api/v1/projects/{project.pk}", body)
    assert messages_of(response, "notes") == ["不允许包含 NUL 字符。"]


def test_a_type_without_a_message_of_ours_is_still_not_english():
    error = {"type": "url_parsing", "msg": "Input should be a valid URL", "ctx": {}}
    assert pydantic_message(error) == "值无效。"


def test_a_type_whose_context_lacks_a_placeholder_is_still_not_english():
    error = {"type": "less_than_equal", "msg": "Input should be less than or equal to 5"}
    assert pydantic_message(error) == "值无效。"


# --- the sweep: no English sentence in any 422 of several endpoints ------------------------

#: Values of the wrong type, form or size for nearly any field.
BAD_VALUES: list[Any] = [
    None,
    "",
    "x" * 20_000,
    "not-a-value",
    -1,
    1.5,
    10**30,
    True,
    [],
    {},
    ["x"] * 60,
    [{"a": 1}],
    "2026-13-01",
    20260601,
    "12.345678",
    "a\x00b",
]
#: ASCII words a Chinese message may hold: JSON literals, the date format, NUL.
WORDS_OF_OURS = {"true", "false", "null", "YYYY-MM-DD", "NUL"}
API_PATH = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE) /api/\S+")
WORD = re.compile(r"[\w-]+", re.ASCII)
ENGLISH = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def document() -> dict[str, Any]:
    return dict(call("get", "/api/openapi.json").data)


def codes_in(document: dict[str, Any]) -> set[str]:
    """Every enum value the document names: a message may echo a code back (a、b、c)."""
    codes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            codes.update(str(v) for v in node.get("enum", ()))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(document)
    return codes


def body_fields(document: dict[str, Any], path: str, method: str) -> list[str]:
    content = document["paths"][path][method]["requestBody"]["content"]
    ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return list(document["components"]["schemas"][ref]["properties"])


def query_fields(document: dict[str, Any], path: str) -> list[str]:
    parameters = document["paths"][path]["get"].get("parameters", ())
    return [p["name"] for p in parameters if p["in"] == "query"]


def english_in(body: dict[str, Any], allowed: set[str]) -> list[str]:
    """Each message of a 422 body with an ASCII word that is neither a code nor ours."""
    found = []
    for message in [body["message"], *(m for ms in body.get("errors", {}).values() for m in ms)]:
        words = {w for w in WORD.findall(API_PATH.sub("", message)) if ENGLISH.search(w)}
        if words - allowed:
            found.append(message)
    return found


def test_no_422_of_several_endpoints_carries_pydantic_english(document, project, enterprise):
    allowed = WORDS_OF_OURS | codes_in(document)
    writes = [
        ("put", f"/api/v1/projects/{project.pk}", "/api/v1/projects/{project_id}"),
        ("post", "/api/v1/projects", "/api/v1/projects"),
        ("put", f"/api/v1/enterprises/{enterprise.pk}", "/api/v1/enterprises/{enterprise_id}"),
        (
            "post",
            f"/api/v1/projects/{project.pk}/activities",
            "/api/v1/projects/{project_id}/activities",
        ),
        ("post", "/api/v1/investments", "/api/v1/investments"),
        ("post", "/api/v1/people", "/api/v1/people"),
    ]
    refused, english = 0, []
    for method, url, path in writes:
        fields = body_fields(document, path, method)
        for field in fields:
            for value in BAD_VALUES:
                body = {field: value}
                if "version" in fields and field != "version":  # the current one: not a 409
                    body["version"] = Project.objects.get(pk=project.pk).version
                response = call(method, url, body)
                if response.status_code == 422:
                    refused += 1
                    english += english_in(response.data, allowed)
    for path in ["/api/v1/projects", "/api/v1/investments", "/api/v1/people", "/api/v1/inbox"]:
        for field in query_fields(document, path):
            for value in ["x", "-1", "1.5", "99999999999999999999", "x" * 200]:
                response = call("get", f"{path}?{field}={value}")
                if response.status_code == 422:
                    refused += 1
                    english += english_in(response.data, allowed)
    assert refused > 300, refused
    assert not english, sorted(set(english))[:20]
