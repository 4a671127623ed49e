"""Dashboard panels as tables and chart data: one shape for the page, the chart and Excel.

Every panel is a ``Panel``: a title, typed columns, rows of raw values
(Decimal, int, str, date) and the data its chart draws. The page shows the
rows as an HTML table (visible without JavaScript), ``static/js/dashboard.js``
draws the chart from ``chart`` (passed with ``json_script``, the CSP allows no
inline script) and ``?export=<key>`` writes the same rows to Excel, so the three
can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.models import Area
from zhaoshang.targets.selectors import IndicatorRow, SiblingRow, indicator_rows, sibling_table

from . import selectors
from .selectors import ChildPlan, InvestmentGroup, KeyPlan, StageCount, Watchlist

WAN_PER_YI = Decimal("10000")


@dataclass(frozen=True)
class Column:
    label: str
    # text | int | money (2 places, grouped) | num (as quantized) | pct | date | rank
    kind: str = "text"


@dataclass
class Panel:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: dict[str, Any] | None = None
    note: str = ""
    summary: list[tuple[str, str]] = field(default_factory=list)
    table_first: bool = False

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    def cells(self) -> list[list[tuple[Any, str]]]:
        """Rows paired with their column kind, for the template's formatting."""
        kinds = [c.kind for c in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]


def _num(value: Decimal | int | None) -> float | None:
    """A number for the chart's JSON (display only; the tables keep Decimal)."""
    return None if value is None else float(value)


# --- area dashboard ---------------------------------------------------------------


def indicators_panel(rows: list[IndicatorRow]) -> Panel:
    columns = [
        Column(_("Indicator")),
        Column(_("Unit")),
        Column(_("Annual target"), "num"),
        Column(_("Completed"), "num"),
        Column(_("Completion"), "pct"),
        Column(_("Time elapsed"), "pct"),
        Column(_("Rank"), "rank"),
    ]
    table = [
        [
            r.name,
            r.unit,
            _places(r.target, _own_places(r.target, r.decimals)),
            _places(r.actual, r.decimals),
            r.completion_pct,
            r.time_elapsed_pct,
            f"{r.rank}/{r.of}" if r.rank else "",
        ]
        for r in rows
    ]
    chart = {
        "type": "bar",
        "unit": "%",
        "categories": [r.name for r in rows],
        "series": [
            {"name": _("Completion"), "data": [_num(r.completion_pct) for r in rows]},
            {"name": _("Time elapsed"), "data": [_num(r.time_elapsed_pct) for r in rows]},
        ],
    }
    return Panel(
        "indicators", _("Indicators against targets"), columns, table, chart, table_first=True
    )


def _places(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-min(decimals, 4)))


def _own_places(value: Decimal | None, decimals: int) -> int:
    """A target keeps the decimals it was set with (3025.81 is not 3026), at least the
    indicator's own."""
    if value is None:
        return decimals
    exponent = value.normalize().as_tuple().exponent
    return max(decimals, -exponent if isinstance(exponent, int) and exponent < 0 else 0)


def key_plan_panel(plan: KeyPlan) -> Panel:
    columns = [
        Column(_("Month")),
        Column(_("Done in month, all lists (10k yuan)"), "money"),
        Column(_("Cumulative, all lists (10k yuan)"), "money"),
        Column(_("Of annual plan, all lists"), "pct"),
        Column(_("Done in month, city and provincial (10k yuan)"), "money"),
        Column(_("Cumulative, city and provincial (10k yuan)"), "money"),
        Column(_("Of annual plan, city and provincial"), "pct"),
    ]
    rows = [
        [
            _("Month %(month)s") % {"month": m.month},
            m.done_all,
            m.cumulative_all,
            m.pct_all,
            m.done_city,
            m.cumulative_city,
            m.pct_city,
        ]
        for m in plan.months
    ]
    chart = {
        "type": "plan",
        "unit": _("10k yuan"),
        "categories": [row[0] for row in rows],
        "series": [
            {
                "name": _("Done in month"),
                "kind": "bar",
                "data": [_num(m.done_all) for m in plan.months],
            },
            {
                "name": _("Cumulative"),
                "kind": "line",
                "data": [_num(m.cumulative_all) for m in plan.months],
            },
            {
                "name": _("Cumulative, city and provincial"),
                "kind": "line",
                "data": [_num(m.cumulative_city) for m in plan.months],
            },
        ],
        "plan": [
            {"name": _("Annual plan"), "value": _num(plan.planned_all)},
            {"name": _("Annual plan, city and provincial"), "value": _num(plan.planned_city)},
        ],
    }
    summary = [
        (_("Key projects, all lists"), str(plan.projects_all)),
        (_("Annual plan (100m yuan)"), _yi(plan.planned_all)),
        (_("Completed (100m yuan)"), _yi(plan.done_all)),
        (_("Completion"), _pct_text(plan.pct_all)),
        (_("City and provincial key projects"), str(plan.projects_city)),
        (_("Annual plan, city and provincial (100m yuan)"), _yi(plan.planned_city)),
        (_("Completed, city and provincial (100m yuan)"), _yi(plan.done_city)),
        (_("Completion, city and provincial"), _pct_text(plan.pct_city)),
    ]
    return Panel(
        "plan",
        _("Key projects: annual plan and monthly completion"),
        columns,
        rows,
        chart,
        summary=summary,
    )


