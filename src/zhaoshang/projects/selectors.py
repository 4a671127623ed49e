"""Every read of investment attraction, always scoped to the user first."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import RoleCode
from zhaoshang.core.lifecycle import given
from zhaoshang.core.models import Area, Person, User
from zhaoshang.core.selectors import (
    area_scope_path,
    get_visible_or_404,
    persons_in_reach,
    persons_visible_to,
    scope_to_user,
)

from . import keylevels
from .choices import LEADER_RANKS, MAIN_STAGES, Stage
from .lifecycle import PROJECT
from .models import (
    ACTIVITY_MAX_SPAN,
    Activity,
    Cluster,
    Enterprise,
    Project,
    StageEvent,
    activity_span,
)

ACTIVE_STAGES = tuple(s for s in MAIN_STAGES if s != Stage.PRODUCTION)
SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "-name": "-name",
    "stage": "stage",
    "-stage": "-stage",
    "investment": "total_investment",
    "-investment": "-total_investment",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "progress": "last_progress",
    "-progress": "-last_progress",
}


def _investor_enterprise_id(user: Any) -> int | None:
    account = getattr(user, "investor_account", None) if user.is_authenticated else None
    return account.enterprise_id if account else None


def _scoped(
    queryset: QuerySet[Any], user: Any, *, area_field: str, enterprise_field: str
) -> QuerySet[Any]:
    """Area scope for officials; an investor sees only rows of their own enterprise."""
    if (
        area_scope_path(user) is None
        and getattr(user, "is_authenticated", False)
        and user.has_role(RoleCode.INVESTOR)
    ):
        enterprise_id = _investor_enterprise_id(user)
        return (
            queryset.filter(**{enterprise_field: enterprise_id})
            if enterprise_id
            else queryset.none()
        )
    return scope_to_user(queryset, user, area_field=area_field)


#: ``sort`` values of the enterprise registry page and the ordering each means
ENTERPRISE_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "capital": ("registered_capital", "id"),
    "-capital": ("-registered_capital", "-id"),
    "area": ("area__path", "name"),
    "-area": ("-area__path", "name"),
}


def enterprise_list(user: Any, q: str = "", sort: str = "") -> QuerySet[Enterprise]:
    """The registry page: the user's enterprises, searched by name or credit code, sorted
    by a key of ``ENTERPRISE_SORTS`` (anything else: by name)."""
    enterprises = enterprises_visible_to(user)
    if q:
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
    return enterprises.order_by(*ENTERPRISE_SORTS.get(sort, ENTERPRISE_SORTS["name"]))


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    return _scoped(
        Enterprise.objects.select_related("area", "cluster"),
        user,
        area_field="area",
        enterprise_field="pk",
    )


def enterprise_links(user: Any, enterprise: Enterprise) -> dict[str, QuerySet[Any]]:
    """An enterprise's links whose other side the user may see (a city user may link a
    district's enterprise to another county's; the district sees only its own side)."""
    visible = enterprises_visible_to(user).values("pk")
    return {
        "links_out": enterprise.links_out.filter(target__in=visible).select_related("target"),
        "links_in": enterprise.links_in.filter(source__in=visible).select_related("source"),
    }


def clusters_visible_to(user: Any) -> QuerySet[Cluster]:
    return scope_to_user(Cluster.objects.select_related("area", "sub_bureau"), user)


def with_progress(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate ``last_progress`` (the later of the last stage move and the last activity)."""
    return projects.annotate(last_progress=F("last_progress_on"))


def stuck_before(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=settings.ZHAOSHANG_STUCK_DAYS)


def projects_visible_to(user: Any) -> QuerySet[Project]:
    return _scoped(Project.objects.all(), user, area_field="area", enterprise_field="investor")


def investor_projects(user: Any) -> QuerySet[Project]:
    """An investor's landing page: their own enterprise's projects, latest first."""
    return (
        projects_visible_to(user).select_related("area", "investor").order_by("-updated_at", "-id")
    )


