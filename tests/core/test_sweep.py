"""The daily sweep: the milestone step's alerts, idempotency, the step lock, the command,
and two sweeps run at once by two processes on one database file."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhaoshang.construction.choices import MilestoneStatus
from zhaoshang.construction.models import Milestone
from zhaoshang.construction.services import workplan as construction_services
from zhaoshang.construction.sweep import STEP_NAME, sweep_milestones
from zhaoshang.core.choices import AlertKind, RobotKind, SweepStatus
from zhaoshang.core.models import Alert, AlertRobot, OutboxMessage, Person, SweepRun, User
from zhaoshang.core.sweep import claim_step, register_sweep_step, run_sweep
from zhaoshang.core.tasks import sweep_due
from zhaoshang.projects import services as project_services

TODAY = dt.date(2026, 11, 27)  # a Friday: the next working day is Monday 2026-11-30


def _milestones(person: Person, nobody: Person) -> dict[str, Milestone]:
    project = project_services.project_create(
        acting_user=None, area=person.area, name="清扫测试项目"
    )

    def make(title: str, due: dt.date, who: Person) -> Milestone:
        return construction_services.milestone_create(
            acting_user=None, project=project, title=title, due_date=due, responsible_person=who
        )

    rows = {
        "late": make("清扫测试：逾期", TODAY - dt.timedelta(days=3), person),
        "monday": make("清扫测试：周一到期", dt.date(2026, 11, 30), person),
        "tuesday": make("清扫测试：周二到期", dt.date(2026, 12, 1), person),
        "no_login": make("清扫测试：责任人无账号", TODAY - dt.timedelta(days=1), nobody),
        "done": make("清扫测试：已完成", TODAY - dt.timedelta(days=5), person),
    }
    Milestone.objects.filter(pk=rows["done"].pk).update(
        status=MilestoneStatus.DONE, done_date=TODAY - dt.timedelta(days=6)
    )
    return rows


@pytest.fixture
def rows(person_named: Callable[[str], Person]) -> dict[str, Milestone]:
    person = person_named("yc_staff")
    nobody = Person.objects.create(area=person.area, name="无账号责任人")
    return _milestones(person, nobody)


def _mine(rows: dict[str, Milestone]) -> Any:
    ids = [str(m.pk) for m in rows.values()]
    return Alert.objects.filter(object_type="construction.milestone", object_id__in=ids)


@pytest.mark.django_db
def test_it_alerts_overdue_and_next_working_day_milestones_once(
    rows: dict[str, Milestone], user_named: Callable[[str], User]
) -> None:
    staff = user_named("yc_staff")
    robot = AlertRobot.objects.create(
        area=staff.area, name="项目群", kind=RobotKind.WECOM, webhook_url="http://127.0.0.1:9/w"
    )

    sweep_milestones(TODAY)

    alerts = {(a.object_id, a.kind) for a in _mine(rows)}
    assert alerts == {
        (str(rows["late"].pk), AlertKind.MILESTONE_OVERDUE),
        (str(rows["monday"].pk), AlertKind.MILESTONE_DUE),
    }
    late = _mine(rows).get(kind=AlertKind.MILESTONE_OVERDUE)
    assert late.recipient == staff and late.area == rows["late"].area
    assert late.key == f"milestone-overdue:{rows['late'].pk}:{rows['late'].due_date}"
    assert rows["late"].title in late.title and str(rows["late"].due_date) in late.body
    assert late.link == f"/construction/projects/{rows['late'].project_id}/workplan/"
    # the group robot hears of the milestone whose responsible person has no account too
    robot_keys = set(OutboxMessage.objects.filter(robot=robot).values_list("key", flat=True))
    assert f"milestone-overdue:{rows['no_login'].pk}:{rows['no_login'].due_date}" in robot_keys

    before = (Alert.objects.count(), OutboxMessage.objects.count())
    again = sweep_milestones(TODAY)
    assert again == {AlertKind.MILESTONE_OVERDUE: 0, AlertKind.MILESTONE_DUE: 0}
    assert (Alert.objects.count(), OutboxMessage.objects.count()) == before


@pytest.mark.django_db
def test_a_moved_due_date_missed_again_is_reported_again(rows: dict[str, Milestone]) -> None:
    sweep_milestones(TODAY)
    Milestone.objects.filter(pk=rows["late"].pk).update(due_date=TODAY - dt.timedelta(days=1))

    sweep_milestones(TODAY)

    assert _mine(rows).filter(kind=AlertKind.MILESTONE_OVERDUE).count() == 2


@pytest.mark.django_db
def test_run_sweep_records_each_step_and_reruns_without_duplicates(
    rows: dict[str, Milestone],
) -> None:
    first = {r.step.name: r for r in run_sweep(TODAY)}
    assert first[STEP_NAME].status == "done"
    assert first[STEP_NAME].counts[AlertKind.MILESTONE_OVERDUE] >= 1

    second = {r.step.name: r for r in run_sweep(TODAY)}

    assert second[STEP_NAME].status == "done"
    assert set(second[STEP_NAME].counts.values()) == {0}
    run = SweepRun.objects.get(day=TODAY, step=STEP_NAME)
    assert (run.status, run.runs) == (SweepStatus.DONE, 2)


@pytest.mark.django_db
def test_a_step_another_sweep_holds_is_skipped_until_its_lease_expires(settings: Any) -> None:
    calls: list[dt.date] = []
    register_sweep_step("test.lock", lambda day: calls.append(day) or {})
    try:
        assert claim_step(TODAY, "test.lock") is not None  # another sweep is running it
        assert [r.status for r in run_sweep(TODAY, only="test.lock")] == ["skipped"]
        assert calls == []

        stale = timezone.now() - dt.timedelta(minutes=settings.ZHAOSHANG_SWEEP_LEASE_MINUTES + 1)
        SweepRun.objects.filter(step="test.lock").update(started_at=stale)
        assert [r.status for r in run_sweep(TODAY, only="test.lock")] == ["done"]
        assert calls == [TODAY]
    finally:
        from zhaoshang.core import sweep

        sweep._STEPS.pop("test.lock", None)


@pytest.mark.django_db
def test_a_failing_step_rolls_back_and_the_others_still_run(rows: dict[str, Milestone]) -> None:
    def broken(day: dt.date) -> dict[str, int]:
        Alert.objects.filter(object_id=str(rows["late"].pk)).delete()
        raise RuntimeError("boom")

    register_sweep_step("test.broken", broken)
    try:
        results = {r.step.name: r for r in run_sweep(TODAY)}
    finally:
        from zhaoshang.core import sweep

        sweep._STEPS.pop("test.broken", None)

    assert results["test.broken"].status == "failed" and "boom" in results["test.broken"].error
    assert results[STEP_NAME].status == "done"
    assert SweepRun.objects.get(step="test.broken").status == SweepStatus.FAILED


@pytest.mark.django_db
def test_the_command_prints_the_counts(rows: dict[str, Milestone]) -> None:
    out = io.StringIO()
    call_command("sweep", "--date", TODAY.isoformat(), "--step", STEP_NAME, stdout=out)

    assert _mine(rows).count() == 2
    assert "新" in out.getvalue() or "new" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_step_and_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sweep", "--step", "nope")
    with pytest.raises(CommandError):
        call_command("sweep", "--date", "2026-13-01")
    assert not SweepRun.objects.exists()


@pytest.mark.django_db
def test_the_schedule_runs_at_eight_shanghai_on_working_days_only() -> None:
    shanghai = timezone.get_default_timezone()
    at = dt.datetime(2026, 11, 27, 8, 0, tzinfo=shanghai)
    assert sweep_due(at) is True
    assert sweep_due(at.replace(hour=9)) is False
    assert sweep_due(at.replace(day=28)) is False  # a Saturday
    assert sweep_due(dt.datetime(2026, 10, 1, 8, 0, tzinfo=shanghai)) is False  # 国庆


# --- two sweeps at once -------------------------------------------------------------

SEED = """
import datetime as dt
import django
django.setup()
from zhaoshang.core.demo import load_demo
from zhaoshang.core.models import Person
from zhaoshang.projects.services import project_create
from zhaoshang.construction.services import workplan as services
load_demo()
person = Person.objects.get(user__username="yc_staff")
project = project_create(acting_user=None, area=person.area, name="并发测试项目")
for n in range(300):
    services.milestone_create(
        acting_user=None, project=project, title=f"并发{n}",
        due_date=dt.date(2026, 11, 1), responsible_person=person,
    )
