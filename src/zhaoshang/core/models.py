"""Areas, units, users, roles, the append-only audit log and the working-day calendar.

Models hold data and invariants only; every write goes through
``core.services`` so that it is audited in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AreaLevel,
    AuditAction,
    AuditResult,
    CalendarDayKind,
    OutboxChannel,
    OutboxStatus,
    PersonRank,
    RobotKind,
    RoleCode,
    SweepStatus,
    UnitKind,
)

AREA_CODE_RE = re.compile(r"^\d{6}(\d{3})?$")


class Area(models.Model):
    """行政区划: province → city → county/district → zone.

    ``path`` is the chain of codes from the root ("410000/411700/411702/"), so
    "this area and everything below it" is one indexed prefix match instead of
    a recursive query; ``core.services`` keeps it in step with ``parent``.
    """

    code = models.CharField(
        _("code"),
        max_length=9,
        unique=True,
        help_text=_("GB/T 2260 six-digit code; a zone uses nine digits."),
    )
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not AREA_CODE_RE.match(self.code or ""):
            errors["code"] = _("An area code is 6 digits (GB/T 2260), or 9 digits for a zone.")
        elif self.level != AreaLevel.ZONE and len(self.code) != 6:
            errors["code"] = _("Only a zone may have a 9-digit code.")
        elif (
            self.level == AreaLevel.ZONE
            and self.parent
            and not self.code.startswith(self.parent.code)
        ):
            errors["code"] = _("A zone's code must start with its parent area's code.")
        expected_parent = {
            AreaLevel.PROVINCE: None,
            AreaLevel.CITY: AreaLevel.PROVINCE,
            AreaLevel.COUNTY: AreaLevel.CITY,
        }
        if self.level == AreaLevel.PROVINCE and self.parent_id:
            errors["parent"] = _("A province has no parent area.")
        elif self.level in (AreaLevel.CITY, AreaLevel.COUNTY) and (
            self.parent is None or self.parent.level != expected_parent[AreaLevel(self.level)]
        ):
            errors["parent"] = _("A city sits under a province, a county under a city.")
        elif self.level == AreaLevel.ZONE and (
            self.parent is None or self.parent.level not in (AreaLevel.CITY, AreaLevel.COUNTY)
        ):
            errors["parent"] = _("A zone sits under a city or a county.")
        if errors:
            raise ValidationError(errors)


class Unit(models.Model):
    """单位: a department of one Area (bureau, sub-bureau, supervision office ...)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["area__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="core_unit_unique_name_in_area")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent is not None and self.area_id and self.parent.area_id != self.area_id:
            raise ValidationError({"parent": _("A parent unit must be in the same area.")})


class Role(models.Model):
    """角色: a fixed code the code relies on, with an editable display name."""

    code = models.CharField(_("code"), max_length=16, primary_key=True, choices=RoleCode.choices)
    name = models.CharField(_("name"), max_length=32)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """用户: a person in one Unit of one Area, holding one or more roles.

    ``area`` is stored (not derived from the unit) because investors belong
    to an enterprise, not a unit; ``clean`` keeps the two consistent.
    """

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    title = models.CharField(_("job title"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    language = models.CharField(
        _("language"),
        max_length=8,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.unit is not None and self.area_id and self.unit.area_id != self.area_id:
            raise ValidationError({"unit": _("The unit must belong to the user's area.")})
        if not self.is_superuser and not self.area_id:
            raise ValidationError({"area": _("Every user except a superuser needs an area.")})

    @property
    def role_codes(self) -> frozenset[str]:
        """The user's role codes, read once per request (roles are prefetched or cached)."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(role.code for role in self.roles.all()) if self.pk else frozenset()
            self._role_codes = cached
        return cached

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    def remember_roles(self, joined: str | None) -> None:
        """Take the role codes a query read with the user, comma-joined
        (``core.selectors.role_list``): no roles query for this request."""
        self._role_codes = frozenset(code for code in (joined or "").split(",") if code)


class Person(models.Model):
    """人员: a cadre or officer named in the work, with or without a login account.

    Ledgers, responsibility chains and work plans name people who never log
    in (the district secretary who leads a project), so chains point here,
    not at ``User``. ``user`` links the Person of someone who does log in; it
    is created with the account. Names are not unique: two 陈志远 in one area
    are told apart by ``post`` (职务).
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="persons"
    )
    name = models.CharField(_("name"), max_length=64)
    post = models.CharField(_("post"), max_length=64, blank=True)
    rank = models.CharField(
        _("rank"), max_length=16, choices=PersonRank.choices, default=PersonRank.OTHER
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["area__path", "name", "id"]
        indexes = [models.Index(fields=["area", "name"], name="core_person_area_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name

    def clean(self) -> None:
        if self.unit is not None and self.area_id and self.unit.area_id != self.area_id:
            raise ValidationError({"unit": _("The unit must belong to the person's area.")})


class AuditEvent(models.Model):
    """审计日志: one row per write, login, logout, password change or export.

    Append-only: database triggers (migration 0002) reject UPDATE and DELETE on
    SQLite and PostgreSQL alike, so not even a bug or a shell can rewrite it.
    ``username`` and ``area`` are copied so that the row stays meaningful on its own.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=AuditResult.choices, default=AuditResult.SUCCESS
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area", "-at"], name="core_audit_area_at"),
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"


class TokenScope(models.TextChoices):
    """What a personal API token may do."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """个人 API 令牌: a bearer credential for scripts, issued by an admin on the CLI.

    Only a SHA-256 of the secret is stored, so a leaked database does not leak
    working tokens; ``prefix`` (the first 8 characters after ``zs_``) lets people
    tell their tokens apart and revoke one without ever seeing the secret again.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"zs_{self.prefix}… ({self.name})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


def stage_fields(choices: Any) -> tuple[models.CharField[Any, Any], models.CharField[Any, Any]]:
    """``from_stage`` and ``to_stage`` of a ``StageLog``, with its machine's stage choices."""
    return (
        models.CharField(_("from stage"), max_length=16, blank=True, choices=choices),
        models.CharField(_("to stage"), max_length=16, choices=choices),
    )


class StageLog(models.Model):
    """One move of something with stages (``core.lifecycle``): who, when, why.

    ``from_stage`` is blank for the first row (where the record started);
    ``event_date`` is when it really happened, ``recorded_at`` when it was
    entered. A subclass adds the foreign key to what moved and gives both
    stage columns its choices with ``from_stage, to_stage = stage_fields(...)``.
    """

    from_stage = models.CharField(_("from stage"), max_length=16, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16)
    event_date = models.DateField(_("date it happened"))
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        User,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["event_date", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_date} {self.from_stage or '—'} → {self.to_stage}"


# --- the working-day calendar (工作日历) ---------------------------------------------


class CalendarNotice(models.Model):
    """国务院办公厅关于某年部分节假日安排的通知: one year's official arrangement.

    A year with a notice counts its ``CalendarDay`` rows; a year without one
    counts the statutory holidays only and every date through it is 预计
    (``core.calendar``). ``number`` stays blank when the notice's document
    number could not be verified; ``source`` then says where the days came from.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    number = models.CharField(_("document number"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    published = models.DateField(_("published on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        User,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("holiday notice")
        verbose_name_plural = _("holiday notices")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}（{self.number}）" if self.number else str(self.year)


class CalendarDay(models.Model):
    """One date a notice makes an exception of: a holiday (休) or a 调休 working day (班).

    Only the notice's days are stored; every other date follows the Monday to
    Friday rule, so the table stays a few dozen rows a year.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("holiday"), max_length=64)
    notice = models.ForeignKey(
        CalendarNotice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="days"
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}"


class DeadlineChange(models.Model):
    """A deadline that moved when a year's notice was entered (old → new, and why).

    Written by ``core.services.calendar_notice_enter`` for each move a
    registered recompute hook reports; the object is named by type and id so
    that any app's deadlines can be recorded without core importing them.
    """

    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object ID"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_date = models.DateField(_("old deadline"))
    new_date = models.DateField(_("new deadline"))
    old_provisional = models.BooleanField(_("old deadline provisional"))
    new_provisional = models.BooleanField(_("new deadline provisional"))
    reason = models.CharField(_("reason"), max_length=200)
    notice = models.ForeignKey(
        CalendarNotice,
        verbose_name=_("notice"),
        on_delete=models.PROTECT,
        related_name="deadline_changes",
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_deadline_change_object"),
        ]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.old_date:%Y-%m-%d} → {self.new_date:%Y-%m-%d}"


# --- alerts, the outbox and the daily sweep (issue 12 §3–§4) -------------------


class Alert(models.Model):
    """提醒: one message in one user's inbox, written in the same transaction as its cause.

    ``key`` names the event (``milestone-overdue:42:2026-11-29``); the unique
    (recipient, key) pair makes every writer idempotent: a sweep run twice, or
    two at once, inserts each alert once (``core.services.alerts``). ``kind``
    is a plain string whose label comes from ``core.alert_kinds``, so higher
    apps add kinds without a core migration.
    """

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="alerts"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    key = models.CharField(_("event key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="core_alert_once_per_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="core_alert_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="core_alert_unread",
            ),
            models.Index(fields=["kind", "created_at"], name="core_alert_kind_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        from .alert_kinds import alert_kind_label

        return alert_kind_label(self.kind)


class AlertChannel(models.Model):
    """A user's choice of channels: the inbox always, email when ``email`` is on."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="alert_channel"
    )
    email = models.BooleanField(_("also by email"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alert channels")
        verbose_name_plural = _("alert channels")

    def __str__(self) -> str:
        return str(self.user)


def robot_kinds_text(kinds: list[str]) -> str:
    """``AlertRobot.kinds`` as stored: ``,a,b,`` so SQL can match ``LIKE '%,a,%'``."""
    cleaned = sorted({k.strip() for k in kinds if k.strip()})
    return f",{','.join(cleaned)}," if cleaned else ""


class AlertRobot(models.Model):
    """群机器人: a WeCom or DingTalk group webhook that relays an area's alerts.

    ``kinds`` is blank for every kind, else ``,kind,kind,`` (``robot_kinds_text``)
    so the set-based sweep can join robots to events with one ``LIKE``.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="alert_robots"
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=RobotKind.choices)
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        blank=True,
        help_text=_("DingTalk's 加签 secret (SEC…); leave blank for an unsigned robot."),
    )
    active = models.BooleanField(_("active"), default=True)
    kinds = models.CharField(
        _("alert kinds"),
        max_length=500,
        blank=True,
        help_text=_("Blank relays every kind."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["area__path", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.webhook_url and not self.webhook_url.startswith(("https://", "http://")):
            raise ValidationError({"webhook_url": _("A webhook URL starts with https://.")})
        if self.secret and self.kind != RobotKind.DINGTALK:
            raise ValidationError({"secret": _("Only a DingTalk robot has a signing secret.")})

    def relays(self, kind: str) -> bool:
        return not self.kinds or f",{kind}," in self.kinds


class OutboxMessage(models.Model):
    """发件箱: one delivery owed to one channel, written with its alert, sent after commit.

    The row is the promise: a worker claims it (pending → sending by a
    conditional UPDATE), sends it, and marks it sent or schedules the next try
    with backoff; a message once marked sent is never claimed again. An email
    belongs to an alert (unique per alert, channel and address); a robot's
    message belongs to the robot and the event's key (unique per robot and key),
    so an event with ten recipients reaches a group once.
    """

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    robot = models.ForeignKey(
        AlertRobot,
        verbose_name=_("group robot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    key = models.CharField(_("event key"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=OutboxChannel.choices)
    target = models.CharField(_("target"), max_length=254, blank=True)
    subject = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "channel", "target"], name="core_outbox_once_per_alert"
            ),
            models.UniqueConstraint(fields=["robot", "key"], name="core_outbox_once_per_robot"),
            models.CheckConstraint(
                condition=models.Q(alert__isnull=False) | models.Q(robot__isnull=False),
                name="core_outbox_alert_or_robot",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.subject}"


class OutboxAttempt(models.Model):
    """One try at sending an outbox message: when, whether it worked, and why not."""

    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("outbox message"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    at = models.DateTimeField(_("time"))
    ok = models.BooleanField(_("succeeded"))
    error = models.TextField(_("error"), blank=True)
    http_status = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else 'failed'}"


class SweepRun(models.Model):
    """每日清扫: one step of one day's sweep; the row is the lock as well as the record.

    Claiming a step inserts (day, step) or flips a finished row back to running
    with a conditional UPDATE, so of two sweeps started at once only one runs
    each step; a later run the same day runs it again (the alerts' unique keys
    keep that idempotent). A row left running by a dead process is taken over
    after ``ZHAOSHANG_SWEEP_LEASE_MINUTES``.
    """

    day = models.DateField(_("day"))
    step = models.CharField(_("step"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=SweepStatus.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=1)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-day", "step"]
        constraints = [
            models.UniqueConstraint(fields=["day", "step"], name="core_sweep_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.step}"


# --- uploaded files kept in the database (core.storage.DatabaseStorage) -----------------


class StoredFile(models.Model):
    """One uploaded file's bytes, for app servers and workers that share no disk.

    Written and read only through ``core.storage.DatabaseStorage`` (Django's
    storage API), never directly: ``name`` is what a ``FileField`` holds.
    ``size`` and ``sha256`` let a backup or an operator check the content
    without reading it.
    """

    name = models.CharField(_("name"), max_length=255, unique=True)
    content = models.BinaryField(_("content"))
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
