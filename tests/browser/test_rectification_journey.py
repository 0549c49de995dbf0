"""好差评 in Chromium, in zh_CN and English, with and without JavaScript: a citizen rates
a response 非常不满意 (the lowest of five levels) with a reason; the official sees the case
with its due date counted across a holiday (the next weekday made one on the calendar),
is refused closing it without a follow-up, records the 回访 and a rectification linked to
an erratum; the citizen is notified and rates again; another rating is appealed by the
department and voided by an evaluator; the evaluator draws a random follow-up sample
(随机回访) of the participant who did not rate, and is refused the same seed again; the
public record, the accountability page and the evaluation dashboard show the figures
(followed up in time among them).
Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult import workdays
from consult.accounts.models import Department
from consult.clock import now
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.rectification import services as rectification
from consult.rectification.models import RectificationCase
from consult.rounds import participants
from consult.rounds.models import Round
from tests.browser.journey import LOCALES, Journey
from tests.factories import (
    PASSWORD,
    ErratumFactory,
    RoundFactory,
    RoundResponseFactory,
    UserFactory,
)

ERRATUM = "第三条补贴标准更正为每月300元。"


def setup(live):
    with live.app.app_context():
        published = now() - timedelta(days=1)
        r = RoundFactory(closed=True, response_published_at=published, survey_days=14,
                         survey_closes_at=published + timedelta(days=14),
                         recorded_state="responded")
        consultation = db.session.get(Consultation, r.consultation_id)
        dept = db.session.get(Department, consultation.department_id)
        response = RoundResponseFactory(round_=r, summary="感谢大家的意见。",
                                        published_at=published)
        ErratumFactory(response_id=response.id, body=ERRATUM)
        UserFactory(email="official@example.org", role="official", role__department=dept)
        UserFactory(email="evaluator@example.org", role="evaluator")
        for email in ("mei@example.org", "troll@example.org", "lan@example.org"):
            participants.mark(r.id, UserFactory(email=email).id)
        db.session.commit()
        return r.id, consultation.title


def rate_badly(j: Journey, round_id: int, comment: str) -> None:
    _, page = j._, j.page
    page.goto(f"/rounds/{round_id}/survey")
    for legend, pick in (
            (_("Overall, how satisfied are you with the department's response?"), 4),
            (_("Rate the response from 1 (very poor) to 5 (very good)"), 0),
            (_("How clear is the response, from 1 (very unclear) to 5 (very clear)?"), 1),
            (_("Did you feel heard?"), 2)):
        page.get_by_role("group", name=legend).get_by_role("radio").nth(pick).check()
    page.get_by_label(_("Anything else you want the department to know (optional)")).fill(
        comment)
    page.get_by_role("button", name=_("Send my answer")).click()
    expect(page.get_by_role("button", name=_("Send my answer"))).to_have_count(0)


def with_a_holiday(monkeypatch, live, round_id: int) -> date:
    """The next weekday is made a holiday on the official calendar (the live server runs in
    this process); returns the due day counted by hand across it."""
    today = now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    holiday = today + timedelta(days=1)
    while holiday.weekday() >= 5:
        holiday += timedelta(days=1)
    monkeypatch.setattr(workdays.chinese_calendar, "is_workday",
                        lambda d: d.weekday() < 5 and d != holiday)
    with live.app.app_context():
        r = db.session.get(Round, round_id)
        days = rectification.days_for(db.session.get(Consultation, r.consultation_id)
                                      .department_id)
    day, counted = today, 0
    while counted < days:
        day += timedelta(days=1)
        counted += day.weekday() < 5 and day != holiday
    return day


def case_ids(live) -> list[int]:
    with live.app.app_context():
        return list(db.session.scalars(select(RectificationCase.id)
                                       .order_by(RectificationCase.id)))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_bad_rating_followed_up_rectified_rerated_appealed(browser, live, artifacts, locale,
                                                           javascript, monkeypatch):
    round_id, title = setup(live)
    due_day = with_a_holiday(monkeypatch, live, round_id)
    mei = Journey(browser, live, artifacts, "rectification-citizen", locale, javascript)
    official = Journey(browser, live, artifacts, "rectification-official", locale, javascript)
    evaluator = Journey(browser, live, artifacts, "rectification-evaluator", locale,
                        javascript)
    troll = Journey(browser, live, artifacts, "rectification-troll", locale, javascript)
    try:
        _ = mei._
        mei.log_in("mei@example.org", PASSWORD)
        rate_badly(mei, round_id, "答复回避了补贴标准问题。")
        troll.log_in("troll@example.org", PASSWORD)
        rate_badly(troll, round_id, "全是废话！！！")
        first, second = case_ids(live)

        # The official: the case in the workspace, with its due date.
        official.log_in("official@example.org", PASSWORD)
        page = official.page
        page.goto("/manage/rectification/")
        page.get_by_role("link", name=_("Case %(id)d", id=first)).click()
        expect(page.get_by_text("答复回避了补贴标准问题。")).to_be_visible()
        # Its due date is counted across the holiday, and shown.
        with live.app.app_context():
            due_at = db.session.get(RectificationCase, first).due_at
            assert workdays.local_day(due_at) == due_day
        with live.app.test_request_context(headers={"Accept-Language": LOCALES[locale]}):
            shown = live.app.jinja_env.filters["datetime"](due_at, "medium")
        expect(page.get_by_text(shown).first).to_be_visible()
        official.shoot("case")
        # Closing it without a 回访 is refused, with the reason.
        page.get_by_label(_("Rectified")).check()
        page.get_by_label(_("What was done, or why nothing will be (public)")).fill("已更正。")
        page.get_by_role("button", name=_("Save and tell the rater")).click()
        expect(page.get_by_text(
            _("Record the follow-up with the rater (回访) before closing the case.")).first
        ).to_be_visible()
        page.get_by_label(_("How the rater was contacted")).select_option("phone")
        page.get_by_label(_("What the rater said")).fill("电话回访：希望明确补贴标准。")
        page.get_by_role("button", name=_("Record the follow-up")).click()
        expect(page.get_by_text(_("The follow-up is recorded."))).to_be_visible()
        page.get_by_label(_("Rectified")).check()
        page.get_by_label(_("What was done, or why nothing will be (public)")).fill(
            "已发布勘误，明确补贴标准。")
        page.get_by_label(_("Erratum published for it")).select_option(label=ERRATUM)
        page.get_by_role("button", name=_("Save and tell the rater")).click()
        expect(page.get_by_text(_("Saved. The rater is told and may rate again."))
               ).to_be_visible()
        # The troll's rating is appealed.
        page.goto(f"/manage/rectification/{second}")
        page.get_by_label(_("Why the rating is mistaken or abusive")).fill(
            "评价内容为辱骂，与答复无关。")
        page.get_by_role("button", name=_("Send the appeal")).click()
        expect(page.get_by_text(_("The appeal is sent to the evaluators for review."))
               ).to_be_visible()

        # The citizen is told and rates again.
        page = mei.page
        page.goto("/me/notifications")
        expect(page.get_by_text(_(
            "The department followed up your rating of its response on “%(title)s” and "
            "rectified. You can rate it again.", title=title))).to_be_visible()
        page.goto(f"/rectification/{first}")
        expect(page.get_by_role("heading", name=_("Rate the response again"))).to_be_visible()
        page.get_by_label(_("Basically satisfied")).check()
        mei.shoot("rerate")
        page.get_by_role("button", name=_("Save my new rating")).click()
        expect(page.get_by_text(_("Thank you — your new rating is saved beside the first."))
               ).to_be_visible()

        # The evaluator voids the abusive rating.
        evaluator.log_in("evaluator@example.org", PASSWORD)
        page = evaluator.page
        page.goto("/rectification/appeals")
        page.get_by_role("link", name=_("Case %(id)d", id=second)).click()
        page.get_by_label(_("Rating voided")).check()
        page.get_by_label(_("Reason (public)")).fill("评价含辱骂内容，与答复无关，作废。")
        page.get_by_role("button", name=_("Record the decision")).click()
        expect(page.get_by_text(_("The decision is recorded and published."))).to_be_visible()
        page.goto("/evaluation/")
        expect(page.get_by_role("heading", name=_("Bad ratings followed up, by month"))
               ).to_be_visible()
        expect(page.get_by_role("columnheader", name=_("Bad rating rate"))).to_be_visible()
        expect(page.get_by_role("columnheader", name=_("Followed up in time"), exact=True)
               ).to_be_visible()
        evaluator.shoot("evaluation")

        # 随机回访: the one participant who did not rate is drawn and invited; the same
        # seed again is refused with the reason.
        page.goto(f"/evaluation/rounds/{round_id}")
        for _attempt in range(2):
            page.get_by_label(_("How many participants to draw")).fill("5")
            page.get_by_label(_("Seed (optional)")).fill("journey-1")
            page.get_by_role("button", name=_("Draw and invite")).click()
        expect(page.get_by_text(_(
            "A sample was already drawn for this round with the seed “%(seed)s”. The same "
            "seed gives the same people: choose another seed.", seed="journey-1")).first
        ).to_be_visible()
        expect(page.get_by_role("cell", name=_("%(size)d of %(population)d", size=1,
                                               population=1))).to_be_visible()
        evaluator.shoot("sample")

        # The public record, without the raters.
        page = troll.page
        page.goto("/accountability/")
        expect(page.get_by_role("heading", name=_("Bad ratings followed up"))).to_be_visible()
        expect(page.get_by_role("columnheader", name=_("Followed up in time"), exact=True)
               ).to_be_visible()
        page.goto(f"/rectification/{first}")
        expect(page.get_by_text("已发布勘误，明确补贴标准。")).to_be_visible()
        expect(page.get_by_text("答复回避了补贴标准问题。")).to_have_count(0)
        troll.shoot("public-case")
    finally:
        for j in (mei, official, evaluator, troll):
            j.close()
