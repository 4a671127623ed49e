"""A province-scale synthetic dataset for benchmarks.

    .venv/bin/python bench/synth.py [--areas 150] [--projects 200000] [--months 24]
                                    [--seed 2026] [--force]

writes it into the configured database (``DATABASE_URL``, else the var dir's
SQLite file: see docs/deploy.md), from any working directory. It is benchmark
tooling, not a feature: it lives here, outside the installed package, and is no
``zhaoshang`` command. ``bench/dashboard.py`` and the tests import it as
``bench.synth`` (with Django set up) and call :func:`synthesize`.

1 province, ~16 cities and the rest counties (``areas`` in all), a bureau and a
few users, clusters, ``projects`` projects with stages, stage events, key-list
entries (about a third of the projects, some in two lists), a monthly
investment report for every project and every one of the last ``months``
months (200 000 × 24 = 4.8 million rows), milestones, targets and actuals.

Bulk synthetic data is not a user's write: rows go in with raw ``executemany``
(SQLite) or ``COPY`` (PostgreSQL) in large batches, one transaction per table,
with no audit row per record; one audit event records the run. The key-list
rollups are then rebuilt by the construction services' own
``rollups_rebuild`` (the same code every write uses), and the database is
ANALYZEd so the planner sees the real sizes.

Every synthetic area is named "合成…" and lives under a province code
``9x0000`` that no real area uses; ``synthesize`` refuses a database holding
any other area unless ``force`` is set.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script: Django first, the models below need it
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    import django

    from zhaoshang import vardir

    vardir.prepare()
    django.setup()

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from zhaoshang.core.choices import AreaLevel, AuditAction, RoleCode, UnitKind
from zhaoshang.core.models import Area, Role, Unit, User
from zhaoshang.core.services import audit_record
from zhaoshang.projects.choices import KeyRegion, Method, Stage
from zhaoshang.projects.models import Cluster, Project
from zhaoshang.targets.models import Actual, Indicator, Target

PREFIX = "合成"
BATCH = 50_000
CLUSTERS = ("运输装备", "新能源汽车", "农业工程机械装备", "电力电缆电器装备", "电商现代物流")
# stage → share of projects (sums to 100)
STAGE_SHARE = {
    Stage.LEAD: 15,
    Stage.INTENTION: 12,
    Stage.NEGOTIATION: 13,
    Stage.SIGNED: 15,
    Stage.LANDED: 10,
    Stage.CONSTRUCTION: 20,
    Stage.PRODUCTION: 10,
    Stage.PAUSED: 3,
    Stage.TERMINATED: 2,
}
SIGNED_OR_LATER = {Stage.SIGNED, Stage.LANDED, Stage.CONSTRUCTION, Stage.PRODUCTION}
STARTED = {Stage.CONSTRUCTION, Stage.PRODUCTION}
REGIONS = [*KeyRegion.values, ""]
MILESTONE_TITLES = (
    "完成立项备案",
    "取得规划许可",
    "完成环评",
    "取得施工许可",
    "主体封顶",
    "设备安装",
)


@dataclass
class SynthResult:
    province: Area
    users: dict[str, User] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def month_window(today: dt.date, months: int) -> list[tuple[int, int]]:
    """The ``months`` (year, month) pairs ending with ``today``'s month, oldest first."""
    index = today.year * 12 + today.month - 1
    return [((i // 12), (i % 12) + 1) for i in range(index - months + 1, index + 1)]


def has_real_data() -> bool:
    """Any area that synth did not make (the demo, a real deployment) counts as real."""
    return Area.objects.exclude(name__startswith=PREFIX).exists()


class _Writer:
    """Fast inserts: ``executemany`` on the raw SQLite cursor, ``COPY`` on PostgreSQL."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def stamp(self, moment: dt.datetime) -> str:
        """A UTC timestamp as the column stores it (naive text on SQLite, as Django writes it)."""
        utc = moment.astimezone(dt.UTC)
        return (
            utc.strftime("%Y-%m-%d %H:%M:%S+00")
            if self.postgres
            else utc.strftime("%Y-%m-%d %H:%M:%S")
        )

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        with transaction.atomic(), connection.cursor() as wrapper:
            raw = wrapper.cursor
            if self.postgres:
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            marks = ", ".join("?" * len(columns))
            # table and columns are this module's constants, never input
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            for batch in _batches(rows, BATCH):
                raw.executemany(sql, batch)
                count += len(batch)
        return count


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- areas, units, users, clusters ------------------------------------------------------


def _free_prefix() -> int:
    used = set(Area.objects.filter(level=AreaLevel.PROVINCE).values_list("code", flat=True))
    for prefix in range(99, 9, -1):
        if f"{prefix}0000" not in used:
            return prefix
    raise ValidationError({"areas": "没有可用的合成省代码"})


def _make_areas(total: int) -> tuple[Area, list[Area], list[Area]]:
    """1 province, ``round((total-1)/9.3)`` cities (1–16), the rest counties spread evenly."""
    prefix = _free_prefix()
    n_cities = max(1, min(16, round((total - 1) / 9.3)))
    n_counties = total - 1 - n_cities
    province = Area(code=f"{prefix}0000", name=f"{PREFIX}省{prefix}", level=AreaLevel.PROVINCE)
    province.path = f"{province.code}/"
    province.save()
    cities = []
    for c in range(1, n_cities + 1):
        code = f"{prefix}{c:02d}00"
        cities.append(
            Area(
                code=code,
                name=f"{PREFIX}市{c:02d}",
                level=AreaLevel.CITY,
                parent=province,
                path=f"{province.path}{code}/",
            )
        )
    cities = Area.objects.bulk_create(cities)
    counties = []
    for k in range(n_counties):
        city = cities[k % n_cities]
        number = k // n_cities + 1
        code = f"{city.code[:4]}{number:02d}"
        counties.append(
            Area(
                code=code,
                name=f"{PREFIX}县{code}",
                level=AreaLevel.COUNTY,
                parent=city,
                path=f"{city.path}{code}/",
            )
        )
    return province, cities, Area.objects.bulk_create(counties)


def _make_people(province: Area, cities: list[Area], counties: list[Area]) -> dict[str, User]:
    """A bureau per area; a reader at province, first-city and first-county level (the bench's)."""
    Unit.objects.bulk_create(
        Unit(area=a, name=f"{a.name}招商局", kind=UnitKind.BUREAU)
        for a in (province, *cities, *counties)
    )
    users = {}
    staff = Role.objects.get(code=RoleCode.STAFF)
    for key, area in (("province", province), ("city", cities[0]), ("county", counties[0])):
        user = User(username=f"syn_{province.code[:2]}_{key}", area=area, full_name=area.name)
        user.set_unusable_password()
        user.save()
        user.roles.add(staff)
        users[key] = user
    return users


def _make_clusters(counties: list[Area]) -> dict[int, list[int]]:
    made = Cluster.objects.bulk_create(
        Cluster(area=a, name=f"{name}") for a in counties for name in CLUSTERS
    )
    by_area: dict[int, list[int]] = {}
    for cluster in made:
        by_area.setdefault(cluster.area_id, []).append(cluster.pk)
    return by_area


# --- projects and what hangs on them -------------------------------------------------------


@dataclass(frozen=True)
class SynthProject:
    pk: int
    area_id: int
    stage: str
    started_on: dt.date
    progress_on: dt.date
    contract_on: dt.date | None
    start_on: dt.date | None


def _plan_projects(
    count: int, counties: list[Area], rng: random.Random, today: dt.date, first_id: int
) -> list[SynthProject]:
    stages = list(STAGE_SHARE)
    weights = list(STAGE_SHARE.values())
    chosen = rng.choices(stages, weights=weights, k=count)
    plans = []
    for i, stage in enumerate(chosen):
        started = today - dt.timedelta(days=rng.randrange(30, 1500))
        progress = max(started, today - dt.timedelta(days=rng.randrange(0, 420)))
        contract = (
            started + dt.timedelta(days=rng.randrange(0, 200)) if stage in SIGNED_OR_LATER else None
        )
        contract = min(contract, progress) if contract else None
        start = (
            contract + dt.timedelta(days=rng.randrange(0, 120))
            if contract and stage in STARTED
            else None
        )
        start = min(start, progress) if start else None
        plans.append(
            SynthProject(
                first_id + i,
                counties[i % len(counties)].pk,
                stage,
                started,
                progress,
                contract,
                start,
            )
        )
    return plans


def _project_rows(
    plans: list[SynthProject], clusters: dict[int, list[int]], rng: random.Random, w: _Writer
) -> Iterator[tuple[Any, ...]]:
    now = w.stamp(timezone.now())
    methods = Method.values
    for p in plans:
        investment = rng.randrange(100, 500_000)
        yield (
            p.pk, p.area_id, f"SYN-{p.pk:08d}", f"合成项目{p.pk}", None, f"合成投资方{p.pk % 997}",
            rng.choice(clusters[p.area_id]) if rng.random() < 0.85 else None,
            rng.choice(REGIONS), "", "", rng.choice(methods), f"{investment}.0000",
            "0.0000", f"{investment // 2}.0000", None, "", p.stage,
            p.contract_on.isoformat() if p.contract_on else None,
            f"{investment}.0000" if p.contract_on else None,
            p.start_on.isoformat() if p.start_on else None,
            p.progress_on.isoformat() if p.stage == Stage.PRODUCTION else None,
            None, None, None, None, "", 1, p.progress_on.isoformat(), now, now,
        )  # fmt: skip


PROJECT_COLUMNS = (
    "id", "area_id", "code", "name", "investor_id", "investor_name", "cluster_id",
    "source_region", "source_province", "source_country", "method", "total_investment",
    "foreign_capital", "out_of_city_capital", "land_area", "land_parcel", "stage",
    "contract_date", "contracted_amount", "start_date", "production_date",
    "sub_bureau_id", "lead_cadre_id", "responsible_chief_id", "frontline_sub_chief_id",
    "notes", "version", "last_progress_on", "created_at", "updated_at",
)  # fmt: skip


def _event_rows(plans: list[SynthProject], w: _Writer) -> Iterator[tuple[Any, ...]]:
    """The first stage (线索) and, for a project further on, its move(s) to where it is now."""
    now = w.stamp(timezone.now())
    for p in plans:
        yield (p.pk, "", Stage.LEAD, p.started_on.isoformat(), now, "", "")
        previous = Stage.LEAD
        if p.contract_on is not None:
            yield (p.pk, previous, Stage.SIGNED, p.contract_on.isoformat(), now, "", "")
            previous = Stage.SIGNED
        if p.start_on is not None:
            yield (p.pk, previous, Stage.CONSTRUCTION, p.start_on.isoformat(), now, "", "")
            previous = Stage.CONSTRUCTION
        if p.stage != previous and p.stage != Stage.LEAD:
            reason = "合成数据" if p.stage in (Stage.PAUSED, Stage.TERMINATED) else ""
            yield (p.pk, previous, p.stage, p.progress_on.isoformat(), now, "", reason)


EVENT_COLUMNS = (
    "project_id",
    "from_stage",
    "to_stage",
    "event_date",
    "recorded_at",
    "note",
    "reason",
)

LEVEL_DRAW = (("district", 50), ("city", 30), ("province", 20))


def _entry_rows(
    plans: list[SynthProject], years: list[int], rng: random.Random, w: _Writer
) -> Iterator[tuple[Any, ...]]:
    """Every third project is a key project each year; one in ten above district is in two lists."""
    now = w.stamp(timezone.now())
    levels = [name for name, _share in LEVEL_DRAW]
    weights = [share for _name, share in LEVEL_DRAW]
    for p in plans[::3]:
        for year in years:
            level = rng.choices(levels, weights=weights)[0]
            planned = rng.randrange(500, 50_000)
            yield (p.area_id, p.pk, year, level, f"{planned}.0000", "", now)
            if level != "district" and rng.random() < 0.1:
                other = "province" if level == "city" else "city"
                yield (p.area_id, p.pk, year, other, f"{planned}.0000", "", now)


ENTRY_COLUMNS = (
    "area_id",
    "project_id",
    "year",
    "level",
    "planned_investment",
    "note",
    "created_at",
)


def _report_rows(
    plans: list[SynthProject], window: list[tuple[int, int]], rng: random.Random, w: _Writer
) -> Iterator[tuple[Any, ...]]:
    """One current report per project per month (amounts in 万元, two decimals)."""
    stamps = {
        (y, m): w.stamp(dt.datetime(y + (m == 12), m % 12 + 1, 5, 1, tzinfo=dt.UTC))
        for y, m in window
    }
    rand = rng.random
    for p in plans:
        area, pk = p.area_id, p.pk
        for year, month in window:
            yield (
                area,
                pk,
                year,
                month,
                f"{rand() * 2000:.2f}",
                1,
                True,
                "",
                stamps[(year, month)],
            )


REPORT_COLUMNS = (
    "area_id", "project_id", "year", "month", "amount", "version", "is_current", "note",
    "entered_at",
)  # fmt: skip


def _milestone_rows(
    plans: list[SynthProject], rng: random.Random, today: dt.date, w: _Writer
) -> Iterator[tuple[Any, ...]]:
    """About one milestone per two projects: half done, the rest planned or in progress."""
    now = w.stamp(timezone.now())
    for p in plans[::2]:
        due = today + dt.timedelta(days=rng.randrange(-400, 200))
        draw = rng.random()
        status = "done" if draw < 0.5 else ("in_progress" if draw < 0.75 else "planned")
        done = (
            (due - dt.timedelta(days=rng.randrange(0, 30))).isoformat()
            if status == "done"
            else None
        )
        yield (
            p.area_id, p.pk, rng.choice(MILESTONE_TITLES), due.isoformat(), None, status,
            done, "", 1, now, now,
        )  # fmt: skip


MILESTONE_COLUMNS = (
    "area_id", "project_id", "title", "due_date", "responsible_person_id", "status", "done_date",
    "note", "version", "created_at", "updated_at",
)  # fmt: skip


def _targets(
    areas: list[Area], years: list[int], window: list[tuple[int, int]], rng: random.Random
) -> tuple[int, int]:
    """A target per area, year and indicator; monthly actuals of the manual indicators."""
    indicators = list(Indicator.objects.all())
    targets = Target.objects.bulk_create(
        Target(area=a, year=y, indicator=i, value=Decimal(rng.randrange(100, 100_000)))
        for a in areas
        for y in years
        for i in indicators
    )
    manual = [i for i in indicators if i.source == "manual"]
    actuals = Actual.objects.bulk_create(
        (
            Actual(area=a, year=y, month=m, indicator=i, value=Decimal(rng.randrange(0, 10_000)))
            for a in areas
            for y, m in window
            for i in manual
        ),
        batch_size=5000,
    )
    return len(targets), len(actuals)


# --- the run -------------------------------------------------------------------------------


def synthesize(
    *,
    areas: int = 150,
    projects: int = 200_000,
    months: int = 24,
    seed: int = 2026,
    force: bool = False,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SynthResult:
    """Build the dataset; refuses a database with real (non-synthetic) areas unless ``force``."""
    if areas < 3 or projects < 1 or not 1 <= months <= 120:
        raise ValidationError("合成规模无效：地区数至少 3，项目数至少 1，月数 1–120。")
    if has_real_data() and not force:
        raise ValidationError(
            "该数据库已有非合成数据（行政区划），拒绝写入；确需写入请加 --force。"
        )
    today = today or timezone.localdate()
    rng = random.Random(seed)
    say = progress or (lambda _message: None)
    w = _Writer()
    window = month_window(today, months)
    years = sorted({y for y, _m in window})
    if not w.postgres and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -400000")
            cursor.execute("PRAGMA synchronous = OFF")
    result: SynthResult | None = None

    def step(name: str, run: Callable[[], int]) -> None:
        started = time.perf_counter()
        count = run()
        assert result is not None
        result.seconds[name] = time.perf_counter() - started
        result.counts[name] = count
        say(f"{name}: {count} rows in {result.seconds[name]:.1f} s")

    started = time.perf_counter()
    with transaction.atomic():
        province, cities, counties = _make_areas(areas)
        users = _make_people(province, cities, counties)
        clusters = _make_clusters(counties)
    result = SynthResult(province=province, users=users)
    result.seconds["areas"] = time.perf_counter() - started
    result.counts["areas"] = 1 + len(cities) + len(counties)
    result.counts["users"] = len(users)
    result.counts["clusters"] = sum(len(v) for v in clusters.values())
    first_id = (Project.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    plans = _plan_projects(projects, counties, rng, today, first_id)
    step(
        "projects",
        lambda: w.insert(
            "projects_project", PROJECT_COLUMNS, _project_rows(plans, clusters, rng, w)
        ),
    )
    _reset_sequences()
    step(
        "stage_events",
        lambda: w.insert("projects_stageevent", EVENT_COLUMNS, _event_rows(plans, w)),
    )
    step(
        "key_entries",
        lambda: w.insert(
            "construction_keyprojectentry", ENTRY_COLUMNS, _entry_rows(plans, years, rng, w)
        ),
    )
    step(
        "monthly_reports",
        lambda: w.insert(
            "construction_monthlyinvestment", REPORT_COLUMNS, _report_rows(plans, window, rng, w)
        ),
    )
    step(
        "milestones",
        lambda: w.insert(
            "construction_milestone", MILESTONE_COLUMNS, _milestone_rows(plans, rng, today, w)
        ),
    )
    everyone = [province, *cities, *counties]
    targets_actuals: list[int] = []

    def targets_run() -> int:
        with transaction.atomic():
            targets_actuals.extend(_targets(everyone, years, window, rng))
        return sum(targets_actuals)

    step("targets_and_actuals", targets_run)
    step("rollups", lambda: _rebuild_rollups([a.pk for a in everyone], years))
    step("year_rollup", lambda: _recount_year_rollup([a.pk for a in everyone]))
    step("analyze", _analyze)
    with transaction.atomic():
        audit_record(
            acting_user=None,
            action=AuditAction.CREATE,
            area=province,
            object_type="reports.synth",
            object_repr=f"合成数据 {province.name}（{projects} 个项目，{months} 个月）",
            after={"seed": seed, "counts": result.counts},
        )
    return result


def _recount_year_rollup(area_ids: list[int]) -> int:
    """The projects services' own dashboard rollup (``projects.rollups.recount``)."""
    from zhaoshang.projects import rollups
    from zhaoshang.projects.models import YearRollup

    with transaction.atomic():
        rollups.recount(area_ids)
    return YearRollup.objects.filter(area_id__in=area_ids).count()


def _rebuild_rollups(area_ids: list[int], years: list[int]) -> int:
    """The construction services' own rollup maintenance, once per year for every area."""
    from zhaoshang.construction.models import InvestmentRollup, KeyPlanRollup
    from zhaoshang.construction.services.investment import rollups_rebuild

    for year in years:
        rollups_rebuild(area_ids=area_ids, year=year)
    return (
        KeyPlanRollup.objects.filter(area_id__in=area_ids).count()
        + InvestmentRollup.objects.filter(area_id__in=area_ids).count()
    )


def _reset_sequences() -> None:
    """Explicit project ids: move PostgreSQL's sequence past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('projects_project', 'id'), "
            "(SELECT MAX(id) FROM projects_project))"
        )


def _analyze() -> int:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return 0


# --- the command -------------------------------------------------------------------------


class Command(BaseCommand):
    """``python bench/synth.py``; the tests run it with ``call_command(Command(), ...)``."""

    help = (
        "Generate synthetic areas, projects, key lists, monthly reports, milestones and "
        "targets for benchmarks (the database in DATABASE_URL); refuses real data unless --force."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = "python bench/synth.py"
        return parser

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--areas", type=int, default=150, help="areas in all (default 150)")
        parser.add_argument(
            "--projects", type=int, default=200_000, help="projects (default 200000)"
        )
        parser.add_argument("--months", type=int, default=24, help="months of reports (default 24)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable)")
        parser.add_argument(
            "--force", action="store_true", help="write even if the database holds real data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        name = connection.settings_dict["NAME"]
        self.stdout.write(f"synth → {connection.vendor} {name}")
        try:
            result = synthesize(
                areas=options["areas"],
                projects=options["projects"],
                months=options["months"],
                seed=options["seed"],
                force=options["force"],
                progress=self.stdout.write,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        total = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"done in {total:.1f} s: province {result.province.code} {result.province.name}"
            )
        )
        for key, count in result.counts.items():
            self.stdout.write(f"  {key:<22}{count:>12}")


def main(argv: list[str] | None = None) -> None:
    """Run :class:`Command` as Django runs a command: a refusal prints and exits 1."""
    Command().run_from_argv(["synth.py", "synth", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
