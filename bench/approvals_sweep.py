"""Benchmark: the approvals sweep (``approvals.sweep.sweep``) against the same UPDATEs as raw SQL.

    .venv/bin/python bench/approvals_sweep.py [--projects 20000] [--per-project 10] [--runs 3]

Builds its own data in a temporary SQLite file: ``bench.synth`` projects over
150 areas, then ``--per-project`` approval items each (statuses, due dates and
open pauses spread so that every light occurs). Times, from a cleared state
(every stored light reset), the sweep and the same seven ``UPDATE … WHERE``
statements written by hand on a raw cursor, interleaved ``--runs`` times; a
per-row Python loop (read each item, compute its light, save it) on a 5,000-row
slice, scaled to the whole table; and a second sweep, which must write 0 rows.
Prints the medians and the ratios (goal, issue 12: sweep ≤ 3× raw SQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--per-project", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


ARGS = _args()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
WORK = Path(tempfile.mkdtemp(prefix="zs-bench-sweep-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("ZHAOSHANG_VAR_DIR", str(WORK))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.synth import synthesize  # noqa: E402
from zhaoshang.approvals.choices import ItemStatus, Phase  # noqa: E402
from zhaoshang.approvals.models import (  # noqa: E402
    ApprovalItem,
    ApprovalItemType,
    ApprovalPause,
)
from zhaoshang.approvals.selectors import with_light, yellow_until  # noqa: E402
from zhaoshang.approvals.sweep import sweep  # noqa: E402
from zhaoshang.core.choices import UnitKind  # noqa: E402
from zhaoshang.core.models import Unit  # noqa: E402
from zhaoshang.projects.models import Project  # noqa: E402

TODAY = dt.date(2026, 11, 27)
TABLE = ApprovalItem._meta.db_table
PAUSES = ApprovalPause._meta.db_table


def build() -> int:
    """Items for every synthetic project, bulk-inserted; returns their number."""
    call_command("migrate", verbosity=0)
    synthesize(areas=150, projects=ARGS.projects, months=12, seed=ARGS.seed, today=TODAY)
    rng = random.Random(ARGS.seed)
    projects = list(Project.objects.values_list("pk", "area_id"))
    area = projects[0][1]
    unit = Unit.objects.create(name="基准审批局", kind=UnitKind.BUREAU, area_id=area)
    types = [
        ApprovalItemType.objects.create(
            area_id=area,
            phase=Phase.LAND_PLANNING,
            name=f"事项{k}",
            department=unit,
            legal_limit=20,
            promised_limit=13,
        )
        for k in range(ARGS.per_project)
    ]
    statuses = [*ItemStatus.values, ItemStatus.ACCEPTED, ItemStatus.ACCEPTED]
    batch: list[ApprovalItem] = []
    for pk, area_id in projects:
        for item_type in types:
            status = rng.choice(statuses)
            due = TODAY + dt.timedelta(days=rng.randint(-30, 30))
            done = due + dt.timedelta(days=rng.randint(-10, 5))
            running = status in (ItemStatus.ACCEPTED, ItemStatus.APPROVED, ItemStatus.REFUSED)
            batch.append(
                ApprovalItem(
                    area_id=area_id,
                    project_id=pk,
                    item_type=item_type,
                    status=status,
                    promised_limit=13,
                    legal_limit=20,
                    accepted_on=due - dt.timedelta(days=20) if running else None,
                    due_date=due if running else None,
                    done_on=done if status in (ItemStatus.APPROVED, ItemStatus.REFUSED) else None,
                )
            )
    ApprovalItem.objects.bulk_create(batch, batch_size=5000)
    accepted = ApprovalItem.objects.filter(status=ItemStatus.ACCEPTED).values_list("pk", flat=True)
    now = timezone.now()
    pauses = [
        ApprovalPause(item_id=pk, kind="hearing", reason="bench", start=TODAY, recorded_at=now)
        for pk in accepted
        if rng.random() < 0.05
    ]
    ApprovalPause.objects.bulk_create(pauses, batch_size=5000)
    return len(batch)


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET light = '', light_since = NULL, overdue = %s", [False])


def raw_sweep() -> None:
    """The floor: the same seven statements, hand-written."""
    done = "status IN ('approved', 'refused')"
    late = "(due_date IS NOT NULL AND done_on IS NOT NULL AND done_on > due_date)"
    running = "(status = 'accepted' AND due_date IS NOT NULL)"
    paused = f'EXISTS (SELECT 1 FROM {PAUSES} p WHERE p.item_id = {TABLE}.id AND p."end" IS NULL)'
    ticking = f"{running} AND NOT {paused}"
    edge = yellow_until(TODAY)
    rules = [
        ("late", f"{done} AND {late}", []),
        ("done", f"{done} AND NOT {late}", []),
        ("paused", f"{running} AND {paused}", []),
        ("red", f"{ticking} AND due_date < %s", [TODAY]),
        ("yellow", f"{ticking} AND due_date >= %s AND due_date <= %s", [TODAY, edge]),
        ("green", f"{ticking} AND due_date > %s", [edge]),
        ("", f"NOT {done} AND NOT {running}", []),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for light, where, params in rules:
            cursor.execute(
                f"UPDATE {TABLE} SET light = %s, light_since = %s, overdue = %s "
                f"WHERE {where} AND light <> %s",
                [light, TODAY, light in ("red", "late"), *params, light],
            )


def loop_sweep(limit: int) -> None:
    """What the sweep replaces: read each row with its light, write it back one by one."""
    rows = with_light(ApprovalItem.objects.all(), TODAY)
    for item in rows.order_by("pk")[:limit]:
        light = item.live_light  # type: ignore[attr-defined]
        if item.light != light:
            item.light, item.light_since, item.overdue = light, TODAY, light in ("red", "late")
            item.save(update_fields=["light", "light_since", "overdue"])


def timed(run: object) -> float:
    clear()
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    started = time.perf_counter()
    total = build()
    print(f"built {total:,} items in {time.perf_counter() - started:.1f}s")
    ours, floor = [], []
    for _ in range(ARGS.runs):
        ours.append(timed(lambda: sweep(TODAY)))
        floor.append(timed(raw_sweep))
    sweep(TODAY)
    second = sweep(TODAY)
    slice_ = 5000
    loop = timed(lambda: loop_sweep(slice_)) * total / slice_
    a, b = statistics.median(ours), statistics.median(floor)
    print(f"sweep        {a * 1000:9.0f} ms")
    print(f"raw SQL      {b * 1000:9.0f} ms   sweep / raw = {a / b:.2f}× (goal ≤ 3×)")
    print(
        f"row loop     {loop * 1000:9.0f} ms   (scaled from {slice_:,} rows)",
        f"loop / sweep = {loop / a:.0f}×",
    )
    print(f"second sweep writes {sum(second.values())} rows (must be 0)")


if __name__ == "__main__":
    main()
