"""Follows, notifications and per-kind e-mail preferences."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.clock import now
from consult.db import db, str_enum


class NotificationKind(StrEnum):
    ROUND_OPENED = "round_opened"
    ROUND_CLOSED = "round_closed"
    REPLY = "reply"
    QUESTION_ANSWERED = "question_answered"
    RESPONSE_PUBLISHED = "response_published"
    SUGGESTION_ANSWERED = "suggestion_answered"  # notifications.receivers.suggestion_answered
    SURVEY_INVITATION = "survey_invitation"  # notifications.receivers.survey_opened
    CONTENT_HIDDEN = "content_hidden"  # consult.moderation: a moderator hid my post
    APPEAL_DECIDED = "appeal_decided"  # consult.moderation: my appeal was decided
    RATING_FOLLOWED_UP = "rating_followed_up"  # consult.rectification: my bad rating
    RECTIFICATION_OVERDUE = "rectification_overdue"  # consult.rectification: cases late
    ROUND_CLOSING = "round_closing"  # notifications.reminders: closing soon, not voted yet

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    NotificationKind.ROUND_OPENED: _l("A round opens on a consultation I follow"),
    NotificationKind.ROUND_CLOSED: _l("A round closes on a consultation I follow or took part in"),
    NotificationKind.REPLY: _l("Someone replies to my comment"),
    NotificationKind.QUESTION_ANSWERED: _l("A question I asked or supported is answered"),
    NotificationKind.RESPONSE_PUBLISHED: _l("The department publishes its response"),
    NotificationKind.SUGGESTION_ANSWERED: _l(
        "A department answers or transfers a suggestion I made or supported"),
    NotificationKind.SURVEY_INVITATION: _l(
        "I am invited to rate a response to a round I took part in"),
    NotificationKind.CONTENT_HIDDEN: _l("A moderator hides something I posted"),
    NotificationKind.APPEAL_DECIDED: _l("A moderator decides my appeal"),
    NotificationKind.RATING_FOLLOWED_UP: _l(
        "A department rectifies or explains a response I rated dissatisfied or very dissatisfied"),
    NotificationKind.RECTIFICATION_OVERDUE: _l(
        "Cases of bad ratings are overdue in my department"),
    NotificationKind.ROUND_CLOSING: _l(
        "A round I follow or took part in closes soon and I have not voted yet"),
}

# E-mail on by default where it concerns the user directly; in-app is always on.
DEFAULT_EMAIL = {
    NotificationKind.ROUND_OPENED: False,
    NotificationKind.ROUND_CLOSED: False,
    NotificationKind.REPLY: True,
    NotificationKind.QUESTION_ANSWERED: True,
    NotificationKind.RESPONSE_PUBLISHED: True,
    NotificationKind.SUGGESTION_ANSWERED: True,
    NotificationKind.SURVEY_INVITATION: True,
    NotificationKind.CONTENT_HIDDEN: True,
    NotificationKind.APPEAL_DECIDED: True,
    NotificationKind.RATING_FOLLOWED_UP: True,
    NotificationKind.RECTIFICATION_OVERDUE: True,
    NotificationKind.ROUND_CLOSING: True,
}


class Follow(db.Model):
    """A user follows a consultation: one row per pair (the primary key), so a
    double click or two tabs can never follow twice."""

    __tablename__ = "follow"

    # consultation first: fan-out reads "everyone following consultation X" by the key.
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class Notification(db.Model):
    """One in-app notification for one user; rendered from ``kind`` and ``data`` in the
    reader's language."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # VARCHAR without a CHECK constraint: new kinds need no migration.
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, length=40))
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
    read_at: Mapped[datetime | None]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(db.Model):
    """A user's choice for one kind; no row means ``DEFAULT_EMAIL``."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, length=40),
                                                   primary_key=True)
    email: Mapped[bool]


class Delivery(StrEnum):
    """How a user receives the e-mails they chose: each at once, or one digest a day or a
    week (in-app notifications are always immediate)."""
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return str(DELIVERY_LABELS[self])


DELIVERY_LABELS = {
    Delivery.IMMEDIATE: _l("Each e-mail at once"),
    Delivery.DAILY: _l("One digest a day"),
    Delivery.WEEKLY: _l("One digest a week"),
}


class DigestSetting(db.Model):
    """A user's choice of e-mail delivery (no row: each at once) and the last digest sent:
    ``last_period`` (the local day, or the ISO week) makes the digest idempotent."""

    __tablename__ = "notification_digest"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery, length=20),
                                               default=Delivery.IMMEDIATE)
    last_period: Mapped[str | None] = mapped_column(String(20))
    last_sent_at: Mapped[datetime | None]


class ClosingReminder(db.Model):
    """One "closing soon" reminder per user and round (the primary key): a second tick
    never reminds anyone twice."""

    __tablename__ = "closing_reminder"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    sent_at: Mapped[datetime] = mapped_column(default=now)
