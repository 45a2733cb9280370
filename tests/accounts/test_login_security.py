"""Login policy (issue 6): password rules, lockout, session limits, TOTP, first-login change, break-glass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fangpin.accounts.models import PasswordHistory, User, UserSession
from fangpin.audit.models import AuditEvent
from tests.conftest import OWN_VILLAGE, PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Xin-mima-2026!"


def _login(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


# --- password policy ---------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "message"), [
    ("Ab1!xyz", "密码太短：至少 8 个字符（当前 7 个）"),
    ("abcdefgh12", "至少 3 类（当前 2 类）"),
    ("ABCDEFGH!!", "至少 3 类（当前 2 类）"),
    ("Password1", "太常见"),
])
def test_weak_passwords_are_refused_in_chinese(users, password, message):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            password_validation.validate_password(password, users["village"])
        assert message in " ".join(exc.value.messages)


@pytest.mark.parametrize("password", ["Zhang-san-77", "huilong#2026x", "Q7!v9@k2"])
def test_three_of_four_classes_pass(users, password):
    password_validation.validate_password(password, users["village"])


def test_the_last_five_passwords_cannot_be_reused(users):
    user = users["village"]
    assert PasswordHistory.objects.filter(user=user).count() == 1
    for n in range(5):
        user.set_password(f"Mima-{n}-2026x")
        user.save()
    for old in ("Mima-4-2026x", "Mima-0-2026x"):
        with pytest.raises(ValidationError, match="最近 5 次"):
            password_validation.validate_password(old, user)
    # the fixture password is the sixth-latest now: allowed again; no clear password is stored anywhere
    password_validation.validate_password(PASSWORD, user)
    assert all(h.password.startswith("md5$") for h in PasswordHistory.objects.filter(user=user))
    # only the five the rule compares against are kept (older hashes are password material too)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert PasswordHistory.objects.filter(user=user).first().password == User.objects.get(pk=user.pk).password


def test_set_password_stamps_the_change_time(users):
    user = users["village"]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=100))
    user.refresh_from_db()
    user.set_password(NEW)
    user.save(update_fields=["password"])
    user.refresh_from_db()
    assert timezone.now() - user.password_changed_at < dt.timedelta(minutes=1)


def test_expired_password_forces_a_change(client, users, settings):
    user = users["township"]
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.force_login(user)
    response = client.get(reverse("registry:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:password_change"))
    assert "密码已过期" in client.get(reverse("accounts:password_change")).content.decode()
    settings.FANGPIN_PASSWORD_MAX_AGE_DAYS = 0  # rotation off
    assert client.get(reverse("registry:list")).status_code == 200


def test_first_login_after_admin_creation_forces_a_change(client, users):
    admin = Client()
    admin.force_login(users["sysadmin"])
    admin.post(reverse("accounts:user_create"), {"username": "wang", "display_name": "王五", "role": "village",
                                                 "region": OWN_VILLAGE, "password1": NEW, "password2": NEW})
    assert User.objects.get(username="wang").must_change_password
    assert _login(client, "wang", NEW).status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:password_change"))
    # the same password again is refused (history), a wrong current password too
    same = client.post(reverse("accounts:password_change"),
                       {"old_password": NEW, "password1": NEW, "password2": NEW})
    assert "最近 5 次" in same.content.decode()
    wrong = client.post(reverse("accounts:password_change"),
                        {"old_password": "nope", "password1": "Wode-mima-88", "password2": "Wode-mima-88"})
    assert "当前密码不正确" in wrong.content.decode()
    done = client.post(reverse("accounts:password_change"),
                       {"old_password": NEW, "password1": "Wode-mima-88", "password2": "Wode-mima-88"})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # still logged in, nothing pending
    user = User.objects.get(username="wang")
    assert not user.must_change_password and user.check_password("Wode-mima-88")
    event = AuditEvent.objects.get(action="password.change")
    assert "Wode-mima-88" not in event.canonical().decode()


# --- lockout (django-axes) ----------------------------------------------------------------------

def test_five_failures_lock_the_username_even_for_the_right_password(client, users):
    for n in range(4):
        assert _login(client, "county", f"wrong-Pass-{n}").status_code == 200
    locked = _login(client, "county", "wrong-Pass-5")
    assert locked.status_code == 429
    assert "已锁定 15 分钟" in locked.content.decode() and "后再试" in locked.content.decode()
    right = _login(client, "county")
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.locked", detail__username="county").count() == 1
    assert AuditEvent.objects.filter(action="login.failed").count() == 6
    assert AuditEvent.objects.filter(action="login.failed", detail__locked=True).count() == 1
    assert not AuditEvent.objects.filter(action="login.ok").exists()
    for event in AuditEvent.objects.all():
        assert "wrong-Pass" not in event.canonical().decode() and PASSWORD not in event.canonical().decode()
    # other usernames are not affected
    assert _login(Client(), "township").status_code == 302


def test_lockout_ends_after_fifteen_minutes(client, users):
    from axes.models import AccessAttempt, AccessAttemptExpiration

    for n in range(5):
        _login(client, "county", f"wrong-Pass-{n}")
    assert _login(client, "county").status_code == 429
    past = timezone.now() - dt.timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=past)
    AccessAttemptExpiration.objects.update(expires_at=past)
    assert _login(client, "county").status_code == 302


def test_four_failures_then_success_resets_the_count(client, users):
    for n in range(4):
        _login(client, "county", f"wrong-Pass-{n}")
    assert _login(client, "county").status_code == 302
    client.post(reverse("logout"))
    for n in range(4):
        assert _login(client, "county", f"wrong-Pass-{n}").status_code == 200


# --- sessions -----------------------------------------------------------------------------------

def test_login_cycles_the_session_key_and_tracks_it(client, users):
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    _login(client, "village")
    after = client.session.session_key
    assert after != before and not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.get(session_key=after).user == users["village"]


def test_idle_timeout_logs_out_with_a_message(client, users):
    _login(client, "village")
    session = client.session
    session["fp_seen_at"] -= 15 * 60 + 1
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "15 分钟未操作" in response.content.decode()
    assert AuditEvent.objects.filter(action="session.expired", detail__reason="idle").count() == 1


def test_activity_keeps_the_session(client, users):
    _login(client, "village")
    session = client.session
    session["fp_seen_at"] -= 14 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_absolute_lifetime(client, users, settings):
    _login(client, "village")
    session = client.session
    session["fp_login_at"] -= settings.SESSION_COOKIE_AGE
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert "超过 8 小时" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_disabling_a_user_ends_sessions_from_the_login_form(client, users):
    _login(client, "county")
    _login(Client(), "county")
    assert UserSession.objects.filter(user=users["county"]).count() == 2
    admin = Client()
    admin.force_login(users["sysadmin"])
    admin.post(reverse("accounts:user_active", args=[users["county"].pk]), {"action": "disable"})
    assert AuditEvent.objects.get(action="user.disable").detail["sessions_ended"] == 2
    assert client.get(reverse("home")).status_code == 302
    assert not UserSession.objects.filter(user=users["county"]).exists()


# --- TOTP ---------------------------------------------------------------------------------------

def _token(user) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def totp_on(settings):
    settings.FANGPIN_REQUIRE_TOTP = True


def test_totp_enrolment_then_verification(client, users, totp_on):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    county = users["county"]
    _login(client, "county")
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.get(reverse("registry:list")).status_code == 302  # no data before the second factor
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "otpauth://totp/" in page and "<svg" in page
    good = _token(county)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert "动态口令不正确" in client.post(reverse("accounts:otp_setup"), {"token": wrong}).content.decode()
    TOTPDevice.objects.filter(user=county).update(throttling_failure_count=0)  # django-otp throttles retries
    assert client.post(reverse("accounts:otp_setup"), {"token": _token(county)}).status_code == 302
    assert TOTPDevice.objects.get(user=county).confirmed
    assert client.get(reverse("home")).status_code == 200
    # next login: the password is not enough
    other = Client()
    _login(other, "county")
    verify = other.get(reverse("registry:list"))
    assert verify.status_code == 302 and verify["Location"].startswith(reverse("accounts:otp_verify"))
    bad = other.post(reverse("accounts:otp_verify"), {"token": "12345"})
    assert "6 位数字" in bad.content.decode()
    TOTPDevice.objects.filter(user=county).update(last_t=-1, throttling_failure_count=0)
    before = other.session.session_key
    assert other.post(reverse("accounts:otp_verify"), {"token": _token(county)}).status_code == 302
    assert other.session.session_key != before  # a fresh key once fully authenticated
    assert other.get(reverse("registry:list")).status_code == 200
    assert AuditEvent.objects.filter(action="totp.enrol").count() == 1
    assert AuditEvent.objects.filter(action="totp.verify").count() == 1


def test_wrong_totp_code_is_audited(client, users, totp_on):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=users["auditadmin"], name="p", confirmed=True)
    _login(client, "auditadmin")
    good = _token(users["auditadmin"])
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:otp_verify"), {"token": wrong})
    assert "动态口令不正确" in response.content.decode()
    assert client.get(reverse("audit:list")).status_code == 302
    event = AuditEvent.objects.get(action="totp.failed")
    assert wrong not in event.canonical().decode() and device.key not in event.canonical().decode()


@pytest.mark.parametrize("role", ["village", "township"])
def test_village_and_township_log_in_with_a_password(client, users, totp_on, role):
    _login(client, role)
    assert client.get(reverse("registry:list")).status_code == 200


def test_totp_not_required_in_dev_by_default(client, users):
    _login(client, "county")
    assert client.get(reverse("registry:list")).status_code == 200


def test_security_admin_resets_totp(client, users, totp_on):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=users["county"], name="p", confirmed=True)
    victim = Client()
    victim.force_login(users["county"])
    secadmin = Client()
    secadmin.force_login(users["secadmin"])
    url = reverse("accounts:user_totp", args=[users["county"].pk])
    # the security administrator is a TOTP role too: first their own enrolment
    assert secadmin.get(url)["Location"].startswith(reverse("accounts:otp_setup"))
    own = TOTPDevice.objects.create(user=users["secadmin"], name="p", confirmed=True)
    session = secadmin.session
    session[DEVICE_ID_SESSION_KEY] = own.persistent_id  # as django_otp.login() after a right code
    session.save()
    assert "已绑定设备" in secadmin.get(url).content.decode()
    assert secadmin.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=users["county"]).exists()
    event = AuditEvent.objects.get(action="user.totp_reset")
    assert (event.username, event.detail["devices_removed"], event.detail["sessions_ended"]) == ("secadmin", 1, 1)
    assert victim.get(reverse("home")).status_code == 302


# --- break-glass and production checks ---------------------------------------------------------

@pytest.fixture
def root(regions):
    user = User(username="root", role="sysadmin", region_id="130633", is_superuser=True, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_superuser_refused_without_break_glass(client, root):
    assert _login(client, "root").status_code == 200
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="login.ok").exists()
    assert AuditEvent.objects.filter(action="login.failed", detail__username="root").count() == 1


def test_break_glass_login_is_audited_loudly(client, root, settings, caplog):
    settings.FANGPIN_BREAK_GLASS = True
    assert _login(client, "root").status_code == 302
    event = AuditEvent.objects.get(action="login.break_glass")
    assert event.username == "root" and "应急" in event.summary
    assert any("BREAK-GLASS" in r.message for r in caplog.records)
    settings.FANGPIN_BREAK_GLASS = False  # switched off again: the open session ends too
    assert client.get(reverse("home")).status_code == 302


def test_deploy_check_finds_demo_passwords_in_production(users, settings):
    from fangpin.accounts.checks import production_accounts
    from fangpin.demo.services import DEMO_PASSWORD

    settings.PRODUCTION, settings.FANGPIN_REQUIRE_TOTP = True, True
    assert production_accounts() == []
    users["county"].set_password(DEMO_PASSWORD)
    users["county"].save()
    ids = {p.id: p for p in production_accounts()}
    assert set(ids) == {"fangpin.E101"} and "county" in ids["fangpin.E101"].msg
    settings.FANGPIN_REQUIRE_TOTP = False
    assert "fangpin.W101" in {p.id for p in production_accounts()}
    settings.PRODUCTION = False
    assert production_accounts() == []


def test_deploy_check_is_registered():
    from django.core import checks

    assert "production_accounts" in {c.__name__ for c in checks.registry.registry.get_checks(include_deployment_checks=True)}


def test_the_session_user_comes_with_its_region_and_only_while_active(users, django_assert_num_queries):
    from fangpin.accounts.backends import PolicyBackend

    backend = PolicyBackend()
    with django_assert_num_queries(1):  # the page's nav and every scope read user.region: no second query
        user = backend.get_user(users["village"].pk)
        assert user.region.code == OWN_VILLAGE
    User.objects.filter(pk=users["village"].pk).update(is_active=False)
    assert backend.get_user(users["village"].pk) is None
    assert backend.get_user(10**9) is None