"""


@pytest.mark.django_db  # only for the connection's settings: the processes use their own
def test_two_sweeps_at_once_create_each_alert_once(tmp_path: Path, own_database: str) -> None:
    """Two processes, each with its own connection, sweep one database at the same time
    (SQLite or PostgreSQL, whichever the suite runs on): each alert exists once, and
    of the two, one ran the step while the other skipped it (or ran it after)."""
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "ZHAOSHANG_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
        "ZHAOSHANG_HUEY_IMMEDIATE": "false",
    }
    cli = [sys.executable, "-c", "from zhaoshang.cli import main; main()"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=300)

    assert run("migrate", "-v0").returncode == 0
    seeded = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SEED)], env=env, capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    sweeps = [
        subprocess.Popen(
            [*cli, "sweep", "--date", "2026-11-27", "--step", STEP_NAME],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in sweeps]
    assert [p.returncode for p in sweeps] == [0, 0], outputs

    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from django.db.models import Count\n"
            "from zhaoshang.core.models import Alert, SweepRun\n"
            "rows = Alert.objects.filter(title__contains='并发')\n"
            "dupes = rows.values('recipient', 'object_id')"
            ".annotate(n=Count('id')).filter(n__gt=1)\n"
            "run = SweepRun.objects.get()\n"
            "print(rows.count(), dupes.count(), run.status, run.runs)",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    count, dupes, status, runs = check.stdout.split()
    assert (int(count), int(dupes), status) == (300, 0, "done")
    skipped = sum("跳过" in out or "skipped" in out for out, _err in outputs)
    assert skipped + int(runs) == 2  # one ran and one skipped, or both ran in turn
