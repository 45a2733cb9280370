"""Login security in the browser: TOTP enrolment from the displayed secret, the code at the next login, and
the lockout message after five wrong passwords."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit_login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _code(key: bytes) -> str:
    from django_otp.oath import totp

    return f"{totp(key):06d}"


def test_county_user_enrols_totp_then_needs_the_code(page, live_server, users, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.FANGPIN_REQUIRE_TOTP = True
    base = live_server.url
    _submit_login(page, base, "county")
    expect(page.get_by_role("heading", level=1)).to_have_text("绑定动态口令")
    expect(page.locator(".qr svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page wider than the phone"
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret)  # what a phone app reads from the QR code
    page.get_by_label("动态口令").fill(_code(key))
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
    assert TOTPDevice.objects.get(user=users["county"]).confirmed

    page.get_by_label("菜单").click()  # the phone menu
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    _submit_login(page, base, "county")
    expect(page.get_by_role("heading", level=1)).to_have_text("输入动态口令")
    page.goto(f"{base}/households/")  # no data before the second factor
    expect(page.get_by_role("heading", level=1)).to_have_text("输入动态口令")
    TOTPDevice.objects.filter(user=users["county"]).update(last_t=-1)  # same 30 s step as the enrolment
    page.get_by_label("动态口令").fill(_code(key))
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("农户")


def test_five_wrong_passwords_lock_the_account(page, live_server, users):
    base = live_server.url
    for n in range(5):
        _submit_login(page, base, "township", f"Wrong-pass-{n}")
    expect(page.get_by_role("alert")).to_contain_text("已锁定 15 分钟")
    _submit_login(page, base, "township")
    expect(page.get_by_role("alert")).to_contain_text("锁定期间输入正确密码也无法登录")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
