"""Journey 1, in zh_CN and English: an official creates a consultation, writes a draft of
several clauses by pasting it, publishes version 1 and the consultation, schedules a
comment round and a vote round, and gives the vote round its poll questions — all by
visible labels, links and buttons, from the header navigation on. The public then
sees the draft and both rounds. Screenshots at 1280 and 390 px go to test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.clock import now
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.questionnaires.models import Purpose, Questionnaire, QuestionnaireQuestion
from consult.rounds.models import Round, RoundKind
from tests.browser.journey import LOCALES, shoot
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

DRAFT = ("第一条 为规范社区养老服务，制定本办法。\n\n"
         "第二条 社区养老服务机构应当提供日间照料服务。\n\n"
         "第三条 服务收费标准由区民政部门会同发展改革部门制定。\n\n"
         "第四条 本办法自发布之日起施行。")


class Journey:
    def __init__(self, live, page: Page, locale: str, artifacts, name: str):
        self.live, self.page, self.locale, self.artifacts, self.name = (
            live, page, locale, artifacts, name)
        self.step = 0

    def _(self, message: str, **values) -> str:
        with self.live.app.app_context(), force_locale(self.locale):
            return gettext(message, **values)

    def shoot(self, what: str) -> None:
        self.step += 1
        shoot(self.page, self.artifacts,
              f"journey-{self.name}-{self.locale}-{self.step:02d}-{what}")

    def log_in(self, email: str) -> None:
        _ = self._
        self.page.goto("/")
        self.page.get_by_role("link", name=_("Log in"), exact=True).first.click()
        self.page.get_by_label(_("E-mail address")).fill(email)
        self.page.get_by_label(_("Password")).fill(PASSWORD)
        self.page.get_by_role("button", name=_("Log in")).click()
        expect(self.page.get_by_text(_("You are logged in."))).to_be_visible()


@pytest.fixture(params=list(LOCALES))
def journey_page(request, browser, live):
    locale = request.param
    context = browser.new_context(base_url=live.url, locale=LOCALES[locale],
                                  timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield locale, page
    context.close()


def local(when) -> str:
    """A UTC instant as the official types it in Beijing time (datetime-local)."""
    return (when + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def test_official_creates_drafts_publishes_and_schedules_rounds(journey_page, live, artifacts):
    locale, page = journey_page
    with live.app.app_context():
        dept = DepartmentFactory(name="市民政局")
        email = UserFactory(email="wang@example.org", display_name="王科长", locale=locale,
                            role="official", role__department=dept).email
    j = Journey(live, page, locale, artifacts, "official")
    _ = j._
    j.log_in(email)

    # A new consultation, from the header navigation.
    page.get_by_role("navigation").get_by_role("link", name=_("Manage consultations")).first.click()
    page.get_by_role("link", name=_("New consultation")).click()
    page.get_by_label(_("Title")).fill("社区养老服务管理办法（征求意见稿）")
    page.get_by_label(_("Summary")).fill("规范社区养老服务，保障老年人合法权益。")
    j.shoot("new-consultation")
    page.get_by_role("button", name=_("Create consultation")).click()
    # Creating leads straight to the working copy of the draft.
    expect(page.get_by_role("link", name="社区养老服务管理办法（征求意见稿）")).to_be_visible()

    # The draft: paste four clauses, publish them as version 1.
    page.get_by_text(_("Paste a whole draft"), exact=True).click()
    page.get_by_label(_("Paste the draft")).fill(DRAFT)
    page.get_by_role("button", name=_("Add these clauses")).click()
    expect(page.get_by_text("本办法自发布之日起施行。")).to_be_visible()
    page.get_by_label(_("Change note")).fill("首次公开征求意见。")
    j.shoot("draft")
    page.get_by_role("button", name=_("Publish version %(n)d", n=1)).click()
    # Publishing asks once more, showing what the public will see (a dialog with
    # JavaScript, a page without).
    j.shoot("confirm-version")
    page.get_by_role("button", name=_("Yes: %(action)s",
                                      action=_("Publish version %(n)d", n=1))).click()

    # Back on the consultation's page: publish the consultation itself.
    expect(page.get_by_role("heading", name=_("Published versions"))).to_be_visible()
    page.get_by_role("button", name=_("Publish consultation")).click()
    page.get_by_role("button", name=_("Yes: %(action)s",
                                      action=_("Publish consultation"))).click()
    expect(page.get_by_text(_("Published"), exact=True).first).to_be_visible()
    j.shoot("published")

    # Two rounds: comments first, then a vote.
    start = now() + timedelta(days=1)
    page.get_by_role("link", name=_("Rounds"), exact=True).first.click()
    for kind, title, opens, closes in (
            (_("Questions and comments"), "第一轮意见征集", start, start + timedelta(days=14)),
            (_("Vote"), "第二轮表决", start + timedelta(days=15),
             start + timedelta(days=22))):
        page.get_by_label(_("What the public is asked to do")).select_option(label=kind)
        page.get_by_label(_("Draft version")).select_option(label=_("Version %(number)d",
                                                                    number=1))
        page.get_by_label(_("Title (optional)")).fill(title)
        page.get_by_label(_("Opens"), exact=True).fill(local(opens))
        page.get_by_label(_("Closes"), exact=True).fill(local(closes))
        page.get_by_label(_("Response due")).fill(local(closes + timedelta(days=30)))
        page.get_by_role("button", name=_("Schedule the round")).click()
        # Scheduling leads to the round's own page.
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        if title == "第一轮意见征集":
            j.shoot("round-scheduled")
            page.get_by_role("link", name=_("Rounds"), exact=True).last.click()

    # The vote round's poll questions, linked from the round's page.
    page.get_by_role("link", name=_("Poll questions")).click()
    for text, answers in (("您认为本办法最需要优先落实哪一项？", "资金保障\n服务质量监管\n信息公开"),
                          ("您通过哪些渠道了解政策？", "政府网站\n微信公众号\n社区公告栏")):
        page.get_by_label(_("Question"), exact=True).fill(text)
        page.get_by_label(_("Answers, one per line")).fill(answers)
        page.get_by_role("button", name=_("Add the question")).click()
        expect(page.get_by_text(text).first).to_be_visible()
    j.shoot("poll")

    with live.app.app_context():
        consultation = db.session.scalar(select(Consultation))
        rounds = db.session.scalars(select(Round).order_by(Round.opens_at)).all()
        assert consultation.published_at is not None
        assert consultation.latest_version_number == 1
        assert [r.kind for r in rounds] == [RoundKind.COMMENTS, RoundKind.VOTE]
        assert db.session.scalar(
            select(Questionnaire.round_id).join(QuestionnaireQuestion)
            .where(Questionnaire.purpose == Purpose.POLL).distinct()) == rounds[1].id
        consultation_id = consultation.id

    # The public sees the draft and both rounds.
    page.get_by_role("button", name=_("Log out")).click()
    page.goto(f"/consultations/{consultation_id}")
    expect(page.get_by_text("社区养老服务机构应当提供日间照料服务。", exact=True)).to_be_visible()
    expect(page.get_by_text("第一轮意见征集").first).to_be_visible()
    expect(page.get_by_text("第二轮表决").first).to_be_visible()
    j.shoot("public")
