"""Keyboard only: a citizen tabs to the comment form and the vote form, fills them in
and submits them without a mouse; focus is always visible, the htmx swap moves focus
to the result and the aria-live region announces it. Runs in zh_CN and English.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from consult.extensions import db
from consult.participation.models import Comment
from consult.questionnaires.models import Purpose, QuestionKind
from consult.rounds.models import RoundKind
from consult.voting.models import Ballot
from tests.browser.journey import LOCALES
from tests.factories import (
    PASSWORD,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    add_questionnaire,
)

FOCUSED = """() => { const e = document.activeElement; if (!e) return null;
  const s = getComputedStyle(e);
  const label = e.labels && e.labels[0] ? e.labels[0].innerText.trim() : '';
  return {tag: e.tagName.toLowerCase(), type: e.type || '', label: label,
          text: (e.innerText || e.value || '').trim().slice(0, 60),
          name: e.getAttribute('aria-label') || '',
          visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                   || s.boxShadow !== 'none'}; }"""


def tr(live, locale, message, **values):
    with live.app.app_context(), force_locale(locale):
        return gettext(message, **values)


def tab_to(page: Page, wanted, limit: int = 60) -> dict:
    """Press Tab until ``wanted(focused)``; every stop on the way shows a focus ring."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        assert focused and focused["tag"] != "body", f"Tab left the page after {seen}"
        assert focused["visible"], f"focus is invisible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"never reached by Tab: {seen}")


def log_in(page: Page, live, locale: str, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label(tr(live, locale, "E-mail address")).fill(email)
    page.get_by_label(tr(live, locale, "Password")).fill(PASSWORD)
    page.get_by_label(tr(live, locale, "Password")).press("Enter")
    expect(page.get_by_text(tr(live, locale, "You are logged in."))).to_be_visible()


@pytest.fixture(params=list(LOCALES))
def keyboard_page(request, browser, live):
    locale = request.param
    context = browser.new_context(base_url=live.url, locale=LOCALES[locale],
                                  timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    yield locale, context.new_page()
    context.close()


def test_comment_and_vote_by_keyboard_alone(keyboard_page, live):
    locale, page = keyboard_page
    _ = lambda message, **values: tr(live, locale, message, **values)  # noqa: E731
    with live.app.app_context():
        r = RoundFactory(kind=RoundKind.BOTH, version=DraftVersionFactory(
            clauses=["社区养老服务机构应当提供日间照料服务。", "服务收费标准应当公开。"]))
        add_questionnaire(r.id, Purpose.POLL, [
            ("最需要优先落实哪一项？", QuestionKind.SINGLE, ["资金保障", "信息公开"])])
        round_id = r.id
        email = UserFactory(email="kb@example.org", display_name="键盘用户").email
    log_in(page, live, locale, email)

    # The comment form: Tab from the top of the page, arrows in the select, type, Enter.
    page.goto(f"/rounds/{round_id}/comments")
    page.locator("body").focus()
    tab_to(page, lambda f: f["tag"] == "select"
           and f["label"].startswith(_("Which part is your comment about?")))
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda f: f["tag"] == "textarea" and f["label"] == _("Your comment"))
    page.keyboard.type("收费标准应当向社会公开。")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == _("Post comment"))
    page.keyboard.press("Enter")
    expect(page.locator("#live")).to_have_text(_("Your comment was posted."))
    expect(page.locator("body")).not_to_be_focused()
    with live.app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 1

    # The vote form: radio groups by arrow keys and Space, the reason, Enter on the button.
    page.goto(f"/rounds/{round_id}/vote")
    page.locator("body").focus()
    tab_to(page, lambda f: f["type"] == "radio")
    page.keyboard.press("Space")
    # The poll question's group: Tab lands on its checked radio, "No answer"; the arrow
    # key moves to and checks the option above it.
    tab_to(page, lambda f: f["type"] == "radio" and f["label"] == _("No answer"))
    page.keyboard.press("ArrowUp")
    tab_to(page, lambda f: f["tag"] == "textarea")
    page.keyboard.type("请公开资金使用情况。")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == _("Cast my vote"))
    page.keyboard.press("Enter")
    expect(page.locator("#live")).to_contain_text(_("You voted: %(choice)s", choice=""))
    expect(page.locator("#live")).to_contain_text("信息公开")
    expect(page.locator("#vote-panel-title")).to_be_focused()
    with live.app.app_context():
        assert db.session.scalar(select(func.count(Ballot.id))) == 1