def project_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Project]:
    """The ledger list: scope, filters, the stuck flag, sorting; one query per page.

    Every row carries ``key_level_of_year``, its key-project level in ``filters["year"]``
    (default this year), which the ``key_level`` filter reads (``keylevels``).
    """
    filters = filters or {}
    projects = with_progress(projects_visible_to(user)).select_related(
        "area", "investor", "cluster", "sub_bureau", "lead_cadre"
    )
    projects = _with_level_filter(projects, filters)
    exact = {
        "stage": "stage",
        "cluster": "cluster_id",
        "source_region": "source_region",
        "method": "method",
        "sub_bureau": "sub_bureau_id",
        "leader": "lead_cadre_id",
    }
    for key, lookup in exact.items():
        value = filters.get(key)
        if value not in (None, ""):
            projects = projects.filter(**{lookup: getattr(value, "pk", value)})
    if filters.get("area"):  # an Area or its code: that area and everything below it
        area = filters["area"]
        path = (
            area.path
            if isinstance(area, Area)
            else (Area.objects.filter(code=area).values_list("path", flat=True).first())
        )
        projects = projects.filter(area__path__startswith=path) if path else projects.none()
    if filters.get("q"):
        q = filters["q"]
        projects = projects.filter(
            Q(name__icontains=q)
            | Q(investor_name__icontains=q)
            | Q(investor__name__icontains=q)
            | Q(code=q)
        )
    if filters.get("stuck"):
        projects = projects.filter(stage__in=ACTIVE_STAGES, last_progress__lt=stuck_before())  # type: ignore[misc]
    return projects.order_by(SORTS.get(filters.get("sort") or "", "-updated_at"), "-id")


def project_totals(projects: QuerySet[Project]) -> dict[str, Decimal]:
    """The ledger's totals row: the money columns summed over the whole filter (every
    page, not only the shown one) in one aggregate query."""
    sums = projects.order_by().aggregate(total_investment=Sum("total_investment"))
    return {key: value or Decimal("0") for key, value in sums.items()}


def _with_level_filter(projects: QuerySet[Project], filters: dict[str, Any]) -> QuerySet[Project]:
    """The level of the filters' year on every row, and the ``key_level`` filter in SQL."""
    year = keylevels.year_or_current(filters.get("year"))
    level = filters.get("key_level")
    if level:
        return keylevels.filter_key_level(projects, year, level)
    return keylevels.with_key_level(projects, year)


def is_stuck(project: Project, today: dt.date | None = None) -> bool:
    return stalled(project.stage, getattr(project, "last_progress", None), today)


def stalled(stage: str, last_progress: dt.date | None, today: dt.date | None = None) -> bool:
    """An active stage with no stage move and no activity for ``ZHAOSHANG_STUCK_DAYS``."""
    return (
        stage in ACTIVE_STAGES and last_progress is not None and last_progress < stuck_before(today)
    )


def project_detail_or_404(user: Any, pk: int) -> Project:
    """One project with its chain, in four queries (``_detail_rows``)."""
    project = get_visible_or_404(_detail_rows(user), pk=pk)
    _attach_chain(project)
    return project


def project_page_or_404(user: Any, pk: int, year: int) -> Project:
    """``project_detail_or_404`` plus what the project page and the API's answer show:
    the stage moves, read once for the timeline and the days in each stage, and the
    key-project level of ``year`` on the row; for reading only (the stage moves are a
    snapshot a write would leave stale)."""
    events = StageEvent.objects.select_related("actor", "evidence").order_by("event_date", "id")
    rows = keylevels.with_key_level(_detail_rows(user), year).prefetch_related(
        Prefetch("stage_events", events)
    )
    project = get_visible_or_404(rows, pk=pk)
    _attach_chain(project)
    return project


def _detail_rows(user: Any) -> QuerySet[Project]:
    """The visible projects with what every detail shows.

    The chain's people (and their units) come in a query of their own
    (``_attach_chain``) rather than six more joins: PostgreSQL spent 7–9 ms
    planning the eleven-table join on every page view, for a row it then read in
    0.5 ms (bench/load.py).
    """
    return (
        with_progress(projects_visible_to(user))
        .select_related("area", "investor", "cluster", "sub_bureau")
        .prefetch_related(
            Prefetch("trackers", Person.objects.select_related("unit")), "cooperating_units"
        )
    )


CHAIN_FIELDS = ("lead_cadre", "responsible_chief", "frontline_sub_chief")


