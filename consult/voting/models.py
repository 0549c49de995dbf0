"""Ballots, poll questions and options, and the per-round tally counters.

Tallies are columns incremented and decremented in SQL in the same transaction as the
ballot change (services.py), never recounted per page view: ``VoteTally`` holds the
stance counts of a round, ``PollOption.vote_count`` the choices of an option,
``PollQuestion.respondent_count`` how many ballots answered the question, and
``Round.ballot_count`` the number of ballots.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import db, str_enum


class Stance(StrEnum):
    SUPPORT = "support"
    SUPPORT_WITH_CHANGES = "support_with_changes"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"

    @property
    def label(self) -> str:
        return str(STANCE_LABELS[self])

    @property
    def colour(self) -> str:
        """Bar and tag colour; the label always goes with it (never colour alone)."""
        return STANCE_COLOURS[self]


STANCE_LABELS = {
    Stance.SUPPORT: _l("Support"),
    Stance.SUPPORT_WITH_CHANGES: _l("Support with changes"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.ABSTAIN: _l("Abstain"),
}
# Contrast at least 4.5:1 against white (text labels sit beside, not on, the bars).
STANCE_COLOURS = {
    Stance.SUPPORT: "#1b6b3a",
    Stance.SUPPORT_WITH_CHANGES: "#2f6f9f",
    Stance.OPPOSE: "#a52a21",
    Stance.ABSTAIN: "#5f6b76",
}

REASON_MAX = 2000
QUESTION_TEXT_MAX = 300
OPTION_TEXT_MAX = 120
MIN_OPTIONS, MAX_OPTIONS, MAX_QUESTIONS = 2, 10, 10


class Ballot(db.Model):
    """One per user per round, enforced by the schema (two tabs never make two)."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, length=30))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    user = relationship("User", lazy="raise_on_sql")
    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", lazy="raise_on_sql", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def changed(self) -> bool:
        return self.updated_at > self.created_at


class PollQuestion(db.Model):
    __tablename__ = "poll_question"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(QUESTION_TEXT_MAX))
    multiple: Mapped[bool] = mapped_column(default=False)
    # Ballots that chose at least one option of this question (share base for percentages).
    respondent_count: Mapped[int] = mapped_column(default=0)

    options: Mapped[list[PollOption]] = relationship(
        back_populates="question", lazy="raise_on_sql", order_by="PollOption.position",
        cascade="all, delete-orphan", passive_deletes=True)


class PollOption(db.Model):
    __tablename__ = "poll_option"
    __table_args__ = (UniqueConstraint("question_id", "position"),
                      CheckConstraint("vote_count >= 0", name="vote_count_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("poll_question.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(OPTION_TEXT_MAX))
    vote_count: Mapped[int] = mapped_column(default=0)

    question: Mapped[PollQuestion] = relationship(back_populates="options",
                                                  lazy="raise_on_sql")


class BallotChoice(db.Model):
    __tablename__ = "ballot_choice"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"),
                                           primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_option.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    # Denormalised so "one option per single-choice question" is cheap to check and show.
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_question.id", ondelete="CASCADE"),
                                             index=True)

    ballot: Mapped[Ballot] = relationship(back_populates="choices", lazy="raise_on_sql")


class VoteTally(db.Model):
    """Stance counters of one round, created with the round's first ballot."""

    __tablename__ = "vote_tally"
    __table_args__ = tuple(
        CheckConstraint(f"{s.value} >= 0", name=f"{s.value}_not_negative") for s in Stance)

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    support: Mapped[int] = mapped_column(default=0)
    support_with_changes: Mapped[int] = mapped_column(default=0)
    oppose: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)

    def count(self, stance: Stance) -> int:
        return getattr(self, stance.value)
