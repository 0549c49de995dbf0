"""Agenda suggestions: citizens propose problems and needs for a department to take up.

Tables
- ``suggestion``: the proposal, its current department (NULL = "not sure which
  department", waiting for an admin to route it), its visibility ``status``
  (published / hidden / held, for moderation) and its ``answer_status``; hot counters
  ``support_count`` and ``comment_count`` are incremented in SQL by the services.
- ``suggestion_assignment``: one row each time a suggestion lands at a department
  (submission, routing, transfer) with that department's due date and when it first
  answered. This is the timeliness series of the department record; a transfer is an
  answer of the department that transfers.
- ``suggestion_event``: the public history (answers, transfers, routing).
- ``suggestion_support`` (one per user: primary key), ``suggestion_comment``,
  ``suggestion_rating`` (one per suggestion: unique), ``suggestion_policy`` (reply days
  per department), ``suggestion_tag`` (reuses consultations' ``Tag``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import TimestampMixin, db, str_enum


class Visibility(StrEnum):
    """Whether the public sees it. Moderation (``consult.moderation``) sets HIDDEN (with a
    public ``moderation_reason``) or HELD (a sensitive word: awaiting review); every
    public query filters on ``PUBLISHED`` so new states stay hidden by default."""

    PUBLISHED = "published"
    HIDDEN = "hidden"
    HELD = "held"

    @property
    def label(self) -> str:
        return str(VISIBILITY_LABELS[self])


VISIBILITY_LABELS = {
    Visibility.PUBLISHED: _l("Published"),
    Visibility.HIDDEN: _l("Hidden by a moderator"),
    Visibility.HELD: _l("Held for review"),
}


class AnswerStatus(StrEnum):
    AWAITING = "awaiting"          # no answer from the current department yet
    UNDER_STUDY = "under_study"
    ON_AGENDA = "on_agenda"        # taken onto the agenda: linked to the consultation
    COVERED = "covered"            # already covered by a consultation (linked)
    NOT_TAKEN = "not_taken"        # a reason is required

    @property
    def label(self) -> str:
        return str(ANSWER_LABELS[self])

    @property
    def colour(self) -> str:
        return ANSWER_COLOURS[self]


ANSWER_LABELS = {
    AnswerStatus.AWAITING: _l("Awaiting reply"),
    AnswerStatus.UNDER_STUDY: _l("Under study"),
    AnswerStatus.ON_AGENDA: _l("Taken onto the agenda"),
    AnswerStatus.COVERED: _l("Already covered"),
    AnswerStatus.NOT_TAKEN: _l("Not taken up"),
}
ANSWER_COLOURS = {
    AnswerStatus.AWAITING: "",
    AnswerStatus.UNDER_STUDY: "blue",
    AnswerStatus.ON_AGENDA: "green",
    AnswerStatus.COVERED: "green",
    AnswerStatus.NOT_TAKEN: "amber",
}
OVERDUE_LABEL = _l("Reply overdue")
UNROUTED_LABEL = _l("Not sure which department")


class EventKind(StrEnum):
    ANSWERED = "answered"
    TRANSFERRED = "transferred"
    ROUTED = "routed"


class Rating(StrEnum):
    """The five levels of 好差评, as the surveys' overall rating (the same values)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def label(self) -> str:
        return str(RATING_LABELS[self])


RATING_LABELS = {
    Rating.VERY_SATISFIED: _l("Very satisfied"),
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.DISSATISFIED: _l("Dissatisfied"),
    Rating.VERY_DISSATISFIED: _l("Very dissatisfied"),
}