def _attach_chain(project: Project) -> None:
    """Fill the chain's three person fields (with units) from one query."""
    ids = {getattr(project, f"{field}_id") for field in CHAIN_FIELDS} - {None}
    people = Person.objects.select_related("unit").in_bulk(ids) if ids else {}
    for field in CHAIN_FIELDS:
        person_id = getattr(project, f"{field}_id")
        setattr(project, field, people.get(person_id) if person_id else None)


@dataclass(frozen=True)
class TimelineItem:
    date: dt.date
    kind: str  # "stage" or "activity"
    obj: Any


def timeline(project: Project) -> list[TimelineItem]:
    """Stage moves and activities, newest first, for the detail page (the stage moves as
    ``project_page_or_404`` read them, with actor and evidence)."""
    events = [TimelineItem(e.event_date, "stage", e) for e in stage_moves(project)]
    activities = [
        TimelineItem(a.date, "activity", a) for a in project.activities.prefetch_related("people")
    ]
    return sorted(events + activities, key=lambda i: (i.date, i.kind == "stage"), reverse=True)


def time_in_stages(project: Project, today: dt.date | None = None) -> list[tuple[str, int]]:
    """Days spent in each stage, from the events' real-world dates (the current one to today)."""
    today = today or timezone.localdate()
    events = [(e.to_stage, e.event_date) for e in stage_moves(project)]
    spent: dict[str, int] = defaultdict(int)
    for (stage, start), (_next, end) in zip(events, [*events[1:], (None, today)], strict=True):
        spent[stage] += max((end - start).days, 0)
    return [(stage, spent[stage]) for stage in Stage.values if stage in spent]


def stage_moves(project: Project) -> list[StageEvent]:
    """The project's stage moves in order of their dates: from ``project_page_or_404``'s
    prefetch when it read them, else one query."""
    return sorted(project.stage_events.all(), key=lambda e: (e.event_date, e.pk))


def next_stage_needs(project: Project) -> str:
    """What the next main stage still needs, from the gates of ``lifecycle.PROJECT``, or ""."""
    return PROJECT.next_hint(project)


CHAIN_PARTS = (
    "lead_cadre",
    "responsible_chief",
    "frontline_sub_chief",
    "trackers",
    "cooperating_units",
)


def chain_gaps(project: Project) -> list[str]:
    """Which parts of the responsibility chain are missing (field names)."""
    missing = [
        f
        for f in ("lead_cadre", "responsible_chief", "frontline_sub_chief")
        if getattr(project, f"{f}_id") is None
    ]
    if len(project.trackers.all()) < 2:
        missing.append("trackers")
    if not project.cooperating_units.all():
        missing.append("cooperating_units")
    return missing


#: ``sort`` values of the incomplete-chain report and the ordering each means
CHAIN_SORTS: dict[str, tuple[str, ...]] = {
    "area": ("area__path", "name"),
    "-area": ("-area__path", "name"),
    "name": ("name",),
    "-name": ("-name",),
    "stage": ("stage", "name"),
    "-stage": ("-stage", "name"),
}


def incomplete_chains(
    user: Any, year: int | None = None, sort: str = ""
) -> list[tuple[Project, list[str]]]:
    """Every key project of ``year`` (default this year; any level, as
    ``key_level_of_year``) whose responsibility chain is incomplete, sorted by a key
    of ``CHAIN_SORTS`` (anything else: by area)."""
    year = year or keylevels.current_year()
    projects = (
        keylevels.key_projects_of(projects_visible_to(user), year)
        .exclude(stage=Stage.TERMINATED)
        .select_related("area", "lead_cadre", "responsible_chief", "frontline_sub_chief")
        .prefetch_related("trackers", "cooperating_units")
        .order_by(*CHAIN_SORTS.get(sort, CHAIN_SORTS["area"]), "id")
    )
    report = [(p, chain_gaps(p)) for p in projects]
    return [(p, gaps) for p, gaps in report if gaps]


@dataclass(frozen=True)
class YearLevel:
    """One line of a project's key-level history: its level in a year."""

    year: int
    level: str
    label: str
    url: str  # the key list of that year, where the level is changed


