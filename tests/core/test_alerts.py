"""Alerts (提醒): notify is idempotent and lives in its cause's transaction; the inbox
page and API show only the user's own alerts (another's is 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhaoshang.core import services
from zhaoshang.core.choices import AlertKind, OutboxChannel, RobotKind
from zhaoshang.core.models import Alert, AlertChannel, AlertRobot, OutboxMessage, User

pytestmark = pytest.mark.django_db


def _notify(users: list[User | None], key: str = "test:1", **extra: Any) -> int:
    area = extra.pop("area", None) or next(u for u in users if u is not None).area
    values = {
        "kind": AlertKind.MILESTONE_DUE,
        "title": "节点即将到期：开工准备",
        "body": "请于 2026-11-30 前完成。",
        "link": "/construction/milestones/",
        "key": key,
        "area": area,
    }
    return services.notify(recipients=users, **(values | extra))


def test_it_notifies_each_recipient_once_per_key(user_named: Callable[[str], User]) -> None:
    staff, chief = user_named("yc_staff"), user_named("yc_chief")

    assert _notify([staff, chief, staff, None]) == 2
    assert _notify([staff, chief]) == 0  # the same event again: nothing new
    assert _notify([staff], key="test:2") == 1

    assert Alert.objects.filter(key="test:1").count() == 2
    assert Alert.objects.filter(recipient=staff).count() == 2


def test_it_rolls_alerts_and_outbox_back_with_their_cause(
    user_named: Callable[[str], User],
) -> None:
    staff = user_named("yc_staff")
    staff.email = "staff@example.cn"
    staff.save(update_fields=["email"])
    AlertChannel.objects.create(user=staff, email=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        assert _notify([staff], key="test:rollback") == 1
        assert OutboxMessage.objects.filter(alert__key="test:rollback").count() == 1
        raise RuntimeError("the cause fails after notifying")

    assert not Alert.objects.filter(key="test:rollback").exists()
    assert not OutboxMessage.objects.filter(key="test:rollback").exists()


def test_it_writes_the_outbox_for_email_and_the_areas_robots(
    user_named: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    staff, chief = user_named("yc_staff"), user_named("yc_chief")
    staff.email = "staff@example.cn"
    staff.save(update_fields=["email"])
    AlertChannel.objects.create(user=staff, email=True)
    AlertChannel.objects.create(user=chief, email=True)  # no address: inbox only
    area = staff.area
    wecom = AlertRobot.objects.create(
        area=area, name="项目群", kind=RobotKind.WECOM, webhook_url="http://127.0.0.1:1/w"
    )
    AlertRobot.objects.create(
        area=area,
        name="审批群",
        kind=RobotKind.DINGTALK,
        webhook_url="http://127.0.0.1:1/d",
        kinds=",approval_due,",
    )
    AlertRobot.objects.create(
        area=user_named("xp_staff").area,
        name="西平群",
        kind=RobotKind.WECOM,
        webhook_url="http://127.0.0.1:1/x",
    )

    with django_capture_on_commit_callbacks() as callbacks:
        _notify([staff, chief], key="test:outbox")
        _notify([staff, chief], key="test:outbox")

    messages = OutboxMessage.objects.filter(key="test:outbox")
    assert sorted(messages.values_list("channel", "target")) == [
        (OutboxChannel.EMAIL, "staff@example.cn"),
        (OutboxChannel.WECOM, ""),
    ]
    assert messages.get(channel=OutboxChannel.WECOM).robot == wecom
    assert len(callbacks) >= 1  # a delivery is handed to the worker after the commit


def test_a_query_of_events_becomes_alerts_in_one_go(user_named: Callable[[str], User]) -> None:
    """``notify_query``: the set-based path the sweep uses, idempotent as ``notify``."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    staff = user_named("yc_staff")
    users = User.objects.filter(pk=staff.pk).annotate(
        alert_recipient=F("id"),
        alert_area=F("area_id"),
        alert_title=services.text_expr("你好，%(name)s", name=F("full_name")),
        alert_body=Value(""),
        alert_link=Value("/"),
        alert_object_type=Value("core.user"),
        alert_object_id=Cast("id", CharField()),
        alert_key=Concat(Value("hello:"), Cast("id", CharField()), output_field=CharField()),
    )

    assert services.notify_query(kind=AlertKind.DEADLINE_MOVED, events=users) == 1
    assert services.notify_query(kind=AlertKind.DEADLINE_MOVED, events=users) == 0
    alert = Alert.objects.get(key=f"hello:{staff.pk}")
    assert (alert.title, alert.recipient, alert.area) == (
        f"你好，{staff.full_name}",
        staff,
        staff.area,
    )


# --- the inbox page -----------------------------------------------------------------


