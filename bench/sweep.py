"""Benchmark: the daily sweep (milestones and approval items) against raw SQL and a row loop.

    .venv/bin/python bench/sweep.py [--milestones 1000000] [--items N] [--areas 150] [--loop 2000]

Builds its own data in a temporary SQLite file: ``--areas`` counties, one
responsible user (a Person, also the 代办员) per area, ``--milestones``
milestones (a third overdue, a tenth due on the next working day, the rest later
or done) and ``--items`` approval items (default: as many as milestones; every
status and light occurs, one in twenty accepted items has its clock paused),
all written with raw bulk INSERTs. Then, for each of the two steps:

* ``floor``: the same writes as hand-written statements on a raw cursor —
  milestones: two ``INSERT … SELECT``; approvals: seven ``UPDATE … WHERE`` for
  the lights and two ``INSERT … SELECT`` for the alerts (no outbox, no
  translation);
* ``sweep``: the app's step (``construction.sweep.sweep_milestones``,
  ``approvals.sweep.sweep_approvals``: ``notify_query`` → ``INSERT … SELECT …
  ON CONFLICT DO NOTHING``), from the same starting state;
* ``loop``: the per-row way (read each row, save its light, ``services.notify``
  it) on the first ``--loop`` rows, scaled to all of them.

Prints per step and in total the times, the ratios (goal: sweep ≤ 3× floor; the best of
``--rounds`` interleaved rounds),
the alerts a second sweep creates (must be 0) and the peak Python memory
(tracemalloc) of the sweep.
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
    parser.add_argument(
        "--items", type=int, default=None, help="approval items (default: = milestones)"
    )
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--loop", type=int, default=2000, help="rows timed in the per-row loop")
    parser.add_argument("--rounds", type=int, default=2, help="floor/sweep rounds (best kept)")
    args = parser.parse_args()
    if args.items is None:
        args.items = args.milestones
    return args


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

from zhaoshang.approvals.selectors import with_light, yellow_until  # noqa: E402
from zhaoshang.approvals.sweep import sweep_approvals  # noqa: E402
from zhaoshang.construction.sweep import due_until, sweep_milestones  # noqa: E402
from zhaoshang.core import services  # noqa: E402
from zhaoshang.core.models import Alert  # noqa: E402

TODAY = dt.date(2026, 11, 27)
#: approval item types in the catalogue: each project has one item of each
TYPES = 10


def build() -> None:
    """Areas, users, persons, projects, milestones and items by raw bulk INSERT."""
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
        cur.execute("SELECT id, area_id FROM core_person ORDER BY id")
        people = cur.fetchall()
    project_of = _projects(people)
    _milestones(people, project_of, now)
    _items(people, project_of, province, now)


def _projects(people: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Enough projects per area for the items (one of each catalogue type per project)."""
    from zhaoshang.projects.models import Project

    per_area = max(1, -(-ARGS.items // (len(people) * TYPES)))
    projects = []
    for _person, area in people:
        for k in range(per_area):
            project = Project(area_id=area, name=f"项目{area}-{k}")
            project.created_at = project.updated_at = timezone.now()
            projects.append(project)
    Project.objects.bulk_create(projects, batch_size=5000)
    project_of: dict[int, list[int]] = {}
    for area, pk in Project.objects.order_by("id").values_list("area_id", "id"):
        project_of.setdefault(area, []).append(pk)
    return project_of


def _milestones(people: list[tuple[int, int]], project_of: dict[int, list[int]], now: str) -> None:
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
        project = project_of[area][0]
        rows.append((area, project, f"节点{n}", due.isoformat(), person, status, now, now))
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO construction_milestone (area_id, project_id, title, due_date, "
            "responsible_person_id, status, note, version, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, '', 1, %s, %s)",
            rows,
        )


def _item_types(province: int) -> list[int]:
    """The catalogue: ``TYPES`` items of one bureau (the ORM: ten rows)."""
    from zhaoshang.approvals.choices import Phase
    from zhaoshang.approvals.models import ApprovalItemType
    from zhaoshang.core.choices import UnitKind
    from zhaoshang.core.models import Unit

    unit = Unit.objects.create(name="基准审批局", kind=UnitKind.BUREAU, area_id=province)
    return [
        ApprovalItemType.objects.create(
            area_id=province,
            phase=Phase.LAND_PLANNING,
            name=f"事项{k}",
            department=unit,
            legal_limit=20,
            promised_limit=13,
            order=k,
        ).pk
        for k in range(TYPES)
    ]


def _item_row(n: int) -> tuple[str, str | None, str | None, str | None]:
    """Status, accepted_on, due_date, done_on of the n-th item: every light occurs."""
    kind = n % 20
    due = TODAY + dt.timedelta(days=n % 61 - 30)
    accepted = (due - dt.timedelta(days=20)).isoformat()
    if kind < 2:
        return "not_started", None, None, None
    if kind < 4:
        return "submitted", None, None, None
    if kind < 14:
        return "accepted", accepted, due.isoformat(), None
    done = due + dt.timedelta(days=n % 16 - 10)
    status = "refused" if kind == 19 else "approved"
    return status, accepted, due.isoformat(), done.isoformat()


def _items(
    people: list[tuple[int, int]], project_of: dict[int, list[int]], province: int, now: str
) -> None:
    types = _item_types(province)
    rows = []
    for n in range(ARGS.items):
        person, area = people[n % len(people)]
        slot = n // len(people)
        project = project_of[area][slot // TYPES]
        status, accepted, due, done = _item_row(n)
        rows.append(
            (area, project, types[slot % TYPES], person, status, accepted, due, done, now, now)
        )
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO approvals_approvalitem (area_id, project_id, item_type_id, agent_id, "
            "status, mode, promised_limit, legal_limit, accepted_on, due_date, done_on, "
            "due_provisional, paused_days, document_number, outcome, sim_document_number, "
            'sim_status, light, overdue, "order", version, created_at, updated_at) VALUES '
            "(%s, %s, %s, %s, %s, 'formal', 13, 20, %s, %s, %s, 0, 0, '', '', '', '', '', 0, "
            "0, 1, %s, %s)",
            rows,
        )
        cur.execute(
            "INSERT INTO approvals_approvalpause (item_id, kind, reason, start, working_days, "
            "recorded_at) SELECT id, 'hearing', 'bench', %s, 0, %s FROM approvals_approvalitem "
            "WHERE status = 'accepted' AND id %% 20 = 7",
            [TODAY.isoformat(), now],
        )


# --- the floors: the same writes as hand-written SQL ----------------------------------------

MILESTONE_FLOOR = """
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

ITEM_FLOOR = """
INSERT INTO core_alert (recipient_id, area_id, kind, title, body, link, object_type,
                        object_id, key, created_at)
SELECT p.user_id, i.area_id, %s, %s || t.name,
       pr.name || '：「' || t.name || '」应于 ' || i.due_date || ' 办结（承诺时限）。',
       '/approvals/projects/' || i.project_id || '/', 'approvals.approvalitem',
       CAST(i.id AS text), %s || i.id || ':' || i.due_date, %s
FROM approvals_approvalitem i
JOIN core_person p ON p.id = i.agent_id
JOIN projects_project pr ON pr.id = i.project_id
JOIN approvals_approvalitemtype t ON t.id = i.item_type_id
WHERE i.light = %s AND p.user_id IS NOT NULL
ON CONFLICT DO NOTHING
"""


def floor_milestones() -> int:
    now = timezone.now()
    total = 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            MILESTONE_FLOOR.format(where="m.due_date < %s"),
            ["milestone_overdue", "milestone-overdue:", now, TODAY.isoformat()],
        )
        total += cur.rowcount
        cur.execute(
            MILESTONE_FLOOR.format(where="m.due_date >= %s AND m.due_date <= %s"),
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


def floor_items() -> int:
    """The seven light UPDATEs, then one INSERT … SELECT per alert kind."""
    table, pauses = "approvals_approvalitem", "approvals_approvalpause"
    done = "status IN ('approved', 'refused')"
    late = "(due_date IS NOT NULL AND done_on IS NOT NULL AND done_on > due_date)"
    running = "(status = 'accepted' AND due_date IS NOT NULL)"
    paused = f'EXISTS (SELECT 1 FROM {pauses} p WHERE p.item_id = {table}.id AND p."end" IS NULL)'
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
    now, total = timezone.now(), 0
    with transaction.atomic(), connection.cursor() as cur:
        for light, where, params in rules:
            cur.execute(
                f"UPDATE {table} SET light = %s, light_since = %s, overdue = %s "
                f"WHERE {where} AND light <> %s",
                [light, TODAY, light in ("red", "late"), *params, light],
            )
        for kind, title, key, light in (
            ("approval_overdue", "审批事项逾期：", "approval-overdue:", "red"),
            ("approval_due", "审批事项即将到期：", "approval-due:", "yellow"),
        ):
            cur.execute(ITEM_FLOOR, [kind, title, key, now, light])
            total += cur.rowcount
    return total


# --- the per-row loops ------------------------------------------------------------------------


def loop_milestones(limit: int) -> int:
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


def loop_items(limit: int) -> int:
    """Read each item with its light, save a changed one, tell the agent of a 红/黄 one."""
    from zhaoshang.approvals.models import ApprovalItem

    created = 0
    rows = with_light(ApprovalItem.objects.all(), TODAY).select_related(
        "agent__user", "project", "area", "item_type"
    )
    with transaction.atomic():
        for item in rows.order_by("pk")[:limit]:
            light = item.live_light  # type: ignore[attr-defined]
            if item.light == light:
                continue
            item.light, item.light_since, item.overdue = light, TODAY, light in ("red", "late")
            item.save(update_fields=["light", "light_since", "overdue"])
            if light in ("red", "yellow"):
                kind = "approval_overdue" if light == "red" else "approval_due"
                created += services.notify(
                    recipients=[item.agent.user if item.agent else None],
                    kind=kind,
                    title=f"审批事项逾期：{item.item_type.name}",
                    body=f"{item.project.name}：「{item.item_type.name}」应于 {item.due_date}。",
                    link=f"/approvals/projects/{item.project_id}/",
                    key=f"{kind}:{item.pk}:{item.due_date}",
                    area=item.area,
                    instance=item,
                )
    return created


def clear() -> None:
    """Back to the starting state: no alerts, no messages, no stored lights."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_outboxmessage")
        cur.execute("DELETE FROM core_alert")
        cur.execute(
            "UPDATE approvals_approvalitem SET light = '', light_since = NULL, overdue = %s",
            [False],
        )


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def _sweep_both() -> tuple[float, float, int, int]:
    with transaction.atomic():
        m_s, m_counts = timed(sweep_milestones, TODAY)
    with transaction.atomic():
        i_s, i_counts = timed(sweep_approvals, TODAY)
    m_n = sum(m_counts.values())
    i_n = i_counts["approval_overdue"] + i_counts["approval_due"]
    return m_s, i_s, m_n, i_n


def _line(name: str, floor_s: float, sweep_s: float, loop_s: float) -> None:
    print(
        f"{name:<12} floor {floor_s:8.2f} s   sweep {sweep_s:8.2f} s "
        f"({sweep_s / floor_s:5.2f}× floor, goal ≤ 3×)   "
        f"per-row loop {loop_s:9.1f} s ({loop_s / floor_s:6.1f}× floor)"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    seconds, _ = timed(build)
    print(
        f"built {ARGS.milestones:,} milestones and {ARGS.items:,} approval items "
        f"over {ARGS.areas} areas in {seconds:.1f} s"
    )
    floors: list[tuple[float, float]] = []
    sweeps: list[tuple[float, float]] = []
    peak = 0
    for _round in range(ARGS.rounds):  # interleaved, each from the same cleared state
        clear()
        floor_m, floor_m_n = timed(floor_milestones)
        floor_i, floor_i_n = timed(floor_items)
        floors.append((floor_m, floor_i))
        clear()
        tracemalloc.start()
        sweep_m, sweep_i, sweep_m_n, sweep_i_n = _sweep_both()
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        sweeps.append((sweep_m, sweep_i))
    floor_m, floor_i = min(f[0] for f in floors), min(f[1] for f in floors)
    sweep_m, sweep_i = min(s[0] for s in sweeps), min(s[1] for s in sweeps)
    again_m, again_i, again_m_n, again_i_n = _sweep_both()
    alerts = Alert.objects.count()
    clear()
    loop_m, loop_m_n = timed(loop_milestones, ARGS.loop)
    loop_i, _ = timed(loop_items, ARGS.loop)
    loop_m_all = loop_m / max(loop_m_n, 1) * sweep_m_n
    loop_i_all = loop_i / ARGS.loop * ARGS.items

    print(
        f"alerts: milestones {sweep_m_n:,} (floor {floor_m_n:,}), "
        f"approval items {sweep_i_n:,} (floor {floor_i_n:,}); in the table {alerts:,}"
    )
    _line("milestones", floor_m, sweep_m, loop_m_all)
    _line("items", floor_i, sweep_i, loop_i_all)
    _line("total", floor_m + floor_i, sweep_m + sweep_i, loop_m_all + loop_i_all)
    print(
        f"second sweep: {again_m_n + again_i_n} new alerts (must be 0) in {again_m + again_i:.2f} s"
    )
    print(
        f"best of {ARGS.rounds} interleaved rounds; "
        f"per-row loops timed on {ARGS.loop:,} rows each, scaled"
    )
    print(f"peak Python memory in the sweep: {peak / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
