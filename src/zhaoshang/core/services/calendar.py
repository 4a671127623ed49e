"""Entering a year's State Council holiday notice, and moving the deadlines it changes.

One transaction: the notice and its days are written (a second entry for the
same year replaces the first: a correction), this process's calendar snapshot
is dropped so that the recompute hooks count with the new days, every hook
registered in ``core.calendar`` rewrites its deadlines, and each move is
recorded as a ``DeadlineChange`` with its audit row and told to its owners as a
提醒 (``deadline_moved``, inbox and their channels, through the outbox). The hooks
registered with ``core.calendar.register_deadline_moved`` are then told too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import calendar
from ..choices import AlertKind, AuditAction, CalendarDayKind
from ..holiday_rules import FIRST_YEAR, LAST_YEAR
from ..models import Area, CalendarDay, CalendarNotice, DeadlineChange, User
from ..policy import Capability, require
from ..snapshots import snapshot
from .alerts import notify
from .audit import audit_record

NO_DAYS = gettext_lazy("List the notice's days: at least one holiday.")
DAY_OUTSIDE_YEAR = gettext_lazy("%(date)s is not in %(year)d.")
DAY_TWICE = gettext_lazy("%(date)s is listed twice.")
WORKDAY_ON_WEEKDAY = gettext_lazy(
    "%(date)s is a weekday: a make-up working day (调休上班) is always a Saturday or Sunday."
)
BAD_KIND = gettext_lazy("%(date)s: the kind must be holiday (休) or make-up working day (班).")
NO_NAME = gettext_lazy("%(date)s: name the holiday (e.g. 春节).")
PUBLISHED_LATER = gettext_lazy("The publication date cannot be in the future.")
YEAR_RANGE = gettext_lazy("The year must be between %(first)d and %(last)d.")


class NoticeDay(NamedTuple):
    """One line of a notice: a date, holiday or 调休 working day, and its holiday's name."""

    date: dt.date
    kind: str
    name: str


def _day_errors(year: int, days: Sequence[NoticeDay]) -> list[str]:
    """What is wrong with the notice's days, each message naming its date."""
    if not days:
        return [str(NO_DAYS)]
    errors: list[str] = []
    seen: set[dt.date] = set()
    for day in days:
        shown = {"date": f"{day.date:%Y-%m-%d}", "year": year}
        if day.date.year != year:
            errors.append(DAY_OUTSIDE_YEAR % shown)
        if day.date in seen:
            errors.append(DAY_TWICE % shown)
        seen.add(day.date)
        if day.kind not in CalendarDayKind.values:
            errors.append(BAD_KIND % shown)
        elif day.kind == CalendarDayKind.WORKDAY and day.date.weekday() < 5:
            errors.append(WORKDAY_ON_WEEKDAY % shown)
        if not day.name.strip():
            errors.append(NO_NAME % shown)
    if not errors and all(d.kind == CalendarDayKind.WORKDAY for d in days):
        errors.append(str(NO_DAYS))
    return errors


def calendar_notice_check(
    *, year: int, published: dt.date | None, days: Sequence[NoticeDay]
) -> None:
    """A ValidationError by field (``year``, ``published``, ``days``) for a refused notice.

    The admin form asks it before saving, so a bad line is shown on the form.
    """
    errors: dict[str, Any] = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = YEAR_RANGE % {"first": FIRST_YEAR, "last": LAST_YEAR}
    if published is not None and published > timezone.localdate():
        errors["published"] = str(PUBLISHED_LATER)
    if "year" not in errors and (day_errors := _day_errors(year, days)):
        errors["days"] = day_errors
    if errors:
        raise ValidationError(errors)


def _days_picture(days: Iterable[CalendarDay | NoticeDay]) -> list[list[str]]:
    return [[f"{d.date:%Y-%m-%d}", d.kind, d.name] for d in sorted(days, key=lambda d: d.date)]