def test_it_lists_my_alerts_unread_first_and_counts_them_in_the_navigation(
    client_for: Callable[[str], Client],
    user_named: Callable[[str], User],
    django_assert_max_num_queries: Any,
) -> None:
    staff = user_named("yc_staff")
    for n in range(3):
        _notify([staff], key=f"test:list:{n}", title=f"提醒{n}")
    Alert.objects.filter(key="test:list:2").update(read_at="2026-01-01T00:00:00Z")
    _notify([user_named("yc_chief")], key="test:other", title="别人的提醒")
    client = client_for("yc_staff")

    with django_assert_max_num_queries(11):
        page = client.get("/inbox/").content.decode()

    assert page.index("提醒1") < page.index("提醒2")  # unread before read
    assert "别人的提醒" not in page
    assert f'title="{_("Unread alerts")}">2</span>' in page
    assert "提醒2" not in client.get("/inbox/?status=unread").content.decode()


def test_opening_an_alert_marks_it_read_and_leads_to_its_object(
    client_for: Callable[[str], Client], user_named: Callable[[str], User]
) -> None:
    _notify([user_named("yc_staff")], key="test:open")
    alert = Alert.objects.get(key="test:open")

    response = client_for("yc_staff").get(f"/inbox/{alert.pk}/")

    assert response.status_code == 302 and response["Location"] == "/construction/milestones/"
    alert.refresh_from_db()
    assert alert.read_at is not None


def test_someone_elses_alert_is_not_found(
    client_for: Callable[[str], Client], user_named: Callable[[str], User]
) -> None:
    _notify([user_named("yc_chief")], key="test:outsider")
    alert = Alert.objects.get(key="test:outsider")
    client = client_for("yc_staff")

    assert client.get(f"/inbox/{alert.pk}/").status_code == 404
    assert client.post(f"/inbox/{alert.pk}/read/").status_code == 404
    alert.refresh_from_db()
    assert alert.read_at is None


def test_it_marks_one_and_then_all_read(
    client_for: Callable[[str], Client], user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    for n in range(3):
        _notify([staff], key=f"test:read:{n}")
    _notify([user_named("yc_chief")], key="test:read:other")
    client = client_for("yc_staff")
    first = Alert.objects.get(key="test:read:0")

    assert client.post(f"/inbox/{first.pk}/read/").status_code == 302
    assert Alert.objects.filter(recipient=staff, read_at__isnull=True).count() == 2
    response = client.post("/inbox/read-all/", follow=True)
    done = ngettext("%(n)d alert marked read.", "%(n)d alerts marked read.", 2) % {"n": 2}
    assert done in response.content.decode()
    assert not Alert.objects.filter(recipient=staff, read_at__isnull=True).exists()
    assert Alert.objects.get(key="test:read:other").read_at is None


def test_it_saves_the_email_choice_and_refuses_it_without_an_address(
    client_for: Callable[[str], Client], user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    client = client_for("yc_staff")

    page = client.post("/inbox/channels/", {"email": "on"}, follow=True).content.decode()
    assert _("Your account has no email address; ask an administrator to add one.") in page
    assert not AlertChannel.objects.filter(user=staff).exists()

    staff.email = "staff@example.cn"
    staff.save(update_fields=["email"])
    client.post("/inbox/channels/", {"email": "on"})
    assert AlertChannel.objects.get(user=staff).email is True
    client.post("/inbox/channels/", {})
    assert AlertChannel.objects.get(user=staff).email is False


# --- the inbox API ------------------------------------------------------------------


def test_the_api_lists_marks_read_and_hides_other_peoples_alerts(
    client_for: Callable[[str], Client], user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    for n in range(2):
        _notify([staff], key=f"test:api:{n}", title=f"接口提醒{n}")
    _notify([user_named("yc_chief")], key="test:api:other")
    mine = Alert.objects.get(key="test:api:0")
    other = Alert.objects.get(key="test:api:other")
    client = client_for("yc_staff")

    listing = client.get("/api/v1/inbox?status=unread").json()
    assert listing["count"] == listing["unread"] == 2
    assert {a["title"] for a in listing["items"]} == {"接口提醒0", "接口提醒1"}

    assert client.post(f"/api/v1/inbox/{other.pk}/read").status_code == 404
    assert client.post("/api/v1/inbox/0/read").status_code == 422
    answer = client.post(f"/api/v1/inbox/{mine.pk}/read")
    assert answer.status_code == 200 and answer.json()["read_at"] is not None

    marked = client.post("/api/v1/inbox/read-all", {}, content_type="application/json").json()
    assert marked == {"marked": 1}
    assert Alert.objects.get(pk=other.pk).read_at is None
    bad = client.post("/api/v1/inbox/read-all", {"knd": "x"}, content_type="application/json")
    assert bad.status_code == 422
