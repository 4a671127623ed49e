"""The approvals API: another area's rows are 404 on every route, 422 names the field, 409."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.helpers import assert_visibility, signed_in_client
from zhaoshang.approvals import services
from zhaoshang.approvals.choices import ItemStatus
from zhaoshang.approvals.models import ApprovalEvent, ApprovalItem, ApprovalItemType
from zhaoshang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/approvals"


def post(username: str, url: str, body: dict) -> object:  # type: ignore[type-arg]
    return signed_in_client(username).post(
        url, data=json.dumps(body), content_type="application/json"
    )


def test_it_moves_an_item_and_answers_its_history(fire):
    response = post(
        "yc_staff",
        f"{API}/items/{fire.pk}/move",
        {"to_status": "submitted", "event_date": "2026-11-20", "version": 1},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["version"] == 2
    assert [e["late_entry"] for e in body["events"]] == [
        True,
        True,
    ]  # planned 10-01, 11-20: both over 2 days back


def test_it_accepts_pauses_and_resumes_with_the_due_date_moving(fire):
    for status in ("submitted", "accepted"):
        version = ApprovalItem.objects.get(pk=fire.pk).version
        post(
            "yc_staff",
            f"{API}/items/{fire.pk}/move",
            {"to_status": status, "event_date": "2026-11-02", "version": version},
        )
    body = post(
        "yc_staff",
        f"{API}/items/{fire.pk}/pause",
        {"kind": "testing", "reason": "检测", "start": "2026-11-04", "version": 3},
    ).json()
    assert body["light"] == "paused"
    body = post(
        "yc_staff", f"{API}/items/{fire.pk}/resume", {"end": "2026-11-09", "version": 4}
    ).json()
    assert (body["due_date"], body["paused_days"], body["provisional"]) == ("2026-11-19", 3, False)
    assert body["pauses"][0]["working_days"] == 3


def test_bad_input_is_422_naming_the_field_and_writes_nothing(fire):
    before = (ApprovalEvent.objects.count(), AuditEvent.objects.count())
    response = post(
        "yc_staff", f"{API}/items/{fire.pk}/move", {"to_status": "approved", "version": 1}
    )
    assert response.status_code == 422
    assert "to_status" in response.json()["errors"]
    response = post(
        "yc_staff", f"{API}/items/{fire.pk}/move", {"to_status": "flying", "version": 1}
    )
    assert response.status_code == 422
    response = post(
        "yc_staff",
        f"{API}/items/{fire.pk}/promises",
        {"material": "图纸", "promised_by": "2026-11-30", "version": 1},
    )
    assert response.status_code == 422 and "material" in response.json()["errors"]
    assert (ApprovalEvent.objects.count(), AuditEvent.objects.count()) == before


def test_a_stale_version_is_409(fire):
    response = post(
        "yc_staff", f"{API}/items/{fire.pk}/move", {"to_status": "submitted", "version": 5}
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 1


def test_the_catalogue_is_created_and_a_promise_above_the_law_is_422(catalogue):
    unit = catalogue[0].department
    body = {
        "phase": "completion",
        "name": "联合验收",
        "department_id": unit.pk,
        "legal_limit": 12,
        "promised_limit": 13,
    }
    response = post("yc_staff", f"{API}/catalogue", body)
    assert response.status_code == 422 and "promised_limit" in response.json()["errors"]
    del body["promised_limit"]
    response = post("yc_staff", f"{API}/catalogue", body)
    assert response.status_code == 201 and response.json()["promised_limit"] == 8
    listed = signed_in_client("yc_staff").get(f"{API}/catalogue").json()
    assert listed["count"] == 4


def test_a_plan_is_generated_and_the_land_transfer_converts_it(project, catalogue):
    response = post("yc_staff", f"{API}/projects/{project.pk}/plan", {})
    assert response.status_code == 201
    assert [i["mode"] for i in response.json()] == ["simulated"] * 3
    response = post(
        "yc_staff", f"{API}/projects/{project.pk}/land", {"transferred_on": "2026-11-20"}
    )
    assert response.status_code == 201
    assert {i["mode"] for i in response.json()} == {"formal"}


def test_the_list_filters_by_light(plan, fire, staff):
    services.item_move(
        acting_user=staff,
        item=fire,
        to_status=ItemStatus.SUBMITTED,
        event_date=dt.date(2026, 11, 2),
    )
    services.item_move(
        acting_user=staff, item=fire, to_status=ItemStatus.ACCEPTED, event_date=dt.date(2026, 11, 2)
    )
    body = signed_in_client("yc_staff").get(f"{API}/items", {"light": "red"}).json()
    assert [i["id"] for i in body["items"]] == [fire.pk]


def test_every_route_is_404_for_a_sibling_district(plan, fire, project, catalogue, staff):
    services.item_move(
        acting_user=staff,
        item=fire,
        to_status=ItemStatus.SUBMITTED,
        event_date=dt.date(2026, 11, 2),
    )
    promise = services.promise_add(
        acting_user=staff, item=fire, material="图纸", promised_by=dt.date(2026, 11, 30)
    )
    fire.refresh_from_db()
    assert_visibility(
        f"{API}/items/{fire.pk}", owner="yc_staff", outsider="xp_staff", others={"zmd_city": 200}
    )
    before = (
        ApprovalEvent.objects.count(),
        AuditEvent.objects.count(),
        ApprovalItemType.objects.count(),
    )
    writes = [
        (f"{API}/items/{fire.pk}/move", {"to_status": "accepted", "version": fire.version}),
        (
            f"{API}/items/{fire.pk}/pause",
            {"kind": "hearing", "reason": "听证", "version": fire.version},
        ),
        (f"{API}/items/{fire.pk}/resume", {"version": fire.version}),
        (
            f"{API}/items/{fire.pk}/promises",
            {"material": "图", "promised_by": "2026-12-01", "version": fire.version},
        ),
        (f"{API}/items/{fire.pk}/agent", {"agent_id": None, "version": fire.version}),
        (f"{API}/items/{fire.pk}/convert", {"version": fire.version}),
        (
            f"{API}/items/{fire.pk}/issue",
            {"document_number": "1", "document_date": "2026-11-20", "version": fire.version},
        ),
        (f"{API}/promises/{promise.pk}/fulfil", {"version": fire.version}),
        (f"{API}/projects/{project.pk}/plan", {}),
        (f"{API}/projects/{project.pk}/land", {"transferred_on": "2026-11-20"}),
    ]
    for url, body in writes:
        response = post("xp_staff", url, body)
        assert response.status_code == 404, url
        assert post("yc_viewer", url, body).status_code == 403, url
    response = signed_in_client("xp_staff").put(
        f"{API}/catalogue/{catalogue[0].pk}",
        data=json.dumps({"legal_limit": 30, "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert signed_in_client("xp_staff").get(f"{API}/items").json()["count"] == 0
    assert signed_in_client("xp_staff").get(f"{API}/catalogue").json()["count"] == 0
    assert (
        ApprovalEvent.objects.count(),
        AuditEvent.objects.count(),
        ApprovalItemType.objects.count(),
    ) == before
