"""The dashboards' per-(area, year) project rollup (``YearRollup``): recount, never patch.

Each project's stage at the end of each year comes from its stage events (the
last event on or before Dec 31, ordered like the stage log); the rollup holds
per year what changed: +1 for the stage it ends the year in, -1 for the stage
it ended the previous change-year in, and the same for its cluster and region
when it starts or stops counting (terminated projects do not count there).
Summing the rows up to a year gives that year-end's picture.

``entered`` rows are not deltas: key ``<stage>@<MM>`` counts the projects whose
first move into that stage in the year fell in that month, so the projects
that moved to 已签约 from January through month M (新签约项目数, each project
once) are the sum of twelve or fewer small rows instead of a scan of the stage
log with COUNT(DISTINCT).

``recount`` rebuilds the rows of whole areas from the projects and their
events. The services call it for the project's area after a write that can
change a count (create, stage move, cluster, region, investment), the ledger
importer once for every area it wrote, and migration 0007 for all areas. It
takes the model classes so the migration can pass its historical ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

STAGE, CLUSTER, REGION, ENTERED = "stage", "cluster", "region", "entered"
TERMINATED = "terminated"
ZERO = Decimal("0")

Key = tuple[int, int, str, str]  # area, year, kind, key


def recount(area_ids: Iterable[int], *, models: Any = None) -> None:
    """Rebuild the rollup rows of ``area_ids`` from their projects and stage events.

    The areas' rows are locked first (``select_for_update``) so two writers in
    one area cannot interleave their delete and insert.
    """
    project_model, event_model, rollup_model, area_model = models or _models()
    ids = sorted(set(area_ids))
    if not ids:
        return
    # FOR NO KEY UPDATE: it waits for another recount of these areas but not for the
    # KEY SHARE locks that inserting a project (a foreign key to its area) takes, so two
    # writers that each inserted a project and then recount one area cannot deadlock
    list(
        area_model.objects.select_for_update(no_key=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk")
    )
    deltas: dict[Key, list[Any]] = defaultdict(lambda: [0, ZERO])
    for chunk in _chunks(ids, 200):
        _count(chunk, project_model, event_model, deltas)
    rollup_model.objects.filter(area_id__in=ids).delete()
    rollup_model.objects.bulk_create(
        [
            rollup_model(area_id=a, year=y, kind=k, key=key, projects=n, investment=inv)
            for (a, y, k, key), (n, inv) in sorted(deltas.items())
            if n or inv
        ],
        batch_size=2000,
    )


def _models() -> tuple[Any, Any, Any, Any]:
    from zhaoshang.core.models import Area

    from .models import Project, StageEvent, YearRollup

    return Project, StageEvent, YearRollup, Area


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _count(
    ids: list[int], project_model: Any, event_model: Any, deltas: dict[Key, list[Any]]
) -> None:
    """Add the deltas of every project of the areas ``ids``."""
    projects = {
        pk: row
        for pk, *row in project_model.objects.filter(area_id__in=ids).values_list(
            "pk",
            "area_id",
            "cluster_id",
            "source_region",
            "total_investment",
            "stage",
            "created_at",
        )
    }
    year_end: dict[int, dict[int, str]] = defaultdict(dict)
    entered: dict[int, dict[tuple[int, str], int]] = defaultdict(dict)
    events = (
        event_model.objects.filter(project__area_id__in=ids)
        .order_by("project_id", "event_date", "recorded_at", "id")
        .values_list("project_id", "event_date", "to_stage")
    )
    for project_id, date, stage in events.iterator(chunk_size=5000):
        year_end[project_id][date.year] = stage  # the last event of the year wins
        entered[project_id].setdefault((date.year, stage), date.month)  # the first one counts
    for pk, (area, cluster, region, investment, stage, created) in projects.items():
        ends = year_end.get(pk) or {created.year: stage}
        _add(deltas, area, str(cluster or ""), region, investment or ZERO, ends)
        for (year, to_stage), month in entered.get(pk, {}).items():
            deltas[(area, year, ENTERED, entered_key(to_stage, month))][0] += 1


def entered_key(stage: str, month: int) -> str:
    """The ``entered`` key: projects first moved into ``stage`` in ``month`` of the row's year."""
    return f"{stage}@{month:02d}"


def _add(
    deltas: dict[Key, list[Any]],
    area: int,
    cluster: str,
    region: str,
    investment: Decimal,
    ends: dict[int, str],
) -> None:
    """One project's changes: each year its year-end stage differs from the last one."""
    previous: str | None = None
    for year in sorted(ends):
        stage = ends[year]
        if stage == previous:
            continue
        deltas[(area, year, STAGE, stage)][0] += 1
        if previous is not None:
            deltas[(area, year, STAGE, previous)][0] -= 1
        sign = _live(stage) - _live(previous)
        if sign:
            for kind, key in ((CLUSTER, cluster), (REGION, region)):
                row = deltas[(area, year, kind, key)]
                row[0] += sign
                row[1] += sign * investment
        previous = stage


def _live(stage: str | None) -> int:
    """1 when a project at the end of a year counts towards investment (exists, not terminated)."""
    return int(stage is not None and stage != TERMINATED)
