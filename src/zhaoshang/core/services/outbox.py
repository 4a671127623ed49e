"""Delivery of the outbox: claim, send, log the attempt, retry with backoff.

Correct with any number of workers on SQLite and PostgreSQL alike, through
one code path: a message is claimed by ``UPDATE … SET status='sending' WHERE
id=? AND status='pending'`` and only the worker whose UPDATE changed a row
sends it; the result is written with ``… WHERE status='sending'``, and a row
marked sent is never claimed again. Sending happens outside any transaction,
so a slow receiver never holds a lock. A worker that dies mid-send leaves
the row "sending"; after ``ZHAOSHANG_OUTBOX_STALE_MINUTES`` it is tried again
(the one case in which a receiver may get a message twice).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..choices import OutboxChannel, OutboxStatus
from ..models import OutboxAttempt, OutboxMessage, User
from ..policy import Capability, require
from ..snapshots import snapshot
from .audit import record_saved

log = logging.getLogger(__name__)

#: messages one ``outbox_deliver`` call sends at most (the next minute's run takes the rest)
BATCH = 200


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str = ""
    http_status: int | None = None
    duration_ms: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 … minutes, capped."""
    cap = settings.ZHAOSHANG_OUTBOX_MAX_BACKOFF_MINUTES
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


def outbox_deliver(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send the messages that are due; counts of sent, retried and given-up ones.

    Run by the worker after each commit that wrote outbox rows and once a
    minute by huey, so a receiver that is down for an hour gets everything
    when it is back.
    """
    now = now or timezone.now()
    _reclaim_stale(now)
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"sent": 0, "retry": 0, "dead": 0}
    for message_id in due:
        if not _claim(message_id, now):
            continue  # another worker has it
        message = OutboxMessage.objects.select_related("robot").get(pk=message_id)
        result = send(message)
        counts[_finish(message, result, now)] += 1
    return counts


def _reclaim_stale(now: datetime) -> int:
    stale = now - timedelta(minutes=settings.ZHAOSHANG_OUTBOX_STALE_MINUTES)
    return OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=stale).update(
        status=OutboxStatus.PENDING
    )


def _claim(message_id: int, now: datetime) -> bool:
    """The conditional UPDATE: true for exactly one of the workers that try at once."""
    return (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENDING, claimed_at=now
        )
        == 1
    )


def _finish(message: OutboxMessage, result: SendResult, now: datetime) -> str:
    """Record the attempt and the message's new state together; the outcome's name."""
    attempts = message.attempts + 1
    if result.ok:
        outcome, changes = "sent", {"status": OutboxStatus.SENT, "sent_at": timezone.now()}
    elif attempts >= settings.ZHAOSHANG_OUTBOX_MAX_ATTEMPTS:
        outcome, changes = "dead", {"status": OutboxStatus.DEAD}
    else:
        outcome = "retry"
        changes = {"status": OutboxStatus.PENDING, "next_attempt_at": now + backoff(attempts)}
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
            attempts=F("attempts") + 1, last_error=result.error[:2000], **changes
        )
        OutboxAttempt.objects.create(
            message=message,
            at=timezone.now(),
            ok=result.ok,
            error=result.error[:2000],
            http_status=result.http_status,
            duration_ms=result.duration_ms,
        )
    if outcome == "dead":
        log.warning("outbox message %s given up after %s attempts", message.pk, attempts)
    return outcome


# --- the channels ------------------------------------------------------------------


def send(message: OutboxMessage) -> SendResult:
    """Send one message on its channel; never raises (a failure is a result)."""
    started = time.monotonic()
    try:
        with override(settings.LANGUAGE_CODE):
            if message.channel == OutboxChannel.EMAIL:
                result = _send_email(message)
            elif message.robot is None:
                result = SendResult(False, "the robot was deleted")
            elif message.channel == OutboxChannel.WECOM:
                result = _post_json(message.robot.webhook_url, wecom_body(message))
            else:
                url = dingtalk_url(message.robot.webhook_url, message.robot.secret)
                result = _post_json(url, dingtalk_body(message))
    except Exception as exc:  # any failure of a receiver is an attempt to log, not a crash
        result = SendResult(False, f"{type(exc).__name__}: {exc}")
    elapsed = int((time.monotonic() - started) * 1000)
    return SendResult(result.ok, result.error, result.http_status, elapsed)


def absolute_link(link: str) -> str:
    """The alert's path on the site (``ZHAOSHANG_SITE_URL``); a bare path when unset."""
    if not link:
        return ""
    return f"{settings.ZHAOSHANG_SITE_URL}{link}" if link.startswith("/") else link


def _send_email(message: OutboxMessage) -> SendResult:
    link = absolute_link(message.link)
    body = message.text + (f"\n\n{_('Open')}: {link}" if link else "")
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    email = EmailMessage(
        subject=message.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.target],
        connection=connection,
    )
    sent = email.send()
    return SendResult(bool(sent), "" if sent else "the mail server accepted nothing")


def _markdown(message: OutboxMessage) -> str:
    link = absolute_link(message.link)
    text = f"**{message.subject}**\n\n{message.text}".strip()
    return f"{text}\n\n[{_('Open')}]({link})" if link else text


def wecom_body(message: OutboxMessage) -> dict[str, object]:
    """企业微信群机器人: ``{"msgtype": "markdown", "markdown": {"content": …}}``."""
    return {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}


def dingtalk_body(message: OutboxMessage) -> dict[str, object]:
    """钉钉群机器人: ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``."""
    markdown = {"title": message.subject, "text": _markdown(message)}
    return {"msgtype": "markdown", "markdown": markdown}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(webhook_url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook with ``&timestamp=…&sign=…`` appended when the robot has a secret."""
    if not secret:
        return webhook_url
    stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{joiner}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"


def _post_json(url: str, body: dict[str, object]) -> SendResult:
    """POST the JSON; a non-2xx answer or an ``errcode`` other than 0 is a failure."""
    if not url.startswith(("https://", "http://")):
        return SendResult(False, "not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.ZHAOSHANG_WEBHOOK_TIMEOUT
        ) as response:
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        return SendResult(False, f"HTTP {exc.code}", exc.code)
    except (urllib.error.URLError, OSError) as exc:
        return SendResult(False, str(getattr(exc, "reason", exc)))
    return _robot_answer(status, raw)


def _robot_answer(status: int, raw: bytes) -> SendResult:
    if not 200 <= status < 300:
        return SendResult(False, f"HTTP {status}", status)
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return SendResult(False, "the answer is not JSON", status)
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if errcode not in (0, "0"):
        return SendResult(False, f"errcode {errcode}: {answer.get('errmsg', '')}", status)
    return SendResult(True, "", status)


def outbox_retry(*, acting_user: User | None, messages: Iterable[OutboxMessage]) -> int:
    """Give given-up (dead) messages a fresh set of attempts from now; audited, how many."""
    require(acting_user, Capability.ADMINISTER)
    count = 0
    with transaction.atomic():
        for message in messages:
            if message.status != OutboxStatus.DEAD:
                continue
            before = snapshot(message)
            message.status, message.attempts = OutboxStatus.PENDING, 0
            message.next_attempt_at = timezone.now()
            message.save(update_fields=["status", "attempts", "next_attempt_at"])
            record_saved(acting_user=acting_user, instance=message, before=before)
            count += 1
    return count
