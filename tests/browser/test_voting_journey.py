"""Voting in Chromium, with and without JavaScript, and the official's poll editor.

With JavaScript the vote panel swaps in place (no page load), shows "you voted" with the
choices, announces it in the aria-live region and moves focus to it; changing the vote
does the same. Without JavaScript the same form posts and redirects. The official
defines poll questions while the round is scheduled; after close the results show as
SVG bar charts with tables. Screenshots at 1280 and 390 px go to test-artifacts/.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from consult.accounts.models import Department
from consult.clock import now
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.rounds.models import Round, RoundKind
from consult.rounds.services import get_round
from consult.voting.models import Ballot, VoteTally
from tests.browser.journey import log_in, shooter
from tests.factories import RoundFactory, UserFactory, add_poll

shoot = shooter("voting-")


def setup(live, **round_kw):
    """An open vote round with a single- and a multiple-choice question, and people."""
    with live.app.app_context():
        r = RoundFactory(kind=RoundKind.VOTE, **round_kw)
        add_poll(r)
        department = db.session.get(
            Department, db.session.get(Consultation, r.consultation_id).department_id)
        people = {
            "mei": UserFactory(email="mei@example.org", display_name="王小梅"),
            "li": UserFactory(email="li@example.org", display_name="李建华"),
            "official": UserFactory(email="wang@example.org", display_name="王科长",
                                    role="official", role__department=department),
        }
        return r.id, {k: u.email for k, u in people.items()}


def counts(live, round_id):
    with live.app.app_context():
        ballots = db.session.scalar(select(func.count(Ballot.id))
                                    .where(Ballot.round_id == round_id))
        tally = db.session.get(VoteTally, round_id)
        return ballots, ({s: getattr(tally, s) for s in
                          ("support", "support_with_changes", "oppose", "abstain")}
                         if tally else {})


def test_vote_and_change_with_javascript(page: Page, live, artifacts):
    zh = live.zh
    round_id, emails = setup(live)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/rounds/{round_id}/vote")
    expect(page.get_by_role("link", name=zh("Log in to vote"))).to_be_visible()
    log_in(page, live.zh, emails["mei"])
    page.goto(f"/rounds/{round_id}/vote")
    shoot(page, artifacts, "01-form")
    page.get_by_label(zh("Support with changes")).check()
    page.get_by_label("服务质量监管").check()
    page.get_by_label("政府网站").check()
    page.get_by_label("社区公告栏").check()
    page.get_by_label(zh("Your reason (optional)")).fill("建议把补贴标准写进条文。")
    url_before = page.url
    page.get_by_role("button", name=zh("Cast my vote")).click()
    voted = page.locator("#vote-panel .voted")
    expect(voted).to_contain_text(zh("You voted"))
    expect(voted).to_contain_text("政府网站")
    choice = zh(", ").join([zh("Support with changes"), "服务质量监管", "政府网站", "社区公告栏"])
    expect(page.locator("#live")).to_have_text(zh("You voted: %(choice)s", choice=choice))
    expect(page.locator("#vote-panel-title")).to_be_focused()
    assert page.url == url_before  # swapped in place, no page load
    shoot(page, artifacts, "02-voted-js")

    page.get_by_role("link", name=zh("Change my vote")).click()
    expect(page.get_by_label(zh("Support with changes"))).to_be_checked()
    expect(page.get_by_label("社区公告栏")).to_be_checked()
    page.get_by_label(zh("Oppose")).check()
    page.get_by_label("社区公告栏").uncheck()
    page.get_by_role("button", name=zh("Save my changed vote")).click()
    choice = zh(", ").join([zh("Oppose"), "服务质量监管", "政府网站"])
    expect(page.locator("#live")).to_have_text(zh("You voted: %(choice)s", choice=choice))
    expect(voted).not_to_contain_text("社区公告栏")
    ballots, tally = counts(live, round_id)
    assert ballots == 1 and tally["oppose"] == 1 and tally["support_with_changes"] == 0


def test_vote_without_javascript(new_context, live, artifacts):
    zh = live.zh
    round_id, emails = setup(live)
    context = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live.zh, emails["li"])
    page.goto(f"/rounds/{round_id}/vote")
    # no stance: the error summary and the message beside the field, nothing saved
    page.get_by_role("button", name=zh("Cast my vote")).click()
    expect(page.locator(".error-summary")).to_contain_text(zh("Choose your stance on the draft."))
    expect(page.locator("#stance-error")).to_be_visible()
    assert counts(live, round_id)[0] == 0
    shoot(page, artifacts, "03-error-nojs")
    page.get_by_label(zh("Support"), exact=True).check()
    page.get_by_label("资金保障").check()
    page.get_by_role("button", name=zh("Cast my vote")).click()
    expect(page.get_by_text(zh("Your vote is saved. You can change it until the round closes.")
                            )).to_be_visible()
    expect(page.locator("#vote-panel .voted")).to_contain_text("资金保障")
    assert page.url.endswith(f"/rounds/{round_id}/vote")
    shoot(page, artifacts, "04-voted-nojs")
    page.get_by_role("link", name=zh("Change my vote")).click()
    page.get_by_label(zh("Abstain")).check()
    page.get_by_role("button", name=zh("Save my changed vote")).click()
    expect(page.locator("#vote-panel .voted")).to_contain_text(zh("Abstain"))
    ballots, tally = counts(live, round_id)
    assert ballots == 1 and tally["abstain"] == 1 and tally["support"] == 0
    context.close()


def test_official_defines_the_poll_and_results_show_after_close(page: Page, live, artifacts):
    zh = live.zh
    with live.app.app_context():
        r = RoundFactory(kind=RoundKind.VOTE, scheduled=True)
        department_id = db.session.get(Consultation, r.consultation_id).department_id
        official = UserFactory(email="wang@example.org", role="official",
                               role__department=db.session.get(Department, department_id))
        round_id, email = r.id, official.email
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live.zh, email)
    page.goto(f"/manage/rounds/{round_id}/poll")
    page.get_by_label(zh("Question"), exact=True).fill("您最希望社区提供哪项服务？")
    page.get_by_label(zh("Answers, one per line")).fill("日间照料")
    page.get_by_role("button", name=zh("Add the question")).click()
    expect(page.locator("#options-error")).to_contain_text(
        zh("Give at least 2 answers, one per line."))
    shoot(page, artifacts, "05-poll-error")
    page.get_by_label(zh("Answers, one per line")).fill("日间照料\n助餐服务\n上门护理")
    page.get_by_role("button", name=zh("Add the question")).click()
    expect(page.get_by_text(zh("The question is added."))).to_be_visible()
    expect(page.locator(".poll-list")).to_contain_text("上门护理")
    shoot(page, artifacts, "06-poll-added")

    # The round opens, two people vote, it closes: the results are charts and tables.
    with live.app.app_context():
        at = now()
        db.session.execute(update(Round).where(Round.id == round_id).values(
            opens_at=at.replace(year=at.year - 1), closed_at=None))
        db.session.commit()
        from consult.db import atomic
        from consult.voting import services
        question = services.list_questions(get_round(None, round_id))[0]
        first = question.options[0].id
        for stance, i in (("support", 1), ("oppose", 2)):
            voter = UserFactory(email=f"voter{i}@example.org")
            with atomic():
                services.cast_ballot(voter, get_round(None, round_id),
                                     stance=stance, answers={question.id: [first]})
        db.session.execute(update(Round).where(Round.id == round_id).values(closed_at=now()))
        db.session.commit()
    page.goto(f"/rounds/{round_id}/results")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("table.numbers-table").first).to_contain_text(zh("Support"))
    expect(page.locator(".results__total")).to_contain_text("2")
    shoot(page, artifacts, "07-results")
