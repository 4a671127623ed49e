"""Every read of targets and indicators (目标考核), scoped to the user first.

Completion % and the rank among sibling areas are derived here, never stored.
All siblings of one parent are computed together in a fixed handful of
GROUP BY queries (indicators, areas, targets, manual actuals, 到位资金, actual
modes, key-project investment, signed/started counts, areas below), whatever
the number of areas, so the same code serves one district on SQLite and a
province on PostgreSQL.

An area's actual is its own figure plus every area's below it (a city = its
counties + 市直), for every indicator. 实际利用外资 and 引进市外资金 have two
figures — entered (the statistics bureau's monthly rows) and computed (the
projects' 到位资金) — and each reporting area's mode for the year (default
entered) says which one counts; both totals are kept for display.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.construction.choices import CITY_OR_ABOVE
from zhaoshang.construction.models import InvestmentRollup
from zhaoshang.construction.selectors.capital import paid_in_by_area
from zhaoshang.core.choices import AreaLevel
from zhaoshang.core.models import Area
from zhaoshang.core.policy import can_set_targets
from zhaoshang.core.selectors import area_scope_path, area_visible_or_404, areas_visible_to
from zhaoshang.projects.choices import Stage
from zhaoshang.projects.models import YearRollup
from zhaoshang.projects.rollups import ENTERED, entered_key

from .choices import ActualMode, IndicatorCode, Source
from .models import Actual, ActualModeChoice, Indicator, Target

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
STORED = Decimal("0.0001")
#: 万元 → 亿元: monthly investment reports are in 万元, the indicator in 亿元.
WAN_PER_YI = Decimal("10000")
#: Indicators an area may compute from 到位资金: code → (PaidInCapital field, divisor to its unit)
PAID_IN: dict[str, tuple[str, Decimal]] = {
    IndicatorCode.FDI: ("foreign_capital", Decimal(1)),
    IndicatorCode.OUT_OF_CITY: ("out_of_city_capital", WAN_PER_YI),
}
#: Which stage move a computed count indicator counts.
COUNT_STAGES = {Source.SIGNED_COUNT: Stage.SIGNED, Source.STARTED_COUNT: Stage.CONSTRUCTION}


@dataclass(frozen=True)
class IndicatorRow:
    indicator: str
    name: str
    unit: str
    decimals: int
    target: Decimal | None
    actual: Decimal
    completion_pct: Decimal | None
    rank: int | None
    of: int
    time_elapsed_pct: Decimal
    #: paid-in indicators only: this area's mode, and the entered and computed totals
    mode: str | None = None
    entered: Decimal | None = None
    computed: Decimal | None = None
    #: how many areas sit directly below: the actual is their sum plus the area's own figure
    below: int = 0

    def shown(self, value: Decimal | None) -> Decimal | None:
        """A figure at the indicator's decimals, as people read it."""
        if value is None:
            return None
        return value.quantize(Decimal(1).scaleb(-self.decimals), ROUND_HALF_UP)

    @property
    def difference(self) -> Decimal | None:
        """Computed − entered, when both exist (the page shows both side by side)."""
        if self.entered is None or self.computed is None:
            return None
        return self.computed - self.entered

    @property
    def shown_actual(self) -> Decimal:
        """The actual at the indicator's decimals, as the API and exports give it.

        A computed actual carries the division's digits (万元 → 亿元: 57.874703);
        ranking and completion use it whole, people read it rounded (57.875).
        """
        return self.actual.quantize(Decimal(1).scaleb(-self.decimals), ROUND_HALF_UP)

    @property
    def behind(self) -> bool:
        """Completion lags the share of the year gone (60% done in October is behind)."""
        return self.completion_pct is not None and self.completion_pct < self.time_elapsed_pct


@dataclass(frozen=True)
class SiblingRow:
    area: Area
    cells: dict[str, IndicatorRow]


def plain(value: Decimal | None) -> str | None:
    """A decimal as people write it: no exponent, no trailing zeros ("15280", "111.43")."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- time ------------------------------------------------------------------------------


def default_through_month(year: int, today: dt.date) -> int:
    """Months counted year to date: all of a past year, up to this month now, none ahead."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def time_elapsed_pct(year: int, today: dt.date) -> Decimal:
    """Share of the year's days gone by (today included), 2 decimals."""
    if year < today.year:
        return HUNDRED.quantize(CENT)
    if year > today.year:
        return ZERO.quantize(CENT)
    days = 366 if calendar.isleap(year) else 365
    elapsed = today.timetuple().tm_yday
    return (Decimal(elapsed) * HUNDRED / Decimal(days)).quantize(CENT, ROUND_HALF_UP)


