"""Moderation of agenda suggestions and their comments: the same flags, queue, hide/restore,
appeal and sensitive-word hold as round comments, and suspensions block every action."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.db import atomic, db
from consult.errors import Conflict, NotFound, PermissionDenied
from consult.moderation import services as moderation
from consult.moderation.models import Flag, ItemKind, ModerationCase
from consult.notifications.models import Notification
from consult.suggestions import services
from consult.suggestions.models import (
    Suggestion,
    SuggestionAssignment,
    SuggestionComment,
    Visibility,
)
from tests.factories import RoleAssignmentFactory, add_word, make_suggestion

pytestmark = pytest.mark.usefixtures("english_request")



def suggest(world, dept, role="author", **fields):
    s = make_suggestion(world.user(role), dept, **fields)
    return db.session.get(Suggestion, s.id)


def comment_on(world, s, body, role="citizen"):
    with atomic():
        c = services.add_comment(world.user(role), services.get_suggestion(
            world.user(role), s.id), body=body)
    return db.session.get(SuggestionComment, c.id)


def item(world, kind, ident, role="moderator"):
    db.session.expire_all()
    return moderation.get_item(world.user(role), kind, ident)


def comment_count(s_id) -> int:
    db.session.expire_all()
    return db.session.get(Suggestion, s_id).comment_count


# ---------------------------------------------------------------- flags and the queue

def test_suggestions_and_their_comments_are_flagged_and_queued(world, dept):
    s = suggest(world, dept)
    c = comment_on(world, s, "楼上说得对", role="citizen")
    with atomic():
        moderation.flag_item(world.user("citizen"), item(world, "suggestion", s.id, "citizen"),
                             reason="spam")
        moderation.flag_item(world.user("admin"), item(world, "suggestion", s.id, "admin"),
                             reason="abuse", note="骂人")
        moderation.flag_item(world.user("author"),
                             item(world, "suggestion_comment", c.id, "author"),
                             reason="off_topic")
    with pytest.raises(Conflict), atomic():
        moderation.flag_item(world.user("citizen"), item(world, "suggestion", s.id, "citizen"),
                             reason="spam")
    with pytest.raises(PermissionDenied), atomic():  # one's own post
        moderation.flag_item(world.user("author"), item(world, "suggestion", s.id, "author"),
                             reason="spam")
    with pytest.raises(PermissionDenied), atomic():  # suspended
        moderation.flag_item(world.user("suspended"),
                             item(world, "suggestion", s.id, "suspended"), reason="spam")
    queue = moderation.moderation_queue(world.user("moderator"))
    assert [(e.case.kind, e.item.id, e.case.open_flags) for e in queue.entries] == [
        (ItemKind.SUGGESTION, s.id, 2), (ItemKind.SUGGESTION_COMMENT, c.id, 1)]
    assert queue.entries[0].reasons == {"spam": 1, "abuse": 1}
    assert queue.entries[0].case.round_id is None
    only = moderation.moderation_queue(world.user("moderator"), kind="suggestion_comment")
    assert [e.item.id for e in only.entries] == [c.id]


def test_an_unknown_suggestion_comment_is_not_found(world):
    with pytest.raises(NotFound):
        moderation.get_item(world.user("moderator"), "suggestion_comment", 999)
    with pytest.raises(NotFound):
        moderation.get_item(world.user("moderator"), "suggestion", 999)


# ---------------------------------------------------------------- hide, restore, appeal

def test_hiding_a_suggestion_keeps_the_reason_notifies_and_one_appeal_restores(world, dept):
    s = suggest(world, dept)
    with atomic():
        moderation.flag_item(world.user("citizen"), item(world, "suggestion", s.id, "citizen"),
                             reason="spam")
        moderation.hide_item(world.user("moderator"), item(world, "suggestion", s.id),
                             reason="商业广告")
    db.session.expire_all()
    hidden = db.session.get(Suggestion, s.id)
    assert hidden.status is Visibility.HIDDEN and hidden.moderation_reason == "商业广告"
    assert services.list_suggestions().total == 0
    assert db.session.scalar(select(Flag.resolution)) == "hidden"
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world.author_id))
    assert note.kind.value == "content_hidden"
    assert note.link == f"/moderation/suggestion/{s.id}/appeal"
    with pytest.raises(PermissionDenied), atomic():
        moderation.appeal_item(world.user("citizen"), item(world, "suggestion", s.id),
                               text="不是我的")
    with atomic():
        moderation.appeal_item(world.user("author"), item(world, "suggestion", s.id, "author"),
                               text="这是真实的问题")
    with pytest.raises(Conflict), atomic():
        moderation.appeal_item(world.user("author"), item(world, "suggestion", s.id, "author"),
                               text="再来一次")
    with atomic():
        moderation.decide_appeal(world.user("moderator"), item(world, "suggestion", s.id),
                                 outcome="restored", reason=None)
    db.session.expire_all()
    restored = db.session.get(Suggestion, s.id)
    assert restored.status is Visibility.PUBLISHED and restored.moderation_reason is None
    assert services.list_suggestions().total == 1
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_id == s.id, AuditEntry.action.startswith("moderation."))))
    assert actions == {"moderation.flag", "moderation.hide", "moderation.appeal",
                       "moderation.appeal_decided"}


def test_hiding_a_suggestion_comment_takes_it_out_of_the_count(world, dept):
    s = suggest(world, dept)
    c = comment_on(world, s, "打广告的评论")
    comment_on(world, s, "正常的评论", role="admin")
    assert comment_count(s.id) == 2
    with atomic():
        moderation.hide_item(world.user("moderator"), item(world, "suggestion_comment", c.id),
                             reason="广告")
    assert comment_count(s.id) == 1
    detail = services.suggestion_detail(world.user("admin"), db.session.get(Suggestion, s.id))
    shown = {x.id: x for x in detail.comments.items}
    assert c.id in shown and shown[c.id].public_body is None  # in place, without its text
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world.citizen_id))
    assert note.link == f"/moderation/suggestion_comment/{c.id}/appeal"
    with atomic():
        moderation.restore_item(world.user("moderator"),
                                item(world, "suggestion_comment", c.id))
    assert comment_count(s.id) == 2
    assert db.session.get(SuggestionComment, c.id).status is Visibility.PUBLISHED


def official_of(world, dept):
    RoleAssignmentFactory(user_id=world.official_id, department=dept)
    return services_actor(world.official_id)


def test_hiding_a_suggestion_drops_its_title_from_notifications(world, dept):
    s = suggest(world, dept)
    with atomic():
        services.answer_suggestion(official_of(world, dept),
                                   db.session.get(Suggestion, s.id), status="under_study")
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == world.author_id))
    assert note.data["suggestion_title"] == s.title
    with atomic():
        moderation.hide_item(world.user("moderator"), item(world, "suggestion", s.id),
                             reason="人身攻击")
    db.session.expire_all()
    datas = [n.data for n in db.session.scalars(select(Notification))]
    assert not any(s.title in str(d) for d in datas)


def services_actor(user_id):
    from consult.accounts.models import User
    from tests.factories import with_roles
    return with_roles(db.session.get(User, user_id))


# ---------------------------------------------------------------- sensitive words

def test_a_sensitive_word_holds_a_suggestion_until_approved(world, dept):
    add_word("违禁词")
    s = suggest(world, dept, proposal="把违禁词写进提案")
    assert s.status is Visibility.HELD
    case = db.session.scalar(select(ModerationCase))
    assert case.kind is ItemKind.SUGGESTION and case.held and case.held_match == "违禁词"
    # Not public, not at the department, not in any list.
    assert services.list_suggestions().total == 0
    assert db.session.scalar(select(func.count(SuggestionAssignment.id))) == 0
    with pytest.raises(NotFound):
        services.get_suggestion(world.user("citizen"), s.id)
    with pytest.raises(NotFound):
        services.get_suggestion(world.user("official"), s.id)
    assert services.get_suggestion(world.user("author"), s.id).id == s.id
    assert services.department_suggestion_record(dept.id).received == 0
    with atomic():
        moderation.approve_item(world.user("moderator"), item(world, "suggestion", s.id))
    db.session.expire_all()
    assert db.session.get(Suggestion, s.id).status is Visibility.PUBLISHED
    assert services.list_suggestions().total == 1
    assert services.department_suggestion_record(dept.id).received == 1


def test_a_held_suggestion_that_is_rejected_never_reaches_the_department(world, dept):
    add_word("违禁词")
    s = suggest(world, dept, title="违禁词出现在标题")
    with atomic():
        moderation.reject_item(world.user("moderator"), item(world, "suggestion", s.id),
                               reason="含违禁内容")
    db.session.expire_all()
    s = db.session.get(Suggestion, s.id)
    assert s.status is Visibility.HIDDEN and s.moderation_reason == "含违禁内容"
    assert services.department_suggestion_record(dept.id).received == 0


def test_a_sensitive_word_holds_a_suggestion_comment_uncounted(world, dept):
    add_word("违禁词")
    s = suggest(world, dept)
    c = comment_on(world, s, "评论里有违禁词")
    assert c.status is Visibility.HELD
    assert comment_count(s.id) == 0
    s = db.session.get(Suggestion, s.id)
    others = services.suggestion_detail(world.user("admin"), s).comments.items
    assert others == []
    own = services.suggestion_detail(world.user("citizen"), s).comments.items
    assert [x.id for x in own] == [c.id] and own[0].public_body is None
    with atomic():
        moderation.approve_item(world.user("moderator"), item(world, "suggestion_comment", c.id))
    assert comment_count(s.id) == 1


# ---------------------------------------------------------------- suspensions

def test_a_suspended_user_cannot_submit_comment_support_or_rate(world, dept):
    s = suggest(world, dept)
    suspended = world.user("suspended")
    with pytest.raises(PermissionDenied), atomic():
        services.submit_suggestion(suspended, department_id=dept.id, title="暂停的人也想建议",
                                   problem="p", proposal="q")
    with pytest.raises(PermissionDenied), atomic():
        services.add_comment(suspended, db.session.get(Suggestion, s.id), body="想评论")
    with pytest.raises(PermissionDenied), atomic():
        services.toggle_support(suspended, db.session.get(Suggestion, s.id))
    # Their own answered suggestion, made before the suspension: no rating either.
    with atomic():
        moderation.lift_suspension(world.user("moderator"), suspended)
    own = suggest(world, dept, role="suspended")
    with atomic():
        services.answer_suggestion(official_of(world, dept),
                                   db.session.get(Suggestion, own.id), status="under_study")
    with atomic():
        moderation.suspend_user(world.user("moderator"), services_actor(world.suspended_id),
                                days=3, reason="刷屏")
    with pytest.raises(PermissionDenied), atomic():
        services.rate_answer(services_actor(world.suspended_id),
                             db.session.get(Suggestion, own.id), rating="satisfied")
    assert db.session.scalar(select(func.count(SuggestionComment.id))) == 0
    assert db.session.get(Suggestion, s.id).support_count == 0
