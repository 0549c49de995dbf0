"""Follows and notifications: the one general mechanism every event ends in.

How it is called (all inside the action's transaction, never committing):

``notify(user_ids, kind, *, link, actor=None, consultation_id=None, **data)``
    Tell some users something. ``user_ids`` is an iterable of ids *or* a SQLAlchemy
    ``Select`` of user ids (then the recipients are computed in SQL, bounded work).
    One ``INSERT ... SELECT`` writes every row, the actor is skipped, inactive users are
    skipped, each recipient's ``User.unread_notifications`` is incremented in SQL, and
    e-mails are queued with ``consult.mail.send_mail`` (sent only after commit, none on
    rollback) for the recipients whose preferences want e-mail for ``kind``, each in
    their own language (template ``notifications/email/<kind>.txt``, subject on the
    first line). ``link`` is a site path ("/rounds/3/comments#comment-7"); ``data`` are
    JSON-able ids and short snapshot texts used to render the message later (in the
    reader's language, so never store translated sentences). Returns nothing.

``notify_followers(consultation_id, kind, *, link, actor=None, participants_of=None, **data)``
    The same for everyone who follows the consultation; with ``participants_of=<round id>``
    also for everyone who took part in that round (``RoundParticipant``), each person once.
    Constant number of queries whatever the number of followers.

The events of other domains reach these two through ``receivers.py`` (signal receivers).

Kinds are ``NotificationKind`` values (round_opened, round_closed, reply,
question_answered, response_published); add a member, an e-mail template and a
message in ``templates/notifications/_message.html`` to add an event.

E-mail defaults (``DEFAULT_EMAIL``): on for reply, question_answered and
response_published (someone answered *you*, or the outcome you took part in is out);
off for round_opened and round_closed (in-app only unless the user turns them on, to
keep inboxes quiet for people who follow many consultations). In-app notifications
are always kept. A user's choices are rows of ``NotificationPreference``; a missing
row means the default.

Links in e-mails are made absolute from the ``SITE_URL`` setting (``CONSULT_SITE_URL``;
default http://127.0.0.1:5000), in requests and in ``flask rounds tick`` alike: set it in
production.

Follows: ``follow(actor, consultation)`` / ``unfollow(actor, consultation)`` are
idempotent (insert-or-ignore on the (user, consultation) primary key);
``get_followable(actor, consultation_id)`` 404s for unpublished consultations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select,
    and_,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.types import JSON, Integer, String

from consult import mail
from consult.accounts.models import Actor, User
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import UTCDateTime, db, insert_ignore
from consult.errors import NotFound, ValidationFailed
from consult.mail import send_mail
from consult.notifications.models import (
    DEFAULT_EMAIL,
    Delivery,
    DigestSetting,
    Follow,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from consult.rounds.models import RoundParticipant
from consult.security.permissions import authorize, check
from consult.web import Page, paginate

EXCERPT_LENGTH = 120


# ---------------------------------------------------------------- the general mechanism

def _recipients(user_ids: Iterable[int] | Select, actor_id: int | None) -> Select:
    """SELECT user.id of the active recipients, without the actor."""
    if isinstance(user_ids, Select):
        wanted = User.id.in_(user_ids)
    else:
        ids = {int(i) for i in user_ids if i is not None}
        if not ids:
            return select(User.id).where(false())
        wanted = User.id.in_(ids)
    stmt = select(User.id).where(wanted, User.active.is_(True))
    if actor_id is not None:
        stmt = stmt.where(User.id != actor_id)
    return stmt


def actor_id_of(actor: Actor) -> int | None:
    if actor is None:
        return None
    if isinstance(actor, int):
        return actor
    return getattr(actor, "id", None)


def notify(user_ids: Iterable[int] | Select, kind: NotificationKind | str, *, link: str,
           actor: Any = None, consultation_id: int | None = None, **data: Any) -> None:
    """Notify users in-app (always) and by e-mail (per preference), in this transaction."""
    kind = NotificationKind(kind)
    actor_id = actor_id_of(actor)
    recipients = _recipients(user_ids, actor_id)
    _fan_out(recipients, kind, link=link, actor_id=actor_id,
             consultation_id=consultation_id, data=data)


def notify_followers(consultation_id: int, kind: NotificationKind | str, *, link: str,
                     actor: Any = None, participants_of: int | None = None,
                     **data: Any) -> None:
    """Notify every follower of the consultation (and, with ``participants_of``, every
    participant of that round), each once, with a constant number of queries."""
    kind = NotificationKind(kind)
    audience: Select = select(Follow.user_id).where(Follow.consultation_id == consultation_id)
    if participants_of is not None:
        audience = audience.union(
            select(RoundParticipant.user_id).where(RoundParticipant.round_id == participants_of))
        audience = select(audience.subquery().c[0])
    actor_id = actor_id_of(actor)
    _fan_out(_recipients(audience, actor_id), kind, link=link, actor_id=actor_id,
             consultation_id=consultation_id, data=data)


def _fan_out(recipients: Select, kind: NotificationKind, *, link: str, actor_id: int | None,
             consultation_id: int | None, data: dict[str, Any]) -> None:
    """Three statements whatever the audience: insert the rows, bump the counters, read
    the e-mail recipients."""
    rows = recipients.subquery()
    at = now()
    source = select(
        rows.c.id,
        literal(kind.value, String(40)),
        literal(consultation_id, Integer()),
        literal(actor_id, Integer()),
        literal(data, JSON()),
        literal(link[:500], String(500)),
        literal(at, UTCDateTime()),
    )
    db.session.execute(
        Notification.__table__.insert().from_select(
            ["user_id", "kind", "consultation_id", "actor_id", "data", "link", "created_at"],
            source,
        )
    )
    db.session.execute(
        update(User).where(User.id.in_(select(rows.c.id)))
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    _queue_emails(rows, kind, link=link, data=data)


def _wants_email(kind: NotificationKind):
    default = true() if DEFAULT_EMAIL.get(kind, False) else false()
    return or_(NotificationPreference.email.is_(True),
               and_(NotificationPreference.email.is_(None), default))


def _queue_emails(rows, kind: NotificationKind, *, link: str, data: dict[str, Any]) -> None:
    stmt = (
        select(User.email, User.locale, User.display_name)
        .join(rows, rows.c.id == User.id)
        .outerjoin(NotificationPreference, and_(NotificationPreference.user_id == User.id,
                                                NotificationPreference.kind == kind))
        .outerjoin(DigestSetting, DigestSetting.user_id == User.id)
        .where(User.email_verified_at.is_not(None), _wants_email(kind),
               # users who chose a digest get it in their daily or weekly e-mail instead
               or_(DigestSetting.delivery.is_(None),
                   DigestSetting.delivery == Delivery.IMMEDIATE))
        .order_by(User.id)
    )
    url = absolute_url(link)
    settings_url = absolute_url("/me/notifications#settings")
    site = absolute_url("")  # for templates that link to more than one page
    for email, locale, name in db.session.execute(stmt):
        send_mail(email, f"notifications/email/{kind.value}", locale=locale, name=name,
                  link=url, settings_link=settings_url, data=data, site=site)


def absolute_url(path: str) -> str:
    """An absolute link for e-mails, from SITE_URL (see ``consult.mail.absolute_url``)."""
    return mail.absolute_url(path)


def excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


# ---------------------------------------------------------------- follows

def get_followable(actor: Actor, consultation_id: int) -> Consultation:
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id,
                                   Consultation.published_at.is_not(None)))
    if consultation is None:
        raise NotFound(_l("This consultation does not exist or is not published."))
    return consultation


def follow(actor: Actor, consultation: Consultation) -> bool:
    """Follow; True if this created the follow, False if it already existed."""
    authorize(actor, "consultation.follow", consultation)
    if not consultation.is_published:
        raise NotFound(_l("This consultation does not exist or is not published."))
    return insert_ignore(Follow, user_id=actor.id, consultation_id=consultation.id,
                         created_at=now())


def unfollow(actor: Actor, consultation: Consultation) -> bool:
    authorize(actor, "consultation.follow", consultation)
    result = db.session.execute(
        delete(Follow).where(Follow.user_id == actor.id,
                             Follow.consultation_id == consultation.id))
    return bool(result.rowcount)


def is_following(user: Any, consultation_id: int) -> bool:
    if not check(user, "consultation.follow", None):
        return False
    return db.session.scalar(
        select(func.count()).select_from(Follow).where(
            Follow.user_id == user.id, Follow.consultation_id == consultation_id)) > 0


def list_follows(actor: Actor, *, page: int = 1, per_page: int = 20) -> Page:
    """The user's followed consultations, newest follow first (consultation loaded)."""
    stmt = (
        select(Consultation)
        .join(Follow, Follow.consultation_id == Consultation.id)
        .where(Follow.user_id == actor.id, Consultation.published_at.is_not(None))
        .order_by(Follow.created_at.desc(), Consultation.id.desc())
    )
    return paginate(stmt, page=page, per_page=per_page)


