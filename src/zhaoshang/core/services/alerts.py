"""Alerts (提醒) and their outbox: written in the cause's transaction, sent after commit.

Two ways in, one result. ``notify`` is for a service that has a few
recipients in hand (an approval item moved); ``notify_query`` is for the
sweep, which turns a whole queryset of events into alerts with three
``INSERT … SELECT … ON CONFLICT DO NOTHING`` statements and no Python loop.
Both are idempotent through the unique (recipient, key) pair, create the
outbox rows for the recipients' email choice and the area's group robots, and
ask for a delivery once the transaction commits (``register_delivery_kick``;
the huey task is registered by ``CoreConfig.ready`` so this layer never
imports the tasks above it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import OutboxChannel, OutboxStatus
from ..models import Alert, AlertChannel, AlertRobot, Area, OutboxMessage, User
from ..snapshots import snapshot
from .audit import record_saved

#: the names a ``notify_query`` events queryset annotates, one per alert column
EVENT_FIELDS = (
    "alert_recipient",
    "alert_area",
    "alert_title",
    "alert_body",
    "alert_link",
    "alert_object_type",
    "alert_object_id",
    "alert_key",
)

_delivery_kicks: list[Callable[[], None]] = []


def register_delivery_kick(kick: Callable[[], None]) -> None:
    """Something to call after a commit that wrote outbox rows (the huey task's enqueue)."""
    if kick not in _delivery_kicks:
        _delivery_kicks.append(kick)


def _kick_after_commit() -> None:
    for kick in _delivery_kicks:
        transaction.on_commit(kick)


# --- text built in SQL ------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def text_of(field: str) -> Cast:
    """A column as text in SQL, for an event's key, link or body (dates as 2026-11-29)."""
    return Cast(F(field), output_field=CharField())


def text_expr(template: str, **parts: Any) -> Concat | Value:
    """A translated ``%(name)s`` template as a SQL expression, each name an expression.

    The sweep writes a million alert titles in one statement, so the
    translation is done once here and the row's values are concatenated by
    the database (``||`` on SQLite and PostgreSQL alike).
    """
    pieces: list[Any] = []
    at = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > at:
            pieces.append(Value(template[at : match.start()]))
        pieces.append(parts[match.group(1)])
        at = match.end()
    if at < len(template):
        pieces.append(Value(template[at:]))
    if len(pieces) == 1 and isinstance(pieces[0], Value):
        return pieces[0]
    if len(pieces) == 1:
        pieces.append(Value(""))
    return Concat(*pieces, output_field=models.TextField())


# --- notify: a few recipients in hand --------------------------------------------


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str,
    area: Area | None,
    instance: models.Model | None = None,
) -> int:
    """Put an alert in each recipient's inbox once per ``key``; the number of new ones.

    Call it inside the transaction of the change that causes it: if that
    rolls back, so do the alerts and their outbox rows. ``None`` and repeated
    recipients are ignored, as is a recipient who already has ``key``.
    """
    users = {user.pk: user for user in recipients if user is not None and user.pk}
    now = timezone.now()
    object_type = instance._meta.label_lower if instance is not None else ""
    object_id = str(instance.pk) if instance is not None and instance.pk is not None else ""
    common = {
        "area": area,
        "kind": kind,
        "title": title[:200],
        "body": body,
        "link": link[:300],
        "object_type": object_type,
        "object_id": object_id,
        "key": key[:200],
        "created_at": now,
    }
    Alert.objects.bulk_create(
        [Alert(recipient_id=pk, **common) for pk in users], ignore_conflicts=True
    )
    new = list(
        Alert.objects.filter(recipient_id__in=users, key=key[:200], created_at=now).select_related(
            "recipient__alert_channel"
        )
    )
    messages = [_email_message(alert, now) for alert in new if _wants_email(alert.recipient)]
    messages += _robot_messages(area=area, kind=kind, key=key, title=title, body=body, link=link)
    OutboxMessage.objects.bulk_create([m for m in messages if m], ignore_conflicts=True)
    if messages:
        _kick_after_commit()
    return len(new)


def _wants_email(user: User) -> bool:
    channel = getattr(user, "alert_channel", None)
    return bool(channel is not None and channel.email and user.email)


def _email_message(alert: Alert, now: datetime) -> OutboxMessage:
    return OutboxMessage(
        alert=alert,
        key=alert.key,
        channel=OutboxChannel.EMAIL,
        target=alert.recipient.email,
        subject=alert.title,
        text=alert.body,
        link=alert.link,
        next_attempt_at=now,
        created_at=now,
    )


def _robot_messages(
    *, area: Area | None, kind: str, key: str, title: str, body: str, link: str
) -> list[OutboxMessage]:
    if area is None:
        return []
    now = timezone.now()
    robots = AlertRobot.objects.filter(area=area, active=True)
    return [
        OutboxMessage(
            robot=robot,
            key=key[:200],
            channel=robot.kind,
            subject=title[:200],
            text=body,
            link=link[:300],
            next_attempt_at=now,
            created_at=now,
        )
        for robot in robots
        if robot.relays(kind)
    ]


# --- notify_query: a whole set of events in three statements ---------------------


