"""Benchmark: every dashboard query through the app's selectors against hand-written SQL.

    .venv/bin/python bench/dashboard.py [--projects 20000] [--areas 150] [--months 24]
                                        [--runs 20] [--postgres postgres://postgres@127.0.0.1:5432/zs_bench]

Builds its own data with ``bench/synth.py`` (``bench.synth.synthesize``) in a
temporary SQLite file, then, for a province user, a city user and a county
user (each on their own area), times each panel's selector (``reports.selectors``
and ``targets.selectors``) and the same numbers read with hand-written SQL on a
raw cursor, ``--runs`` times each, interleaved so background load hits both
alike. Prints per query: selector p50/p95, raw SQL p50/p95 (ms) and the ratio of
the p50s; then the synth row counts and times.

Goals (issue 11 §5): each panel ≤ 1.5× its raw SQL, every level's whole page
(``page_all_panels``: every area panel of the chosen year, plus the years with
data) p95 ≤ 300 ms on SQLite. The stage, cluster and region panels read
``projects_yearrollup`` (``projects.rollups``), the key-project ones the
construction rollups.

``--postgres URL`` runs the same again against PostgreSQL in a separate process
(the database is dropped and re-created, so its name must start with
``zs_bench``; never the ``test`` database). ``--database-url`` is that child's
entry point and can be used directly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (zs_bench…)")
    parser.add_argument("--database-url", help="run against this database only (a child run)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --database-url: time the synthetic data already there (no drop, no synth)",
    )
    return parser.parse_args()


ARGS = _args()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench.synth`, run as a script
WORK = Path(tempfile.mkdtemp(prefix="zs-bench-dashboard-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
os.environ["DATABASE_URL"] = ARGS.database_url or f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("ZHAOSHANG_VAR_DIR", str(WORK))


def _fresh_postgres(url: str) -> None:
    """Drop and re-create the bench's own PostgreSQL database (refusing any other name)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("zs_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database's name starts zs_bench")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if ARGS.database_url and ARGS.database_url.startswith("postgres") and not ARGS.reuse:
    _fresh_postgres(ARGS.database_url)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.synth import SynthResult, synthesize  # noqa: E402
from zhaoshang.core.models import Area, User  # noqa: E402
from zhaoshang.projects.selectors import ACTIVE_STAGES, stuck_before  # noqa: E402
from zhaoshang.reports import panels, selectors  # noqa: E402
from zhaoshang.targets.selectors import indicator_rows, sibling_table  # noqa: E402

SUBTREE = "SELECT id FROM core_area WHERE path LIKE %s"
OVERDUE = "status IN ('planned', 'in_progress') OR done_date > due_date"


def _raw_rolled(kind: str, like: str, year: int) -> Callable[[], list[Any]]:
    """A year-end picture from ``projects_yearrollup``: the deltas summed up to the year."""
    return raw(
        "SELECT key, SUM(projects), SUM(investment) FROM projects_yearrollup WHERE kind = %s "
        f"AND area_id IN ({SUBTREE}) AND year <= %s GROUP BY key",
        kind,
        like,
        year,
    )


def raw(sql: str, *params: Any) -> Callable[[], list[Any]]:
    """A hand-written query on the raw cursor: what the database and the driver cost."""

    def run() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def raw_many(*queries: Callable[[], list[Any]]) -> Callable[[], list[Any]]:
    return lambda: [q() for q in queries]


