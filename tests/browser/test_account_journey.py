"""A visitor registers, verifies the address from the e-mail, logs in, switches to
English and logs out, in Chromium, driven by what is on the screen."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from tests.browser.journey import shoot

EMAIL = "mei@example.org"
PASSWORD = "plum blossom 2026"


def test_register_verify_log_in_switch_language_log_out(page: Page, live, artifacts):
    zh = live.zh
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        zh("Have your say on the policies that shape your city"))
    shoot(page, artifacts, "01-home-zh")

    # Register.
    page.get_by_role("navigation", name=zh("Main")).get_by_role(
        "link", name=zh("Register")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Create an account"))
    page.get_by_label(zh("E-mail address")).fill(EMAIL)
    page.get_by_label(zh("Display name")).fill("王小梅")
    page.get_by_label(zh("Password"), exact=True).fill("short")
    page.get_by_label(zh("Repeat the password")).fill("short")
    page.get_by_role("button", name=zh("Create account")).click()
    # A bad password: the error summary and the message beside the field.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(zh("There is a problem"))
    expect(summary).to_contain_text(zh("Use at least %(n)d characters.", n=10))
    expect(page.get_by_label(zh("E-mail address"))).to_have_value(EMAIL)
    shoot(page, artifacts, "02-register-error-zh")
    page.get_by_label(zh("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(zh("Repeat the password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Create account")).click()
    # The same answer a taken address gets: no session yet, a mail to open.
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Check your e-mail"))

    # Verify through the link in the e-mail.
    assert len(live.outbox) == 1
    mail = live.outbox[0]
    assert mail.to == [EMAIL]
    link = re.search(r"http://\S+/auth/verify/\S+", mail.body).group(0)
    assert link.startswith(live.url)
    page.goto(link)
    expect(page.get_by_text(zh("Thank you, your e-mail address is verified."))).to_be_visible()
    page.get_by_label(zh("E-mail address")).fill(EMAIL)
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    expect(page.get_by_text(zh("verified"), exact=True)).to_be_visible()
    shoot(page, artifacts, "03-account-zh")

    # Log out and in again, remembered.
    page.get_by_role("button", name=zh("Log out")).click()
    expect(page.get_by_text(zh("You are logged out."))).to_be_visible()
    page.get_by_role("navigation", name=zh("Main")).get_by_role(
        "link", name=zh("Log in")).click()
    page.get_by_label(zh("E-mail address")).fill(EMAIL)
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_label(zh("Keep me logged in on this device")).check()
    shoot(page, artifacts, "04-login-zh")
    page.get_by_role("button", name=zh("Log in")).click()
    expect(page.get_by_text(zh("You are logged in."))).to_be_visible()
    assert "remember_token" in {c["name"] for c in page.context.cookies()}

    # Switch to English: the page comes back in English, and the account keeps it.
    page.get_by_role("button", name=zh("Switch language to %(name)s", name="English")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    with live.app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == EMAIL)) == "en"
    shoot(page, artifacts, "05-account-en")

    # Log out: still English (the cookie), and the account pages are closed.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    shoot(page, artifacts, "06-logged-out-en")


def test_pages_work_without_javascript(new_context, live, artifacts, base_url):
    context = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/auth/register")
    # The language switch is a plain form.
    page.get_by_role("button", name=live.zh("Switch language to %(name)s",
                                             name="English")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_label("Display name").fill("<script>alert(1)</script>")
    page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter an e-mail address like name@example.com.")
    expect(page.locator("#email-error")).to_contain_text(
        "Enter an e-mail address like name@example.com.")
    page.screenshot(path=str(artifacts / "07-register-nojs-phone.png"), full_page=True)
    # The error summary links to the field.
    summary.get_by_role("link", name="Enter an e-mail address like name@example.com.").click()
    assert page.url.endswith("#email")
    with live.app.app_context():
        assert db.session.scalar(select(User.id)) is None
