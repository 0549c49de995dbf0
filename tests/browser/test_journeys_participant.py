"""Journey 4, in zh_CN and English, with and without JavaScript: a participant sees
on their account page what happened to their opinions, follows the link to the changed
clause in the diff, and answers the satisfaction survey of the responded round.
Runs on the demo data (``consult.seed.seed``). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.extensions import db
from consult.rounds.models import Round, RoundParticipant
from consult.seed import DEMO_PASSWORD, seed
from consult.surveys.models import SurveyAnswer
from tests.browser.journey import LOCALES
from tests.browser.journey import log_in as log_in_with_form
from tests.browser.journey import shoot as shoot_page

RUNS = [("zh_CN", True), ("en", True), ("zh_CN", False), ("en", False)]


@pytest.fixture(scope="module")
def demo(live_server):
    live_server.clear()
    with live_server.app.app_context():
        seed()
        # The responded round whose survey is still open.
        round_id = db.session.scalar(
            select(Round.id).where(Round.response_published_at.is_not(None))
            .order_by(Round.survey_closes_at.desc()).limit(1))
        # Participants who have not answered its survey yet: one per run answers.
        answered = select(SurveyAnswer.user_id).where(SurveyAnswer.round_id == round_id)
        respondents = list(db.session.scalars(
            select(User.email).join(RoundParticipant, RoundParticipant.user_id == User.id)
            .where(RoundParticipant.round_id == round_id, User.id.not_in(answered))
            .order_by(User.id)))
        assert len(respondents) >= len(RUNS), respondents
    yield round_id, respondents
    live_server.clear()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_participant_follows_their_opinion_and_rates_the_response(
        browser, live_server, demo, artifacts, locale, javascript):
    def _(message, **values):
        with live_server.app.app_context(), force_locale(locale):
            return gettext(message, **values)

    demo, respondents = demo
    context = browser.new_context(base_url=live_server.url, locale=LOCALES[locale],
                                  timezone_id="Asia/Shanghai", java_script_enabled=javascript,
                                  viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "locale", "value": locale, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)

    def shoot(what):
        if not javascript:
            return
        shoot_page(page, artifacts, f"journey-participant-{locale}-{what}")

    def log_in(email):
        log_in_with_form(page, _, email, DEMO_PASSWORD)

    try:
        # What happened to my opinions, then straight to the changed clause.
        log_in("citizen@example.org")
        page.get_by_role("link", name=_("My account")).first.click()
        expect(page.get_by_role("heading", name=_("What happened to my opinions"))).to_be_visible()
        shoot("my-opinions")
        change = page.get_by_role("link", name=_("The change")).first
        href = change.get_attribute("href")
        assert href and "/diff" in href and "#clause-" in href, href
        change.click()
        clause = page.locator(f"#{href.split('#')[1]}")
        expect(clause).to_be_visible()
        # what changed: marks in the text, or a badge (a new number or chapter is shown
        # as whole old → new labels, never marked inside)
        expect(clause.locator("ins, del, .diff-badge").first).to_be_visible()
        shoot("changed-clause")
        page.get_by_role("button", name=_("Log out")).click()

        # The satisfaction survey, from the response page.
        respondent = respondents[RUNS.index((locale, javascript))]
        log_in(respondent)
        page.goto(f"/rounds/{demo}/response")
        page.get_by_role("link", name=_("Rate the response")).first.click()
        for legend, pick in (
                (_("Overall, how satisfied are you with the department's response?"), 1),
                (_("Rate the response from 1 (very poor) to 5 (very good)"), 3),
                (_("How clear is the response, from 1 (very unclear) to 5 (very clear)?"), 4),
                (_("Did you feel heard?"), 0)):
            page.get_by_role("group", name=legend).get_by_role("radio").nth(pick).check()
        page.get_by_label(_("Anything else you want the department to know (optional)")).fill(
            "答复很清楚，希望按时落实。")
        shoot("survey")
        page.get_by_role("button", name=_("Send my answer")).click()
        expect(page.get_by_role("button", name=_("Send my answer"))).to_have_count(0)
        if javascript:
            expect(page.locator("#live")).not_to_be_empty()
        with live_server.app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.email == respondent))
            assert db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(
                SurveyAnswer.user_id == user_id, SurveyAnswer.round_id == demo)) == 1
    finally:
        context.close()