def completion_pct(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """actual / target × 100, ROUND_HALF_UP to 2 decimals; none without a positive target."""
    if target is None or target <= 0:
        return None
    return (actual * HUNDRED / target).quantize(CENT, ROUND_HALF_UP)


def competition_ranks(values: dict[Any, Decimal | None]) -> dict[Any, int]:
    """Rank by value descending, ties share a rank and skip the next (1, 1, 3)."""
    ranked = sorted(
        ((v, k) for k, v in values.items() if v is not None), key=lambda p: p[0], reverse=True
    )
    ranks: dict[Any, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (value, key) in enumerate(ranked, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def _stored(total: Decimal | None) -> Decimal:
    """A SUM back at the columns' 4 decimals (SQLite sums decimals as floats)."""
    return ZERO if total is None else Decimal(total).quantize(STORED, ROUND_HALF_UP)


# --- reads -----------------------------------------------------------------------------


def indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True).order_by("sort", "code"))


def targets_for(area_ids: Iterable[int], year: int) -> dict[tuple[int, str], Decimal]:
    rows = Target.objects.filter(area_id__in=list(area_ids), year=year).values_list(
        "area_id", "indicator_id", "value"
    )
    return {(area_id, code): value for area_id, code, value in rows}


def manual_actuals(
    root_path: str, year: int, through_month: int, codes: list[str]
) -> dict[tuple[str, str], Decimal]:
    """Year-to-date sums of the monthly rows of every area under ``root_path``, by its path.

    Manual figures are reported per area (a city's own rows are its 市直 figure);
    the caller adds them up the tree.
    """
    if not codes or through_month < 1:
        return {}
    rows = (
        Actual.objects.filter(
            area__path__startswith=root_path,
            year=year,
            month__lte=through_month,
            indicator__in=codes,
        )
        .values("area__path", "indicator_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {(r["area__path"], r["indicator_id"]): _stored(r["total"]) for r in rows}


class _Owners:
    """Which of the sibling ``areas`` (children of ``root_path``) a row's area path falls in.

    The code right after the parent's path names the child, so each row is one
    dict lookup; a root area ranked on its own owns everything below it.
    """

    def __init__(self, root_path: str, areas: list[Area]) -> None:
        self.root_path = root_path
        self.by_code = {a.code: a for a in areas}
        self.itself = areas[0] if len(areas) == 1 and areas[0].path == root_path else None

    def of(self, path: str) -> Area | None:
        if self.itself is not None:
            return self.itself
        return self.by_code.get(path[len(self.root_path) :].split("/", 1)[0])


def key_investment(
    areas: list[Area], root_path: str, year: int, through_month: int
) -> dict[int, Decimal]:
    """重点项目完成投资 (亿元) per area's subtree, from the monthly rollups of city/province lists.

    One GROUP BY over ``root_path`` (the common parent) by the reporting area;
    each reporting area is then credited to the listed area whose subtree holds it.
    """
    if through_month < 1 or not areas:
        return {}
    rows = (
        InvestmentRollup.objects.filter(
            area__path__startswith=root_path,
            year=year,
            month__lte=through_month,
            top_level__in=CITY_OR_ABOVE,
        )
        .values("area__path")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    owners = _Owners(root_path, areas)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        owner = owners.of(row["area__path"])
        if owner is not None:
            totals[owner.pk] += _stored(row["total"])
    return {pk: total / WAN_PER_YI for pk, total in totals.items()}


def stage_counts(
    areas: list[Area], root_path: str, year: int, through_month: int
) -> dict[tuple[int, str], Decimal]:
    """新签约/新开工项目数 per area's subtree: projects moved to signed / construction this year.

    Read from the ``entered`` rows of ``projects.YearRollup`` (each project once
    per year and stage, in the month of its first such move), not the stage log.
    """
    if through_month < 1 or not areas:
        return {}
    months = range(1, min(through_month, 12) + 1)
    owners = _Owners(root_path, areas)
    counts: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for source, stage in COUNT_STAGES.items():
        rows = (
            YearRollup.objects.filter(
                kind=ENTERED,
                year=year,
                key__in=[entered_key(stage, m) for m in months],
                area__path__startswith=root_path,
            )
            .values_list("area__path")
            .annotate(n=Sum("projects"))
            .order_by()
        )
        for path, n in rows:
            owner = owners.of(path)
            if owner is not None:
                counts[(owner.pk, source)] += Decimal(n or 0)
    return dict(counts)


@dataclass(frozen=True)
class Dual:
    """A paid-in indicator's two figures for one area's subtree, and which one counts."""

    entered: Decimal | None  # the statistics bureau's monthly figures; None: none entered
    computed: Decimal | None  # projects' 到位资金 in the indicator's unit; None: none reported
    chosen: Decimal  # each reporting area's figure by its own mode, summed up the tree
    mode: str  # this area's own mode


def actual_modes(root_path: str, year: int, codes: list[str]) -> dict[tuple[str, str], str]:
    """The stored modes of every area under ``root_path`` (no row: entered), by path."""
    if not codes:
        return {}
    rows = ActualModeChoice.objects.filter(
        area__path__startswith=root_path, year=year, indicator__in=codes
    ).values_list("area__path", "indicator_id", "mode")
    return {(path, code): mode for path, code, mode in rows}


def _paid_in(
    root_path: str, year: int, through_month: int, codes: list[str]
) -> dict[tuple[str, str], Decimal]:
    """到位资金 per reporting area path and paid-in indicator, in the indicator's unit."""
    if not codes:
        return {}
    sums = paid_in_by_area(root_path, year, through_month)
    return {
        (path, code): amounts[PAID_IN[code][0]] / PAID_IN[code][1]
        for path, amounts in sums.items()
        for code in codes
    }


class _Sums:
    """Own figures of reporting areas credited to the sibling whose subtree holds them."""

    def __init__(self, owners: _Owners) -> None:
        self.owners = owners
        self.totals: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)

    def add(self, path: str, code: str, value: Decimal) -> None:
        owner = self.owners.of(path)
        if owner is not None:
            self.totals[(owner.pk, code)] += value


def _figures(
    areas: list[Area], root_path: str, year: int, through_month: int, codes: list[str]
) -> tuple[dict[tuple[int, str], Decimal], dict[tuple[int, str], Dual]]:
    """Manual indicators summed up the tree (area = its own figure + every area below).

    A paid-in indicator's own figure of each reporting area is its entered or its
    computed one by that area's mode for the year; both totals are kept beside
    the chosen one so the page can show them side by side.
    """
    owners = _Owners(root_path, areas)
    entered, computed, chosen = _Sums(owners), _Sums(owners), _Sums(owners)
    own_entered = manual_actuals(root_path, year, through_month, codes)
    for (path, code), value in own_entered.items():
        entered.add(path, code, value)
    dual = [c for c in codes if c in PAID_IN]
    own_computed = _paid_in(root_path, year, through_month, dual)
    modes = actual_modes(root_path, year, dual)
    for (path, code), value in own_computed.items():
        computed.add(path, code, value)
    for key in own_entered.keys() | own_computed.keys():
        path, code = key
        use_computed = code in PAID_IN and modes.get(key) == ActualMode.COMPUTED
        chosen.add(path, code, (own_computed if use_computed else own_entered).get(key, ZERO))
    duals = {
        (area.pk, code): Dual(
            entered=entered.totals.get((area.pk, code)),
            computed=computed.totals.get((area.pk, code)),
            chosen=chosen.totals.get((area.pk, code), ZERO),
            mode=modes.get((area.path, code), ActualMode.ENTERED),
        )
        for area in areas
        for code in dual
    }
    return dict(chosen.totals), duals


def _actuals(
    areas: list[Area], root_path: str, year: int, through_month: int, inds: list[Indicator]
) -> tuple[dict[tuple[int, str], Decimal], dict[tuple[int, str], Dual]]:
    """Every area × indicator actual (its subtree's), year to date, in a handful of queries."""
    manual = [i.code for i in inds if i.source == Source.MANUAL]
    sources = {i.source for i in inds}
    values, duals = _figures(areas, root_path, year, through_month, manual)
    if Source.KEY_INVESTMENT in sources:
        invest = key_investment(areas, root_path, year, through_month)
        for ind in inds:
            if ind.source == Source.KEY_INVESTMENT:
                values.update({(pk, ind.code): v for pk, v in invest.items()})
    if sources & set(COUNT_STAGES):
        counts = stage_counts(areas, root_path, year, through_month)
        for ind in inds:
            if ind.source in COUNT_STAGES:
                values.update(
                    {(pk, ind.code): v for (pk, src), v in counts.items() if src == ind.source}
                )
    return values, duals


def areas_below(areas: list[Area]) -> dict[int, int]:
    """How many areas sit directly below each of ``areas`` (the 合计 label's N), one query."""
    rows = (
        Area.objects.filter(parent__in=[a.pk for a in areas])
        .values("parent_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["parent_id"]: r["n"] for r in rows}


def compute(
    areas: list[Area], *, root_path: str, year: int, today: dt.date, through_month: int | None
) -> dict[int, dict[str, IndicatorRow]]:
    """Rows of every indicator for each of ``areas`` (siblings), ranked among them."""
    month = default_through_month(year, today) if through_month is None else through_month
    elapsed = time_elapsed_pct(year, today)
    inds = indicators()
    targets = targets_for([a.pk for a in areas], year)
    actuals, duals = _actuals(areas, root_path, year, month, inds)
    below = areas_below(areas)
    result: dict[int, dict[str, IndicatorRow]] = {a.pk: {} for a in areas}
    for ind in inds:
        pcts = {
            a.pk: completion_pct(actuals.get((a.pk, ind.code), ZERO), targets.get((a.pk, ind.code)))
            for a in areas
        }
        ranks = competition_ranks(pcts)
        for area in areas:
            dual = duals.get((area.pk, ind.code))
            result[area.pk][ind.code] = IndicatorRow(
                indicator=ind.code,
                name=ind.name,
                unit=ind.unit,
                decimals=ind.decimals,
                target=targets.get((area.pk, ind.code)),
                actual=actuals.get((area.pk, ind.code), ZERO),
                completion_pct=pcts[area.pk],
                rank=ranks.get(area.pk),
                of=len(ranks),
                time_elapsed_pct=elapsed,
                mode=dual.mode if dual else None,
                entered=dual.entered if dual else None,
                computed=dual.computed if dual else None,
                below=below.get(area.pk, 0),
            )
    return result


def _children(parent: Area) -> list[Area]:
    return list(Area.objects.filter(parent=parent).order_by("code"))


def indicator_rows(
    user: Any,
    *,
    area: Area,
    year: int,
    today: dt.date | None = None,
    through_month: int | None = None,
) -> list[IndicatorRow]:
    """The indicator table of one area, ranked among its siblings; 404 if not visible.

    The rank is among ALL siblings (a county is ranked among the city's counties
    even though it may not see them); only the position is disclosed.
    """
    area = area_visible_or_404(user, area.code)
    today = today or timezone.localdate()
    if area.parent is None:
        peers, root = [area], area.path
    else:
        peers, root = _children(area.parent), area.parent.path
    rows = compute(peers, root_path=root, year=year, today=today, through_month=through_month)
    return list(rows[area.pk].values())


def sibling_table(
    user: Any,
    *,
    parent: Area,
    year: int,
    today: dt.date | None = None,
    through_month: int | None = None,
) -> list[SiblingRow]:
    """Every child of ``parent`` the user may see, each with its ranked indicator rows."""
    parent = area_visible_or_404(user, parent.code)
    today = today or timezone.localdate()
    children = _children(parent)
    rows = compute(
        children, root_path=parent.path, year=year, today=today, through_month=through_month
    )
    visible = set(areas_visible_to(user).filter(parent=parent).values_list("pk", flat=True))
    return [SiblingRow(area=a, cells=rows[a.pk]) for a in children if a.pk in visible]


def actual_label(area: Area, row: IndicatorRow) -> str:
    """How an actual is made up: 合计（含下辖区县 N 个 + 市直） for an area with areas below."""
    if not row.below:
        return ""
    if area.level == AreaLevel.CITY:
        return _("Total (incl. %(n)d counties/districts below + city-level own)") % {"n": row.below}
    return _("Total (incl. %(n)d areas below + own)") % {"n": row.below}


# --- who may do what -------------------------------------------------------------------


def settable_areas(user: Any) -> list[Area]:
    """Areas whose targets ``user`` sets: those directly below their own (市定目标)."""

    path = area_scope_path(user)
    if path is None:
        return []
    if path == "":
        candidates = Area.objects.exclude(parent=None)
    else:
        candidates = Area.objects.filter(parent=user.area)
    return [a for a in candidates.select_related("parent") if can_set_targets(user, a)]


def monthly_actuals(area: Area, year: int) -> dict[tuple[str, int], Decimal]:
    """The stored manual figures of one area and year, by (indicator, month)."""
    rows = Actual.objects.filter(area=area, year=year).values_list("indicator_id", "month", "value")
    return {(code, month): value for code, month, value in rows}


def visible_area_choices(user: Any) -> list[Area]:
    """Areas for the page's picker: everything the user may see, in tree order."""
    return list(areas_visible_to(user).order_by("path"))


def area_or_404(user: Any, code: str | None) -> Area:
    """The visible area of a request's ``area`` code; the user's own area when none given."""
    if code:
        return area_visible_or_404(user, code)
    if getattr(user, "area", None) is not None:
        return area_visible_or_404(user, user.area.code)
    first = areas_visible_to(user).select_related("parent").order_by("path").first()
    if first is None:
        raise Http404
    return first
