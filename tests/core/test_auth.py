"""Log-in, lockout, password policy, session timeouts and TOTP (等保 2.0 L3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhaoshang.core import services
from zhaoshang.core.models import AuditEvent, User
from zhaoshang.core.views.account import OTP_KEY_SESSION

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def events(action: str, username: str) -> int:
    return AuditEvent.objects.filter(action=action, username=username).count()


def test_it_logs_in_and_audits_it(client, demo_password):
    response = login(client, "yc_chief", demo_password)
    assert response.status_code == 302 and response["Location"] == "/"
    event = AuditEvent.objects.filter(action="login").latest("id")
    assert (event.username, event.ip, event.area.code, event.result) == (
        "yc_chief",
        "10.0.0.1",
        "411702",
        "success",
    )
    home = client.get("/")
    assert home.status_code == 200 and "驿城区" in home.content.decode()


def test_it_audits_a_failed_login_and_stays_on_the_page(client):
    response = login(client, "yc_chief", "wrong-Password1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert (event.username, event.result, event.area.code) == ("yc_chief", "failure", "411702")
    assert "_auth_user_id" not in client.session


def test_it_audits_a_failed_login_of_an_unknown_name_without_area(client):
    login(client, "nobody", "wrong-Password1")
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert event.username == "nobody" and event.area is None and event.user is None


def test_it_locks_user_and_ip_after_five_failures_for_thirty_minutes(client, demo_password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        codes = [login(client, "yc_chief", f"Wrong-{i}-pass").status_code for i in range(5)]
        assert codes[:4] == [200] * 4 and codes[4] == 429
        locked = login(client, "yc_chief", demo_password)
        assert locked.status_code == 429 and "锁定" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        assert events("locked_out", "yc_chief") >= 1
        # the lockout is keyed on user + IP: the same user from another address is not locked
        assert login(Client(), "yc_chief", demo_password, ip="10.0.0.2").status_code == 302
    # every attempt while locked restarts the 30 minutes (an attacker cannot wait it out
    # while still guessing), so the one at minute 29 keeps it locked until minute 59
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert login(Client(), "yc_chief", demo_password).status_code == 429
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        assert login(Client(), "yc_chief", demo_password).status_code == 302


def test_it_lets_an_admin_unlock_early(client, demo_password, user_named):
    for i in range(5):
        login(client, "yc_staff", f"Wrong-{i}-pass")
    assert login(Client(), "yc_staff", demo_password).status_code == 429
    services.user_unlock(acting_user=user_named("yc_admin"), user=user_named("yc_staff"))
    assert login(Client(), "yc_staff", demo_password).status_code == 302
    assert AuditEvent.objects.filter(
        action="update", object_id=str(user_named("yc_staff").pk), username="yc_admin"
    ).exists()


def test_it_forces_a_password_change_after_ninety_days(client, demo_password, user_named):
    user = user_named("yc_staff")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    login(client, "yc_staff", demo_password)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")


def test_it_does_not_force_a_change_at_eighty_nine_days(client, demo_password, user_named):
    User.objects.filter(username="yc_staff").update(
        password_changed_at=timezone.now() - timedelta(days=89)
    )
    login(client, "yc_staff", demo_password)
    assert client.get("/").status_code == 200


def test_it_forces_first_login_change_for_an_admin_created_account(client, user_named):
    admin = user_named("yc_admin")
    services.user_save(
        acting_user=admin,
        password="Temp#Pass2026",
        user=User(username="newbie", area=admin.area, unit=user_named("yc_chief").unit),
    )
    login(client, "newbie", "Temp#Pass2026")
    assert client.get("/")["Location"].startswith("/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Temp#Pass2026",
            "new_password1": "Own!Secret2026",
            "new_password2": "Own!Secret2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert events("password_change", "newbie") == 1
    assert not User.objects.get(username="newbie").must_change_password


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!x", "密码太短"),
        ("abcdefghij", "至少"),
        ("Password1", "太常见"),
    ],
)
def test_it_refuses_weak_passwords_and_keeps_the_old_one(
    client_for, demo_password, password, message
):
    client = client_for("yc_staff")
    before = User.objects.get(username="yc_staff").password
    response = client.post(
        "/accounts/password/",
        {"old_password": demo_password, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(username="yc_staff").password == before
    assert events("password_change", "yc_staff") == 0


def test_it_ends_a_session_after_thirty_idle_minutes(demo_password):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        login(client, "yc_staff", demo_password)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert events("session_expired", "yc_staff") == 1
    assert client.get("/").status_code == 302


def test_it_ends_a_busy_session_after_eight_hours(demo_password):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        login(client, "yc_staff", demo_password)
    for minutes in range(20, 8 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=8, minutes=5), tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_it_logs_out_on_post_only_and_audits_it(client_for):
    client = client_for("yc_staff")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert events("logout", "yc_staff") == 1
    assert client.get("/").status_code == 302


def test_it_requires_totp_enrolment_for_a_leader(client, demo_password):
    login(client, "yc_leader", demo_password)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")
    setup = client.get("/accounts/otp/setup/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    key = client.session[OTP_KEY_SESSION]
    wrong = client.post(
        "/accounts/otp/setup/", {"token": "000000" if totp(bytes.fromhex(key)) != 0 else "111111"}
    )
    assert (
        wrong.status_code == 200
        and not TOTPDevice.objects.filter(user__username="yc_leader").exists()
    )
    code = f"{totp(bytes.fromhex(key)):06d}"
    assert client.post("/accounts/otp/setup/", {"token": code}).status_code == 302
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.get(user__username="yc_leader").confirmed
    assert events("otp_enrol", "yc_leader") == 2


def test_it_asks_an_enrolled_leader_for_a_code_at_each_login(client, demo_password, user_named):
    device = TOTPDevice.objects.create(user=user_named("yc_leader"), name="phone", confirmed=True)
    login(client, "yc_leader", demo_password)
    assert client.get("/")["Location"].startswith("/accounts/otp/verify/")
    assert client.get("/api/v1/me").status_code == 403
    bad = client.post("/accounts/otp/verify/", {"token": "12345"})
    assert bad.status_code == 200 and "6" in bad.content.decode()
    assert (
        client.post("/accounts/otp/verify/", {"token": f"{totp(device.bin_key):06d}"}).status_code
        == 302
    )
    assert client.get("/").status_code == 200


def test_it_does_not_ask_a_chief_for_totp(client, demo_password):
    login(client, "yc_chief", demo_password)
    assert client.get("/").status_code == 200


def test_it_switches_language_per_user(client_for, user_named):
    client = client_for("yc_staff")
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    assert user_named("yc_staff").language == "en"
    assert "Log out" in client.get("/").content.decode()
    assert client.post("/accounts/language/", {"language": "xx"}).status_code == 302
    assert user_named("yc_staff").language == "en"


def _wrong_code(device: TOTPDevice) -> str:
    right = totp(device.bin_key)
    return f"{(right + 1) % 1_000_000:06d}"


def test_the_right_code_works_at_once_after_a_wrong_one(client, demo_password, user_named):
    device = TOTPDevice.objects.create(user=user_named("yc_leader"), name="phone", confirmed=True)
    login(client, "yc_leader", demo_password)
    wrong = client.post("/accounts/otp/verify/", {"token": _wrong_code(device)})
    assert wrong.status_code == 200 and "动态口令错误或已过期" in wrong.content.decode()
    right = client.post("/accounts/otp/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert right.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_five_wrong_codes_in_a_row_close_the_step_for_fifteen_minutes(
    client, demo_password, user_named
):
    device = TOTPDevice.objects.create(user=user_named("yc_leader"), name="phone", confirmed=True)
    login(client, "yc_leader", demo_password)
    for _ in range(5):
        client.post("/accounts/otp/verify/", {"token": _wrong_code(device)})
    locked = client.post("/accounts/otp/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert locked.status_code == 200 and "错误次数过多" in locked.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/otp/verify/")  # still not in
    assert events("otp_verify", "yc_leader") == 5  # the refused try was never checked
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=16)
    )
    opened = client.post("/accounts/otp/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert opened.status_code == 302


def test_a_login_records_the_backend_that_reads_area_and_unit_with_the_user(client, demo_password):
    login(client, "yc_chief", demo_password)
    assert client.session["_auth_user_backend"] == "zhaoshang.core.backends.AccountBackend"
    response = client.get("/projects/")
    user = response.wsgi_request.user
    assert "area" in user._state.fields_cache and "unit" in user._state.fields_cache


def test_a_session_from_before_the_upgrade_stays_signed_in(client, user_named):
    client.force_login(user_named("yc_chief"), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/projects/").status_code == 200


def test_a_disabled_account_is_signed_out_on_its_next_request(client_for, user_named):
    client = client_for("yc_chief")
    User.objects.filter(username="yc_chief").update(is_active=False)
    response = client.get("/projects/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_roles_come_with_the_user_and_a_change_shows_at_once(client_for, user_named):
    from zhaoshang.core.services import user_set_roles

    client = client_for("yc_chief")
    request = client.get("/projects/").wsgi_request
    assert request.user._role_codes == frozenset({"chief"})
    chief = user_named("yc_chief")
    user_set_roles(acting_user=user_named("yc_admin"), user=chief, roles=["viewer"])
    assert chief.role_codes == frozenset({"viewer"})
    assert client.get("/projects/").wsgi_request.user.role_codes == frozenset({"viewer"})


def test_remembered_roles_read_an_empty_list_as_no_roles(user_named):
    user = user_named("yc_chief")
    user.remember_roles(None)
    assert user.role_codes == frozenset()
    user.remember_roles("chief,viewer")
    assert user.role_codes == frozenset({"chief", "viewer"})
