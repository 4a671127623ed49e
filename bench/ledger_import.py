"""Benchmark: importing a 100,000-row project ledger (20 columns, LEDGER_COLUMNS headers).

Run it from the repository root:

    .venv/bin/python bench/ledger_import.py [--rows N] [--naive-rows N|0] [--repeat N]

In one run it generates the ledger in a temporary directory, prepares a fresh
SQLite database (migrate + demo + the five Yicheng clusters), then times, each
in its own child process so that peak memory (ru_maxrss) is that step's alone:

  (a) parse   the floor: python-calamine reading every row of the file;
  (b) import  ours: the file checks + ``import_ledger`` into a fresh copy of the DB;
  (c) naive   openpyxl reading + ``project_create`` (one validated ORM save, stage
              event and audit row per project) on the first ``--naive-rows`` rows
              (10,000 by default), extrapolated linearly to the full row count.

openpyxl is not a project dependency: if it is missing it is pip-installed into
the temporary directory for step (c) only. Goals (issue): import/parse ≤ 2×,
naive/import ≥ 5×, import peak ≤ 600 MB. The script prints the numbers either way,
with the CPU time of (a) and (b) too: on a shared machine wall time swings with
the neighbours' load, so ``--repeat 3`` keeps the fastest of three runs of each.
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
LEADERS = ["陈志远", "刘国强", "孙海涛", ""]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def django_env(db: Path, var: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
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
            "land_parcel": f"集聚区{i % 97}号地块",
            "notes": "" if i % 3 else f"第{i}行备注：推进中",
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


def step_setup(db: Path, var: Path) -> dict[str, float]:
    django_env(db, var)
    from django.core.management import call_command

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


def step_import(path: Path, db: Path, var: Path) -> dict[str, float]:
    django_env(db, var)
    from zhaoshang.core.models import Area, User
    from zhaoshang.imports.safety import check_workbook
    from zhaoshang.projects.ledger_import import import_ledger
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


def step_naive(path: Path, db: Path, var: Path, deps: Path) -> dict[str, float]:
    """openpyxl + one service call (validated save, stage event, audit row) per project."""
    sys.path.insert(0, str(deps))
    django_env(db, var)
    import openpyxl

    from zhaoshang.core.models import Area, Unit, User
    from zhaoshang.projects.ledger import LEDGER_COLUMNS
    from zhaoshang.projects.ledger_import import Lookups, stage_map
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
            "key_level": lookups.key_levels(v["key_level"]) or "",
            "sub_bureau": Unit.objects.get(area=area, name=v["sub_bureau"]),
            "lead_cadre": User.objects.filter(full_name=v["lead_cadre"]).first()
            if v["lead_cadre"]
            else None,
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=10_000, help="0: skip step (c)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run (a) and (b) this many times, alternately, and keep each one's fastest run "
        "(on a shared machine single runs vary by ±30 %%)",
    )
    parser.add_argument("--step", nargs="+")
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        paths = [Path(p) for p in rest]
        result = {
            "generate": lambda: generate(paths[0], int(rest[1])) or {},
            "setup": lambda: step_setup(*paths[:2]),
            "parse": lambda: step_parse(paths[0]),
            "import": lambda: step_import(*paths[:3]),
            "naive": lambda: step_naive(*paths[:4]),
        }[name]()
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="zs-bench-") as tmp:
        work = Path(tmp)
        ledger, small = work / "ledger.xlsx", work / "ledger-naive.xlsx"
        var, deps = work / "var", work / "deps"
        var.mkdir()
        started = time.perf_counter()
        child(["generate", str(ledger), str(args.rows)])
        if args.naive_rows:
            child(["generate", str(small), str(args.naive_rows)])
        print(
            f"generated {args.rows:,} × 20 ledger ({ledger.stat().st_size / 2**20:.1f} MB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        template = work / "template.sqlite3"
        child(["setup", str(template), str(var)])
        naive_db = work / "naive.sqlite3"

        parses, imports = [], []
        for attempt in range(max(1, args.repeat)):
            parses.append(child(["parse", str(ledger)]))
            fresh = work / f"import-{attempt}.sqlite3"
            shutil.copyfile(template, fresh)
            imports.append(child(["import", str(ledger), str(fresh), str(var)]))
            fresh.unlink()
        parse = min(parses, key=lambda r: r["seconds"])
        ours = min(imports, key=lambda r: r["seconds"])
        naive: dict[str, float] | None = None
        if args.naive_rows:
            shutil.copyfile(template, naive_db)
            ensure_openpyxl(deps)
            naive = child(["naive", str(small), str(naive_db), str(var), str(deps)])

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
        if len(parses) > 1:
            print(f"      best of {len(parses)} runs each")
        verdict = {True: "goal met", False: "goal MISSED"}
        if naive is not None:
            naive_full = naive["seconds"] * args.rows / naive["rows"]
            print(
                f"(c) naive openpyxl + ORM   {naive_full:8.2f} s   (measured "
                f"{naive['seconds']:.2f} s on {naive['rows']:,} rows, extrapolated "
                f"×{args.rows / naive['rows']:.0f}; peak {naive['peak_mb']:.0f} MB)"
            )
        ratio_parse = ours["seconds"] / parse["seconds"]
        ratio_cpu = min(r["cpu"] for r in imports) / min(r["cpu"] for r in parses)
        print(
            f"import / parse  = {ratio_parse:5.2f}×   (goal ≤ 2×: {verdict[ratio_parse <= 2]}; "
            f"CPU time {ratio_cpu:.2f}×)"
        )
        if naive is not None:
            ratio_naive = naive_full / ours["seconds"]
            print(
                f"naive / import  = {ratio_naive:5.2f}×   (goal ≥ 5×: {verdict[ratio_naive >= 5]})"
            )
        peak = max(r["peak_mb"] for r in imports)
        print(f"import peak     = {peak:5.0f} MB (goal ≤ 600 MB: {verdict[peak <= 600]})")


if __name__ == "__main__":
    main()
