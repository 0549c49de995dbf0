"""Ballots and the per-round stance counters. A ballot's answers to the round's poll
questions are the poll questionnaire's answer rows (consult.questionnaires), owned by the
ballot.

Tallies are columns incremented and decremented in SQL in the same transaction as the
ballot change (services/), never recounted per page view: ``VoteTally`` holds the stance
counts of a round, the questionnaire's ``QuestionnaireOption.answer_count`` the choices of
an option and ``QuestionnaireQuestion.respondent_count`` how many ballots answered the
question, and ``Round.ballot_count`` the number of ballots.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from consult.clock import now
from consult.db import db, str_enum
from consult.questionnaires.models import AnswerChoice, Purpose


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
    # The options chosen for the round's poll questions (written by the services in SQL).
    choices: Mapped[list[AnswerChoice]] = relationship(
        AnswerChoice, viewonly=True, lazy="raise_on_sql",
        primaryjoin=lambda: and_(foreign(AnswerChoice.owner_id) == Ballot.id,
                                 AnswerChoice.purpose == Purpose.POLL))

    @property
    def changed(self) -> bool:
        return self.updated_at > self.created_at


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