def _yi(wan: Decimal) -> str:
    return f"{(wan / WAN_PER_YI).quantize(Decimal('0.001'))}"


def _pct_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def stages_panel(stages: list[StageCount], year: int) -> Panel:
    """Horizontal bars per stage in stage order, each labelled with its count (not a funnel:
    the stages are not nested, so a funnel drew an hourglass)."""
    columns = [Column(_("Stage")), Column(_("Number of projects"), "int")]
    rows = [[s.label, s.count] for s in stages]
    chart = {
        "type": "stages",
        "unit": _("projects"),
        "categories": [s.label for s in stages],
        "series": [{"name": _("Number of projects"), "data": [s.count for s in stages]}],
    }
    note = _(
        "Each project counted once, in the stage it was in on 31 December %(year)s "
        "(today for the current year), from its stage moves."
    ) % {"year": year}
    return Panel("stages", _("Projects by stage"), columns, rows, chart, note=note)


def _groups_panel(
    key: str, title: str, first: str, groups: list[InvestmentGroup], blank: str
) -> Panel:
    columns = [
        Column(first),
        Column(_("Number of projects"), "int"),
        Column(_("Total investment (10k yuan)"), "money"),
    ]
    labels = [g.label or (_("Others") if g.key == "other" else blank) for g in groups]
    rows = [[label, g.projects, g.investment] for label, g in zip(labels, groups, strict=True)]
    chart = {
        "type": "pie",
        "unit": _("10k yuan"),
        "categories": labels,
        "series": [{"name": _("Total investment"), "data": [_num(g.investment) for g in groups]}],
    }
    return Panel(key, title, columns, rows, chart)


def _existing_note(year: int) -> str:
    return _(
        "Projects that existed by 31 December %(year)s and were not terminated by then "
        "(today for the current year), with their total investment."
    ) % {"year": year}


def cluster_panel(groups: list[InvestmentGroup], year: int) -> Panel:
    panel = _groups_panel(
        "clusters", _("Investment by industry cluster"), _("Cluster"), groups, _("No cluster")
    )
    panel.note = _existing_note(year)
    return panel


def region_panel(groups: list[InvestmentGroup], year: int) -> Panel:
    panel = _groups_panel(
        "regions", _("Investment by source region"), _("Source region"), groups, _("Not given")
    )
    panel.note = _existing_note(year)
    return panel


def milestones_panel(watch: Watchlist, year: int) -> Panel:
    columns = [
        Column(_("Project")),
        Column(_("Milestone")),
        Column(_("Area")),
        Column(_("Responsible unit")),
        Column(_("Responsible person")),
        Column(_("Due date"), "date"),
        Column(_("Days late"), "int"),
    ]
    rows = [
        [
            r["project__name"],
            r["title"],
            r["area__name"],
            r["unit__name"] or "",
            r["responsible_person__name"] or "",
            r["due_date"],
            r["days_late"],
        ]
        for r in watch.rows
    ]
    note = _(
        "%(count)s milestones due in %(year)s were overdue by its end (today for the current "
        "year): not done by then, or done after their due date; the %(top)s oldest are listed."
    ) % {"count": watch.count, "year": year, "top": len(rows)}
    return Panel("milestones", _("Overdue milestones"), columns, rows, None, note=note)


def stuck_panel(watch: Watchlist, days: int, year: int) -> Panel:
    columns = [
        Column(_("Project")),
        Column(_("Area")),
        Column(_("Stage")),
        Column(_("Total investment (10k yuan)"), "money"),
        Column(_("Last progress"), "date"),
        Column(_("Days without progress"), "int"),
    ]
    rows = [
        [
            r["name"],
            r["area__name"],
            r["stage_label"],
            r["total_investment"],
            r["last_progress_on"],
            r["days_idle"],
        ]
        for r in watch.rows
    ]
    note = _(
        "%(count)s projects were active on 31 December %(year)s (today for the current year) "
        "without a stage move or activity for over %(days)s days before it; "
        "the %(top)s longest are listed."
    ) % {"count": watch.count, "year": year, "days": days, "top": len(rows)}
    return Panel("stuck", _("Stuck projects"), columns, rows, None, note=note)


