"""Shared pieces of the browser journeys: one person's browser in a given language with or
without JavaScript, screenshots at desktop and phone widths, logging in and out with the
forms, and the interface's own messages in that language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD

LOCALES = {"zh_CN": "zh-CN", "en": "en-GB"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def shoot(page: Page, artifacts: Path, name: str) -> None:
    """Full-page screenshots of the current page at each of ``WIDTHS``
    (``{name}-desktop.png``, ``{name}-phone.png``), then the page's own size again."""
    size = page.viewport_size
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def shooter(prefix: str) -> Callable[[Page, Path, str], None]:
    """``shoot`` with every file name starting with ``prefix``."""
    def shoot_prefixed(page: Page, artifacts: Path, name: str) -> None:
        shoot(page, artifacts, f"{prefix}{name}")
    return shoot_prefixed


def log_in(page: Page, say: Callable[..., str], email: str, password: str = PASSWORD) -> None:
    """Through the login form; ``say`` gives a message in the page's language."""
    page.goto("/auth/login")
    page.get_by_label(say("E-mail address")).fill(email)
    page.get_by_label(say("Password")).fill(password)
    page.get_by_role("button", name=say("Log in")).click()
    expect(page.get_by_text(say("You are logged in."))).to_be_visible()


def log_out(page: Page, say: Callable[..., str]) -> None:
    page.get_by_role("button", name=say("Log out")).click()


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
        shoot(self.page, self.artifacts, f"{self.name}-{self.step:02d}-{what}")

    def log_in(self, email: str, password: str) -> None:
        log_in(self.page, self._, email, password)

    def announced(self, message: str) -> None:
        """The outcome of an action: read out in the live region after an htmx swap,
        or shown as the flash message after a plain form post and redirect."""
        if self.javascript:
            expect(self.page.locator("#live")).to_have_text(message)
        else:
            expect(self.page.get_by_text(message, exact=True)).to_be_visible()

    def close(self) -> None:
        self.context.close()
