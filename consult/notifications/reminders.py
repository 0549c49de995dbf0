"""Periodic notifications, sent by ``flask rounds tick`` (the ``rounds_ticked`` signal):

* "closing soon": ``CONSULT_WORKSPACE_CLOSING_REMINDER_HOURS`` (48) before an open round
  closes, its consultation's followers and the round's participants who have not voted
  in it are reminded once each (a row per user and round: a second tick reminds nobody);
* e-mail digests: users who chose a daily or weekly digest get one e-mail with the
  notifications they want by e-mail since the last one, after
  ``CONSULT_WORKSPACE_DIGEST_HOUR`` local time, once per local day or ISO week (the
  period is claimed in the same statement that checks it: never twice).

Both take ``now`` (the controlled clock in tests) and run one transaction per round or
per user, so one failure leaves the others sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import and_, or_, select, update

from consult import workdays
from consult.accounts.models import User
from consult.clock import now as clock_now
from consult.consultations.models import Consultation
from consult.db import atomic, db
from consult.mail import absolute_url, send_mail
from consult.notifications.models import (
    DEFAULT_EMAIL,
    ClosingReminder,
    Delivery,
    DigestSetting,
    Follow,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from consult.notifications.services import notify
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundParticipant
from consult.voting.models import Ballot

DEFAULT_REMINDER_HOURS = 48
DEFAULT_DIGEST_HOUR = 8
DIGEST_ITEMS = 50


def reminder_hours() -> int:
    return int(current_app.config.get("WORKSPACE_CLOSING_REMINDER_HOURS",
                                      DEFAULT_REMINDER_HOURS))


# ---------------------------------------------------------------- closing soon

def _closing_rounds(now: datetime) -> list[tuple[int, int, str, str, datetime]]:
    horizon = now + timedelta(hours=reminder_hours())
    return list(db.session.execute(
        select(Round.id, Round.consultation_id, Round.title, Consultation.title,
               Round.closes_at)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(lifecycle.state_sql(now) == RoundState.OPEN.value,
               Round.closes_at <= horizon, Consultation.published_at.is_not(None))
        .order_by(Round.closes_at, Round.id)).all())


def _audience(round_id: int, consultation_id: int) -> list[int]:
    """Followers and participants of the round who have not voted in it and were not
    reminded yet (one query)."""
    people = select(Follow.user_id.label("uid")).where(
        Follow.consultation_id == consultation_id).union(
        select(RoundParticipant.user_id).where(RoundParticipant.round_id == round_id)
    ).subquery()
    voted = select(Ballot.user_id).where(Ballot.round_id == round_id)
    reminded = select(ClosingReminder.user_id).where(ClosingReminder.round_id == round_id)
    return list(db.session.scalars(
        select(User.id).where(User.id.in_(select(people.c.uid)), User.active.is_(True),
                              User.id.not_in(voted), User.id.not_in(reminded))
        .order_by(User.id)))


def send_closing_reminders(now: datetime | None = None) -> int:
    """Remind everyone due a reminder; returns how many people were reminded."""
    now = now or clock_now()
    reminded = 0
    for round_id, consultation_id, round_title, title, closes_at in _closing_rounds(now):
        with atomic():
            users = _audience(round_id, consultation_id)
            if not users:
                continue
            db.session.execute(ClosingReminder.__table__.insert(), [
                {"round_id": round_id, "user_id": u, "sent_at": now} for u in users])
            notify(users, NotificationKind.ROUND_CLOSING, link=f"/rounds/{round_id}",
                   consultation_id=consultation_id, round_id=round_id,
                   round_title=round_title or "", consultation_title=title,
                   closes_at=closes_at.isoformat())
            reminded += len(users)
    return reminded


# ---------------------------------------------------------------- digests

def digest_hour() -> int:
    return int(current_app.config.get("WORKSPACE_DIGEST_HOUR", DEFAULT_DIGEST_HOUR))


def period_of(delivery: Delivery, local: datetime) -> str:
    """The digest period a local moment belongs to: its day, or its ISO week."""
    if delivery is Delivery.WEEKLY:
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def _wanted_by_email(user_id: int):
    """The notification kinds the user wants by e-mail (their choice or the default)."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.email)
        .where(NotificationPreference.user_id == user_id)).all())
    return [k for k in NotificationKind if chosen.get(k, DEFAULT_EMAIL.get(k, False))]


def send_email_digests(now: datetime | None = None) -> int:
    """Send the daily and weekly digests due; returns how many were sent."""
    now = now or clock_now()
    local = now.astimezone(workdays.site_zone())
    if local.hour < digest_hour():
        return 0
    sent = 0
    due = db.session.execute(
        select(DigestSetting.user_id, DigestSetting.delivery)
        .join(User, User.id == DigestSetting.user_id)
        .where(DigestSetting.delivery != Delivery.IMMEDIATE, User.active.is_(True),
               User.email_verified_at.is_not(None))
        .order_by(DigestSetting.user_id)).all()
    for user_id, delivery in due:
        with atomic():
            if _send_digest(user_id, Delivery(delivery), now, period_of(Delivery(delivery),
                                                                        local)):
                sent += 1
    return sent


def _send_digest(user_id: int, delivery: Delivery, now: datetime, period: str) -> bool:
    previous = db.session.scalar(select(DigestSetting.last_sent_at).where(
        DigestSetting.user_id == user_id))
    claimed = db.session.execute(
        update(DigestSetting)
        .where(DigestSetting.user_id == user_id, DigestSetting.delivery == delivery,
               or_(DigestSetting.last_period.is_(None), DigestSetting.last_period != period))
        .values(last_period=period, last_sent_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return False  # this period's digest is already sent (or being sent)
    since = previous or now - (timedelta(days=7) if delivery is Delivery.WEEKLY
                               else timedelta(days=1))
    items = list(db.session.scalars(
        select(Notification).where(
            Notification.user_id == user_id,
            and_(Notification.created_at > since, Notification.created_at <= now),
            Notification.kind.in_(_wanted_by_email(user_id)))
        .order_by(Notification.created_at, Notification.id).limit(DIGEST_ITEMS)))
    if not items:
        return False  # nothing new: the period stays claimed, no empty e-mail
    user = db.session.get(User, user_id)
    send_mail(user.email, "notifications/email/digest", locale=user.locale,
              name=user.display_name, weekly=delivery is Delivery.WEEKLY,
              items=[(n.kind.label, n.data.get("consultation_title") or "",
                      absolute_url(n.link)) for n in items],
              link=absolute_url("/me/notifications"),
              settings_link=absolute_url("/me/notifications#settings"))
    return True


def on_tick(_sender, **_ignored) -> str | None:
    reminded = send_closing_reminders()
    digests = send_email_digests()
    lines = []
    if reminded:
        lines.append(ngettext("%(num)d person reminded that a round closes soon.",
                              "%(num)d people reminded that a round closes soon.", reminded))
    if digests:
        lines.append(ngettext("%(num)d e-mail digest sent.", "%(num)d e-mail digests sent.",
                              digests))
    return "\n".join(lines) or None
