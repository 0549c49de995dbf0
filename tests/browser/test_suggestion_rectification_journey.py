"""好差评 for answers to agenda suggestions, in Chromium, in zh_CN and English, with and
without JavaScript: the author rates the department's answer 非常不满意 with a reason;
the department's official finds the case in the workspace with the reason, and the
public case page names the suggestion without the reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.db import atomic
from consult.extensions import db
from consult.rectification.models import RectificationCase
from consult.suggestions import services as suggestions
from tests.browser.journey import LOCALES, Journey
from tests.factories import PASSWORD, DepartmentFactory, UserFactory, make_suggestion
from tests.factories import with_roles as actor

REASON = "答复没有说明何时办理。"


def setup(live):
    with live.app.app_context():
        dept = DepartmentFactory()
        official = UserFactory(email="official@example.org", role="official",
                               role__department=dept)
        author = UserFactory(email="author@example.org")
        s = make_suggestion(author, dept)
        with atomic():
            suggestions.answer_suggestion(actor(official), s, status="under_study")
        return s.id, s.title


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_a_bad_rating_of_a_suggestion_answer_opens_a_case(browser, live, artifacts, locale,
                                                          javascript):
    suggestion_id, title = setup(live)
    author = Journey(browser, live, artifacts, "suggestion-case-author", locale, javascript)
    official = Journey(browser, live, artifacts, "suggestion-case-official", locale,
                       javascript)
    try:
        _ = author._
        author.log_in("author@example.org", PASSWORD)
        page = author.page
        page.goto(f"/suggestions/{suggestion_id}")
        page.get_by_label(_("Very dissatisfied")).check()
        page.get_by_label(_("Why? (optional; the department reads it, it is not "
                            "published)")).fill(REASON)
        page.get_by_role("button", name=_("Send my rating")).click()
        expect(page.get_by_text(_("Thank you for rating the answer."))).to_be_visible()
        author.shoot("rated")
        with live.app.app_context():
            case_id = db.session.scalar(select(RectificationCase.id))
        assert case_id is not None

        official.log_in("official@example.org", PASSWORD)
        page = official.page
        page.goto("/manage/rectification/")
        expect(page.get_by_text(title).first).to_be_visible()
        page.get_by_role("link", name=_("Case %(id)d", id=case_id)).click()
        expect(page.get_by_text(REASON)).to_be_visible()
        expect(page.get_by_text(_("Answer to an agenda suggestion rated"))).to_be_visible()
        official.shoot("case")

        # A visitor: the public case page names the suggestion, not the reason.
        public = browser.new_context(base_url=live.url, locale=LOCALES[locale],
                                     java_script_enabled=javascript)
        try:
            p = public.new_page()
            p.goto(f"/rectification/{case_id}")
            expect(p.get_by_role("link", name=title)).to_be_visible()
            expect(p.get_by_text(REASON)).to_have_count(0)
        finally:
            public.close()
    finally:
        for j in (author, official):
            j.close()