def key_level_history(project: Project) -> list[YearLevel]:
    """Every year the project sits in a key list and its level there, newest first."""
    return [
        YearLevel(
            year,
            level,
            keylevels.key_level_label(level),
            keylevels.key_list_url(project, year, level),
        )
        for year, level in keylevels.key_level_history(project)
    ]


@dataclass(frozen=True)
class Incomplete:
    """A project past a gate without that gate's data (资料待补) and the labels of what it lacks."""

    project: Project
    missing: list[str]


def _lacks(field_name: str, present: Any) -> Q:
    """SQL for “this field's value does not count” (``Required.present``: ``given`` or ``bool``)."""
    lacking = Q(**{f"{field_name}__isnull": True})
    if present is given:
        return lacking
    field = Project._meta.get_field(field_name)
    if isinstance(field, models.CharField | models.TextField):
        return lacking | Q(**{field_name: ""})
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        return lacking | Q(**{field_name: 0})
    return lacking


def missing_data_q() -> Q:
    """Projects at a stage whose ``Required`` gate data is missing, from ``PROJECT``'s table."""
    found = Q(pk__in=[])
    for stages, rule in PROJECT.requiring():
        found |= Q(stage__in=stages) & _lacks(rule.field, rule.present)
    return found


def missing_labels(project: Project) -> list[str]:
    """What ``project``'s stage still lacks (资料待补), as the gates' labels; [] when nothing."""
    return [str(rule.label) for rule in PROJECT.missing(project)]


#: ``sort`` values of the 资料待补 page and the ordering each means
INCOMPLETE_SORTS: dict[str, tuple[str, ...]] = {
    "area": ("area__path", "stage", "name"),
    "-area": ("-area__path", "stage", "name"),
    "code": ("code",),
    "-code": ("-code",),
    "name": ("name",),
    "-name": ("-name",),
    "stage": ("stage", "name"),
    "-stage": ("-stage", "name"),
}


def incomplete_projects(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Project]:
    """The projects of the user's areas flagged 资料待补, one query a page.

    The filter is built from the ``Required`` rules of ``lifecycle.PROJECT``
    (a rule added there is listed here); ``missing_labels`` names what each
    lacks in Python over the page. ``filters``: ``area`` (that area and below),
    ``sort`` (a key of ``INCOMPLETE_SORTS``; anything else sorts by area).
    """
    filters = filters or {}
    projects = projects_visible_to(user).filter(missing_data_q())
    area = filters.get("area")
    if area:
        projects = projects.filter(area__path__startswith=area.path)
    order = INCOMPLETE_SORTS.get(filters.get("sort") or "", INCOMPLETE_SORTS["area"])
    return (
        projects.select_related("area")
        .only("name", "code", "stage", "area__name", "area__path", *PROJECT.required_fields())
        .order_by(*order, "id")
    )


def persons_fitting(
    user: Any, area: Area | None, ranks: tuple[str, ...], keep: tuple[int | None, ...] = ()
) -> QuerySet[Person]:
    """The Persons a picker offers for a slot taking ``ranks`` on ``area``'s work.

    Active and in reach (``core.selectors.persons_in_reach``; without an area
    yet, the user's own 人员库), of the slot's ranks; ``keep``: the slot's
    current Persons, offered even if they no longer fit (an edit keeps them).
    """
    if area is not None:
        reach = persons_in_reach(user, area)
    else:
        reach = persons_visible_to(user).filter(active=True)
    fitting = Q(pk__in=reach.filter(rank__in=ranks).values("pk"))
    kept = [pk for pk in keep if pk is not None]
    if kept:
        fitting |= Q(pk__in=kept)
    return Person.objects.filter(fitting).select_related("area", "unit")


def chain_leaders(user: Any) -> QuerySet[Person]:
    """Leader-rank Persons a list may be filtered by (牵头领导): the user's areas and above."""
    return persons_fitting(user, getattr(user, "area", None), LEADER_RANKS)


def leaders_visible_to(user: Any) -> QuerySet[User]:
    return (
        scope_to_user(User.objects.filter(roles__code=RoleCode.LEADER, is_active=True), user)
        .select_related("area", "unit")
        .order_by("username")
    )


