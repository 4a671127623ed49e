"""Two ledger imports into one district at once, as two clerks uploading together.

Run by ``test_concurrent_pg`` in a child process on a database of its own, so
the imports commit for real: each runs in a thread with its own connection,
both released by one barrier. The two files name the same areas (the district
and its zone, in opposite orders) and the same existing projects (unchanged),
and each adds projects of its own. The child prints one JSON line: what each
import returned or raised, what was stored, and whether the rollup rows equal
a recount from scratch.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from pathlib import Path
from typing import Any

#: new projects per file, half in the district and half in its zone: enough rows that
#: the two writes overlap (the second starts before the first commits)
NEW_ROWS = 1200
#: projects both files name, imported beforehand and unchanged by either file
SHARED_ROWS = 40
DISTRICT, ZONE = "411702", "411702500"
STAGES = (("洽谈", None, None), ("已签约", 1, None), ("在建", 1, 3))


def ledger_row(prefix: str, number: int, area: str) -> list[Any]:
    """A ledger row in ``LEDGER_COLUMNS`` order; stages and years vary so every rollup
    kind (stage, cluster, region, entered) gets rows in several years."""
    from zhaoshang.projects.ledger import LEDGER_COLUMNS

    stage, signed, started = STAGES[number % len(STAGES)]
    year = 2023 + number % 3
    values: dict[str, Any] = {
        "code": f"{prefix}-{number:05d}",
        "name": f"并发导入{prefix}项目{number:05d}",
        "cluster": ("新能源汽车", "运输装备", "电商现代物流")[number % 3],
        "source_region": ("江苏", "广东", "北京")[number % 3],
        "total_investment": 1000 + number,
        "stage": stage,
        "contract_date": dt.date(year, signed, 10 + number % 15) if signed else "",
        "contracted_amount": 900 + number if signed else "",
        "start_date": dt.date(year, started, 5) if started else "",
        "area": "" if area == DISTRICT else area,
    }
    return [values.get(column.key, "") for column in LEDGER_COLUMNS]


def shared_rows() -> list[list[Any]]:
    """The projects both files name, alternately in the district and its zone."""
    return [ledger_row("S", n, (DISTRICT, ZONE)[n % 2]) for n in range(SHARED_ROWS)]


def new_rows(prefix: str, areas: tuple[str, str]) -> list[list[Any]]:
    """A file's own projects: the first half in ``areas[0]``, the second in ``areas[1]``."""
    half = NEW_ROWS // 2
    return [ledger_row(prefix, n, areas[0] if n < half else areas[1]) for n in range(NEW_ROWS)]


def ledger(path: Path, rows: list[list[Any]]) -> Path:
    from tests.imports.ledgers import simple_ledger
    from zhaoshang.projects.ledger import LEDGER_COLUMNS

    simple_ledger(path, [column.header for column in LEDGER_COLUMNS], rows)
    return path


def run_import(path: Path) -> Any:
    from zhaoshang.core.models import Area, User
    from zhaoshang.imports.kinds import no_progress
    from zhaoshang.projects.importing import import_ledger

    return import_ledger(
        path=path,
        area=Area.objects.get(code=DISTRICT),
        acting_user=User.objects.get(username="yc_staff"),
        dry_run=False,
        progress=no_progress,
    )


def at_once(paths: list[Path]) -> list[dict[str, Any]]:
    """Import ``paths`` in as many threads, each with its own connection, started together."""
    from django.db import connections

    barrier = threading.Barrier(len(paths))
    results: list[dict[str, Any]] = [{} for _ in paths]

    def one(index: int) -> None:
        try:
            barrier.wait()
            outcome = run_import(paths[index])
            results[index] = {"created": outcome.created, "errors": outcome.errors.lines()}
        except Exception as exc:  # the test reports it (a deadlock is an OperationalError)
            results[index] = {"raised": f"{type(exc).__name__}: {exc}"}
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def rollup_rows() -> list[list[Any]]:
    from zhaoshang.projects.models import YearRollup

    rows = YearRollup.objects.order_by("area_id", "year", "kind", "key").values_list(
        "area_id", "year", "kind", "key", "projects", "investment"
    )
    return [[*row[:5], str(row[5])] for row in rows]


def stored() -> dict[str, Any]:
    """What the two imports left: projects and stage events per file, and the rollup check."""
    from django.db import transaction

    from zhaoshang.core.models import Area
    from zhaoshang.projects import rollups
    from zhaoshang.projects.models import Project, StageEvent

    mine = Project.objects.filter(area__path__startswith=Area.objects.get(code=DISTRICT).path)
    counts = {
        prefix: mine.filter(code__startswith=f"{prefix}-").count() for prefix in ("A", "B", "S")
    }
    events = StageEvent.objects.filter(project__code__regex=r"^[AB]-").count()
    zone = {
        prefix: mine.filter(code__startswith=f"{prefix}-", area__code=ZONE).count()
        for prefix in ("A", "B")
    }
    as_written = rollup_rows()
    with transaction.atomic():
        rollups.recount(Area.objects.values_list("pk", flat=True))
    return {
        "projects": counts,
        "in_zone": zone,
        "events": events,
        "rollups_match": as_written == rollup_rows(),
        "rollup_rows": len(as_written),
    }


def main(folder: str) -> None:
    import django

    django.setup()
    from tests.imports.ledgers import ensure_clusters
    from zhaoshang.core.demo import load_demo

    load_demo()
    ensure_clusters()
    tmp = Path(folder)
    shared = run_import(ledger(tmp / "shared.xlsx", shared_rows()))
    if shared.errors or shared.created != SHARED_ROWS:
        raise SystemExit("\n".join(shared.errors.lines()) or "the shared rows were not created")
    paths = [
        ledger(tmp / "a.xlsx", shared_rows() + new_rows("A", (DISTRICT, ZONE))),
        ledger(tmp / "b.xlsx", shared_rows() + new_rows("B", (ZONE, DISTRICT))),
    ]
    results = at_once(paths)
    print(json.dumps({"imports": results, **stored()}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
