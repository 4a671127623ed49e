"""``bench/synth.py`` on a tiny scale: the expected rows, its refusal of real data, one audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from bench.synth import Command, month_window, synthesize
from zhaoshang.construction.models import (
    InvestmentRollup,
    KeyPlanRollup,
    KeyProjectEntry,
    Milestone,
    MonthlyInvestment,
)
from zhaoshang.core.models import Area, AuditEvent
from zhaoshang.projects.models import Project, StageEvent
from zhaoshang.reports import selectors
from zhaoshang.targets.models import Actual, Target

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def test_it_refuses_a_database_with_real_areas_and_writes_nothing():
    areas, audits = Area.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="非合成数据"):
        call_command(Command(), "--areas", "5", "--projects", "20", "--months", "2")
    assert Area.objects.count() == areas
    assert AuditEvent.objects.count() == audits
    assert not Project.objects.filter(code__startswith="SYN-").exists()


def test_it_refuses_a_nonsense_scale():
    with pytest.raises(ValidationError, match="合成规模无效"):
        synthesize(areas=2, projects=10, months=3, force=True, today=TODAY)
    assert not Area.objects.filter(name__startswith="合成").exists()


def test_it_builds_the_expected_rows_on_a_tiny_scale():
    audits = AuditEvent.objects.count()
    result = synthesize(areas=5, projects=200, months=3, seed=7, force=True, today=TODAY)
    province = result.province
    below = Area.objects.filter(path__startswith=province.path)
    assert below.count() == 5
    assert below.filter(level="city").count() == 1 and below.filter(level="county").count() == 3
    projects = Project.objects.filter(area__path__startswith=province.path)
    assert projects.count() == 200
    assert projects.filter(last_progress_on__isnull=True).count() == 0
    reports = MonthlyInvestment.objects.filter(area__path__startswith=province.path)
    assert reports.count() == 200 * 3
    assert set(reports.values_list("month", flat=True)) == {4, 5, 6}
    assert (
        StageEvent.objects.filter(project__in=projects).values("project").distinct().count() == 200
    )
    entries = KeyProjectEntry.objects.filter(project__in=projects)
    assert entries.values("project").distinct().count() == 67  # every third project
    assert Milestone.objects.filter(project__in=projects).count() == 100
    assert Target.objects.filter(area__in=below).count() == 5 * 6  # one year, six indicators
    assert Actual.objects.filter(area__in=below).count() == 5 * 3 * 3  # 3 months, 3 manual
    assert result.counts["monthly_reports"] == 600 and result.counts["projects"] == 200
    # the rollups (construction's own rebuild) hold exactly the key projects' reports
    rolled = sum(r.reports for r in InvestmentRollup.objects.filter(area__in=below))
    assert rolled == reports.filter(project__key_entries__year=2026).distinct().count()
    assert KeyPlanRollup.objects.filter(area__in=below).exists()
    assert AuditEvent.objects.count() == audits + 1
    event = AuditEvent.objects.latest("id")
    assert event.object_type == "reports.synth" and event.after["counts"]["projects"] == 200


def test_it_feeds_the_dashboards():
    result = synthesize(areas=5, projects=60, months=2, seed=3, force=True, today=TODAY)
    user = result.users["province"]
    funnel = selectors.stage_funnel(user, area=result.province)
    assert sum(s.count for s in funnel) == 60
    county = result.users["county"]
    assert selectors.stage_funnel(county, area=result.province) == selectors.stage_funnel(
        county, area=county.area
    )  # a county user reading the province sees only their own county


def test_it_repeats_with_the_same_seed():
    first = synthesize(areas=4, projects=30, months=1, seed=11, force=True, today=TODAY)
    second = synthesize(areas=4, projects=30, months=1, seed=11, force=True, today=TODAY)
    assert first.province.code != second.province.code  # a second synthetic province
    stages = [
        list(
            Project.objects.filter(area__path__startswith=r.province.path)
            .order_by("id")
            .values_list("stage", "total_investment")
        )
        for r in (first, second)
    ]
    assert stages[0] == stages[1]


def test_it_ends_the_window_with_this_month():
    assert month_window(dt.date(2026, 2, 10), 3) == [(2025, 12), (2026, 1), (2026, 2)]
    assert len(month_window(TODAY, 24)) == 24


def test_it_runs_as_a_command_with_force(capsys):
    call_command(Command(), "--areas", "5", "--projects", "20", "--months", "2", "--force")
    out = capsys.readouterr().out
    assert "monthly_reports" in out and "40" in out
