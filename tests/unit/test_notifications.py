"""The notification mechanism: fan-out, counters, e-mail after commit, preferences, language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import atomic, db
from consult.notifications import receivers, services
from consult.notifications.models import (
    Follow,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from consult.rounds import lifecycle
from consult.rounds.services import get_round
from tests.factories import (
    PASSWORD_HASH,
    ConsultationFactory,
    RoundFactory,
    RoundParticipantFactory,
    UserFactory,
)


def notifications_of(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def unread(user) -> int:
    return db.session.scalar(select(User.unread_notifications).where(User.id == user.id))


def follow(user, consultation) -> None:
    with atomic():
        services.follow(user, consultation)


def test_notify_skips_actor_and_counts_unread(app):
    actor, other, third = UserFactory(), UserFactory(), UserFactory()
    with atomic():
        services.notify([actor.id, other.id, third.id, other.id], NotificationKind.REPLY,
                        link="/rounds/1/comments#comment-2", actor=actor, excerpt="好的")
    assert notifications_of(actor) == []
    [n] = notifications_of(other)
    assert n.kind is NotificationKind.REPLY and n.link == "/rounds/1/comments#comment-2"
    assert n.data == {"excerpt": "好的"} and n.actor_id == actor.id and n.read_at is None
    assert (unread(actor), unread(other), unread(third)) == (0, 1, 1)


def test_notify_skips_inactive_users_and_mails_only_verified(app, outbox):
    gone = UserFactory(active=False)
    unverified = UserFactory(unverified=True)
    with atomic():
        services.notify([gone.id, unverified.id], NotificationKind.REPLY, link="/x")
    assert notifications_of(gone) == [] and len(notifications_of(unverified)) == 1
    assert outbox == []


def test_mail_is_sent_only_after_commit(app, outbox):
    user = UserFactory(email="ask@example.org")
    services.notify([user.id], NotificationKind.REPLY, link="/rounds/1/comments",
                    actor_name="王五", consultation_title="养老办法", excerpt="同意")
    db.session.flush()
    assert outbox == []  # queued, not sent
    db.session.commit()
    assert [m.to for m in outbox] == [["ask@example.org"]]
    assert "王五" in outbox[0].subject and "同意" in outbox[0].body
    assert "http://localhost/rounds/1/comments" in outbox[0].body


def test_no_mail_and_no_rows_on_rollback(app, outbox):
    user = UserFactory()
    with pytest.raises(RuntimeError), atomic():
        services.notify([user.id], NotificationKind.REPLY, link="/x")
        raise RuntimeError("the action failed")
    db.session.commit()  # a later, unrelated commit must not send the dropped mail
    assert outbox == [] and notifications_of(user) == [] and unread(user) == 0


def test_email_respects_defaults_and_preferences(app, outbox):
    default_user, opted_out, opted_in = UserFactory(), UserFactory(), UserFactory()
    with atomic():
        services.set_email_preferences(opted_out, email_kinds=[])
        services.set_email_preferences(opted_in, email_kinds=["round_opened", "reply"])
    ids = [default_user.id, opted_out.id, opted_in.id]
    with atomic():
        services.notify(ids, NotificationKind.REPLY, link="/a")
    assert sorted(m.to[0] for m in outbox) == sorted([default_user.email, opted_in.email])
    outbox.clear()
    with atomic():
        services.notify(ids, NotificationKind.ROUND_OPENED, link="/b")
    assert [m.to[0] for m in outbox] == [opted_in.email]  # off by default for rounds
    # every kind is always in-app
    assert all(len(notifications_of(u)) == 2 for u in (default_user, opted_out, opted_in))
    assert services.email_preferences(default_user)[NotificationKind.REPLY] is True
    assert services.email_preferences(opted_out)[NotificationKind.REPLY] is False


def test_each_recipient_gets_mail_in_their_language(app, outbox):
    zh = UserFactory(locale="zh_CN", display_name="张三")
    en = UserFactory(locale="en", display_name="Ann")
    data = {"consultation_title": "养老办法", "actor_name": "李四", "excerpt": "赞成"}
    with atomic():
        services.notify([zh.id, en.id], NotificationKind.REPLY, link="/r", **data)
    mails = {m.to[0]: m for m in outbox}
    assert mails[en.email].body.startswith("Hello Ann,")
    assert mails[zh.email].body.startswith("张三，您好：")
    for user in (zh, en):
        with force_locale(user.locale):
            expected = _("%(name)s replied to your comment", name="李四")
        assert mails[user.email].subject == expected
    assert mails[en.email].subject == "李四 replied to your comment"


def _bulk_users(n: int) -> list[int]:
    stamp = now()
    db.session.execute(insert(User), [
        {"email": f"bulk{i}@example.org", "display_name": f"读者{i}", "password_hash":
         PASSWORD_HASH, "email_verified_at": stamp, "locale": "zh_CN" if i % 2 else "en"}
        for i in range(n)])
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.email.like("bulk%"))))


@pytest.mark.parametrize("kind", [NotificationKind.ROUND_OPENED, NotificationKind.RESPONSE_PUBLISHED])
def test_follower_fan_out_runs_the_same_queries_for_1_and_500(app, count_queries, outbox, kind):
    small, big = ConsultationFactory(), ConsultationFactory()
    ids = _bulk_users(500)
    db.session.execute(insert(Follow), [{"user_id": ids[0], "consultation_id": small.id}] + [
        {"user_id": i, "consultation_id": big.id} for i in ids])
    db.session.commit()
    counts = []
    for consultation_id, title in ((small.id, small.title), (big.id, big.title)):
        with count_queries() as seen:
            services.notify_followers(consultation_id, kind, link="/c", consultation_title=title)
            db.session.flush()
        counts.append(len(seen))
        db.session.commit()
    assert counts[0] == counts[1] <= 3, (counts, seen)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 501
    assert unread(db.session.get(User, ids[0])) == 2
    assert unread(db.session.get(User, ids[-1])) == 1
    # e-mail per default preference: off for rounds, on for responses (one each)
    assert len(outbox) == (0 if kind == NotificationKind.ROUND_OPENED else 501)


def test_followers_and_participants_are_notified_once(app):
    round_ = RoundFactory()
    both, follower, participant, stranger = (UserFactory() for _ in range(4))
    consultation = db.session.get(Consultation, round_.consultation_id)
    for user in (both, follower):
        follow(user, consultation)
    for user in (both, participant):
        RoundParticipantFactory(round_id=round_.id, user_id=user.id)
    with atomic():
        receivers.round_closed(round_)
    for user, expected in ((both, 1), (follower, 1), (participant, 1), (stranger, 0)):
        assert len(notifications_of(user)) == expected
    [n] = notifications_of(both)
    assert n.link == f"/rounds/{round_.id}" and n.consultation_id == round_.consultation_id
    assert n.data["consultation_title"] == consultation.title
    with atomic():
        receivers.round_opened(round_)  # opened: followers only
    assert len(notifications_of(participant)) == 1 and len(notifications_of(follower)) == 2


def test_early_close_notifies_followers_through_the_lifecycle(app):
    official = UserFactory()
    round_ = RoundFactory()
    fan = UserFactory()
    follow(fan, db.session.get(Consultation, round_.consultation_id))
    with atomic():
        lifecycle.close(official, round_, reason="提前完成")
    [n] = notifications_of(fan)
    assert n.kind is NotificationKind.ROUND_CLOSED


def test_replied_and_question_answered_helpers(app, outbox):
    round_ = RoundFactory()
    asker, replier, official, supporter = (UserFactory() for _ in range(4))

    class Thing:  # the attributes the helpers document (participation models have them)
        def __init__(self, **kw):
            self.__dict__.update(kw)

    parent = Thing(id=10, round_id=round_.id, author_id=asker.id, body="原评论")
    reply = Thing(id=11, round_id=round_.id, author_id=replier.id, body="回复" * 100)
    with atomic():
        receivers.comment_replied(reply, parent=parent)
        receivers.comment_replied(Thing(id=12, round_id=round_.id, author_id=asker.id, body="x"), parent=parent)
    [n] = notifications_of(asker)
    assert n.link == f"/rounds/{round_.id}/comments#comment-11"
    assert n.data["actor_name"] == replier.display_name and len(n.data["excerpt"]) <= 120
    question = Thing(id=5, round_id=round_.id, author_id=asker.id, body="何时实施？",
                     answer=Thing(body="明年一月。"))
    with atomic():
        receivers.question_answered(
            question, actor=official,
            supporters=select(User.id).where(User.id.in_([supporter.id, official.id])))
    assert notifications_of(official) == []
    [answered] = notifications_of(supporter)
    assert answered.link == f"/rounds/{round_.id}/questions#question-5"
    assert answered.data["excerpt"] == "明年一月。"
    assert unread(asker) == 2


def test_follow_is_idempotent_and_unique_in_the_database(app):
    user, consultation = UserFactory(), ConsultationFactory()
    with atomic():
        assert services.follow(user, consultation) is True
    with atomic():
        assert services.follow(user, consultation) is False
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 1
    assert services.is_following(user, consultation.id)
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Follow).values(user_id=user.id,
                                                 consultation_id=consultation.id, created_at=now()))
    db.session.rollback()
    with atomic():
        assert services.unfollow(user, consultation) is True
    with atomic():
        assert services.unfollow(user, consultation) is False
    assert not services.is_following(user, consultation.id)


def test_unread_counter_after_mark_read_and_mark_all_read(app):
    user, other = UserFactory(), UserFactory()
    with atomic():
        for i in range(3):
            services.notify([user.id, other.id], NotificationKind.ROUND_OPENED, link=f"/{i}")
    first, second, _third = notifications_of(user)
    with atomic():
        assert services.mark_read(user, first) is True
    with atomic():
        assert services.mark_read(user, first) is False  # twice: counted once
    assert unread(user) == 2
    with atomic():
        assert services.mark_all_read(user) == 2
    assert unread(user) == 0 and unread(other) == 3
    with atomic():
        assert services.mark_read(user, second) is False
    assert unread(user) == 0
    # mark-all-read recounts, so a drifted counter heals
    db.session.execute(User.__table__.update().where(User.id == other.id)
                       .values(unread_notifications=99))
    db.session.commit()
    with atomic():
        services.mark_all_read(other)
    assert unread(other) == 0


def test_someone_elses_notification_is_not_found(app):
    owner, intruder = UserFactory(), UserFactory()
    with atomic():
        services.notify([owner.id], NotificationKind.REPLY, link="/x")
    [n] = notifications_of(owner)
    from consult.errors import NotFound
    with pytest.raises(NotFound):
        services.get_notification(intruder, n.id)
    assert services.get_notification(owner, n.id) is n


def test_unknown_kind_is_refused(app):
    with pytest.raises(ValueError):
        services.notify([1], "no_such_kind", link="/x")


def test_preferences_are_stored_per_kind(app):
    user = UserFactory()
    with atomic():
        services.set_email_preferences(user, email_kinds=["round_closed"])
    rows = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.email)
                                   .where(NotificationPreference.user_id == user.id)).all())
    assert rows[NotificationKind.ROUND_CLOSED] is True and rows[NotificationKind.REPLY] is False
    assert len(rows) == len(NotificationKind)


def test_participation_raises_reply_and_answer_events(app, outbox):
    """End to end through the participation services (they call our event helpers)."""
    from consult.participation import services as participation
    from tests.factories import DepartmentFactory

    dept = DepartmentFactory()
    round_ = RoundFactory(version__consultation__department=dept)
    asker, replier, supporter = (UserFactory(locale="en") for _ in range(3))
    official = UserFactory(role="official", role__department=dept)
    round_id = round_.id
    with atomic():
        parent = participation.post_comment(asker, get_round(asker, round_id),
                                            body="第三条应当写明服务时间。")
    with atomic():
        participation.post_comment(replier, get_round(replier, round_id),
                                   body="同意，建议延长到晚上八点。", parent_id=parent.id)
    [reply] = notifications_of(asker)
    assert reply.kind is NotificationKind.REPLY and reply.actor_id == replier.id
    assert reply.data["actor_name"] == replier.display_name
    assert reply.data["excerpt"] == "同意，建议延长到晚上八点。"
    with atomic():
        question_id = participation.ask_question(
            asker, get_round(asker, round_id), body="补贴何时发放？").id
    with atomic():
        participation.set_question_support(
            supporter, participation.get_question(supporter, question_id), supported=True)
    with atomic():
        participation.answer_question(
            official, participation.get_question(official, question_id),
            body="明年一月起按季度发放。")
    for user in (asker, supporter):
        kinds = [n.kind for n in notifications_of(user)]
        assert NotificationKind.QUESTION_ANSWERED in kinds
    answered = [n for n in notifications_of(supporter)][0]
    assert answered.data["excerpt"] == "明年一月起按季度发放。"
    assert notifications_of(official) == [] and notifications_of(replier) == []
    assert sorted(m.subject for m in outbox) == sorted([
        # the receipt of the top-level comment (consult.channels), not a notification
        f"Receipt for your opinion on “{answered.data['consultation_title']}”",
        f"{replier.display_name} replied to your comment",
        f"A question was answered: {answered.data['consultation_title']}",
        f"A question was answered: {answered.data['consultation_title']}"])


def test_clock_driven_opening_notifies_followers_once_through_tick(app):
    round_ = RoundFactory(recorded_state="scheduled")  # opened yesterday, not yet recorded
    fan = UserFactory()
    follow(fan, db.session.get(Consultation, round_.consultation_id))
    for _tick in range(2):  # the second tick finds nothing new
        with atomic():
            lifecycle.tick()
    [n] = notifications_of(fan)
    assert n.kind is NotificationKind.ROUND_OPENED and n.link == f"/rounds/{round_.id}"
