"""The admin: open to the admin role only, scoped to its area, every write audited."""

from __future__ import annotations

import pytest

from zhaoshang.core.models import Area, AuditEvent, Unit, User

pytestmark = pytest.mark.django_db


def test_it_lets_an_area_admin_in_and_keeps_others_out(client_for):
    assert client_for("yc_admin").get("/admin/").status_code == 200
    assert client_for("yc_chief").get("/admin/").status_code == 404
    anonymous = client_for("yc_chief").__class__().get("/admin/")
    assert anonymous.status_code == 302


def test_it_lists_only_the_admins_area_users(client_for):
    page = client_for("yc_admin").get("/admin/core/user/").content.decode()
    assert "yc_staff" in page and "xp_staff" not in page and "zmd_city" not in page


def test_it_does_not_open_another_areas_unit(client_for):
    xiping_unit = Unit.objects.get(name="西平县商务局")
    response = client_for("yc_admin").get(f"/admin/core/unit/{xiping_unit.pk}/change/")
    assert response.status_code == 302 and "西平县商务局" not in response.content.decode()


def _new_user_form(area: Area, unit: Unit, **extra: str) -> dict[str, str]:
    return {
        "username": "li_si",
        "usable_password": "true",
        "password1": "Start#2026pw",
        "password2": "Start#2026pw",
        "full_name": "李四",
        "area": str(area.pk),
        "unit": str(unit.pk),
        "roles": ["staff"],
        "_save": "1",
        **extra,
    }


def test_it_creates_a_user_through_the_service_and_audits_it(client_for, user_named):
    admin = user_named("yc_admin")
    unit = Unit.objects.get(name="电商现代物流专业招商分局")
    response = client_for("yc_admin").post(
        "/admin/core/user/add/", _new_user_form(admin.area, unit)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="li_si")
    assert user.must_change_password and user.role_codes == {"staff"}
    actions = list(
        AuditEvent.objects.filter(object_id=str(user.pk), object_type="core.user").values_list(
            "action", "username"
        )
    )
    assert ("create", "yc_admin") in actions and ("update", "yc_admin") in actions


def test_it_refuses_a_user_in_a_sibling_district(client_for):
    xiping = Area.objects.get(code="411721")
    unit = Unit.objects.get(name="西平县商务局")
    count = AuditEvent.objects.count()
    response = client_for("yc_admin").post("/admin/core/user/add/", _new_user_form(xiping, unit))
    assert response.status_code == 200
    assert not User.objects.filter(username="li_si").exists()
    assert AuditEvent.objects.count() == count


def test_it_refuses_a_unit_from_another_area_than_the_user(client_for, user_named):
    zone_unit = Unit.objects.get(kind="zone_committee")
    response = client_for("yc_admin").post(
        "/admin/core/user/add/", _new_user_form(user_named("yc_admin").area, zone_unit)
    )
    assert response.status_code == 200 and "所属单位必须位于" in response.content.decode()
    assert not User.objects.filter(username="li_si").exists()


def test_it_resets_a_password_and_forces_a_change(client_for, user_named):
    staff = user_named("yc_staff")
    response = client_for("yc_admin").post(
        f"/admin/core/user/{staff.pk}/password/",
        {"password1": "Reset#2026pw", "password2": "Reset#2026pw"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.must_change_password and staff.check_password("Reset#2026pw")
    assert AuditEvent.objects.filter(
        action="password_change", username="yc_admin", object_id=str(staff.pk)
    ).exists()


def test_it_does_not_reset_a_password_outside_the_area(client_for, user_named):
    outsider = user_named("xp_staff")
    response = client_for("yc_admin").post(
        f"/admin/core/user/{outsider.pk}/password/",
        {"password1": "Reset#2026pw", "password2": "Reset#2026pw"},
    )
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert not outsider.check_password("Reset#2026pw")


def test_it_offers_no_delete_for_users(client_for, user_named):
    staff = user_named("yc_staff")
    response = client_for("yc_admin").post(f"/admin/core/user/{staff.pk}/delete/", {"post": "yes"})
    assert response.status_code in (302, 403)
    assert User.objects.filter(pk=staff.pk).exists()