def area_panels(
    user: Any, *, area: Area, year: int, today: dt.date, only: str | None = None
) -> dict[str, Panel]:
    """Every panel of the area dashboard in page order, or just ``only`` (an export)."""
    from django.conf import settings

    builders: dict[str, Callable[[], Panel]] = {
        "indicators": lambda: indicators_panel(
            indicator_rows(user, area=area, year=year, today=today)
        ),
        "plan": lambda: key_plan_panel(selectors.key_plan(user, area=area, year=year)),
        "stages": lambda: stages_panel(selectors.stage_funnel(user, area=area, year=year), year),
        "clusters": lambda: cluster_panel(
            selectors.investment_by_cluster(user, area=area, year=year), year
        ),
        "regions": lambda: region_panel(
            selectors.investment_by_region(user, area=area, year=year), year
        ),
        "milestones": lambda: milestones_panel(
            selectors.overdue_milestones(user, area=area, today=today, year=year), year
        ),
        "stuck": lambda: stuck_panel(
            selectors.stuck_projects(user, area=area, today=today, year=year),
            settings.ZHAOSHANG_STUCK_DAYS,
            year,
        ),
    }
    return {key: build() for key, build in builders.items() if only in (None, key)}


AREA_PANEL_KEYS = ("indicators", "plan", "stages", "clusters", "regions", "milestones", "stuck")
CITY_PANEL_KEYS = ("ranking", "keyplan")
PANEL_TITLES = {
    "ranking": gettext_lazy("Ranking of areas below"),
    "keyplan": gettext_lazy("Key projects by area"),
}


# --- city dashboard ---------------------------------------------------------------


def ranking_panel(rows: list[SiblingRow]) -> Panel:
    """Each child a row; per indicator: completed, completion and rank (sortable on the page)."""
    first = next(iter(rows), None)
    codes = list(first.cells) if first else []
    names = {code: first.cells[code].name for code in codes} if first else {}
    units = {code: first.cells[code].unit for code in codes} if first else {}
    columns = [Column(_("Area"))]
    for code in codes:
        columns += [
            Column(
                _("%(indicator)s completed (%(unit)s)")
                % {"indicator": names[code], "unit": units[code]},
                "num",
            ),
            Column(_("%(indicator)s completion") % {"indicator": names[code]}, "pct"),
            Column(_("%(indicator)s rank") % {"indicator": names[code]}, "rank"),
        ]
    table = []
    for row in rows:
        line: list[Any] = [row.area.name]
        for code in codes:
            cell = row.cells[code]
            line += [_places(cell.actual, cell.decimals), cell.completion_pct, cell.rank]
        table.append(line)
    chart = {
        "type": "bar",
        "unit": "%",
        "categories": [row.area.name for row in rows],
        "series": [
            {"name": names[code], "data": [_num(row.cells[code].completion_pct) for row in rows]}
            for code in codes
        ],
    }
    return Panel("ranking", str(PANEL_TITLES["ranking"]), columns, table, chart, table_first=True)


def child_plan_panel(plans: list[ChildPlan]) -> Panel:
    columns = [
        Column(_("Area")),
        Column(_("City and provincial key projects"), "int"),
        Column(_("Annual plan (10k yuan)"), "money"),
        Column(_("Completed (10k yuan)"), "money"),
        Column(_("Completion"), "pct"),
    ]
    rows = [[p.area.name, p.projects, p.planned, p.done, p.pct] for p in plans]
    chart = {
        "type": "bar",
        "unit": _("10k yuan"),
        "categories": [p.area.name for p in plans],
        "series": [
            {"name": _("Annual plan"), "data": [_num(p.planned) for p in plans]},
            {"name": _("Completed"), "data": [_num(p.done) for p in plans]},
        ],
    }
    return Panel("keyplan", str(PANEL_TITLES["keyplan"]), columns, rows, chart)


def city_panels(
    user: Any,
    *,
    area: Area,
    children: list[Area],
    year: int,
    today: dt.date,
    only: str | None = None,
) -> dict[str, Panel]:
    """The city dashboard's panels (every child side by side), or just ``only``."""
    builders: dict[str, Callable[[], Panel]] = {
        "ranking": lambda: ranking_panel(sibling_table(user, parent=area, year=year, today=today)),
        "keyplan": lambda: child_plan_panel(
            selectors.key_plan_by_child(user, area=area, children=children, year=year)
        ),
    }
    return {key: build() for key, build in builders.items() if only in (None, key)}