def leader_activity_days(user: Any, year: int, month: int) -> list[dict[str, Any]]:
    """“二分之一”工作法: per leader, the month's working days their activities cover.

    An activity covers the dates ``date`` … ``last_date`` (``Activity``); only
    those that are working days of this month and not after today count, each
    once however many activities cover it — a trip across a month end counts
    in each month for its own days, and no leader ever has more days than the
    month has working days (a share of at most 100%).

    A ValidationError when the month cannot be counted: its year has no
    official holiday calendar (``calendar_year_missing``) or the month has not
    begun yet (``month_in_future``).
    """
    from zhaoshang.core.calendar import working_dates_in_month

    workdays = working_dates_in_month(year, month)
    today = timezone.localdate()
    first = dt.date(year, month, 1)
    if first > today:
        raise ValidationError(
            _("%(month)s has not begun yet; only past months and the current one are counted.")
            % {"month": f"{year}-{month:02d}"},
            code="month_in_future",
        )
    last = first.replace(day=calendar.monthrange(year, month)[1])
    countable = {day for day in workdays if day <= today}
    leaders = list(leaders_visible_to(user))
    covered: dict[int, set[dt.date]] = {leader.pk: set() for leader in leaders}
    activities = Activity.objects.filter(
        people__in=leaders,
        date__gte=first - dt.timedelta(days=ACTIVITY_MAX_SPAN - 1),
        date__lte=last,
    ).values_list("people", "date", "days")
    for person, start, days in activities:
        end = start + dt.timedelta(days=activity_span(days) - 1)
        day = max(start, first)
        while day <= min(end, last):
            if day in countable:
                covered[person].add(day)
            day += dt.timedelta(days=1)
    working = len(workdays)
    return [
        {
            "leader": leader,
            "days": len(covered[leader.pk]),
            "working_days": working,
            "share": round(100 * len(covered[leader.pk]) / working, 1) if working else 0.0,
            "meets_half": working > 0 and 2 * len(covered[leader.pk]) >= working,
        }
        for leader in leaders
    ]


def attachment_visible_or_404(user: Any, pk: int) -> Any:
    from .models import Attachment

    return get_visible_or_404(
        Attachment.objects.filter(project__in=projects_visible_to(user)), pk=pk
    )


# --- 首页 "my work" panels ------------------------------------------------------------

HOME_LIMIT = 8


def _in_my_chain(user: Any) -> Q:
    """The user's Person holds a slot of the chain (牵头/主抓/带队/跟踪)."""
    return (
        Q(lead_cadre__user=user)
        | Q(responsible_chief__user=user)
        | Q(frontline_sub_chief__user=user)
        | Q(trackers__user=user)
    )


def my_chain_projects(user: Any, limit: int = HOME_LIMIT) -> tuple[list[Project], int]:
    """Live projects whose chain names the user, latest progress first, and how many; 2 queries."""
    mine = Project.objects.filter(_in_my_chain(user)).values("pk")
    rows = (
        with_progress(projects_visible_to(user))
        .filter(pk__in=mine)
        .exclude(stage=Stage.TERMINATED)
        .select_related("area")
    )
    return list(rows.order_by("-last_progress_on", "-id")[:limit]), rows.count()


def stuck_projects(user: Any, limit: int = HOME_LIMIT) -> tuple[list[Project], int]:
    """The area's projects with no progress for too long, the longest first; 2 queries."""
    rows = with_progress(projects_visible_to(user)).filter(
        stage__in=ACTIVE_STAGES, last_progress_on__lt=stuck_before()
    )
    return list(
        rows.select_related("area").order_by("last_progress_on", "id")[:limit]
    ), rows.count()


def my_incomplete_chains(user: Any, limit: int = HOME_LIMIT) -> list[tuple[Project, list[str]]]:
    """This year's key projects where the user holds a slot and the chain has gaps; 3 queries."""
    mine = Project.objects.filter(_in_my_chain(user)).values("pk")
    projects = (
        keylevels.key_projects_of(projects_visible_to(user), keylevels.current_year())
        .filter(pk__in=mine)
        .exclude(stage=Stage.TERMINATED)
        .select_related("area")
        .prefetch_related("trackers", "cooperating_units")
        .order_by("name", "id")
    )
    report = [(p, chain_gaps(p)) for p in projects]
    return [(p, gaps) for p, gaps in report if gaps][:limit]
