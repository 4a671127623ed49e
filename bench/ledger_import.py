"""Benchmark: importing a 100,000-row project ledger (22 columns, LEDGER_COLUMNS headers).

Run it from the repository root:

    .venv/bin/python bench/ledger_import.py [--rows N] [--naive-rows N|0] [--repeat N]
                                            [--postgres postgres://postgres@127.0.0.1:5432/zs_bench]

In one run it generates the ledger in a temporary directory, prepares a
database (migrate + demo + the five Yicheng clusters: a SQLite file, or with
``--postgres`` a PostgreSQL template database), then times, each in its own
child process so that peak memory (ru_maxrss) is that step's alone:

  (a) parse   python-calamine reading every row of the file (the issue's floor);
  (b) import  ours: the file checks + ``import_ledger`` into a fresh copy of the DB;
  (c) store   the database's own cost of storing what (b) stored: the rows (b)
              added to projects, stage events and audit events, prepared in memory
              beforehand, written to another fresh copy with the plain driver —
              multi-row INSERTs of ready tuples on SQLite (same pragmas and page
              cache as the import), COPY of ready text on PostgreSQL — in one
              transaction, commit included (PostgreSQL checks the deferred foreign
              keys then);
  (d) naive   openpyxl reading + ``project_create`` (one validated ORM save, stage
              event and audit row per project) on the first ``--naive-rows`` rows
              (10,000 by default), extrapolated linearly to the full row count.

Ratios printed: import / parse (the issue's goal, ≤ 2×), import / (parse + store)
— what the import costs beyond reading the file and the database's own work of
storing the result —, naive / import (goal ≥ 5×) and the import's peak memory
(goal ≤ 600 MB). openpyxl is not a project dependency: if it is missing it is
pip-installed into the temporary directory for step (d) only. On a shared machine
wall time swings with the neighbours' load, so ``--repeat 3`` keeps the fastest of
three runs of (a), (b) and (c). ``--postgres`` drops and re-creates databases whose
names start with the URL's (which must start with ``zs_bench``; never ``test``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
AREA = "411702"
CLUSTERS = [
    ("运输装备", "专用车运输装备专业招商局"),
    ("新能源汽车", "新能源汽车装备专业招商分局"),
    ("农业工程机械装备", "农业工程机械装备专业招商分局"),
    ("电力电缆电器装备", "电力电缆电器装备专业招商分局"),
    ("电商现代物流", "电商现代物流专业招商分局"),
]
REGIONS = ["长三角", "珠三角", "京津冀/环渤海", "江苏", "境外-德国", "省内", "广东省深圳市"]
METHODS = ["以商招商", "产业链招商", "上门招商", "展会招商", "领导带头招商", "其他"]
STAGES = ["线索", "意向", "在谈", "已签约", "落地", "在建", "已投产"]
LEVELS = ["", "区重点", "市重点", "省重点"]
#: 牵头: the first is matched in the 人员库 when it has them, the others are created once
LEADERS = ["陈志远", "张卫东（副区长）", "马俊峰（区招商服务中心主任）", ""]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def db_url(db: str) -> str:
    """A child's database: a PostgreSQL URL as given, else a SQLite file's path."""
    return db if db.startswith("postgres") else f"sqlite:///{db}"


def django_env(db: str, var: Path) -> None:
    os.environ["DATABASE_URL"] = db_url(db)
    os.environ["ZHAOSHANG_VAR_DIR"] = str(var)
    os.environ["ZHAOSHANG_DEBUG"] = "false"  # as in production: no query log kept in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- the ledger ------------------------------------------------------------------------


def generate(path: Path, rows: int) -> None:
    import xlsxwriter

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    from zhaoshang.projects.ledger import LEDGER_COLUMNS

    rng = random.Random(2026)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("台账")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, column in enumerate(LEDGER_COLUMNS):
        ws.write_string(0, col, column.header)
    base = dt.date(2023, 1, 1)
    for i in range(1, rows + 1):
        stage = STAGES[i % len(STAGES)]
        rank = STAGES.index(stage)
        total = round(rng.uniform(500, 200000), 2)
        contract = base + dt.timedelta(days=rng.randrange(0, 900))
        start = contract + dt.timedelta(days=rng.randrange(30, 200))
        cluster, unit = CLUSTERS[i % len(CLUSTERS)]
        values = {
            "code": f"BX-{i:06d}",
            "name": f"基准测试项目{i:06d}号（{cluster}）",
            "investor": f"基准投资有限公司{i % 5000:04d}",
            "cluster": cluster,
            "source_region": REGIONS[i % len(REGIONS)],
            "method": METHODS[i % len(METHODS)],
            "total_investment": total,
            "foreign_capital": round(rng.uniform(0, 500), 2) if i % 4 == 0 else 0,
            "out_of_city_capital": round(total * 0.6, 2),
            "land_area": round(rng.uniform(10, 500), 2),
            "stage": stage,
            "contract_date": contract if rank >= 3 else None,
            "contracted_amount": total if rank >= 3 else None,
            "start_date": start if rank >= 5 else None,
            "production_date": start + dt.timedelta(days=300) if rank >= 6 else None,
            "key_level": LEVELS[i % len(LEVELS)],
            "sub_bureau": unit,
            "lead_cadre": LEADERS[i % len(LEADERS)],
            "responsible_chief": "" if i % 2 else "刘国强",
            "frontline_sub_chief": "孙海涛（分局长）" if i % 3 == 0 else "",
            "land_parcel": f"集聚区{i % 97}号地块",
            "notes": "" if i % 3 else f"第{i}行备注：推进中",
            "area": "",
        }
        for col, column in enumerate(LEDGER_COLUMNS):
            value = values[column.key]
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(i, col, dt.datetime.combine(value, dt.time()), day)
            elif isinstance(value, int | float):
                ws.write_number(i, col, value)
            else:
                ws.write_string(i, col, value)
    book.close()


# --- child steps -------------------------------------------------------------------------


def step_setup(db: str, var: Path) -> dict[str, float]:
    django_env(db, var)
    from django.core.management import call_command
    from django.db import connection

    from zhaoshang.core.demo import load_demo
    from zhaoshang.core.models import Area, Unit
    from zhaoshang.projects.models import Cluster

    call_command("migrate", verbosity=0)
    load_demo()
    area = Area.objects.get(code=AREA)
    for name, unit in CLUSTERS:
        Cluster.objects.get_or_create(
            area=area, name=name, defaults={"sub_bureau": Unit.objects.get(area=area, name=unit)}
        )
    connection.close()  # SQLite: the last close checkpoints the WAL, so copying the file is enough
    return {}


def step_parse(path: Path) -> dict[str, float]:
    from python_calamine import CalamineWorkbook

    started, cpu = time.perf_counter(), time.process_time()
    with CalamineWorkbook.from_path(str(path)) as book:
        rows = 0
        for _row in book.get_sheet_by_index(0).iter_rows():
            rows += 1
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": rows - 1,
        "peak_mb": peak_mb(),
    }


def _saved(person: Any) -> Any:
    """A Person the naive path names, saved the first time it is met (the import bulk-creates)."""
    if person is not None and person.pk is None:
        person.save()
    return person


def step_import(path: Path, db: str, var: Path) -> dict[str, float]:
    django_env(db, var)
    from zhaoshang.core.models import Area, User
    from zhaoshang.imports.safety import check_workbook
    from zhaoshang.projects.importing import import_ledger
    from zhaoshang.projects.models import Project

    area = Area.objects.get(code=AREA)
    user = User.objects.get(username="yc_staff")
    marks: dict[str, float] = {}

    def progress(*, processed: int, total: int, phase: str = "reading") -> None:
        marks.setdefault(phase, time.perf_counter())

    started, cpu = time.perf_counter(), time.process_time()
    check_workbook(path)
    checked = time.perf_counter()
    outcome = import_ledger(
        path=path, area=area, acting_user=user, dry_run=False, progress=progress
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if outcome.errors:
        raise SystemExit("import failed: " + "\n".join(outcome.errors.lines()[:20]))
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": outcome.total_rows,
        "created": outcome.created,
        "in_db": Project.objects.filter(area=area).count(),
        "peak_mb": peak_mb(),
        "zip_check": checked - started,
        "read_and_check": marks.get("writing", started + seconds) - checked,
        "write": started + seconds - marks.get("writing", started + seconds),
    }


#: the tables an import writes new rows to, in an order their keys allow (people first)
STORED = ("core_person", "projects_project", "projects_stageevent", "core_auditevent")


def step_store(source: str, target: str, var: Path) -> dict[str, float]:
    """The floor of writing: the rows the import added, stored again by the plain driver."""
    django_env(target, var)
    from django.db import connection

    with connection.cursor() as cursor:
        floors = {}
        for table in STORED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            floors[table] = cursor.fetchone()[0]
    if connection.vendor == "postgresql":
        return _store_postgres(source, floors)
    return _store_sqlite(source, floors)


def _store_sqlite(source: str, floors: dict[str, int]) -> dict[str, float]:
    """Multi-row INSERTs of ready parameter lists, through the app's own connection settings."""
    import sqlite3

    from django.db import connection

    from zhaoshang.projects.importing.raw import ROWS_PER_STATEMENT, big_page_cache

    src = sqlite3.connect(source)
    work: list[tuple[str, list[list[object]]]] = []
    rows = 0
    for table, floor in floors.items():
        cursor = src.execute(f"SELECT * FROM {table} WHERE id > ?", [floor])
        names = [c[0] for c in cursor.description]
        data = cursor.fetchall()
        rows += len(data)
        one = "(" + ", ".join("?" * len(names)) + ")"
        for start in range(0, len(data), ROWS_PER_STATEMENT):
            part = data[start : start + ROWS_PER_STATEMENT]
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES " + ", ".join([one] * len(part))
            work.append((sql, [value for row in part for value in row]))
    src.close()
    connection.ensure_connection()
    driver = connection.connection
    with big_page_cache():
        started, cpu = time.perf_counter(), time.process_time()
        driver.execute("BEGIN IMMEDIATE")
        for sql, params in work:
            driver.execute(sql, params)
        driver.execute("COMMIT")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "rows": rows}


