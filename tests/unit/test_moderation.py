"""Moderation services: flags, hide/restore, appeals, holds, suspensions; every rule by role."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.db import atomic, db
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.moderation import services as moderation
from consult.moderation.models import Flag, ModerationCase
from consult.notifications.models import Notification
from consult.participation import services as participation
from consult.participation.models import Comment, ContentStatus, Question
from consult.rounds.models import Round
from consult.security.permissions import check
from tests.factories import add_word, answer_question, ask_question, moderation_item, post_comment

pytestmark = pytest.mark.usefixtures("english_request")


def who(world, role):
    return world.user(role) if role != "visitor" else AnonymousUserMixin()


def round_counts(world):
    db.session.expire_all()
    r = db.session.get(Round, world.round_id)
    return r.comment_count, r.question_count


# ---------------------------------------------------------------- rules by role

EXPECTED = {
    # rule: roles allowed (of visitor, citizen, official, moderator, admin, suspended)
    "moderation.flag": {"citizen", "official", "moderator", "admin"},
    "moderation.review": {"moderator", "admin"},
    "moderation.act": {"moderator", "admin"},
    "moderation.suspend": {"moderator", "admin"},
    "moderation.words": {"admin"},
}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
@pytest.mark.parametrize("role", ["visitor", "citizen", "official", "moderator", "admin",
                                  "suspended"])
def test_rules_by_role(world, rule, role):
    assert check(who(world, role), rule) is (role in EXPECTED[rule])


@pytest.mark.parametrize("rule, obj_role", [
    ("comment.post", None), ("comment.support", None), ("question.ask", None),
    ("question.support", None), ("voting.vote", None), ("survey.answer", None),
    ("suggestion.submit", None), ("moderation.flag", None)])
def test_a_suspended_user_may_do_nothing_that_changes_content(world, rule, obj_role):
    assert check(world.user("citizen"), rule, None) is True
    assert check(world.user("suspended"), rule, None) is False


def test_suspension_rules_protect_admins_and_moderators(world):
    mod, admin = world.user("moderator"), world.user("admin")
    assert check(mod, "moderation.suspend", world.user("citizen"))
    assert not check(mod, "moderation.suspend", admin)
    assert not check(mod, "moderation.suspend", mod)
    assert check(admin, "moderation.suspend", mod)


# ---------------------------------------------------------------- flags

def test_flag_once_per_user_then_conflict_and_counts(world):
    c = post_comment(world, "这条意见是广告")
    with atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="spam", note="链接是广告")
    with pytest.raises(Conflict), atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="abuse")
    with atomic():
        moderation.flag_item(world.user("official"), moderation_item("comment", c.id, world=world),
                             reason="abuse")
    case = db.session.scalar(select(ModerationCase))
    assert (case.kind.value, case.item_id, case.open_flags, case.needs_review) == (
        "comment", c.id, 2, True)
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "moderation.flag").limit(1)).data == {"reason": "spam"}


@pytest.mark.parametrize("role, error", [("author", PermissionDenied), ("visitor", PermissionDenied),
                                         ("suspended", PermissionDenied)])
def test_who_cannot_flag(world, role, error):
    c = post_comment(world, "普通的意见")
    with pytest.raises(error) as exc, atomic():
        moderation.flag_item(who(world, role) if role != "author" else world.user("author"),
                             moderation_item("comment", c.id, world=world), reason="spam")
    if role == "suspended":
        assert "suspended until" in str(exc.value.message) and "多次发布广告" in str(
            exc.value.message)


def test_flag_needs_a_known_reason_and_a_short_note(world):
    c = post_comment(world, "普通的意见")
    with pytest.raises(ValidationFailed) as exc, atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="boring")
    assert exc.value.field == "reason"
    with pytest.raises(ValidationFailed) as exc, atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="spam", note="长" * 501)
    assert exc.value.field == "note"
    assert db.session.scalar(select(Flag)) is None


def test_questions_and_answers_can_be_flagged(world):
    q = ask_question(world, "什么时候开始实施？")
    a = answer_question(world, q.id, "预计明年一月。")
    with atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("question", q.id, world=world),
                             reason="off_topic")
        moderation.flag_item(world.user("citizen"), moderation_item("answer", a.id, world=world),
                             reason="misinformation")
    assert {(c.kind.value, c.open_flags) for c in db.session.scalars(
        select(ModerationCase))} == {("question", 1), ("answer", 1)}


# ---------------------------------------------------------------- hide / restore

def test_hide_takes_the_reply_out_of_the_counts_notifies_and_restore_puts_it_back(world):
    parent = post_comment(world, "主意见", author="citizen")
    reply = post_comment(world, "辱骂性的回复", parent_id=parent.id)
    assert round_counts(world)[0] == 2
    with atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", reply.id, world=world),
                             reason="abuse")
        moderation.hide_item(world.user("moderator"), moderation_item("comment", reply.id, world=world),
                             reason="人身攻击")
    db.session.expire_all()
    hidden = db.session.get(Comment, reply.id)
    assert (hidden.status, hidden.moderation_reason, hidden.public_body) == (
        ContentStatus.HIDDEN, "人身攻击", None)
    assert round_counts(world)[0] == 1
    assert db.session.get(Comment, parent.id).reply_count == 0
    assert db.session.scalar(select(Flag)).resolution == "hidden"
    case = db.session.scalar(select(ModerationCase))
    assert (case.open_flags, case.needs_review) == (0, False)
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world.author_id))
    assert note.kind.value == "content_hidden" and note.data["reason"] == "人身攻击"
    assert f"/moderation/comment/{reply.id}/appeal" in note.link

    with atomic():
        moderation.restore_item(world.user("moderator"), moderation_item("comment", reply.id, world=world))
    db.session.expire_all()
    assert db.session.get(Comment, reply.id).status is ContentStatus.PUBLISHED
    assert round_counts(world)[0] == 2 and db.session.get(Comment, parent.id).reply_count == 1


@pytest.mark.parametrize("role", ["visitor", "citizen", "official", "suspended"])
def test_only_moderators_hide(world, role):
    c = post_comment(world, "普通的意见")
    with pytest.raises(PermissionDenied), atomic():
        moderation.hide_item(who(world, role), moderation_item("comment", c.id, world=world), reason="x")


def test_hide_needs_a_public_reason_and_twice_is_a_conflict(world):
    q = ask_question(world, "问题")
    with pytest.raises(ValidationFailed) as exc, atomic():
        moderation.hide_item(world.user("moderator"), moderation_item("question", q.id, world=world),
                             reason="  ")
    assert exc.value.field == "reason"
    with atomic():
        moderation.hide_item(world.user("admin"), moderation_item("question", q.id, world=world),
                             reason="与本次征求无关")
    assert round_counts(world)[1] == 0
    with pytest.raises(Conflict), atomic():
        moderation.hide_item(world.user("moderator"), moderation_item("question", q.id, world=world),
                             reason="again")


def test_dismissing_flags_keeps_the_post(world):
    c = post_comment(world, "其实没问题")
    with atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="spam")
        moderation.dismiss_flags(world.user("moderator"), moderation_item("comment", c.id, world=world))
    case = db.session.scalar(select(ModerationCase))
    assert not case.needs_review and db.session.get(Comment, c.id).is_visible
    # Flagging again is possible once the first flag is resolved.
    with atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="abuse")


# ---------------------------------------------------------------- appeals

def test_the_author_appeals_once_and_the_moderator_restores(world):
    c = post_comment(world, "被误删的意见")
    with atomic():
        moderation.hide_item(world.user("moderator"), moderation_item("comment", c.id, world=world),
                             reason="广告")
    with pytest.raises(PermissionDenied), atomic():
        moderation.appeal_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                               text="不是我的")
    with pytest.raises(ValidationFailed), atomic():
        moderation.appeal_item(world.user("author"), moderation_item("comment", c.id, world=world),
                               text="")
    with atomic():
        moderation.appeal_item(world.user("author"), moderation_item("comment", c.id, world=world),
                               text="这不是广告，是真实建议")
    case = db.session.scalar(select(ModerationCase))
    assert case.appeal_pending and case.needs_review
    with pytest.raises(Conflict), atomic():
        moderation.appeal_item(world.user("author"), moderation_item("comment", c.id, world=world),
                               text="再申诉一次")
    with pytest.raises(ValidationFailed), atomic():
        moderation.decide_appeal(world.user("moderator"), moderation_item("comment", c.id, world=world),
                                 outcome="upheld", reason="")
    with atomic():
        moderation.decide_appeal(world.user("moderator"), moderation_item("comment", c.id, world=world),
                                 outcome="restored", reason=None)
    db.session.expire_all()
    assert db.session.get(Comment, c.id).status is ContentStatus.PUBLISHED
    assert round_counts(world)[0] == 1
    kinds = [n.kind.value for n in db.session.scalars(select(Notification).where(
        Notification.user_id == world.author_id).order_by(Notification.id))]
    assert kinds == ["content_hidden", "appeal_decided"]
    # Hidden again later: the one appeal is spent.
    with atomic():
        moderation.hide_item(world.user("moderator"), moderation_item("comment", c.id, world=world),
                             reason="广告")
    with pytest.raises(Conflict), atomic():
        moderation.appeal_item(world.user("author"), moderation_item("comment", c.id, world=world),
                               text="第三次")


def test_only_hidden_posts_can_be_appealed(world):
    c = post_comment(world, "公开的意见")
    with pytest.raises(InvalidState), atomic():
        moderation.appeal_item(world.user("author"), moderation_item("comment", c.id, world=world),
                               text="?")


# ---------------------------------------------------------------- sensitive words

def test_a_sensitive_word_holds_the_post_uncounted_until_approved(world):
    add_word("加微信")
    parent = post_comment(world, "正常的意见", author="citizen")
    held = post_comment(world, "想了解详情请加微信 abc", parent_id=parent.id)
    assert held.status is ContentStatus.HELD
    assert round_counts(world)[0] == 1 and db.session.get(Comment, parent.id).reply_count == 0
    # No reply notification for a held reply.
    assert db.session.scalar(select(Notification).where(
        Notification.user_id == world.citizen_id)) is None
    case = db.session.scalar(select(ModerationCase))
    assert case.held and case.held_match == "加微信" and case.needs_review
    with atomic():
        moderation.approve_item(world.user("moderator"), moderation_item("comment", held.id, world=world))
    db.session.expire_all()
    assert db.session.get(Comment, held.id).status is ContentStatus.PUBLISHED
    assert round_counts(world)[0] == 2 and db.session.get(Comment, parent.id).reply_count == 1
    assert not db.session.scalar(select(ModerationCase)).needs_review


def test_an_edit_that_adds_a_sensitive_word_holds_the_comment(world):
    add_word("加微信")
    c = post_comment(world, "正常的意见")
    assert c.status is ContentStatus.PUBLISHED and round_counts(world)[0] == 1
    with atomic():
        participation.edit_comment(world.user("author"), db.session.get(Comment, c.id),
                                   body="详情请加微信 abc")
    db.session.expire_all()
    assert db.session.get(Comment, c.id).status is ContentStatus.HELD
    assert round_counts(world)[0] == 0
    case = db.session.scalar(select(ModerationCase))
    assert case.held and case.held_match == "加微信" and case.needs_review


def test_a_confidential_opinion_is_never_screened_so_no_moderator_reads_it(world):
    # Only its department reads it: there is nothing public to hold, and a hold would
    # show its text in the moderation queue.
    add_word("加微信")
    with atomic():
        c = participation.post_comment(world.user("author"), world.round(),
                                       body="我的情况请加微信 abc 联系", confidential=True)
    db.session.expire_all()
    assert db.session.get(Comment, c.id).status is ContentStatus.PUBLISHED
    with atomic():
        participation.edit_comment(world.user("author"), db.session.get(Comment, c.id),
                                   body="补充：请加微信 xyz")
    db.session.expire_all()
    assert db.session.get(Comment, c.id).status is ContentStatus.PUBLISHED
    assert db.session.scalar(select(ModerationCase)) is None
    # The same text, not confidential, is held: the word list is in force.
    assert post_comment(world, "请加微信 abc").status is ContentStatus.HELD


def test_a_rejected_held_question_is_hidden_with_a_reason(world):
    add_word(r"1[3-9]\d{9}", is_pattern=True)
    q = ask_question(world, "我的电话是13912345678，请回电")
    assert q.status is ContentStatus.HELD and round_counts(world)[1] == 0
    with atomic():
        moderation.reject_item(world.user("moderator"), moderation_item("question", q.id, world=world),
                               reason="包含个人信息")
    db.session.expire_all()
    q = db.session.get(Question, q.id)
    assert (q.status, q.moderation_reason) == (ContentStatus.HIDDEN, "包含个人信息")
    assert round_counts(world)[1] == 0
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"moderation.hold", "moderation.reject"} <= actions


def test_screen(world):
    assert moderation.screen("anything") is False
    add_word("Spam")
    add_word(r"v[i1]agra", is_pattern=True)
    assert moderation.screen("this is SPAM") and moderation.screen("buy V1AGRA")
    assert not moderation.screen("a normal comment")


@pytest.mark.parametrize("pattern, message", [
    ("(unclosed", "not a valid pattern"),
    ("(a+)+$", "repeat a group"),
    ("(a|aa)*", "repeat a group"),
    (r"(\w+\s?)*x", "repeat a group"),
    (r"(a)\1", "backreferences"),
    ("(?=a)b", "lookaround"),
    ("a{1,1000}", "Repeat counts"),
    ("x*", "matches empty"),
    ("a" * 101, "100 characters"),
])
def test_dangerous_or_broken_patterns_are_refused_beside_the_field(world, pattern, message):
    with pytest.raises(ValidationFailed) as exc, atomic():
        moderation.add_term(world.user("admin"), pattern=pattern, is_pattern=True)
    assert exc.value.field == "pattern" and message in str(exc.value.message)


def test_words_are_admin_only_and_unique(world):
    with pytest.raises(PermissionDenied), atomic():
        moderation.add_term(world.user("moderator"), pattern="广告")
    with atomic():
        term = moderation.add_term(world.user("admin"), pattern="广告")
        moderation.add_term(world.user("admin"), pattern=r"微信\s*\d{5,11}", is_pattern=True)
    with pytest.raises(Conflict), atomic():
        moderation.add_term(world.user("admin"), pattern="广告")
    with atomic():
        moderation.delete_term(world.user("admin"), term.id)
    assert [t.pattern for t in moderation.list_terms(world.user("admin"))] == [
        r"微信\s*\d{5,11}"]


# ---------------------------------------------------------------- suspensions

def test_a_suspended_user_cannot_post_and_sees_why_until_lifted(world):
    with pytest.raises(PermissionDenied) as exc:
        post_comment(world, "想发言", author="suspended")
    assert "Your account is suspended until" in str(exc.value.message)
    assert "多次发布广告" in str(exc.value.message)
    with atomic():
        moderation.lift_suspension(world.user("moderator"), world.user("suspended"))
    post_comment(world, "可以发言了", author="suspended")
    with pytest.raises(InvalidState), atomic():
        moderation.lift_suspension(world.user("moderator"), world.user("suspended"))


@pytest.mark.parametrize("days, reason, field", [(0, "x", "days"), (None, "x", "days"),
                                                 (4000, "x", "days"), (3, " ", "reason")])
def test_suspension_needs_days_and_a_reason(world, days, reason, field):
    with pytest.raises(ValidationFailed) as exc, atomic():
        moderation.suspend_user(world.user("moderator"), world.user("citizen"), days=days,
                                reason=reason)
    assert exc.value.field == field


def test_every_moderation_action_is_audited(world):
    add_word("违禁词")
    c = post_comment(world, "意见一")
    held = post_comment(world, "含违禁词的意见")
    held2 = post_comment(world, "又一条违禁词")
    mod, author = world.user("moderator"), world.user("author")
    with atomic():
        moderation.flag_item(world.user("citizen"), moderation_item("comment", c.id, world=world),
                             reason="spam")
        moderation.dismiss_flags(mod, moderation_item("comment", c.id, world=world))
        moderation.hide_item(mod, moderation_item("comment", c.id, world=world), reason="广告")
    with atomic():
        moderation.appeal_item(author, moderation_item("comment", c.id, world=world), text="请复核")
    with atomic():
        moderation.decide_appeal(mod, moderation_item("comment", c.id, world=world), outcome="upheld",
                                 reason="确为广告")
        moderation.restore_item(mod, moderation_item("comment", c.id, world=world))
        moderation.approve_item(mod, moderation_item("comment", held.id, world=world))
        moderation.reject_item(mod, moderation_item("comment", held2.id, world=world), reason="违规")
        moderation.suspend_user(mod, world.user("citizen"), days=1, reason="刷屏")
        moderation.lift_suspension(mod, world.user("citizen"))
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.startswith("moderation."))))
    assert actions >= {"moderation.flag", "moderation.dismiss", "moderation.hide",
                       "moderation.appeal", "moderation.appeal_decided", "moderation.restore",
                       "moderation.hold", "moderation.approve", "moderation.reject",
                       "moderation.suspend", "moderation.lift"}
    # The audit log never keeps the text of what was hidden.
    data = " ".join(str(e.data) for e in db.session.scalars(select(AuditEntry)))
    assert "意见一" not in data and "含违禁词的意见" not in data
