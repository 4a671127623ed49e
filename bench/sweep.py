"""Benchmark: the daily sweep's milestone step against the same INSERTs as raw SQL.

    .venv/bin/python bench/sweep.py [--milestones 1000000] [--areas 150] [--loop 2000]

Builds its own data in a temporary SQLite file: ``--areas`` counties, one
responsible user per area, ``--milestones`` milestones spread over them (a
third overdue, a tenth due on the next working day, the rest later or done),
written with raw bulk INSERTs. Then, each on a fresh copy of the alerts table:

* ``sweep``: ``construction.sweep.sweep_milestones`` (the app's step:
  ``notify_query`` → three ``INSERT … SELECT … ON CONFLICT DO NOTHING``);
* ``floor``: the same alerts written by two hand-written ``INSERT … SELECT``
  statements on a raw cursor (no outbox, no translation);
* ``loop``: the per-row way (read each milestone, ``services.notify`` it) on the
  first ``--loop`` milestones, scaled to all of them.

Prints times, the ratios (goal: sweep ≤ 3× floor), the alerts a second sweep
creates (must be 0) and the peak Python memory (tracemalloc) of the sweep.
The approval items' step is to be added here when it exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--milestones", type=int, default=1_000_000)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--loop", type=int, default=2000, help="rows timed in the per-row loop")
    return parser.parse_args()


ARGS = _args()
WORK = Path(tempfile.mkdtemp(prefix="zs-bench-sweep-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("ZHAOSHANG_VAR_DIR", str(WORK))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhaoshang.construction.sweep import due_until, sweep_milestones  # noqa: E402
from zhaoshang.core import services  # noqa: E402
from zhaoshang.core.models import Alert  # noqa: E402

TODAY = dt.date(2026, 11, 27)


def build() -> None:
    """Areas, users, persons, projects and milestones by raw bulk INSERT (fast, realistic)."""
    now = timezone.now().isoformat()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_area (code, name, level, parent_id, path) "
            "VALUES ('410000', '省', 'province', NULL, '410000/')"
        )
        province = cur.lastrowid
        for n in range(ARGS.areas):
            code = f"41{1000 + n:04d}"
            cur.execute(
                "INSERT INTO core_area (code, name, level, parent_id, path) "
                "VALUES (%s, %s, %s, %s, %s)",
                [code, f"县{n}", "county", province, f"410000/{code}/"],
            )
            area = cur.lastrowid
            cur.execute(
                "INSERT INTO core_user (password, is_superuser, username, first_name, last_name, "
                "email, is_staff, is_active, date_joined, full_name, title, phone, area_id, "
                "language, must_change_password) VALUES ('!', 0, %s, '', '', '', 0, 1, %s, %s, "
                "'', '', %s, 'zh-hans', 0)",
                [f"u{n}", now, f"责任人{n}", area],
            )
            user = cur.lastrowid
            cur.execute(
                "INSERT INTO core_person (area_id, name, post, rank, phone, user_id, active, "
                "version, created_at, updated_at) VALUES (%s, %s, '', 'officer', '', %s, 1, 1, "
                "%s, %s)",
                [area, f"责任人{n}", user, now, now],
            )
        cur.execute("SELECT id, area_id FROM core_person")
        people = cur.fetchall()
    _projects_and_milestones(people, now)


def _projects_and_milestones(people: list[tuple[int, int]], now: str) -> None:
    from zhaoshang.projects.models import Project

    projects = []
    for _person, area in people:
        project = Project(area_id=area, name=f"项目{area}")
        project.created_at = project.updated_at = timezone.now()
        projects.append(project)
    Project.objects.bulk_create(projects)
    project_of = dict(Project.objects.values_list("area_id", "id"))
    rows = []
    next_day = due_until(TODAY)
    for n in range(ARGS.milestones):
        person, area = people[n % len(people)]
        kind = n % 30
        if kind < 10:
            due, status = TODAY - dt.timedelta(days=1 + n % 40), "planned"
        elif kind < 13:
            due, status = next_day, "in_progress"
        elif kind < 20:
            due, status = TODAY - dt.timedelta(days=5), "done"
        else:
            due, status = TODAY + dt.timedelta(days=10 + n % 90), "planned"
        rows.append((area, project_of[area], f"节点{n}", due.isoformat(), person, status, now, now))
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO construction_milestone (area_id, project_id, title, due_date, "
            "responsible_person_id, status, note, version, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, '', 1, %s, %s)",
            rows,
        )


FLOOR_SQL = """
INSERT INTO core_alert (recipient_id, area_id, kind, title, body, link, object_type,
                        object_id, key, created_at)
