"""The outbox: email against a real SMTP server on loopback (aiosmtpd), WeCom and
DingTalk against a local HTTP receiver, retries with backoff, each message sent once."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from zhaoshang.core import services
from zhaoshang.core.choices import AlertKind, OutboxStatus, RobotKind
from zhaoshang.core.models import AlertChannel, AlertRobot, OutboxAttempt, OutboxMessage, User
from zhaoshang.core.services.outbox import backoff, dingtalk_sign

pytestmark = pytest.mark.django_db

SECRET = "SEC0123456789abcdef"


class Receiver:
    """A local robot endpoint: records each POST; answers ``fail`` times with 500 first."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail = 0
        self.errcode = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.fail > 0:
                    receiver.fail -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.requests.append((self.path, json.loads(body)))
                answer = json.dumps({"errcode": receiver.errcode, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on loopback; Django's SMTP backend pointed at it."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own, so not 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "zhaoshang@example.cn"
    settings.ZHAOSHANG_SITE_URL = "https://zs.example.cn"
    try:
        yield inbox
    finally:
        controller.stop()


def _alert(user: User, key: str) -> int:
    return services.notify(
        recipients=[user],
        kind=AlertKind.MILESTONE_OVERDUE,
        title="节点逾期：完成土地摘牌",
        body="驿城区新能源项目：「完成土地摘牌」应于 2026-11-20 完成，尚未完成。",
        link="/construction/projects/1/workplan/",
        key=key,
        area=user.area,
    )


def test_it_emails_through_a_real_smtp_server(
    smtp: Inbox, user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    staff.email = "zhou@example.cn"
    staff.save(update_fields=["email"])
    AlertChannel.objects.create(user=staff, email=True)
    _alert(staff, "test:smtp")

    counts = services.outbox_deliver()

    assert counts["sent"] == 1
    ((recipients, mail),) = smtp.messages
    assert recipients == ["zhou@example.cn"]
    assert str(make_header(decode_header(mail["Subject"]))) == "节点逾期：完成土地摘牌"
    text = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert (
        "2026-11-20" in text and "https://zs.example.cn/construction/projects/1/workplan/" in text
    )
    message = OutboxMessage.objects.get(key="test:smtp")
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)
    assert services.outbox_deliver()["sent"] == 0 and len(smtp.messages) == 1


def test_it_posts_wecom_markdown(receiver: Receiver, user_named: Callable[[str], User]) -> None:
    staff = user_named("yc_staff")
    AlertRobot.objects.create(
        area=staff.area,
        name="项目群",
        kind=RobotKind.WECOM,
        webhook_url=f"{receiver.url}/wecom?key=k",
    )
    _alert(staff, "test:wecom")

    services.outbox_deliver()

    ((path, body),) = receiver.requests
    assert path == "/wecom?key=k"
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("**节点逾期：完成土地摘牌**")
    assert "/construction/projects/1/workplan/" in body["markdown"]["content"]


def test_it_signs_dingtalk_messages_with_the_secret(
    receiver: Receiver, user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    AlertRobot.objects.create(
        area=staff.area,
        name="钉钉群",
        kind=RobotKind.DINGTALK,
        webhook_url=f"{receiver.url}/robot/send?access_token=t",
        secret=SECRET,
    )
    _alert(staff, "test:dingtalk")

    services.outbox_deliver()

    ((path, body),) = receiver.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    stamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["access_token"] == ["t"] and query["sign"] == [expected]
    assert abs(int(stamp) - timezone.now().timestamp() * 1000) < 60_000
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": "节点逾期：完成土地摘牌", "text": body["markdown"]["text"]},
    }
    assert "完成土地摘牌" in body["markdown"]["text"]
    assert dingtalk_sign(SECRET, int(stamp)) == urllib.parse.quote_plus(expected)


def test_a_receiver_that_fails_then_recovers_gets_the_message_exactly_once(
    receiver: Receiver, user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    AlertRobot.objects.create(
        area=staff.area, name="项目群", kind=RobotKind.WECOM, webhook_url=f"{receiver.url}/w"
    )
    _alert(staff, "test:retry")
    message = OutboxMessage.objects.get(key="test:retry")
    t0 = timezone.now()
    receiver.fail = 3  # down for the first three tries

    assert services.outbox_deliver(now=t0)["retry"] == 1
    message.refresh_from_db()
    assert message.next_attempt_at == t0 + dt.timedelta(minutes=1)
    assert services.outbox_deliver(now=t0 + dt.timedelta(seconds=30)) == {
        "sent": 0,
        "retry": 0,
        "dead": 0,
    }  # not due yet
    assert services.outbox_deliver(now=t0 + dt.timedelta(minutes=1))["retry"] == 1
    assert services.outbox_deliver(now=t0 + dt.timedelta(minutes=3))["retry"] == 1
    message.refresh_from_db()
    assert message.next_attempt_at == t0 + dt.timedelta(minutes=3 + 4)
    assert services.outbox_deliver(now=t0 + dt.timedelta(minutes=7))["sent"] == 1
    for later in (8, 60, 120):
        services.outbox_deliver(now=t0 + dt.timedelta(minutes=later))

    assert len(receiver.requests) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 4)
    attempts = list(OutboxAttempt.objects.filter(message=message))
    assert [a.ok for a in attempts] == [False, False, False, True]
    assert [a.http_status for a in attempts] == [500, 500, 500, 200]


def test_an_errcode_is_a_failure_and_the_last_attempt_gives_up(
    receiver: Receiver, user_named: Callable[[str], User], settings: Any
) -> None:
    settings.ZHAOSHANG_OUTBOX_MAX_ATTEMPTS = 2
    staff = user_named("yc_staff")
    AlertRobot.objects.create(
        area=staff.area, name="项目群", kind=RobotKind.WECOM, webhook_url=f"{receiver.url}/w"
    )
    _alert(staff, "test:dead")
    receiver.errcode = 93000  # the robot's "invalid webhook"
    t0 = timezone.now()

    services.outbox_deliver(now=t0)
    assert services.outbox_deliver(now=t0 + dt.timedelta(minutes=5))["dead"] == 1

    message = OutboxMessage.objects.get(key="test:dead")
    assert message.status == OutboxStatus.DEAD and "93000" in message.last_error
    assert services.outbox_deliver(now=t0 + dt.timedelta(days=1))["sent"] == 0


def test_only_one_of_two_workers_claims_a_message(user_named: Callable[[str], User]) -> None:
    """The claim is a conditional UPDATE: the second claimer changes no row."""
    from zhaoshang.core.services.outbox import _claim

    staff = user_named("yc_staff")
    AlertRobot.objects.create(
        area=staff.area, name="项目群", kind=RobotKind.WECOM, webhook_url="http://127.0.0.1:9/w"
    )
    _alert(staff, "test:claim")
    message = OutboxMessage.objects.get(key="test:claim")

    assert _claim(message.pk, timezone.now()) is True
    assert _claim(message.pk, timezone.now()) is False
    assert services.outbox_deliver()["sent"] == 0  # "sending": no other worker takes it


def test_the_backoff_doubles_up_to_the_cap(settings: Any) -> None:
    settings.ZHAOSHANG_OUTBOX_MAX_BACKOFF_MINUTES = 60
    assert [backoff(n).seconds // 60 for n in (1, 2, 3, 4, 7, 8, 12)] == [1, 2, 4, 8, 60, 60, 60]