# ---------------------------------------------------------------- reading notifications

def list_notifications(actor: Actor, *, page: int = 1, per_page: int = 20) -> Page:
    authorize(actor, "notification.read", None)
    stmt = (select(Notification).where(Notification.user_id == actor.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)


def get_notification(actor: Actor, notification_id: int) -> Notification:
    """Someone else's notification is indistinguishable from a missing one (404)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or not check(actor, "notification.read", notification):
        raise NotFound(_l("This notification does not exist."))
    return notification


def mark_read(actor: Actor, notification: Notification) -> bool:
    authorize(actor, "notification.read", notification)
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.user_id == actor.id,
               Notification.read_at.is_(None))
        .values(read_at=now()).execution_options(synchronize_session=False))
    if not result.rowcount:
        return False
    db.session.execute(
        update(User).where(User.id == actor.id, User.unread_notifications > 0)
        .values(unread_notifications=User.unread_notifications - 1)
        .execution_options(synchronize_session=False))
    db.session.expire(notification, ["read_at"])
    db.session.expire(actor, ["unread_notifications"])
    return True


def mark_all_read(actor: Actor) -> int:
    authorize(actor, "notification.read", None)
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now()).execution_options(synchronize_session=False))
    # Recount (on the (user_id, read_at) index): heals any drift of the hot counter.
    unread = (select(func.count()).select_from(Notification)
              .where(Notification.user_id == User.id, Notification.read_at.is_(None))
              .correlate(User).scalar_subquery())
    db.session.execute(
        update(User).where(User.id == actor.id).values(unread_notifications=unread)
        .execution_options(synchronize_session=False))
    db.session.expire(actor, ["unread_notifications"])
    return result.rowcount or 0


# ---------------------------------------------------------------- preferences

def email_preferences(user: User) -> dict[NotificationKind, bool]:
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.email)
        .where(NotificationPreference.user_id == user.id)).all())
    return {kind: chosen.get(kind, DEFAULT_EMAIL.get(kind, False))
            for kind in NotificationKind}


def set_email_preferences(actor: Actor, *, email_kinds: Iterable[str]) -> dict:
    """Save the kinds the user wants by e-mail (every other kind: in-app only)."""
    authorize(actor, "notification.read", None)
    wanted = {NotificationKind(k) for k in email_kinds}
    db.session.execute(delete(NotificationPreference)
                       .where(NotificationPreference.user_id == actor.id))
    db.session.execute(
        NotificationPreference.__table__.insert(),
        [{"user_id": actor.id, "kind": kind.value, "email": kind in wanted}
         for kind in NotificationKind])
    return {kind: kind in wanted for kind in NotificationKind}


def delivery_of(user: User) -> Delivery:
    """How the user receives e-mails: each at once (the default), or a digest."""
    chosen = db.session.scalar(select(DigestSetting.delivery).where(
        DigestSetting.user_id == user.id))
    return Delivery(chosen) if chosen else Delivery.IMMEDIATE


def set_delivery(actor: Actor, *, delivery: Any) -> Delivery:
    """Choose each e-mail at once, or one digest a day or a week."""
    authorize(actor, "notification.read", None)
    try:
        chosen = Delivery(str(delivery or ""))
    except ValueError:
        raise ValidationFailed(_l("Choose how to receive e-mails."),
                               field="delivery") from None
    row = db.session.get(DigestSetting, actor.id)
    if row is None:
        db.session.add(DigestSetting(user_id=actor.id, delivery=chosen))
    else:
        row.delivery = chosen
    db.session.flush()
    return chosen
