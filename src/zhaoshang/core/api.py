"""Core API: who am I, the areas I can see, the 人员库 (people), the working-day calendar, my inbox.

Reads go through ``core.selectors`` (scoped: outside the caller's areas is
404), writes through ``core.services``; ``zhaoshang.api.errors`` renders the
domain's exceptions (422 by field, 403, 404, 409) as JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Path, Query, Router, Status

from . import calendar, selectors, services
from .context import request_user
from .models import Alert, Area, CalendarNotice, Person, Unit, User
from .policy import Capability, area_scope_path, require
from .schemas import (
    AlertOut,
    AlertPage,
    AreaOut,
    CalendarAddOut,
    CalendarBetweenOut,
    CalendarNoticeIn,
    CalendarNoticeOut,
    CalendarOut,
    Date,
    InboxFilters,
    MeOut,
    PersonCreate,
    PersonDetail,
    PersonFilters,
    PersonMergeIn,
    PersonMergeOut,
    PersonPage,
    PersonUpdate,
    ReadAllIn,
    ReadAllOut,
    ReferenceOut,
)

router = Router(tags=["core"])


def _area_out(area: Area) -> AreaOut:
    return AreaOut(
        code=area.code,
        name=area.name,
        level=area.level,
        parent_code=area.parent.code if area.parent is not None else None,
    )


@router.get("/me", response=MeOut, summary=gettext_noop("The signed-in user"))
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        area_code=user.area.code if user.area else None,
        unit=str(user.unit) if user.unit_id else None,
        roles=sorted(user.role_codes),
        language=user.language,
    )


@router.get("/areas", response=list[AreaOut], summary=gettext_noop("Areas the user may see"))
def area_list(request: HttpRequest) -> list[AreaOut]:
    return [_area_out(a) for a in selectors.areas_visible_to(request.user).select_related("parent")]


@router.get(
    "/areas/{code}",
    response=AreaOut,
    summary=gettext_noop("One area (404 outside the user's scope)"),
)
def area_detail(request: HttpRequest, code: str) -> AreaOut:
    return _area_out(selectors.area_visible_or_404(request.user, code))


# --- the person directory (人员库) ------------------------------------------------


def _official(request: HttpRequest) -> User:
    """The caller, if they see any area; an investor's directory is 404, as on the pages."""
    user = request_user(request)
    if area_scope_path(user) is None:
        raise Http404
    return user


def _writer(user: User) -> None:
    """403 for a role that only reads; asked after the 404 check, before the body is resolved."""
    require(user, Capability.WRITE)


def _person_out(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "post": p.post,
        "rank": p.rank,
        "rank_label": str(p.get_rank_display()),
        "unit_id": p.unit_id,
        "unit": p.unit.name if p.unit else None,
        "phone": p.phone,
        "area": p.area.code,
        "username": p.user.username if p.user else None,
        "active": p.active,
        "version": p.version,
        "updated_at": p.updated_at,
    }


def _person_detail(user: User, pk: int) -> PersonDetail:
    person = selectors.person_detail_or_404(user, pk)
    references = [ReferenceOut(**r) for r in selectors.person_references(person)]
    return PersonDetail(**_person_out(person), references=references)


def _unit(user: User, unit_id: int | None) -> Unit | None:
    """A unit the caller sees, else 422 on ``unit_id`` (the service checks its area)."""
    if unit_id is None:
        return None
    unit = selectors.units_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError(
            {"unit_id": _("Not found or not visible to you (id %(id)s).") % {"id": unit_id}}
        )
    return unit