def _store_postgres(source: str, floors: dict[str, int]) -> dict[str, float]:
    """COPY of the rows' own text (read with COPY TO beforehand), commit included."""
    import psycopg
    from django.db import connection

    blocks: list[tuple[str, list[bytes]]] = []
    with psycopg.connect(source.replace("postgres://", "postgresql://", 1)) as src:
        for table, floor in floors.items():
            with src.cursor().copy(
                f"COPY (SELECT * FROM {table} WHERE id > {int(floor)} ORDER BY id) TO STDOUT"
            ) as copy:
                blocks.append((table, [bytes(block) for block in copy]))
    connection.ensure_connection()
    driver = connection.connection
    driver.autocommit = False
    started, cpu = time.perf_counter(), time.process_time()
    with driver.cursor() as cursor:
        for table, data in blocks:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for block in data:
                    copy.write(block)
    driver.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = sum(block.count(b"\n") for _table, data in blocks for block in data)
    return {"seconds": seconds, "cpu": cpu, "rows": rows}


def step_naive(path: Path, db: str, var: Path, deps: Path) -> dict[str, float]:
    """openpyxl + one service call (validated save, stage event, audit row) per project."""
    sys.path.insert(0, str(deps))
    django_env(db, var)
    import openpyxl

    from zhaoshang.core.models import Area, Unit, User
    from zhaoshang.projects.importing import Lookups, stage_map
    from zhaoshang.projects.ledger import LEDGER_COLUMNS
    from zhaoshang.projects.models import Cluster
    from zhaoshang.projects.services import project_create

    area = Area.objects.get(code=AREA)
    user = User.objects.get(username="yc_staff")
    stages = stage_map()
    lookups = Lookups(area)
    started = time.perf_counter()
    book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    keys = [c.key for c in LEDGER_COLUMNS]
    count = 0
    for row in book.worksheets[0].iter_rows(min_row=2, values_only=True):
        v = dict(zip(keys, row, strict=False))
        region = lookups.region(v["source_region"])
        fields = {
            "code": v["code"],
            "investor_name": v["investor"] or "",
            "cluster": Cluster.objects.get(area=area, name=v["cluster"]),
            "source_region": region[0],
            "source_province": region[1] or "",
            "source_country": region[2] or "",
            "method": lookups.methods(v["method"]),
            "total_investment": v["total_investment"] or 0,
            "foreign_capital": v["foreign_capital"] or 0,
            "out_of_city_capital": v["out_of_city_capital"] or 0,
            "land_area": v["land_area"],
            "contract_date": v["contract_date"].date() if v["contract_date"] else None,
            "contracted_amount": v["contracted_amount"],
            "start_date": v["start_date"].date() if v["start_date"] else None,
            "production_date": v["production_date"].date() if v["production_date"] else None,
            "sub_bureau": Unit.objects.get(area=area, name=v["sub_bureau"]),
            "lead_cadre": _saved(lookups.person(v["lead_cadre"])),
            "responsible_chief": _saved(
                lookups.person(v["responsible_chief"], "responsible_chief")
            ),
            "frontline_sub_chief": _saved(
                lookups.person(v["frontline_sub_chief"], "frontline_sub_chief")
            ),
            "land_parcel": v["land_parcel"] or "",
            "notes": v["notes"] or "",
        }
        fields = {k: (Decimal(str(x)) if isinstance(x, float) else x) for k, x in fields.items()}
        project_create(
            acting_user=user,
            area=area,
            name=v["name"],
            stage=stages(v["stage"]) or "lead",
            **fields,
        )
        count += 1
    return {"seconds": time.perf_counter() - started, "rows": count, "peak_mb": peak_mb()}