def notify_query(*, kind: str, events: QuerySet[Any], now: datetime | None = None) -> int:
    """Turn every row of ``events`` into an alert of ``kind``; the number of new alerts.

    ``events`` is any queryset annotated with ``EVENT_FIELDS``
    (``alert_recipient`` may be NULL: such an event reaches only the area's
    robots). Runs in the caller's transaction; re-running it writes nothing new.
    """
    now = now or timezone.now()
    select_sql, params = events.order_by().values(*EVENT_FIELDS).query.sql_with_params()
    created = _insert_alerts(kind, select_sql, list(params), now)
    emails = _insert_emails(kind, now)
    robots = _insert_robot_messages(kind, select_sql, list(params), now)
    if emails or robots:
        _kick_after_commit()
    return created


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(model: type[models.Model], *names: str) -> str:
    fields = [model._meta.get_field(name) for name in names]
    return ", ".join(_q(str(getattr(f, "column", ""))) for f in fields)


def _insert_alerts(kind: str, select_sql: str, params: list[Any], now: datetime) -> int:
    columns = _columns(
        Alert,
        "recipient",
        "area",
        "title",
        "body",
        "link",
        "object_type",
        "object_id",
        "key",
        "kind",
        "created_at",
    )
    values = ", ".join(f"src.{_q(name)}" for name in EVENT_FIELDS)
    sql = (
        f"INSERT INTO {_q(Alert._meta.db_table)} ({columns}) "  # noqa: S608 - names, not data
        f"SELECT {values}, %s, %s FROM ({select_sql}) src "
        f"WHERE src.{_q('alert_recipient')} IS NOT NULL ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, now, *params])  # outer placeholders come first
        return max(cursor.rowcount, 0)


def _insert_emails(kind: str, now: datetime) -> int:
    """Email rows for the alerts this call created (same kind, same ``created_at``)."""
    alerts = (
        Alert.objects.filter(kind=kind, created_at=now, recipient__alert_channel__email=True)
        .exclude(recipient__email="")
        .order_by()
        .values("id", "key", "recipient__email", "title", "body", "link")
    )
    select_sql, params = alerts.query.sql_with_params()
    columns = _columns(
        OutboxMessage,
        "alert",
        "key",
        "target",
        "subject",
        "text",
        "link",
        "channel",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
    )
    values = ", ".join(
        f"src.{_q(name)}" for name in ("id", "key", "recipient__email", "title", "body", "link")
    )
    sql = (
        f"INSERT INTO {_q(OutboxMessage._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {values}, %s, %s, 0, '', %s, %s FROM ({select_sql}) src "
        "WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [OutboxChannel.EMAIL, OutboxStatus.PENDING, now, now, *params])
        return max(cursor.rowcount, 0)


def _insert_robot_messages(kind: str, select_sql: str, params: list[Any], now: datetime) -> int:
    """One message per (robot, event) for the active robots of the event's area."""
    if not AlertRobot.objects.filter(active=True).exists():
        return 0
    robot = _q(AlertRobot._meta.db_table)
    columns = _columns(
        OutboxMessage,
        "robot",
        "channel",
        "key",
        "subject",
        "text",
        "link",
        "target",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
    )
    values = ", ".join(
        f"src.{_q(name)}" for name in ("alert_key", "alert_title", "alert_body", "alert_link")
    )
    sql = (
        f"INSERT INTO {_q(OutboxMessage._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT r.{_q('id')}, r.{_q('kind')}, {values}, '', %s, 0, '', %s, %s "
        f"FROM ({select_sql}) src JOIN {robot} r ON r.{_q('area_id')} = src.{_q('alert_area')} "
        f"WHERE r.{_q('active')} = %s AND (r.{_q('kinds')} = '' OR r.{_q('kinds')} LIKE %s) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [OutboxStatus.PENDING, now, now, *params, True, f"%,{kind},%"])
        return max(cursor.rowcount, 0)


# --- the inbox's own writes --------------------------------------------------------


def _own(acting_user: User, alert: Alert) -> None:
    """Only the recipient marks an alert (a selector already answered 404 to others)."""
    if alert.recipient_id != acting_user.pk:
        raise PermissionDenied(_("This alert is not yours."))


def alert_mark_read(*, acting_user: User, alert: Alert) -> Alert:
    """Mark one of the user's alerts read; marking a read one again changes nothing."""
    _own(acting_user, alert)
    if alert.read_at is None:
        alert.read_at = timezone.now()
        Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=alert.read_at)
    return alert


def alert_mark_all_read(*, acting_user: User, kind: str | None = None) -> int:
    """Mark every unread alert of the user (of one kind, if given) read; how many."""
    rows = Alert.objects.filter(recipient=acting_user, read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.update(read_at=timezone.now())


def alert_channel_save(*, acting_user: User, email: bool) -> AlertChannel:
    """Save the user's channel choice (the inbox is always on), audited.

    Asking for email without an address on the account is refused: it would
    look like a promise the platform cannot keep.
    """
    if email and not acting_user.email:
        raise ValidationError(
            {"email": _("Your account has no email address; ask an administrator to add one.")}
        )
    with transaction.atomic():
        channel = AlertChannel.objects.select_for_update().filter(user=acting_user).first()
        before = snapshot(channel) if channel is not None else None
        channel = channel or AlertChannel(user=acting_user)
        channel.email = email
        channel.full_clean()
        channel.save()
        record_saved(acting_user=acting_user, instance=channel, before=before)
    return channel