def cases(user: User, area: Area, year: int, today: dt.date) -> dict[str, tuple[Any, Any]]:
    """Each dashboard query: (selector call, the equivalent raw SQL)."""
    like = f"{area.path}%"
    stuck = stuck_before(today)
    active = ", ".join(f"'{s}'" for s in ACTIVE_STAGES)
    found: dict[str, tuple[Any, Any]] = {
        "stages": (
            lambda: selectors.stage_funnel(user, area=area, year=year),
            _raw_rolled("stage", like, year),
        ),
        "by_cluster": (
            lambda: selectors.investment_by_cluster(user, area=area, year=year),
            raw_many(
                _raw_rolled("cluster", like, year),
                raw("SELECT id, name FROM projects_cluster WHERE id IN (1, 2, 3)"),
            ),
        ),
        "by_region": (
            lambda: selectors.investment_by_region(user, area=area, year=year),
            _raw_rolled("region", like, year),
        ),
        "key_plan": (
            lambda: selectors.key_plan(user, area=area, year=year),
            raw_many(
                raw(
                    "SELECT top_level, SUM(projects), SUM(planned) FROM "
                    f"construction_keyplanrollup WHERE year = %s AND area_id IN ({SUBTREE}) "
                    "GROUP BY top_level",
                    year,
                    like,
                ),
                raw(
                    "SELECT month, top_level, SUM(amount) FROM construction_investmentrollup "
                    f"WHERE year = %s AND area_id IN ({SUBTREE}) GROUP BY month, top_level",
                    year,
                    like,
                ),
            ),
        ),
        "overdue_milestones": (
            lambda: selectors.overdue_milestones(user, area=area, today=today, year=year),
            raw_many(
                raw(
                    f"SELECT COUNT(*) FROM construction_milestone WHERE area_id IN ({SUBTREE}) "
                    f"AND ({OVERDUE}) AND due_date >= %s AND due_date < %s",
                    like,
                    dt.date(year, 1, 1),
                    today,
                ),
                raw(
                    "SELECT m.id, m.title, m.due_date, pe.name, m.project_id, "
                    "p.name, a.name, u.name FROM construction_milestone m "
                    "LEFT JOIN core_person pe ON pe.id = m.responsible_person_id "
                    "JOIN projects_project p ON p.id = m.project_id "
                    "JOIN core_area a ON a.id = m.area_id "
                    "LEFT JOIN core_unit u ON u.id = m.unit_id "
                    "WHERE m.id IN (SELECT id FROM construction_milestone "
                    f"WHERE area_id IN ({SUBTREE}) AND ({OVERDUE}) AND due_date >= %s "
                    "AND due_date < %s ORDER BY due_date, id LIMIT 10) ORDER BY m.due_date, m.id",
                    like,
                    dt.date(year, 1, 1),
                    today,
                ),
            ),
        ),
        "stuck_projects": (
            lambda: selectors.stuck_projects(user, area=area, today=today, year=year),
            raw_many(
                raw(
                    f"SELECT COUNT(*) FROM projects_project WHERE area_id IN ({SUBTREE}) "
                    f"AND stage IN ({active}) AND last_progress_on < %s",
                    like,
                    stuck,
                ),
                raw(
                    "SELECT p.id, p.name, p.stage, p.last_progress_on, p.total_investment, a.name "
                    "FROM projects_project p JOIN core_area a ON a.id = p.area_id "
                    "WHERE p.id IN (SELECT id FROM projects_project "
                    f"WHERE area_id IN ({SUBTREE}) AND stage IN ({active}) "
                    "AND last_progress_on < %s ORDER BY last_progress_on, id LIMIT 10) "
                    "ORDER BY p.last_progress_on, p.id",
                    like,
                    stuck,
                ),
            ),
        ),
    }
    found["years"] = (
        lambda: selectors.years_with_data(user, area=area, today=today),
        raw(
            f"SELECT year FROM projects_yearrollup WHERE area_id IN ({SUBTREE}) AND year <= %s "
            f"UNION SELECT year FROM construction_keyplanrollup WHERE area_id IN ({SUBTREE}) "
            "AND year <= %s UNION SELECT year FROM construction_investmentrollup "
            f"WHERE area_id IN ({SUBTREE}) AND year <= %s",
            like,
            year,
            like,
            year,
            like,
            year,
        ),
    )
    found["indicators"] = (
        lambda: indicator_rows(user, area=area, year=year, today=today),
        _raw_indicators(area, year),
    )
    children = list(Area.objects.filter(parent=area).order_by("code"))
    if children:
        found["city_keyplan"] = (
            lambda: selectors.key_plan_by_child(user, area=area, children=children, year=year),
            raw_many(
                raw(
                    "SELECT a.path, SUM(r.projects), SUM(r.planned) FROM "
                    "construction_keyplanrollup r JOIN core_area a ON a.id = r.area_id "
                    "WHERE r.year = %s AND a.path LIKE %s AND r.top_level IN ('city', 'province') "
                    "GROUP BY a.path",
                    year,
                    like,
                ),
                raw(
                    "SELECT a.path, SUM(r.amount) FROM construction_investmentrollup r "
                    "JOIN core_area a ON a.id = r.area_id WHERE r.year = %s AND a.path LIKE %s "
                    "AND r.top_level IN ('city', 'province') GROUP BY a.path",
                    year,
                    like,
                ),
            ),
        )
        found["city_ranking"] = (
            lambda: sibling_table(user, parent=area, year=year, today=today),
            _raw_siblings(area, year),
        )
    if children:
        found["page_city"] = (
            lambda: (
                selectors.years_with_data(user, area=area, today=today),
                panels.city_panels(user, area=area, children=children, year=year, today=today),
            ),
            raw_many(found["years"][1], found["city_keyplan"][1], found["city_ranking"][1]),
        )
    found["page_all_panels"] = (
        lambda: (
            selectors.years_with_data(user, area=area, today=today),
            panels.area_panels(user, area=area, year=year, today=today),
        ),
        raw_many(
            *(pair[1] for key, pair in found.items() if not key.startswith(("city_", "page")))
        ),
    )
    return found


