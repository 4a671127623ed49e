"""The milestone list's 完成 button: done today, version checked, 404 outside the area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.helpers import signed_in_client
from zhaoshang.construction.choices import MilestoneStatus
from zhaoshang.construction.models import Milestone
from zhaoshang.construction.services.workplan import milestone_create
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.projects import services as project_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone() -> Milestone:
    staff = User.objects.get(username="yc_staff")
    project = project_services.project_create(
        acting_user=staff,
        area=staff.area,
        name="完成按钮测试项目",
        investor_name="测试投资方",
        total_investment=Decimal("8000"),
        event_date=dt.date(2026, 1, 5),
    )
    return milestone_create(
        acting_user=staff, project=project, title="土地摘牌", due_date=dt.date(2027, 1, 10)
    )


def url(m: Milestone) -> str:
    return f"/construction/milestones/{m.pk}/done/"


def test_the_list_offers_the_button_to_a_writer_only(milestone):
    action = url(milestone)
    assert action in signed_in_client("yc_staff").get("/construction/milestones/").content.decode()
    viewer = signed_in_client("yc_viewer").get("/construction/milestones/").content.decode()
    assert "土地摘牌" in viewer and action not in viewer


def test_it_marks_the_milestone_done_today_audited_and_back_to_the_filtered_list(milestone):
    audits = AuditEvent.objects.count()
    r = signed_in_client("yc_staff").post(
        url(milestone), {"version": milestone.version, "query": "status=planned"}
    )
    assert r.status_code == 302
    assert r["Location"] == "/construction/milestones/?status=planned"
    fresh = Milestone.objects.get(pk=milestone.pk)
    assert (fresh.status, fresh.done_date) == (MilestoneStatus.DONE, timezone.localdate())
    assert fresh.version == milestone.version + 1
    assert AuditEvent.objects.count() == audits + 1
    page = signed_in_client("yc_staff").get("/construction/milestones/").content.decode()
    assert url(milestone) not in page  # a done milestone has no button


def test_it_refuses_a_stale_version_with_a_message_and_writes_nothing(milestone):
    audits = AuditEvent.objects.count()
    client = signed_in_client("yc_staff")
    r = client.post(url(milestone), {"version": milestone.version + 5}, follow=True)
    assert r.status_code == 200
    assert [m.level_tag for m in r.context["messages"]] == ["error"]
    fresh = Milestone.objects.get(pk=milestone.pk)
    assert fresh.status == MilestoneStatus.PLANNED and fresh.done_date is None
    assert AuditEvent.objects.count() == audits


def test_it_refuses_a_missing_version_without_a_500(milestone):
    r = signed_in_client("yc_staff").post(url(milestone), {"version": "x"})
    assert r.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).status == MilestoneStatus.PLANNED


@pytest.mark.parametrize("username", ["xp_staff", "yc_viewer"])
def test_the_outsider_and_the_viewer_get_404_and_nothing_is_written(milestone, username):
    r = signed_in_client(username).post(url(milestone), {"version": milestone.version})
    assert r.status_code == 404
    assert Milestone.objects.get(pk=milestone.pk).status == MilestoneStatus.PLANNED


def test_it_accepts_post_only(milestone):
    assert signed_in_client("yc_staff").get(url(milestone)).status_code == 405