def child(args: list[str]) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--step", *args], capture_output=True, text=True, check=False
    )
    if output.returncode:
        sys.stderr.write(output.stdout + output.stderr)
        raise SystemExit(f"step {args[0]} failed")
    return json.loads(output.stdout.strip().splitlines()[-1])


def ensure_openpyxl(deps: Path) -> None:
    try:
        import openpyxl  # noqa: F401

        return
    except ImportError:
        pass
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(deps), "openpyxl"],
        check=True,
    )


class Databases:
    """The prepared database and fresh copies of it: SQLite files, or PostgreSQL databases."""

    def __init__(self, work: Path, postgres: str | None) -> None:
        self.work, self.postgres = work, postgres
        if postgres:
            parts = urlsplit(postgres)
            self.base = parts.path.lstrip("/")
            if not self.base.startswith("zs_bench"):
                raise SystemExit("--postgres: the database name must start with zs_bench")
            self.admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        self.template = self._name("template")
        self._drop(self.template)
        if postgres:
            self._sql(f'CREATE DATABASE "{self.base}_template"')

    def _name(self, suffix: str) -> str:
        if self.postgres:
            return urlunsplit(urlsplit(self.postgres)._replace(path=f"/{self.base}_{suffix}"))
        return str(self.work / f"{suffix}.sqlite3")

    def _sql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as admin:
            admin.execute(sql)

    def fresh(self, suffix: str) -> str:
        """A copy of the template (replacing any earlier one of that name)."""
        db = self._name(suffix)
        self._drop(db)
        if self.postgres:
            self._sql(f'CREATE DATABASE "{self.base}_{suffix}" TEMPLATE "{self.base}_template"')
        else:
            shutil.copyfile(self.template, db)
        return db

    def _drop(self, db: str) -> None:
        if self.postgres:
            self._sql(f'DROP DATABASE IF EXISTS "{urlsplit(db).path.lstrip("/")}"')
            return
        for path in (Path(db), Path(db + "-wal"), Path(db + "-shm")):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        for suffix in ("import", "store", "naive", "template"):
            self._drop(self._name(suffix))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=10_000, help="0: skip step (d)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run (a), (b) and (c) this many times, alternately, and keep each one's fastest "
        "run (on a shared machine single runs vary by ±30 %%)",
    )
    parser.add_argument("--postgres", help="PostgreSQL instead of SQLite (zs_bench… URL)")
    parser.add_argument("--step", nargs="+")
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        result = {
            "generate": lambda: generate(Path(rest[0]), int(rest[1])) or {},
            "setup": lambda: step_setup(rest[0], Path(rest[1])),
            "parse": lambda: step_parse(Path(rest[0])),
            "import": lambda: step_import(Path(rest[0]), rest[1], Path(rest[2])),
            "store": lambda: step_store(rest[0], rest[1], Path(rest[2])),
            "naive": lambda: step_naive(Path(rest[0]), rest[1], Path(rest[2]), Path(rest[3])),
        }[name]()
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="zs-bench-") as tmp:
        work = Path(tmp)
        dbs = Databases(work, args.postgres)
        try:
            report(args, work, dbs)
        finally:
            dbs.close()


