""""Closing soon" reminders and e-mail digests, sent by ``flask rounds tick`` with a
controlled clock: a reminder once per person and round, to followers and participants who
have not voted; a daily or weekly digest instead of each e-mail, never twice a period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from consult.db import db
from consult.notifications.models import (
    ClosingReminder,
    Delivery,
    DigestSetting,
    Notification,
    NotificationKind,
)
from tests.factories import (
    BallotFactory,
    ConsultationFactory,
    DigestSettingFactory,
    DraftVersionFactory,
    FollowFactory,
    RoundFactory,
    RoundParticipantFactory,
    UserFactory,
)

# Wednesday 2 December 2026, 09:30 in Shanghai (UTC+8).
START = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)


def tick(app):
    result = app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def reminders(kind=NotificationKind.ROUND_CLOSING):
    db.session.expire_all()
    return sorted(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == kind)))


def a_round_closing_in(hours: float):
    consultation = ConsultationFactory(title="社区养老服务办法")
    return RoundFactory(version=DraftVersionFactory(consultation=consultation),
                        consultation=consultation, kind="vote",
                        opens_at=START - timedelta(days=10),
                        closes_at=START + timedelta(hours=hours))


def people(r):
    follower, voter, participant, stranger = (UserFactory() for _ in range(4))
    for user in (follower, voter):
        FollowFactory(consultation_id=r.consultation_id, user_id=user.id)
    for user in (voter, participant):
        RoundParticipantFactory(round_id=r.id, user_id=user.id, first_at=START)
    BallotFactory(round_id=r.id, user_id=voter.id, stance="support")
    return follower, voter, participant, stranger


def test_followers_and_participants_who_have_not_voted_are_reminded_once(app, outbox):
    with time_machine.travel(START, tick=False):
        r = a_round_closing_in(72)
        follower, voter, participant, stranger = people(r)
        tick(app)
        assert reminders() == []  # 72 hours ahead: not yet (48 by default)
    with time_machine.travel(START + timedelta(hours=30), tick=False):
        output = tick(app)
        assert "reminded that a round closes soon" in output
        assert reminders() == sorted([follower.id, participant.id])
        assert voter.id not in reminders() and stranger.id not in reminders()
        mailed = sorted(m.to[0] for m in outbox)
        assert mailed == sorted([follower.email, participant.email])
        assert "/rounds/" in outbox[0].body
    with time_machine.travel(START + timedelta(hours=40), tick=False):
        tick(app)
        assert reminders() == sorted([follower.id, participant.id])  # never twice
        assert len(outbox) == 2
        assert db.session.scalar(select(func.count()).select_from(ClosingReminder)) == 2
    with time_machine.travel(START + timedelta(hours=80), tick=False):
        tick(app)  # closed: nobody else
        assert len(reminders()) == 2


def test_the_reminder_window_is_a_setting(app):
    app.config["WORKSPACE_CLOSING_REMINDER_HOURS"] = 100
    try:
        with time_machine.travel(START, tick=False):
            r = a_round_closing_in(72)
            follower, *_ = people(r)
            tick(app)
            assert follower.id in reminders()
    finally:
        app.config.pop("WORKSPACE_CLOSING_REMINDER_HOURS")


def test_a_daily_digest_replaces_each_email_and_is_sent_once_a_day(app, outbox):
    with time_machine.travel(START, tick=False):
        r = a_round_closing_in(24)
        follower, _voter, participant, _ = people(r)
        DigestSettingFactory(user_id=follower.id, delivery=Delivery.DAILY)
        # 09:30 local, after the digest hour (08:00): the reminder goes into today's digest
        tick(app)
        assert follower.id in reminders() and participant.id in reminders()
        assert [m.to[0] for m in outbox if m.to[0] == participant.email] == [participant.email]
        mine = [m for m in outbox if m.to[0] == follower.email]
        assert len(mine) == 1  # the digest, not the reminder's own e-mail
        assert "社区养老服务办法" in mine[0].body
        assert "daily digest" in mine[0].subject.lower() or "每日汇总" in mine[0].subject
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        tick(app)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        tick(app)  # the next day, nothing new: no empty digest
    assert len([m for m in outbox if m.to[0] == follower.email]) == 1


def test_a_weekly_digest_is_sent_once_a_week(app, outbox):
    early = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # Tuesday 1 Dec, 06:00 local
    with time_machine.travel(early, tick=False):
        consultation = ConsultationFactory(title="停车管理条例")
        user = UserFactory()
        FollowFactory(consultation_id=consultation.id, user_id=user.id)
        DigestSettingFactory(user_id=user.id, delivery=Delivery.WEEKLY)
        RoundFactory(version=DraftVersionFactory(consultation=consultation),
                     consultation=consultation, kind="vote",
                     opens_at=early - timedelta(days=3), closes_at=early + timedelta(hours=20))
        tick(app)  # the reminder is in-app now; before 08:00 no digest
        assert user.id in reminders() and outbox == []
    for hours in (4, 30, 60):  # later the same week: one digest only
        with time_machine.travel(early + timedelta(hours=hours), tick=False):
            tick(app)
    assert len(outbox) == 1 and outbox[0].to[0] == user.email
    assert "停车管理条例" in outbox[0].body
    with time_machine.travel(early + timedelta(days=7, hours=4), tick=False):
        tick(app)  # a new week, but nothing new: no empty digest
    assert len(outbox) == 1


def test_the_delivery_is_chosen_on_the_notifications_page(app, client, login_as):
    user = UserFactory()
    login_as(user)
    client.set_cookie("locale", "en")
    page = client.get("/me/notifications")
    assert "One digest a week" in page.text
    saved = client.post("/me/notifications/settings",
                        data={"email_kinds": ["reply"], "delivery": "weekly"})
    assert saved.status_code == 303
    assert db.session.get(DigestSetting, user.id).delivery == Delivery.WEEKLY
    bad = client.post("/me/notifications/settings",
                      data={"email_kinds": ["reply"], "delivery": "hourly"})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(DigestSetting, user.id).delivery == Delivery.WEEKLY
