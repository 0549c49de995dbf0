"""Rounds: time-boxed stages of a consultation. Their state lives in lifecycle.py."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import TimestampMixin, db, str_enum


class RoundKind(StrEnum):
    COMMENTS = "comments"  # questions and comments
    VOTE = "vote"
    BOTH = "both"

    @property
    def label(self) -> str:
        return str(ROUND_KIND_LABELS[self])

    @property
    def has_comments(self) -> bool:
        return self in (RoundKind.COMMENTS, RoundKind.BOTH)

    @property
    def has_vote(self) -> bool:
        return self in (RoundKind.VOTE, RoundKind.BOTH)


ROUND_KIND_LABELS = {
    RoundKind.COMMENTS: _l("Questions and comments"),
    RoundKind.VOTE: _l("Vote"),
    RoundKind.BOTH: _l("Questions, comments and vote"),
}


class Eligibility(StrEnum):
    VERIFIED = "verified"  # any user with a verified e-mail address


class Round(TimestampMixin, db.Model):
    __tablename__ = "round"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("response_due_at >= closes_at", name="response_due_after_close"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    kind: Mapped[RoundKind] = mapped_column(str_enum(RoundKind))
    title: Mapped[str] = mapped_column(String(200), default="")
    eligibility: Mapped[Eligibility] = mapped_column(str_enum(Eligibility),
                                                     default=Eligibility.VERIFIED)
    opens_at: Mapped[datetime] = mapped_column(index=True)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    response_due_at: Mapped[datetime]
    survey_days: Mapped[int] = mapped_column(default=14)
    show_live_results: Mapped[bool] = mapped_column(default=False)
    # Why the round is shorter than its department's minimum period (public; None when not).
    short_period_reason: Mapped[str | None] = mapped_column(Text)

    # Explicit transitions (lifecycle.py is the only writer of these).
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    response_published_at: Mapped[datetime | None]
    survey_closes_at: Mapped[datetime | None]
    # The state last written to the audit log, for clock-driven transitions ("rounds tick").
    recorded_state: Mapped[str] = mapped_column(String(20), default="scheduled")

    # Hot counters, incremented in SQL in the same transaction as the change.
    comment_count: Mapped[int] = mapped_column(default=0)
    question_count: Mapped[int] = mapped_column(default=0)
    ballot_count: Mapped[int] = mapped_column(default=0)
    participant_count: Mapped[int] = mapped_column(default=0)
    # Bumped in the transaction of any change shown on the round's cached public pages
    # (consult.pagecache): part of every cache key, so a change is never served stale.
    content_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped with it by every change but a support alone: the comments page keeps the
    # list every reader shares (supports filled in) under this one.
    counts_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped when the kept counts of its comments move (consult.participation.tallies: a
    # comment posted, withdrawn, moderated, its stance changed; not an edit of its text):
    # the comments page keeps what it read of them under this one.
    tally_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The department and closing month (YYYY-MM) its participants are counted under in
    # ``ParticipantReach``; None while none are (no participant yet, or the consultation
    # is unpublished). Written only by ``consult.rounds.participants``.
    tallied_department_id: Mapped[int | None]
    tallied_month: Mapped[str | None] = mapped_column(String(7))

    consultation = relationship("Consultation", back_populates="rounds", lazy="raise_on_sql")
    version = relationship("DraftVersion", lazy="raise_on_sql")
    extensions: Mapped[list[RoundExtension]] = relationship(
        back_populates="round", lazy="raise_on_sql", order_by="RoundExtension.id",
        cascade="all, delete-orphan")


class RoundExtension(TimestampMixin, db.Model):
    """A public record of a moved closing date."""

    __tablename__ = "round_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    old_closes_at: Mapped[datetime]
    new_closes_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship(back_populates="extensions", lazy="raise_on_sql")


class RoundParticipant(db.Model):
    """Who took part in a round (commented, asked, supported or voted).

    Decides survey eligibility and feeds the unique-participants count; written by
    ``consult.rounds.participants.mark`` with insert-or-ignore inside the action's
    transaction.
    """

    __tablename__ = "round_participant"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    first_at: Mapped[datetime]


class ParticipantReach(db.Model):
    """A person who took part in some round of a department in a month: one row per
    (department, month, user) with the number of those rounds, so that the distinct
    participants of a department, of a month, or of both are a counter
    (``ParticipantTally``) instead of a recount of every ``RoundParticipant`` row.

    The month is the round's closing month (``closed_at``, else ``closes_at``) and the
    department its consultation's, as the evaluation groups them; only rounds of
    published consultations count. ``department_id`` 0 stands for every department and
    ``month`` "" for every month. ``delta`` is the row's change to its group's counter
    not yet added to it (1: new, -1: gone, its ``rounds`` down to 0), 0 once the
    transaction has settled the counters; written by ``consult.rounds.participants`` only.
    """

    __tablename__ = "participant_reach"
    __table_args__ = (
        CheckConstraint("rounds >= 0", name="rounds_not_negative"),
        Index("ix_participant_reach_unsettled", "department_id", "month",
              sqlite_where=text("delta != 0"), postgresql_where=text("delta != 0")),
    )

    department_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    rounds: Mapped[int] = mapped_column(default=0)
    delta: Mapped[int] = mapped_column(default=0)


class ParticipantTally(db.Model):
    """Distinct participants of a department in a month (0: every department; "": every
    month): the number of its ``ParticipantReach`` rows, moved at each commit."""

    __tablename__ = "participant_tally"

    department_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    participants: Mapped[int] = mapped_column(default=0)