SELECT p.user_id, m.area_id, %s, '工作节点逾期：' || m.title,
       pr.name || '：「' || m.title || '」应于 ' || m.due_date || ' 完成，尚未完成。',
       '/construction/projects/' || m.project_id || '/workplan/', 'construction.milestone',
       CAST(m.id AS text), %s || m.id || ':' || m.due_date, %s
FROM construction_milestone m
JOIN core_person p ON p.id = m.responsible_person_id
JOIN projects_project pr ON pr.id = m.project_id
WHERE m.status <> 'done' AND {where} AND p.user_id IS NOT NULL
ON CONFLICT DO NOTHING
"""


def floor() -> int:
    now = timezone.now()
    total = 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            FLOOR_SQL.format(where="m.due_date < %s"),
            ["milestone_overdue", "milestone-overdue:", now, TODAY.isoformat()],
        )
        total += cur.rowcount
        cur.execute(
            FLOOR_SQL.format(where="m.due_date >= %s AND m.due_date <= %s"),
            [
                "milestone_due",
                "milestone-due:",
                now,
                TODAY.isoformat(),
                due_until(TODAY).isoformat(),
            ],
        )
        total += cur.rowcount
    return total


def loop(limit: int) -> int:
    from zhaoshang.construction.models import Milestone

    created = 0
    rows = (
        Milestone.objects.exclude(status="done")
        .filter(due_date__lte=due_until(TODAY))
        .select_related("responsible_person__user", "project", "area")[:limit]
    )
    with transaction.atomic():
        for m in rows:
            kind = "milestone_overdue" if m.due_date < TODAY else "milestone_due"
            created += services.notify(
                recipients=[m.responsible_person.user if m.responsible_person else None],
                kind=kind,
                title=f"工作节点逾期：{m.title}",
                body=f"{m.project.name}：「{m.title}」应于 {m.due_date} 完成，尚未完成。",
                link=f"/construction/projects/{m.project_id}/workplan/",
                key=f"{kind}:{m.pk}:{m.due_date}",
                area=m.area,
                instance=m,
            )
    return created


def clear() -> None:
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_outboxmessage")
        cur.execute("DELETE FROM core_alert")


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    call_command("migrate", verbosity=0)
    seconds, _ = timed(build)
    print(f"built {ARGS.milestones:,} milestones over {ARGS.areas} areas in {seconds:.1f} s")

    floor_s, floor_n = timed(floor)
    clear()
    tracemalloc.start()
    with transaction.atomic():
        sweep_s, counts = timed(sweep_milestones, TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with transaction.atomic():
        again_s, again = timed(sweep_milestones, TODAY)
    sweep_n = sum(counts.values())
    clear()
    loop_s, loop_n = timed(loop, ARGS.loop)
    loop_all = loop_s / max(loop_n, 1) * sweep_n

    print(
        f"alerts: sweep {sweep_n:,} (floor {floor_n:,}); second sweep created {sum(again.values())}"
    )
    print(f"floor (2 raw INSERT…SELECT):   {floor_s:8.2f} s")
    print(
        f"sweep (sweep_milestones):       {sweep_s:8.2f} s   ratio {sweep_s / floor_s:5.2f}× floor"
    )
    print(f"second sweep (nothing new):     {again_s:8.2f} s")
    print(
        f"per-row loop (notify each):     {loop_all:8.2f} s   (timed {loop_n:,} rows, scaled) "
        f"ratio {loop_all / floor_s:5.1f}× floor"
    )
    print(f"peak Python memory in the sweep: {peak / 1024 / 1024:.1f} MiB")
    print(f"alerts in the table: {Alert.objects.count():,}")


if __name__ == "__main__":
    main()