def report(args: argparse.Namespace, work: Path, dbs: Databases) -> None:
    ledger, small = work / "ledger.xlsx", work / "ledger-naive.xlsx"
    var, deps = work / "var", work / "deps"
    var.mkdir()
    started = time.perf_counter()
    child(["generate", str(ledger), str(args.rows)])
    if args.naive_rows:
        child(["generate", str(small), str(args.naive_rows)])
    print(
        f"generated {args.rows:,} × 22 ledger ({ledger.stat().st_size / 2**20:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s; database: "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}"
    )
    child(["setup", dbs.template, str(var)])

    parses, imports, stores = [], [], []
    for _attempt in range(max(1, args.repeat)):
        parses.append(child(["parse", str(ledger)]))
        imported = dbs.fresh("import")
        imports.append(child(["import", str(ledger), imported, str(var)]))
        stores.append(child(["store", imported, dbs.fresh("store"), str(var)]))
    parse = min(parses, key=lambda r: r["seconds"])
    ours = min(imports, key=lambda r: r["seconds"])
    store = min(stores, key=lambda r: r["seconds"])
    naive: dict[str, float] | None = None
    if args.naive_rows:
        ensure_openpyxl(deps)
        naive = child(["naive", str(small), dbs.fresh("naive"), str(var), str(deps)])

    print(
        f"(a) calamine parse         {parse['seconds']:8.2f} s   "
        f"peak {parse['peak_mb']:6.0f} MB   (CPU {min(r['cpu'] for r in parses):.2f} s)"
    )
    print(
        f"(b) our import             {ours['seconds']:8.2f} s   peak {ours['peak_mb']:6.0f} MB"
        f"   ({ours['created']:,} projects created, {ours['in_db']:,} in the area; "
        f"CPU {min(r['cpu'] for r in imports):.2f} s)"
    )
    print(
        f"      of which: zip checks {ours['zip_check']:.2f} s, read + check rows "
        f"{ours['read_and_check']:.2f} s, write (one transaction) {ours['write']:.2f} s"
    )
    print(
        f"(c) store the same rows    {store['seconds']:8.2f} s   ({store['rows']:,} rows in "
        f"{len(STORED)} tables by the plain driver; CPU {store['cpu']:.2f} s)"
    )
    if len(parses) > 1:
        print(f"      best of {len(parses)} runs each")
    verdict = {True: "goal met", False: "goal MISSED"}
    if naive is not None:
        naive_full = naive["seconds"] * args.rows / naive["rows"]
        print(
            f"(d) naive openpyxl + ORM   {naive_full:8.2f} s   (measured "
            f"{naive['seconds']:.2f} s on {naive['rows']:,} rows, extrapolated "
            f"×{args.rows / naive['rows']:.0f}; peak {naive['peak_mb']:.0f} MB)"
        )
    ratio_parse = ours["seconds"] / parse["seconds"]
    ratio_cpu = min(r["cpu"] for r in imports) / min(r["cpu"] for r in parses)
    floor = parse["seconds"] + store["seconds"]
    print(
        f"import / parse  = {ratio_parse:5.2f}×   (goal ≤ 2×: {verdict[ratio_parse <= 2]}; "
        f"CPU time {ratio_cpu:.2f}×; parse + store alone = {floor / parse['seconds']:.2f}×)"
    )
    print(
        f"import / (parse + store) = {ours['seconds'] / floor:5.2f}×   "
        "(what the import adds to reading the file and storing its rows)"
    )
    if naive is not None:
        ratio_naive = naive_full / ours["seconds"]
        print(f"naive / import  = {ratio_naive:5.2f}×   (goal ≥ 5×: {verdict[ratio_naive >= 5]})")
    peak = max(r["peak_mb"] for r in imports)
    print(f"import peak     = {peak:5.0f} MB (goal ≤ 600 MB: {verdict[peak <= 600]})")


if __name__ == "__main__":
    main()
