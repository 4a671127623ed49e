"""Benchmark: the project-ledger Excel export against the xlsxwriter floor.

    .venv/bin/python bench/ledger_export.py [--rows 100000] [--repeat 3]

Builds its own data in a temporary SQLite file (migrate, the core demo, then
``--rows`` projects in 驿城区 via ``bulk_create``) and, in one run, times:

  db           the ledger SQL on a raw cursor (joins, labels, blanks shaped in SQL)
  fetch        ``ledger_rows``: the same query through Django (+ its Decimal/date converters)
  write_table  ``core.xlsx.write_table`` over the rows already in memory
  floor        raw xlsxwriter (constant_memory) over the same rows in memory,
               one typed call per cell, nothing else
  export       ``export_projects`` end to end as the city user (query, rows,
               xlsx, audit row) — the number that matters

and prints each time, the ratio export / floor (goal ≤ 1.3), and the peak
Python memory (tracemalloc) of an export next to that of holding the rows.
Times are the best of ``--repeat`` rounds, each round running every variant
in turn so that background load affects them alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import resource
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

WORK = Path(tempfile.mkdtemp(prefix="zs-bench-ledger-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"  # absolute: sqlite:////tmp/…
os.environ.setdefault("ZHAOSHANG_VAR_DIR", str(WORK))

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from zhaoshang.core.demo import load_demo  # noqa: E402
from zhaoshang.core.models import Area, Person, Unit, User  # noqa: E402
from zhaoshang.core.xlsx import write_table  # noqa: E402
from zhaoshang.projects.choices import KeyRegion, Method, Stage  # noqa: E402
from zhaoshang.projects.exports import (  # noqa: E402
    CHUNK_SIZE,
    LEDGER_SHEET,
    column_expression,
    export_projects,
    ledger_rows,
)
from zhaoshang.projects.ledger import LEDGER_COLUMNS  # noqa: E402
from zhaoshang.projects.models import Cluster, Enterprise, Project  # noqa: E402
from zhaoshang.projects.selectors import project_list  # noqa: E402

HEADERS = [c.header for c in LEDGER_COLUMNS]
WORDS = "新能源汽车专用车运输装备农业工程机械电力电缆电器物流仓储光伏食品啤酒智能制造产业园生产线"
STAGE_DATES: dict[str, int] = {
    Stage.SIGNED: 1,
    Stage.LANDED: 1,
    Stage.CONSTRUCTION: 2,
    Stage.PRODUCTION: 3,
    Stage.PAUSED: 1,
}


def phrase(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n))


def money(rng: random.Random, top: int) -> Decimal:
    return Decimal(rng.randrange(0, top * 10000)) / Decimal(10000)


def generate(count: int) -> None:
    """``count`` projects in 驿城区 with realistic fill: most columns set, some blank."""
    rng = random.Random(2026)
    area = Area.objects.get(code="411702")
    units = list(Unit.objects.filter(area=area, kind="sub_bureau"))
    cadres = list(Person.objects.filter(area=area, rank__in=["district_leader", "division"])) or [
        Person.objects.create(area=area, name="基准领导", post="副区长", rank="district_leader")
    ]
    clusters = Cluster.objects.bulk_create(
        Cluster(area=area, name=f"集群{i}", sub_bureau=units[i % len(units)]) for i in range(5)
    )
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(area=area, name=f"{phrase(rng, 6)}有限公司{i}") for i in range(300)
    )
    regions = [*KeyRegion.values, ""]
    stages = Stage.values
    day0 = dt.date(2020, 1, 1)
    batch: list[Project] = []
    for i in range(count):
        stage = rng.choice(stages)
        dated = STAGE_DATES.get(stage, 0)
        signed = day0 + dt.timedelta(days=rng.randrange(2000))
        kind = rng.random()
        notes = phrase(rng, rng.randrange(10, 40)) if rng.random() < 0.4 else ""
        if rng.random() < 0.01:
            notes = "=" + notes  # a few formula-looking cells take the quote-prefix path
        batch.append(
            Project(
                area=area,
                code=f"YC-{i:07d}",
                name=f"{phrase(rng, rng.randrange(6, 16))}项目",
                investor=rng.choice(enterprises) if kind < 0.6 else None,
                investor_name=phrase(rng, 8) if 0.6 <= kind < 0.9 else "",
                cluster=rng.choice(clusters) if rng.random() < 0.8 else None,
                source_region=rng.choice(regions),
                method=rng.choice(Method.values),
                total_investment=money(rng, 500000),
                foreign_capital=money(rng, 5000) if rng.random() < 0.2 else Decimal(0),
                out_of_city_capital=money(rng, 300000),
                land_area=money(rng, 1000).quantize(Decimal("0.01"))
                if rng.random() < 0.7
                else None,
                land_parcel=f"集聚区{rng.choice('ABCDEFG')}-{rng.randrange(100):02d}"
                if rng.random() < 0.5
                else "",
                stage=stage,
                contract_date=signed if dated >= 1 else None,
                contracted_amount=money(rng, 400000) if dated >= 1 else None,
                start_date=signed + dt.timedelta(days=90) if dated >= 2 else None,
                production_date=signed + dt.timedelta(days=400) if dated >= 3 else None,
                sub_bureau=rng.choice(units) if rng.random() < 0.9 else None,
                lead_cadre=rng.choice(cadres) if rng.random() < 0.5 else None,
                notes=notes,
            )
        )
        if len(batch) == 5000:
            Project.objects.bulk_create(batch)
            batch.clear()
    Project.objects.bulk_create(batch)


def floor_write(path: Path, rows: list[list[Any]]) -> int:
    """The least xlsxwriter work for the same cells: typed calls, dispatch fixed per column."""
    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    ws = book.add_worksheet(LEDGER_SHEET)
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(HEADERS):
        ws.write_string(0, col, title, bold)
    kinds = [c.kind for c in LEDGER_COLUMNS]
    number, string, when = ws.write_number, ws.write_string, ws.write_datetime
    r = 0
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            kind = kinds[c]
            if kind == "decimal":
                number(r, c, float(value))
            elif kind == "date":
                when(r, c, value, day)
            else:
                string(r, c, value)
    book.close()
    return r


def best_of(repeat: int, runs: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Best time of each run over ``repeat`` rounds, taken in turn so load hits all alike."""
    times = {name: float("inf") for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            run()
            times[name] = min(times[name], time.perf_counter() - start)
    return times


def traced_peak(run: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        load_demo()
        generate(args.rows)
        print(f"data: {args.rows} projects in {time.perf_counter() - started:.1f} s ({WORK})")

        city = User.objects.get(username="zmd_city")
        out = WORK / "out.xlsx"

        def queryset() -> Any:
            return project_list(city, {})

        def db() -> int:
            """The same SQL without Django: what the database and the driver cost."""
            columns = [column_expression(c) for c in LEDGER_COLUMNS]
            sql, params = queryset().values_list(*columns).query.sql_with_params()
            count = 0
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                while chunk := cursor.fetchmany(CHUNK_SIZE):
                    count += len(chunk)
            return count

        def fetch() -> list[Any]:
            return list(ledger_rows(queryset()))

        def export() -> int:
            return export_projects(user=city, filters={}, target=str(out))

        mem_export = traced_peak(export)  # also warms caches before anything is timed
        rss_after_export = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        mem_rows = traced_peak(fetch)
        rows = fetch()
        assert export() == db() == len(rows) == floor_write(out, rows) == args.rows
        t = best_of(
            args.repeat,
            {
                "export": export,
                "db": db,
                "fetch": fetch,
                "write_table": lambda: write_table(
                    str(out), sheet=LEDGER_SHEET, headers=HEADERS, rows=rows
                ),
                "floor": lambda: floor_write(out, rows),
            },
        )
        size = out.stat().st_size
        t_export, t_db, t_fetch, t_table, t_floor = (
            t[k] for k in ("export", "db", "fetch", "write_table", "floor")
        )

        cells = args.rows * len(HEADERS)
        print(
            f"{args.rows} rows × {len(HEADERS)} columns = {cells} cells, "
            f"file {size / 2**20:.1f} MiB"
        )
        print(f"  db    (raw cursor, same SQL) {t_db:7.2f} s")
        print(
            f"  fetch (ledger_rows)          {t_fetch:7.2f} s"
            f"   Django's share ≈ {t_fetch - t_db:.2f} s"
        )
        print(f"  write_table (rows in memory) {t_table:7.2f} s")
        print(f"  floor (raw xlsxwriter)       {t_floor:7.2f} s")
        print(f"  export_projects (end to end) {t_export:7.2f} s")
        print(f"ratio export / floor: {t_export / t_floor:.2f}×  (goal ≤ 1.3×)")
        print(f"ratio write_table / floor: {t_table / t_floor:.2f}×")
        print(
            f"peak Python memory: export {mem_export:.1f} MiB; "
            f"holding the rows in a list {mem_rows:.1f} MiB; "
            f"process max RSS after data load and one export {rss_after_export:.0f} MiB"
        )
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