def _reason(notice: CalendarNotice, corrected: bool) -> str:
    """Why the deadlines moved, in the site's language (it is stored, not shown once)."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {"year": notice.year, "number": notice.number}
        if corrected and notice.number:
            text = _("%(year)d holiday arrangement (%(number)s) corrected") % values
        elif corrected:
            text = _("%(year)d holiday arrangement corrected") % values
        elif notice.number:
            text = _("%(year)d holiday arrangement (%(number)s) published") % values
        else:
            text = _("%(year)d holiday arrangement published") % values
    return text[:200]


def _record_moves(
    *,
    acting_user: User | None,
    notice: CalendarNotice,
    moves: list[calendar.DeadlineMove],
    reason: str,
) -> list[DeadlineChange]:
    """One DeadlineChange and one audit row per deadline a hook moved."""
    areas = Area.objects.in_bulk({m.area_id for m in moves if m.area_id is not None})
    now = timezone.now()
    changes = []
    for move in moves:
        change = DeadlineChange(
            object_type=move.object_type[:64],
            object_id=str(move.object_id)[:64],
            object_repr=move.object_repr[:200],
            area=areas.get(move.area_id) if move.area_id is not None else None,
            old_date=move.old_date,
            new_date=move.new_date,
            old_provisional=move.old_provisional,
            new_provisional=move.new_provisional,
            reason=reason,
            notice=notice,
            at=now,
        )
        change.full_clean()
        change.save(force_insert=True)
        audit_record(
            acting_user=acting_user,
            action=AuditAction.CREATE,
            instance=change,
            after=snapshot(change),
        )
        changes.append(change)
    return changes


def _tell_owners(changes: list[DeadlineChange], moves: list[calendar.DeadlineMove]) -> None:
    """Each move's owners get a 提醒 once (keyed by the change), in the notice's transaction."""
    owners = User.objects.in_bulk({pk for move in moves for pk in move.owner_user_ids})
    for change, move in zip(changes, moves, strict=True):
        mark = {True: _(" (provisional)"), False: ""}
        notify(
            recipients=[owners.get(pk) for pk in move.owner_user_ids],
            kind=AlertKind.DEADLINE_MOVED,
            title=_("Deadline moved: %(object)s") % {"object": change.object_repr},
            body=_("%(old)s%(old_mark)s → %(new)s%(new_mark)s. %(reason)s")
            % {
                "old": f"{change.old_date:%Y-%m-%d}",
                "old_mark": mark[change.old_provisional],
                "new": f"{change.new_date:%Y-%m-%d}",
                "new_mark": mark[change.new_provisional],
                "reason": change.reason,
            },
            key=f"deadline-moved:{change.pk}",
            area=change.area,
        )


def _write_notice(
    *, acting_user: User | None, values: dict[str, Any], days: Sequence[NoticeDay]
) -> tuple[CalendarNotice, bool]:
    """The notice row (created, or replaced as a correction) and its days, audited."""
    notice = CalendarNotice.objects.select_for_update().filter(year=values["year"]).first()
    before = None
    if notice is not None:
        before = {**snapshot(notice), "days": _days_picture(notice.days.all())}
        notice.days.all().delete()
    else:
        notice = CalendarNotice(year=values["year"])
    for key, value in values.items():
        setattr(notice, key, value)
    notice.entered_by = acting_user
    notice.entered_at = timezone.now()
    notice.full_clean()
    notice.save()
    rows = [CalendarDay(date=d.date, kind=d.kind, name=d.name.strip(), notice=notice) for d in days]
    for row in rows:
        # the dates are unique and inside the (unique) year: checked without a query per row
        row.full_clean(exclude=["date", "notice"])
    CalendarDay.objects.bulk_create(rows)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=notice,
        before=before,
        after={**snapshot(notice), "days": _days_picture(rows)},
    )
    return notice, before is not None


def calendar_notice_enter(
    *,
    acting_user: User | None,
    year: int,
    number: str,
    title: str,
    published: dt.date | None,
    days: Sequence[NoticeDay | tuple[dt.date, str, str]],
    source: str = "",
) -> CalendarNotice:
    """Enter (or correct) the State Council's holiday notice for ``year``.

    Administrators only. The deadlines that counted through the year are
    recomputed by the registered hooks in the same transaction and each move
    is recorded, so a deadline never changes silently; a bad line refuses the
    whole notice and writes nothing.
    """
    require(acting_user, Capability.ADMINISTER)
    lines = [NoticeDay(*d) for d in days]
    calendar_notice_check(year=year, published=published, days=lines)
    values = {
        "year": year,
        "number": number.strip(),
        "title": title.strip(),
        "published": published,
        "source": source.strip(),
    }
    try:
        with transaction.atomic():
            notice, corrected = _write_notice(acting_user=acting_user, values=values, days=lines)
            calendar.invalidate()
            moves = [m for hook in calendar.deadline_recompute_hooks() for m in hook({year})]
            changes = _record_moves(
                acting_user=acting_user,
                notice=notice,
                moves=moves,
                reason=_reason(notice, corrected),
            )
            _tell_owners(changes, moves)
            for told in calendar.deadline_moved_hooks():
                told(changes, moves)
            transaction.on_commit(calendar.invalidate)
    except BaseException:
        calendar.invalidate()  # the snapshot may hold the rolled-back days
        raise
    return notice
