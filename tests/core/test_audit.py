"""The audit log: one row per write, append-only in the database, scoped list and export."""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhaoshang.core import services
from zhaoshang.core.choices import UnitKind
from zhaoshang.core.exports import AUDIT_HEADERS
from zhaoshang.core.models import Area, AuditEvent, Unit

pytestmark = pytest.mark.django_db


def test_it_writes_one_audit_row_per_service_write_with_before_and_after(user_named):
    admin = user_named("yc_admin")
    count = AuditEvent.objects.count()
    unit = services.unit_create(
        acting_user=admin, name="驿城区发展和改革委员会", kind=UnitKind.BUREAU, area=admin.area
    )
    unit.name = "驿城区发展改革委"
    services.unit_save(acting_user=admin, unit=unit)
    created, updated = AuditEvent.objects.order_by("id")[count:]
    assert (created.action, created.before, created.after["name"]) == (
        "create",
        None,
        "驿城区发展和改革委员会",
    )
    assert (updated.action, updated.before["name"], updated.after["name"]) == (
        "update",
        "驿城区发展和改革委员会",
        "驿城区发展改革委",
    )
    assert created.object_type == "core.unit" and created.object_id == str(unit.pk)
    assert created.area == admin.area and created.user == admin


def test_it_writes_nothing_when_validation_fails(user_named):
    admin = user_named("yc_admin")
    count, units = AuditEvent.objects.count(), Unit.objects.count()
    with pytest.raises(Exception, match="name"):
        services.unit_create(acting_user=admin, name="", kind=UnitKind.BUREAU, area=admin.area)
    assert (AuditEvent.objects.count(), Unit.objects.count()) == (count, units)


def test_it_never_stores_password_hashes_in_audit_rows(user_named):
    staff = user_named("yc_staff")
    services.user_save(acting_user=user_named("yc_admin"), user=staff)
    event = AuditEvent.objects.latest("id")
    assert "password" not in event.after and "password" not in event.before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET username = 'tampered'",
        "DELETE FROM core_auditevent",
    ],
)
def test_it_rejects_update_and_delete_in_the_database(statement, user_named):
    services.auth_record_login(user=user_named("yc_staff"))
    before = list(AuditEvent.objects.values_list("id", "username"))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert list(AuditEvent.objects.values_list("id", "username")) == before


def test_it_rejects_orm_updates_too(user_named):
    services.auth_record_login(user=user_named("yc_staff"))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().update(username="x")


def test_it_moves_area_paths_of_everything_below_a_moved_area(user_named):
    root = None  # the system: creating areas is an administrator's, not a city chief's
    province = Area.objects.get(code="410000")
    xiping = Area.objects.get(code="411721")
    zone = services.area_create(
        acting_user=root, code="411721500", name="西平产业集聚区", level="zone", parent=xiping
    )
    other_city = services.area_create(
        acting_user=None, code="411600", name="周口市", level="city", parent=province
    )
    xiping.parent = other_city
    services.area_save(acting_user=None, area=xiping)
    zone.refresh_from_db()
    assert zone.path == "410000/411600/411721/411721500/"


def _audit(client, query=""):  # type: ignore[no-untyped-def]
    return client.get(f"/audit/{query}")


def test_it_shows_a_supervisor_their_areas_events_only(client_for, user_named):
    services.auth_record_login(user=user_named("yc_staff"))
    services.auth_record_login(user=user_named("xp_staff"))
    page = _audit(client_for("yc_supervisor"), "?action=login").content.decode()
    assert "yc_staff" in page and "xp_staff" not in page


def test_it_shows_the_city_supervisor_every_district(client_for, user_named):
    services.auth_record_login(user=user_named("yc_staff"))
    services.auth_record_login(user=user_named("xp_staff"))
    page = _audit(client_for("zmd_city"), "?action=login").content.decode()
    assert "yc_staff" in page and "xp_staff" in page


@pytest.mark.parametrize("username", ["yc_staff", "yc_chief", "xp_staff", "yc_investor"])
def test_it_hides_the_audit_log_from_other_roles(client_for, username):
    assert _audit(client_for(username)).status_code == 404
    assert client_for(username).get("/audit/export.xlsx").status_code == 404


def test_it_filters_and_reports_a_bad_date_range(client_for):
    response = _audit(client_for("yc_admin"), "?date_from=2026-05-02&date_to=2026-05-01")
    assert response.status_code == 200
    assert "起始日期不能晚于截止日期" in response.content.decode()


def test_it_pins_the_audit_list_query_count(client_for, user_named):
    client = client_for("yc_supervisor")
    for _ in range(60):
        services.auth_record_login(user=user_named("yc_staff"))
    _audit(client)
    with CaptureQueriesContext(connection) as few:
        assert _audit(client).status_code == 200
    for _ in range(60):
        services.auth_record_login(user=user_named("yc_chief"))
    with CaptureQueriesContext(connection) as many:
        assert _audit(client, "?page=2").status_code == 200
    assert len(few) == len(many) <= 12, [q["sql"] for q in many.captured_queries]


def test_it_exports_the_filtered_log_and_audits_the_export(client_for, user_named):
    services.audit_record(
        acting_user=user_named("yc_staff"), action="update", object_repr='=HYPERLINK("http://evil")'
    )
    client = client_for("yc_supervisor")
    response = client.get("/audit/export.xlsx?action=update")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == [str(h) for h in AUDIT_HEADERS]
    assert rows[0][0] == "时间" and rows[0][2] == "操作"
    assert any(row[5] == '=HYPERLINK("http://evil")' for row in rows[1:])
    export = AuditEvent.objects.filter(action="export").latest("id")
    assert export.username == "yc_supervisor"
    assert export.after == {"filters": {"action": "update"}, "rows": len(rows) - 1}
    assert export.at <= timezone.now()