def _raw_indicators(area: Area, year: int) -> Callable[[], list[Any]]:
    """Targets, manual actuals, key investment and stage counts of the area and its siblings."""
    parent_path = area.path.rsplit("/", 2)[0] + "/" if area.parent_id else area.path
    like = f"{parent_path}%"
    siblings = "SELECT id FROM core_area WHERE parent_id = %s"
    parent = area.parent_id or area.pk
    return raw_many(
        raw(
            f"SELECT area_id, indicator_id, value FROM targets_target WHERE year = %s "
            f"AND area_id IN ({siblings})",
            year,
            parent,
        ),
        raw(
            "SELECT area_id, indicator_id, SUM(value) FROM targets_actual WHERE year = %s "
            f"AND area_id IN ({siblings}) GROUP BY area_id, indicator_id",
            year,
            parent,
        ),
        raw(
            "SELECT a.path, SUM(r.amount) FROM construction_investmentrollup r "
            "JOIN core_area a ON a.id = r.area_id WHERE r.year = %s AND a.path LIKE %s "
            "AND r.top_level IN ('city', 'province') GROUP BY a.path",
            year,
            like,
        ),
        raw(
            "SELECT a.path, r.key, SUM(r.projects) FROM projects_yearrollup r "
            "JOIN core_area a ON a.id = r.area_id WHERE r.kind = 'entered' AND r.year = %s "
            "AND a.path LIKE %s AND r.key IN ('signed@01', 'signed@02', 'signed@03', "
            "'signed@04', 'signed@05', 'signed@06', 'signed@07', 'signed@08', 'signed@09', "
            "'signed@10', 'signed@11', 'signed@12', 'construction@01', 'construction@02', "
            "'construction@03', 'construction@04', 'construction@05', 'construction@06', "
            "'construction@07', 'construction@08', 'construction@09', 'construction@10', "
            "'construction@11', 'construction@12') GROUP BY a.path, r.key",
            year,
            like,
        ),
    )


def _raw_siblings(area: Area, year: int) -> Callable[[], list[Any]]:
    child = next(iter(Area.objects.filter(parent=area).order_by("code")))
    return _raw_indicators(child, year)


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def measure(pair: tuple[Any, Any], runs: int) -> tuple[list[float], list[float]]:
    app, sql = pair
    app(), sql()  # warm caches and statements before timing
    app_times: list[float] = []
    sql_times: list[float] = []
    for _ in range(runs):
        for run, times in ((app, app_times), (sql, sql_times)):
            gc.collect()
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    return app_times, sql_times


def report(result: SynthResult, today: dt.date, runs: int) -> list[str]:
    year = today.year
    users = [
        ("province", result.users["province"]),
        ("city", result.users["city"]),
        ("county", result.users["county"]),
    ]
    lines = [
        f"{'user':<9}{'query':<20}{'sel p50':>9}{'sel p95':>9}{'sql p50':>9}{'sql p95':>9}"
        f"{'ratio':>7}  verdict"
    ]
    for label, user in users:
        user = User.objects.select_related("area").get(pk=user.pk)
        area = user.area
        for name, pair in cases(user, area, year, today).items():
            app_times, sql_times = measure(pair, runs)
            a50, a95 = percentile(app_times, 0.5), percentile(app_times, 0.95)
            s50, s95 = percentile(sql_times, 0.5), percentile(sql_times, 0.95)
            ratio = a50 / s50 if s50 else float("inf")
            ok = ratio <= 1.5 or a50 - s50 < 1.0  # sub-millisecond gaps are Python call overhead
            verdict = "ok" if ok and a95 < 300 else ("SLOW" if a95 >= 300 else "RATIO")
            times = f"{a50:9.1f}{a95:9.1f}{s50:9.1f}{s95:9.1f}{ratio:7.2f}"
            lines.append(f"{label:<9}{name:<20}{times}  {verdict}")
    return lines


def _synthesized(today: dt.date) -> SynthResult:
    call_command("migrate", verbosity=0)
    return synthesize(
        areas=ARGS.areas, projects=ARGS.projects, months=ARGS.months, seed=ARGS.seed, today=today
    )


def _reused() -> SynthResult:
    """The first synthetic province already in the database and its three bench users."""
    province = Area.objects.filter(name__startswith="合成省").order_by("-code").first()
    if province is None:
        raise SystemExit("--reuse: no synthetic province in this database; run bench/synth.py")
    prefix = province.code[:2]
    users = {
        k: User.objects.get(username=f"syn_{prefix}_{k}") for k in ("province", "city", "county")
    }
    return SynthResult(province=province, users=users)


def main() -> None:
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    try:
        today = timezone.localdate()
        started = time.perf_counter()
        result = _reused() if ARGS.reuse else _synthesized(today)
        took = time.perf_counter() - started
        print(f"== {vendor}: synth {ARGS.projects} projects, {ARGS.areas} areas, "
              f"{ARGS.months} months in {took:.1f} s")  # fmt: skip
        for key, count in result.counts.items():
            print(f"   {key:<22}{count:>10} rows {result.seconds.get(key, 0):8.1f} s")
        print(f"== {vendor}: times in ms over {ARGS.runs} runs (p50/p95), ratio = selector / SQL")
        for line in report(result, today, ARGS.runs):
            print(line)
    finally:
        connection.close()
        if not ARGS.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    if ARGS.postgres and not ARGS.database_url:
        argv = list(sys.argv[1:])
        at = argv.index("--postgres")
        del argv[at : at + 2]
        subprocess.run(
            [sys.executable, __file__, *argv, "--database-url", ARGS.postgres], check=True
        )


if __name__ == "__main__":
    main()
