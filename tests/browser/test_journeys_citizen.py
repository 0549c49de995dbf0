"""Journey 2 as one flow, in zh_CN and English, with and without JavaScript: a citizen
registers, verifies the address by the e-mailed link, reads the draft, comments on a
clause (first held back by the new-account cool-down, which says how long to wait),
supports and answers someone else's comment, asks the department a question, votes and
changes the vote. With JavaScript every step swaps in place and is announced; without,
each is a form post and a redirect with a message. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from consult.accounts.models import User
from consult.clock import now
from consult.consultations.models import Clause, Consultation
from consult.db import atomic
from consult.extensions import db
from consult.participation import services as participation
from consult.participation.models import Comment, CommentSupport, Question
from consult.rounds.services import get_round
from consult.security import limits
from consult.voting.models import Ballot, VoteTally
from tests.browser.journey import LOCALES, Journey
from tests.factories import DraftVersionFactory, RoundFactory, UserFactory, add_poll

CLAUSES = ["社区养老服务机构应当提供日间照料服务。",
           "服务收费标准由区民政部门会同发展改革部门制定。",
           "街道办事处负责监督本辖区的社区养老服务。"]
EMAIL = "mei@example.org"
PASSWORD = "plum blossom 2026"
LI_SAYS = "建议把养老服务纳入社区网格化管理。"
MY_COMMENT = "收费标准应当向社会公开，方便老人家属比较。"
MY_WORDING = "服务收费标准由区民政部门会同发展改革部门制定，并向社会公开。"
MY_REPLY = "同意，网格员也可以上门了解需求。"
MY_QUESTION = "日间照料服务什么时候开始？"
COOLDOWN_MINUTES = 10


def setup(live):
    """An open round taking comments and votes on a three-clause draft, with a poll and
    one comment by someone else."""
    with live.app.app_context():
        r = RoundFactory(version=DraftVersionFactory(clauses=CLAUSES))
        add_poll(r)
        li = UserFactory(email="li@example.org", display_name="李建华")
        with atomic():
            participation.post_comment(li, get_round(li, r.id), body=LI_SAYS)
        db.session.commit()
        title = db.session.scalar(select(Consultation.title)
                                  .where(Consultation.id == r.consultation_id))
        return r.id, title


@contextmanager
def new_accounts_wait(live):
    """The request limits on (off in tests), so a new account meets the cool-down."""
    config = live.app.config
    saved = {k: config.get(k) for k in ("RATELIMIT_ENABLED", "NEW_ACCOUNT_COOLDOWN_MINUTES")}
    config.update(RATELIMIT_ENABLED=True, NEW_ACCOUNT_COOLDOWN_MINUTES=COOLDOWN_MINUTES)
    with live.app.app_context():
        limits.reset()
    try:
        yield
    finally:
        config.update(saved)
        with live.app.app_context():
            limits.reset()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_citizen_registers_verifies_comments_replies_supports_asks_and_votes(
        browser, live, artifacts, locale, javascript):
    round_id, title = setup(live)
    journey = Journey(browser, live, artifacts, "citizen", locale, javascript)
    _, page = journey._, journey.page
    try:
        with new_accounts_wait(live):
            # Register, then verify through the link in the e-mail.
            page.goto("/")
            main_nav = page.get_by_role("navigation", name=_("Main"))
            main_nav.get_by_role("link", name=_("Register")).click()
            page.get_by_label(_("E-mail address")).fill(EMAIL)
            page.get_by_label(_("Display name")).fill("王小梅")
            page.get_by_label(_("Password"), exact=True).fill(PASSWORD)
            page.get_by_label(_("Repeat the password")).fill(PASSWORD)
            page.get_by_role("button", name=_("Create account")).click()
            # No session yet (a taken address gets the same answer): a mail to open.
            expect(page.get_by_role("heading", level=1)).to_have_text(_("Check your e-mail"))
            mails = [m for m in live.outbox if m.to == [EMAIL]]
            assert len(mails) == 1
            link = re.search(r"http://\S+/auth/verify/\S+", mails[0].body).group(0)
            page.goto(link)
            expect(page.get_by_text(_("Thank you, your e-mail address is verified."))
                   ).to_be_visible()
            page.get_by_label(_("E-mail address")).fill(EMAIL)
            page.get_by_label(_("Password")).fill(PASSWORD)
            page.get_by_role("button", name=_("Log in")).click()
            expect(page.get_by_text(_("verified"), exact=True)).to_be_visible()
            journey.shoot("verified")

            # Read the draft, then comment on its second clause from there.
            main_nav.get_by_role("link", name=_("Consultations"), exact=True).click()
            page.get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(title)
            draft = page.locator("#draft")
            for text in CLAUSES:
                expect(draft).to_contain_text(text)
            journey.shoot("draft")
            draft.get_by_role("link", name=_("Comment on %(number)s", number="第2条")).click()
            which = page.get_by_label(_("Which part is your comment about?"))
            expect(which.locator("option:checked")).to_contain_text("第2条")

            def write_comment():
                page.get_by_label(_("Your comment"), exact=True).fill(MY_COMMENT)
                wording = page.get_by_label(_("Proposed wording for the clause (optional)"))
                if not wording.is_visible():
                    page.get_by_text(_("Propose new wording for the clause")).click()
                wording.fill(MY_WORDING)
                page.get_by_role("button", name=_("Post comment")).click()

            # A new account waits before posting: the message says for how long.
            write_comment()
            expect(page.get_by_text(journey.n_(
                "New accounts can post a few minutes after registering. Please try again "
                "in %(num)d minute.",
                "New accounts can post a few minutes after registering. Please try again "
                "in %(num)d minutes.", COOLDOWN_MINUTES))).to_be_visible()
            journey.shoot("cooldown")
            with live.app.app_context():  # ... the minutes pass
                db.session.execute(update(User).where(User.email == EMAIL).values(
                    created_at=now() - timedelta(minutes=COOLDOWN_MINUTES + 1)))
                db.session.commit()
            if not javascript:
                page.go_back()
            else:  # the message goes once the comment is posted
                expect(page.get_by_role("alert")).to_have_count(1)
            write_comment()
            journey.announced(_("Your comment was posted."))
            mine = page.locator("#comment-list > li").filter(has_text=MY_COMMENT)
            expect(mine.locator(".proposal__diff ins")).to_contain_text("并向社会公开")
            expect(page.get_by_role("alert")).to_have_count(0)

            # Support Li's comment and reply to it, in the list of all comments.
            tabs = page.get_by_role("navigation", name=_("Take part in this round"))
            tabs.get_by_role("link", name=_("Comments")).click()
            lis = page.locator("#comment-list > li").filter(has_text=LI_SAYS)
            lis.get_by_role("button", name=_("Support")).click()
            journey.announced(_("You support this comment."))
            expect(lis.get_by_role("button", name=_("Support"))).to_have_attribute(
                "aria-pressed", "true")
            lis.get_by_role("link", name=_("Reply")).first.click()
            page.get_by_label(_("Your reply to %(name)s", name="李建华")).fill(MY_REPLY)
            page.get_by_role("button", name=_("Post reply")).click()
            journey.announced(_("Your reply was posted."))
            expect(lis.locator("ol.replies").first).to_contain_text(MY_REPLY)
            journey.shoot("commented")

            # A question to the department.
            tabs.get_by_role("link", name=_("Questions")).click()
            page.get_by_label(_("Your question to the department")).fill(MY_QUESTION)
            page.get_by_role("button", name=_("Send question")).click()
            journey.announced(_("Your question was sent to the department."))
            expect(page.locator("#question-list")).to_contain_text(MY_QUESTION)

            # Vote, then change the vote.
            tabs.get_by_role("link", name=_("Vote")).click()
            page.get_by_label(_("Support with changes")).check()
            page.get_by_label("服务质量监管").check()
            page.get_by_label("政府网站").check()
            page.get_by_role("button", name=_("Cast my vote")).click()
            choice = _(", ").join([_("Support with changes"), "服务质量监管", "政府网站"])
            journey.announced(_("You voted: %(choice)s", choice=choice) if javascript else
                              _("Your vote is saved. You can change it until the round "
                                "closes."))
            voted = page.locator("#vote-panel .voted")
            expect(voted).to_contain_text(_("Support with changes"))
            journey.shoot("voted")
            page.get_by_role("link", name=_("Change my vote")).click()
            expect(page.get_by_label(_("Support with changes"))).to_be_checked()
            expect(page.get_by_label("政府网站")).to_be_checked()
            page.get_by_label(_("Oppose")).check()
            page.get_by_label("政府网站").uncheck()
            page.get_by_label("微信公众号").check()
            page.get_by_role("button", name=_("Save my changed vote")).click()
            expect(voted).to_contain_text(_("Oppose"))
            expect(voted).to_contain_text("微信公众号")
            expect(voted).not_to_contain_text("政府网站")
            journey.shoot("vote-changed")

        with live.app.app_context():
            me = db.session.scalar(select(User).where(User.email == EMAIL))
            assert me.is_verified
            comment = db.session.scalar(select(Comment).where(
                Comment.author_id == me.id, Comment.parent_id.is_(None)))
            clause = db.session.get(Clause, comment.clause_id)
            assert (comment.body, comment.proposed_text, clause.position) == (
                MY_COMMENT, MY_WORDING, 2)
            reply = db.session.scalar(select(Comment).where(
                Comment.author_id == me.id, Comment.parent_id.is_not(None)))
            li_comment = db.session.scalar(select(Comment).where(Comment.body == LI_SAYS))
            assert reply.body == MY_REPLY and reply.parent_id == li_comment.id
            assert db.session.scalar(select(func.count()).select_from(CommentSupport).where(
                CommentSupport.user_id == me.id)) == 1
            assert li_comment.support_count == 1
            assert db.session.scalar(select(Question.body).where(
                Question.author_id == me.id)) == MY_QUESTION
            assert db.session.scalar(select(func.count(Ballot.id)).where(
                Ballot.round_id == round_id)) == 1
            tally = db.session.get(VoteTally, round_id)
            assert (tally.oppose, tally.support_with_changes) == (1, 0)
    finally:
        journey.close()
