"""Project and enterprise pages: happy path, bad input, the outsider's 404, query counts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import person_of
from tests.helpers import assert_visibility
from zhaoshang.core.models import Area
from zhaoshang.projects import services
from zhaoshang.projects.models import Attachment, Enterprise, Project, StageEvent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def project(user_named):  # type: ignore[no-untyped-def]
    staff = user_named("yc_staff")
    return services.project_create(
        acting_user=staff,
        area=staff.area,
        name="驿城测试项目",
        investor_name="苏州某公司",
        total_investment=Decimal("1200"),
        event_date=TODAY - dt.timedelta(days=10),
    )


@pytest.fixture
def xiping_project(user_named):  # type: ignore[no-untyped-def]
    staff = user_named("xp_staff")
    return services.project_create(
        acting_user=staff, area=staff.area, name="西平测试项目", investor_name="某公司"
    )


def test_it_scopes_every_project_page(project):
    readers = {"zmd_city": 200, "yc_viewer": 200, "yc_supervisor": 200, "yc_investor": 404}
    assert_visibility(
        f"/projects/{project.pk}/", owner="yc_staff", outsider="xp_staff", others=readers
    )
    assert_visibility(
        f"/projects/{project.pk}/edit/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200, "yc_viewer": 404},
    )
    assert_visibility(
        f"/projects/{project.pk}/activities/new/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"yc_supervisor": 404},
    )


def test_it_shows_what_the_next_stage_still_needs(client_for, project, user_named):
    staff, url = user_named("yc_staff"), f"/projects/{project.pk}/"
    client = client_for("yc_staff")
    assert "next-needs" not in client.get(url).content.decode()  # 线索 → 意向 needs nothing
    for stage in ("intention", "negotiation"):
        services.project_transition(acting_user=staff, project=project, to_stage=stage)
    page = client.get(url).content.decode()
    assert "进入下一阶段“签约”还需：签约日期、签约金额" in page
    assert client_for("xp_staff").get(url).status_code == 404
    services.project_update(
        acting_user=staff,
        project=project,
        expected_version=project.version,
        contract_date=TODAY,
    )
    page = client.get(url).content.decode()
    assert "进入下一阶段“签约”还需：签约金额" in page and "签约日期、" not in page
    services.project_update(
        acting_user=staff,
        project=project,
        expected_version=project.version,
        contracted_amount=Decimal("1200"),
    )
    assert "next-needs" not in client.get(url).content.decode()


def test_it_lists_only_visible_projects(client_for, project, xiping_project):
    page = client_for("yc_staff").get("/projects/").content.decode()
    assert "驿城测试项目" in page and "西平测试项目" not in page
    city = client_for("zmd_city").get("/projects/").content.decode()
    assert "驿城测试项目" in city and "西平测试项目" in city


def test_it_filters_and_searches_the_list(client_for, project):
    client = client_for("yc_staff")
    assert "驿城测试项目" in client.get("/projects/?q=苏州").content.decode()
    assert "驿城测试项目" not in client.get("/projects/?stage=signed").content.decode()
    bad = client.get("/projects/?stage=nonsense&sort=bogus")
    assert bad.status_code == 200 and "驿城测试项目" in bad.content.decode()


def _list_queries(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/projects/").status_code == 200
    return len(ctx)


def test_it_pins_the_list_query_count(client_for, user_named):
    staff = user_named("yc_staff")
    client = client_for("yc_staff")
    services.project_create(acting_user=staff, area=staff.area, name="p0", investor_name="x")
    _list_queries(client)
    few = _list_queries(client)
    for i in range(1, 25):
        services.project_create(
            acting_user=staff,
            area=staff.area,
            name=f"p{i}",
            investor_name="x",
            lead_cadre=person_of(user_named("yc_leader")),
        )
    assert _list_queries(client) == few


def test_it_creates_a_project_from_the_form(client_for, user_named):
    response = client_for("yc_staff").post(
        "/projects/new/",
        {
            "area": user_named("yc_staff").area_id,
            "name": "新项目",
            "investor_name": "某投资方",
            "method": "chain",
            "total_investment": "3000",
            "foreign_capital": "0",
            "out_of_city_capital": "0",
        },
    )
    project = Project.objects.get(name="新项目")
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.stage_events.get().to_stage == "lead"


def test_it_shows_form_errors_and_writes_nothing(client_for, user_named):
    count = Project.objects.count()
    response = client_for("yc_staff").post(
        "/projects/new/",
        {
            "area": user_named("yc_staff").area_id,
            "name": "",
            "total_investment": "-5",
            "method": "chain",
        },
    )
    assert response.status_code == 200
    assert Project.objects.count() == count
    assert 'class="error"' in response.content.decode()


def test_it_refuses_a_project_in_a_sibling_area(client_for, user_named):
    count = Project.objects.count()
    response = client_for("yc_staff").post(
        "/projects/new/",
        {
            "area": user_named("xp_staff").area_id,
            "name": "越界",
            "investor_name": "x",
            "method": "chain",
            "total_investment": "1",
            "foreign_capital": "0",
            "out_of_city_capital": "0",
        },
    )
    assert response.status_code == 200 and Project.objects.count() == count


def test_it_moves_a_stage_from_the_detail_page(client_for, project):
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/transition/",
        {"to_stage": "intention", "event_date": TODAY.isoformat(), "version": project.version},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).stage == "intention"


def test_it_explains_an_illegal_move_on_the_page(client_for, project):
    events = StageEvent.objects.count()
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/transition/",
        {"to_stage": "signed", "event_date": TODAY.isoformat(), "version": project.version},
    )
    assert response.status_code == 400
    assert StageEvent.objects.count() == events
    assert Project.objects.get(pk=project.pk).stage == "lead"


def test_it_refuses_a_stale_edit_with_a_message(client_for, project, user_named):
    services.project_update(
        acting_user=user_named("yc_chief"),
        project=project,
        expected_version=project.version,
        notes="别人改过",
    )
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/edit/",
        {
            "name": "我的修改",
            "investor_name": "x",
            "method": "chain",
            "total_investment": "1",
            "foreign_capital": "0",
            "out_of_city_capital": "0",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert Project.objects.get(pk=project.pk).name == "驿城测试项目"


def test_it_stores_evidence_and_serves_it_only_to_those_who_see_the_project(
    client_for, project, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/attachments/", {"file": _upload("批复.png", PNG)}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(project=project)
    assert (attachment.content_type, attachment.size) == ("image/png", len(PNG))
    url = f"/projects/attachments/{attachment.pk}/"
    assert_visibility(url, owner="yc_staff", outsider="xp_staff", others={"zmd_city": 200})
    assert b"".join(client_for("yc_staff").get(url).streaming_content) == PNG


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("合同.pdf", b"MZ\x90\x00 this is an exe"),
        ("照片.png", b"%PDF-1.4 not a png"),
        ("台账.xlsx", b"PK\x03\x04broken zip"),
        ("脚本.html", b"<script>alert(1)</script>"),
    ],
)
def test_it_refuses_files_whose_content_is_not_what_they_claim(
    client_for, project, name, content, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/attachments/", {"file": _upload(name, content)}
    )
    assert response.status_code == 400
    assert not Attachment.objects.filter(project=project).exists()


def test_it_accepts_a_real_docx(client_for, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/attachments/", {"file": _upload("协议.docx", buffer.getvalue())}
    )
    assert response.status_code == 302


def test_it_leaves_no_evidence_file_behind_when_the_move_is_refused(
    client_for, project, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/transition/",
        {
            "to_stage": "paused",  # offered, but the service refuses it without a reason
            "event_date": timezone.localdate().isoformat(),
            "version": project.version,
            "evidence": _upload("批复.png", PNG),
        },
    )
    assert response.status_code == 400
    assert "暂缓或终止项目须填写原因" in response.content.decode()
    assert not Attachment.objects.filter(project=project).exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def _upload(name: str, content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_it_records_an_activity(client_for, project, user_named):
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/activities/new/",
        {
            "kind": "visit",
            "date": TODAY.isoformat(),
            "days": "1",
            "people": [user_named("yc_leader").pk],
            "region": "苏州",
            "outcome": "达成初步意向",
        },
    )
    assert response.status_code == 302
    assert project.activities.get().people.get().username == "yc_leader"


def test_it_shows_the_reports(client_for, project):
    client = client_for("yc_chief")
    assert client.get("/projects/reports/chains/").status_code == 200
    page = client.get("/projects/reports/leaders/?month=2026-03")
    assert page.status_code == 200 and "陈志远" in page.content.decode()
    assert client.get("/projects/reports/leaders/?month=garbage").status_code == 200


def test_it_validates_the_credit_code_on_the_enterprise_form(client_for, user_named):
    client = client_for("yc_staff")
    count = Enterprise.objects.count()
    bad = client.post(
        "/enterprises/new/",
        {
            "area": user_named("yc_staff").area_id,
            "name": "坏代码公司",
            "uscc": "91350100M000100Y44",
        },
    )
    assert bad.status_code == 200 and Enterprise.objects.count() == count
    good = client.post(
        "/enterprises/new/",
        {
            "area": user_named("yc_staff").area_id,
            "name": "好代码公司",
            "uscc": "91350100M000100Y43",
            "industry_code": "C3663",
            "tags": ["hightech"],
        },
    )
    assert good.status_code == 302
    enterprise = Enterprise.objects.get(name="好代码公司")
    assert enterprise.tags == ["hightech"]
    assert_visibility(
        f"/enterprises/{enterprise.pk}/",
        owner="yc_staff",
        outsider="xp_staff",
        others={"zmd_city": 200},
    )


def test_it_filters_the_city_list_by_area(client_for, project, xiping_project):
    page = client_for("zmd_city").get("/projects/?area=411721").content.decode()
    assert "西平测试项目" in page and "驿城测试项目" not in page
    outside = client_for("yc_staff").get("/projects/?area=411721").content.decode()
    assert "西平测试项目" not in outside


def test_it_shows_only_the_links_whose_other_side_the_viewer_sees(
    client_for, enterprise, user_named
):
    city = user_named("zmd_city")
    xiping = Area.objects.get(code="411721")
    other = services.enterprise_save(
        acting_user=city,
        enterprise=Enterprise(area=xiping, name="西平链接企业", region_code="411721"),
    )
    links = ((enterprise, other, "supplier_of"), (other, enterprise, "customer_of"))
    for source, target, kind in links:
        services.enterprise_link_add(acting_user=city, source=source, target=target, kind=kind)
    url = f"/enterprises/{enterprise.pk}/"
    assert "西平链接企业" not in client_for("yc_staff").get(url).content.decode()
    assert "西平链接企业" in client_for("zmd_city").get(url).content.decode()
    assert client_for("xp_staff").get(url).status_code == 404


def test_it_refuses_an_office_file_that_would_inflate_like_a_zip_bomb(
    client_for, project, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", b"\x00" * (8 * 1024 * 1024))  # 8 MB of zeros, ~8 KB
    assert len(buffer.getvalue()) < 64 * 1024
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/attachments/", {"file": _upload("协议.docx", buffer.getvalue())}
    )
    assert response.status_code == 400
    assert "不是正常的 Office 文档" in response.content.decode()
    assert not Attachment.objects.filter(project=project).exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_stage_form_offers_the_legal_moves_next_stage_first_never_the_current(
    client_for, project
):
    import re

    page = client_for("yc_staff").get(f"/projects/{project.pk}/").content.decode()
    select = re.search(r'<select name="to_stage"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    offered = re.findall(r'<option value="([a-z_]+)"', select.group(1))
    assert project.stage == "lead"
    assert offered == ["intention", "paused", "terminated"]  # no skip ahead, not 线索 itself


def test_a_skip_ahead_posted_anyway_is_refused_and_writes_nothing(client_for, project):
    response = client_for("yc_staff").post(
        f"/projects/{project.pk}/transition/",
        {"to_stage": "negotiation", "event_date": "2026-01-05", "version": project.version},
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.stage == "lead" and project.version == 1


def _page_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_pins_the_project_page_and_api_query_counts(client_for, project, user_named):
    """The stage moves are read once for the timeline, the days in each stage and the
    API's list of moves, and the year's key level comes with the project row."""
    client = client_for("yc_staff")
    page, api = f"/projects/{project.pk}/", f"/api/v1/projects/{project.pk}"
    _page_queries(client, page)
    few = (_page_queries(client, page), _page_queries(client, api))
    staff = user_named("yc_staff")
    for stage in ("intention", "negotiation"):
        project.refresh_from_db()
        services.project_transition(
            acting_user=staff, project=project, to_stage=stage, event_date=TODAY
        )
    assert (_page_queries(client, page), _page_queries(client, api)) == few
    # session, user with roles, project, trackers, units, stage moves, chain, then the panels
    assert few == (15, 6)