suggestion_tag = Table(
    "suggestion_tag",
    db.metadata,
    Column("suggestion_id", ForeignKey("suggestion.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Suggestion(TimestampMixin, db.Model):
    __tablename__ = "suggestion"
    __table_args__ = (
        CheckConstraint("support_count >= 0 AND comment_count >= 0", name="counts_positive"),
        Index("ix_suggestion_dept_answer", "department_id", "answer_status"),
        Index("ix_suggestion_status_created", "status", "created_at"),
        Index("ix_suggestion_status_support", "status", "support_count"),
        Index("ix_suggestion_due", "answered_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # NULL: the author was not sure which department; an admin routes it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    problem: Mapped[str] = mapped_column(Text)
    affected: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    proposal: Mapped[str] = mapped_column(Text)
    # At most five http(s) URLs, validated by the services.
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[Visibility] = mapped_column(str_enum(Visibility),
                                               default=Visibility.PUBLISHED)
    answer_status: Mapped[AnswerStatus] = mapped_column(str_enum(AnswerStatus),
                                                        default=AnswerStatus.AWAITING)
    # The consultation it became (ON_AGENDA) or that covers it (COVERED).
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL"))
    # The current department's clock: when it received it, its reply deadline, and
    # when it first answered (NULL: unanswered). Reset on routing and transfer.
    received_at: Mapped[datetime] = mapped_column(default=now)
    due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    latest_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion_event.id", use_alter=True, ondelete="SET NULL"))
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # The public reason shown in place of the text when a moderator hid it.
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    author = relationship("User", lazy="raise_on_sql")
    department = relationship("Department", lazy="raise_on_sql")
    consultation = relationship("Consultation", lazy="raise_on_sql")
    tags = relationship("Tag", secondary=suggestion_tag, lazy="raise_on_sql",
                        order_by="Tag.name")
    latest_answer: Mapped[SuggestionEvent | None] = relationship(
        foreign_keys=[latest_answer_id], lazy="raise_on_sql", post_update=True)
    events: Mapped[list[SuggestionEvent]] = relationship(
        back_populates="suggestion", foreign_keys="SuggestionEvent.suggestion_id",
        lazy="raise_on_sql", order_by="SuggestionEvent.id", cascade="all, delete-orphan")

    @property
    def is_visible(self) -> bool:
        return self.status is Visibility.PUBLISHED

    @property
    def is_answered(self) -> bool:
        return self.answer_status is not AnswerStatus.AWAITING


class SuggestionAssignment(db.Model):
    """A suggestion's stay at one department: its deadline and when it answered."""

    __tablename__ = "suggestion_assignment"
    __table_args__ = (Index("ix_suggestion_assignment_dept", "department_id", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestion.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    received_at: Mapped[datetime] = mapped_column(default=now)
    due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    # How the stay ended or stands: the first answer's status, or "transferred".
    first_answer: Mapped[str | None] = mapped_column(String(20))


class SuggestionEvent(db.Model):
    """Public history: every answer, transfer and routing, never edited."""

    __tablename__ = "suggestion_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestion.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    # The department that answered or transferred (NULL for routing of an unrouted one).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    to_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    answer_status: Mapped[AnswerStatus | None] = mapped_column(str_enum(AnswerStatus))
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    on_time: Mapped[bool | None]

    suggestion: Mapped[Suggestion] = relationship(
        back_populates="events", foreign_keys=[suggestion_id], lazy="raise_on_sql")
    department = relationship("Department", foreign_keys=[department_id], lazy="raise_on_sql")
    to_department = relationship("Department", foreign_keys=[to_department_id],
                                 lazy="raise_on_sql")
    consultation = relationship("Consultation", lazy="raise_on_sql")
    actor = relationship("User", lazy="raise_on_sql")


class SuggestionSupport(db.Model):
    """One support per user per suggestion: the primary key."""

    __tablename__ = "suggestion_support"

    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestion.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class SuggestionComment(TimestampMixin, db.Model):
    """A flat, plain-text comment; links in it are made safe when shown."""

    __tablename__ = "suggestion_comment"
    __table_args__ = (Index("ix_suggestion_comment_created", "suggestion_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestion.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[Visibility] = mapped_column(str_enum(Visibility),
                                               default=Visibility.PUBLISHED)
    # The public reason shown in place of the text when a moderator hid it.
    moderation_reason: Mapped[str | None] = mapped_column(Text)

    author = relationship("User", lazy="raise_on_sql")

    @property
    def is_visible(self) -> bool:
        return self.status is Visibility.PUBLISHED

    @property
    def public_body(self) -> str | None:
        """The text, only while it may be shown."""
        return self.body if self.is_visible else None


class SuggestionRating(db.Model):
    """The author's rating of the department's answer: one per suggestion (unique).

    A separate series for the department's satisfaction scores: it records which
    department and which answer it rates. The author may change it (the row is
    updated, ``updated_at`` moves, and the change is audited); after a transfer and a
    new answer, the rating then concerns the new department.
    """

    __tablename__ = "suggestion_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("suggestion.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("suggestion_event.id"))
    rating: Mapped[Rating] = mapped_column(str_enum(Rating, length=24))
    # The author's reason (optional; the department reads it in a rectification case).
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    # Set when an evaluator voided the rating after the department's appeal (申诉复核):
    # it no longer counts and can no longer change.
    voided_at: Mapped[datetime | None]

    @property
    def is_bad(self) -> bool:
        """A 差评: 不满意 or 非常不满意."""
        return self.rating in (Rating.DISSATISFIED, Rating.VERY_DISSATISFIED)


class SuggestionPolicy(db.Model):
    """A department's own reply deadline in working days (else the config default)."""

    __tablename__ = "suggestion_policy"
    __table_args__ = (CheckConstraint("reply_days BETWEEN 1 AND 90", name="reply_days_range"),)

    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True)
    reply_days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
