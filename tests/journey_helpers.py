"""Shared pieces of the browser journeys (tests/browser/): one person's browser in a
given language with or without JavaScript, screenshots at desktop and phone widths, the
interface's own messages in that language, and a vote round's poll."""

from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import Browser, expect

from consult.questionnaires.models import Purpose, QuestionKind
from tests.factories import add_questionnaire

LOCALES = {"zh_CN": "zh-CN", "en": "en-GB"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
POLL = [("您认为本办法最需要优先落实哪一项？", False, ["资金保障", "服务质量监管", "信息公开"]),
        ("您通过哪些渠道了解政策？", True, ["政府网站", "微信公众号", "社区公告栏"])]


def add_poll(round_) -> None:
    """A single- and a multiple-choice question on a vote round (``POLL``), committed."""
    add_questionnaire(round_.id, Purpose.POLL, [
        (text, QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE, options)
        for text, multiple, options in POLL])


class Journey:
    """A fresh browser context for one journey: ``_`` gives a message as this language
    shows it, ``shoot`` saves full-page screenshots at both widths (with JavaScript only,
    the same pages otherwise), ``log_in`` uses the login form."""

    def __init__(self, browser: Browser, live, artifacts: Path, name: str, locale: str,
                 javascript: bool = True) -> None:
        self.live, self.artifacts, self.locale, self.javascript = live, artifacts, locale, javascript
        self.name = f"journey-{name}-{locale}-{'js' if javascript else 'nojs'}"
        self.context = browser.new_context(
            base_url=live.url, locale=LOCALES[locale], timezone_id="Asia/Shanghai",
            java_script_enabled=javascript, viewport={"width": 1280, "height": 900},
            accept_downloads=True)
        self.context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.step = 0

    def _(self, message: str, **values) -> str:
        with self.live.app.app_context(), force_locale(self.locale):
            return gettext(message, **values)

    def n_(self, singular: str, plural: str, num: int, **values) -> str:
        with self.live.app.app_context(), force_locale(self.locale):
            return ngettext(singular, plural, num, **values)

    def shoot(self, what: str) -> None:
        self.step += 1
        if not self.javascript:  # the same pages; keep the suite fast
            return
        page = self.page
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(self.artifacts / (
                f"{self.name}-{self.step:02d}-{what}-{label}.png")), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    def log_in(self, email: str, password: str) -> None:
        _, page = self._, self.page
        page.goto("/auth/login")
        page.get_by_label(_("E-mail address")).fill(email)
        page.get_by_label(_("Password")).fill(password)
        page.get_by_role("button", name=_("Log in")).click()
        expect(page.get_by_text(_("You are logged in."))).to_be_visible()

    def announced(self, message: str) -> None:
        """The outcome of an action: read out in the live region after an htmx swap,
        or shown as the flash message after a plain form post and redirect."""
        if self.javascript:
            expect(self.page.locator("#live")).to_have_text(message)
        else:
            expect(self.page.get_by_text(message, exact=True)).to_be_visible()

    def close(self) -> None:
        self.context.close()