@contextmanager
def _api_fields() -> Iterator[None]:
    """A service's refusal named by the body's field names (``unit`` → ``unit_id``)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {API_FIELDS.get(k, k): v for k, v in exc.error_dict.items()}
        raise ValidationError(renamed) from exc


API_FIELDS = {"unit": "unit_id"}


@router.get(
    "/people", response=PersonPage, summary=gettext_noop("The 人员库 of the caller's areas")
)
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> dict[str, Any]:
    user = _official(request)
    values = filters.model_dump(exclude={"limit", "offset"})
    values["rank"] = getattr(values["rank"], "value", values["rank"])
    for key in ("has_account", "active"):
        values[key] = None if values[key] is None else ("yes" if values[key] else "no")
    rows = selectors.person_list(user, values)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_person_out(p) for p in page],
    }


@router.post(
    "/people", response={201: PersonDetail}, summary=gettext_noop("Add a person to the 人员库")
)
def person_create(request: HttpRequest, payload: PersonCreate) -> Status[PersonDetail]:
    user = _official(request)
    area = selectors.area_visible_or_404(user, payload.area) if payload.area else user.area
    _writer(user)
    if area is None:
        raise ValidationError({"area": _("Name the area (area code) this belongs to.")})
    with _api_fields():
        person = services.person_create(
            acting_user=user,
            area=area,
            name=payload.name,
            post=payload.post,
            rank=payload.rank.value,
            unit=_unit(user, payload.unit_id),
            phone=payload.phone,
        )
    return Status(201, _person_detail(user, person.pk))


@router.get(
    "/people/{person_id}",
    response=PersonDetail,
    summary=gettext_noop("One person, and where named"),
)
def person_detail(request: HttpRequest, person_id: int) -> PersonDetail:
    return _person_detail(_official(request), person_id)


@router.patch(
    "/people/{person_id}",
    response=PersonDetail,
    summary=gettext_noop("Change a person (only the fields sent; 409 if version is stale)"),
)
def person_update(request: HttpRequest, person_id: int, payload: PersonUpdate) -> PersonDetail:
    user = _official(request)
    person = selectors.person_detail_or_404(user, person_id)
    _writer(user)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "unit_id" in changes:
        changes["unit"] = _unit(user, changes.pop("unit_id"))
    if "rank" in changes:
        changes["rank"] = getattr(changes["rank"], "value", changes["rank"])
    with _api_fields():
        services.person_update(
            acting_user=user, person=person, expected_version=payload.version, **changes
        )
    return _person_detail(user, person.pk)


@router.post(
    "/people/{person_id}/merge",
    response=PersonMergeOut,
    summary=gettext_noop("Fold duplicates into this person (合并重复人员)"),
)
def person_merge(request: HttpRequest, person_id: int, payload: PersonMergeIn) -> dict[str, Any]:
    user = _official(request)
    survivor = selectors.person_detail_or_404(user, person_id)
    _writer(user)
    candidates = selectors.merge_candidates(user, survivor, "")
    found = {p.pk: p for p in candidates.filter(pk__in=set(payload.duplicates))}
    missing = [i for i in payload.duplicates if i not in found]
    if missing:
        raise ValidationError(
            {
                "duplicates": _("Not found or not visible to you (id %(id)s).")
                % {"id": ", ".join(map(str, missing))}
            }
        )
    moved = services.person_merge(
        acting_user=user,
        survivor=survivor,
        duplicates=list(found.values()),
        expected_version=payload.version,
    )
    return {"person": _person_detail(user, survivor.pk), "moved": moved}


# --- the working-day calendar -------------------------------------------------------

#: The longest span GET /calendar answers in one call.
CALENDAR_MAX_DAYS = 366
#: The largest n GET /calendar/add counts (about eight years of working days).
CALENDAR_MAX_N = 2000


def _counted(fn: Any, *args: Any) -> Any:
    """A count the calendar refuses (before its first notice, after 2099) as 422 on ``field``."""
    try:
        return fn(*args)
    except ValidationError as exc:
        raise ValidationError({"start": exc.messages}) from exc


@router.get(
    "/calendar",
    response=CalendarOut,
    summary=gettext_noop("Holidays and make-up working days between two dates (at most a year)"),
)
def calendar_read(request: HttpRequest, start: Date, end: Date) -> dict[str, Any]:
    request_user(request)
    if end < start:
        raise ValidationError({"end": _("The end date must not be before the start date.")})
    if (end - start).days >= CALENDAR_MAX_DAYS:
        raise ValidationError(
            {"end": _("Ask for at most %(days)d days at a time.") % {"days": CALENDAR_MAX_DAYS}}
        )
    days = _counted(calendar.arrangement, start, end)
    notices = calendar.notices(start.year, end.year)
    years = [
        {
            "year": year,
            "provisional": year not in notices,
            "number": notices[year].number if year in notices else None,
            "title": notices[year].title if year in notices else None,
            "published": notices[year].published if year in notices else None,
        }
        for year in range(start.year, end.year + 1)
    ]
    return {"start": start, "end": end, "years": years, "days": [d._asdict() for d in days]}


@router.get(
    "/calendar/add",
    response=CalendarAddOut,
    summary=gettext_noop("The n-th working day after a date (次日起算)"),
)
def calendar_add(
    request: HttpRequest, start: Date, n: int = Query(..., ge=0, le=CALENDAR_MAX_N)
) -> dict[str, Any]:
    request_user(request)
    if not 0 <= n <= CALENDAR_MAX_N:
        raise ValidationError(
            {"n": _("n must be between 0 and %(max)d.") % {"max": CALENDAR_MAX_N}}
        )
    return _counted(calendar.add_working_days_marked, start, n)._asdict()


@router.get(
    "/calendar/between",
    response=CalendarBetweenOut,
    summary=gettext_noop("Working days after one date up to another"),
)
def calendar_between(request: HttpRequest, start: Date, end: Date) -> dict[str, Any]:
    request_user(request)
    if (end - start).days > CALENDAR_MAX_N * 2:
        raise ValidationError({"end": _("The dates are too far apart.")})
    return _counted(calendar.working_days_between_marked, start, end)._asdict()


def _notice_out(notice: CalendarNotice) -> dict[str, Any]:
    return {
        "year": notice.year,
        "number": notice.number,
        "title": notice.title,
        "published": notice.published,
        "source": notice.source,
        "entered_at": notice.entered_at,
        "days": [
            {"date": d.date, "kind": d.kind, "name": d.name, "provisional": False}
            for d in notice.days.all()
        ],
    }


@router.post(
    "/calendar/notices",
    response={201: CalendarNoticeOut},
    summary=gettext_noop("Enter a year's holiday notice (administrators; again = a correction)"),
)
def calendar_notice_enter(
    request: HttpRequest, payload: CalendarNoticeIn
) -> Status[dict[str, Any]]:
    user = request_user(request)
    require(user, Capability.ADMINISTER)
    notice = services.calendar_notice_enter(
        acting_user=user,
        year=payload.year,
        number=payload.number,
        title=payload.title,
        published=payload.published,
        source=payload.source,
        days=[(d.date, d.kind.value, d.name) for d in payload.days],
    )
    return Status(201, _notice_out(notice))


# --- the inbox (提醒): only the caller's own alerts ------------------------------------

#: an id past a bigint would overflow the driver: refused as 422, never a 500
ALERT_ID = Path(..., ge=1, le=2**63 - 1)


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        kind=alert.kind,
        kind_label=alert.kind_label,
        title=alert.title,
        body=alert.body,
        link=alert.link,
        object_type=alert.object_type,
        object_id=alert.object_id,
        created_at=alert.created_at,
        read_at=alert.read_at,
    )


@router.get("/inbox", response=AlertPage, summary=gettext_noop("My alerts, unread first"))
def inbox_list(request: HttpRequest, filters: Query[InboxFilters]) -> AlertPage:
    user = request_user(request)
    rows = selectors.alerts_for(user, filters.model_dump(exclude={"limit", "offset"}))
    page = rows[filters.offset : filters.offset + filters.limit]
    return AlertPage(
        count=rows.count(),
        unread=selectors.unread_count(user),
        limit=filters.limit,
        offset=filters.offset,
        items=[_alert_out(a) for a in page],
    )


@router.post(
    "/inbox/read-all",
    response=ReadAllOut,
    summary=gettext_noop("Mark all my unread alerts read (of one kind, if given)"),
)
def inbox_read_all(request: HttpRequest, payload: ReadAllIn) -> ReadAllOut:
    user = request_user(request)
    return ReadAllOut(marked=services.alert_mark_all_read(acting_user=user, kind=payload.kind))


@router.post(
    "/inbox/{alert_id}/read",
    response=AlertOut,
    summary=gettext_noop("Mark one of my alerts read (another user's is 404)"),
)
def inbox_read(request: HttpRequest, alert_id: int = ALERT_ID) -> AlertOut:
    user = request_user(request)
    alert = selectors.alert_or_404(user, alert_id)
    return _alert_out(services.alert_mark_read(acting_user=user, alert=alert))
