"""Satisfaction surveys: per-round settings and counters, and answers. The department's
own questions are the round's survey questionnaire (consult.questionnaires), and an
answer's replies to them are the questionnaire's answer rows, owned by the answer.

One ``SurveyAnswer`` per user per round (a UNIQUE constraint). The numbers the results
page shows are counters kept in SQL in the answer's own transaction (``Survey`` for the
standard questions, the questionnaire's ``QuestionnaireOption.answer_count`` and
``QuestionnaireQuestion.respondent_count`` for custom ones): a new answer increments, a
changed answer decrements the old values and increments the new ones. The answers
themselves stay row by row, so means, spreads and confidence intervals can be computed
later by SQL (``AVG``, ``STDDEV``, ``COUNT``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from consult.clock import now
from consult.db import db, str_enum
from consult.questionnaires.models import SCALE, AnswerChoice, AnswerText, Purpose

COMMENT_MAX = 2000


class Satisfaction(StrEnum):
    """The overall rating on the five levels of 好差评 (GB/T 39734), best first: 非常满意,
    满意, 基本满意, 不满意, 非常不满意. The lowest two are 差评 (``is_bad``).

    ``score`` puts the levels on a 1..5 scale (非常满意 5 … 非常不满意 1) for means and
    "better or worse" comparisons; the satisfaction rate counts the top three levels.
    Answers given on the earlier three-level scale kept their level (satisfied,
    basically satisfied, dissatisfied): nobody is put in an extreme they did not choose.
    """

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def label(self) -> str:
        return str(SATISFACTION_LABELS[self])

    @property
    def score(self) -> int:
        return SATISFACTION_SCORES[self]

    @property
    def is_bad(self) -> bool:
        """A 差评: 不满意 or 非常不满意."""
        return self in BAD_SATISFACTION


SATISFACTION_LABELS = {
    Satisfaction.VERY_SATISFIED: _l("Very satisfied"),
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Satisfaction.DISSATISFIED: _l("Dissatisfied"),
    Satisfaction.VERY_DISSATISFIED: _l("Very dissatisfied"),
}
SATISFACTION_SCORES = {s: 5 - i for i, s in enumerate(Satisfaction)}
BAD_SATISFACTION = frozenset({Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED})
# Counted in the satisfaction rate (满意率): 非常满意, 满意, 基本满意.
GOOD_SATISFACTION = frozenset(s for s in Satisfaction if s not in BAD_SATISFACTION)


class Heard(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"

    @property
    def label(self) -> str:
        return str(HEARD_LABELS[self])


HEARD_LABELS = {
    Heard.YES: _l("Yes"),
    Heard.PARTLY: _l("Partly"),
    Heard.NO: _l("No"),
}


# Counter columns of ``Survey`` for the standard questions.
SATISFACTION_COLUMNS = {s: s.value for s in Satisfaction}
HEARD_COLUMNS = {h: f"heard_{h.value}" for h in Heard}
RATING_COLUMNS = {v: f"rating_{v}" for v in SCALE}
CLARITY_COLUMNS = {v: f"clarity_{v}" for v in SCALE}


class Survey(db.Model):
    """A round's survey: who may answer, and the counters of its standard questions.

    Created on first use (settings saved or first answer) by insert-or-ignore; a round
    without a row has the defaults and no answers.
    """

    __tablename__ = "survey"
    __table_args__ = tuple(
        CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in (
            "respondents", "participant_respondents", "comments", "rating_sum", "clarity_sum",
            *SATISFACTION_COLUMNS.values(), *HEARD_COLUMNS.values(),
            *RATING_COLUMNS.values(), *CLARITY_COLUMNS.values()))

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    # False: only the round's participants (RoundParticipant) may answer (the default).
    open_to_all: Mapped[bool] = mapped_column(default=False)

    respondents: Mapped[int] = mapped_column(default=0)
    # Respondents who took part in the round: the response rate is this / participants.
    participant_respondents: Mapped[int] = mapped_column(default=0)
    comments: Mapped[int] = mapped_column(default=0)  # answers with free text
    very_satisfied: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
    basically_satisfied: Mapped[int] = mapped_column(default=0)
    dissatisfied: Mapped[int] = mapped_column(default=0)
    very_dissatisfied: Mapped[int] = mapped_column(default=0)
    heard_yes: Mapped[int] = mapped_column(default=0)
    heard_partly: Mapped[int] = mapped_column(default=0)
    heard_no: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    rating_1: Mapped[int] = mapped_column(default=0)
    rating_2: Mapped[int] = mapped_column(default=0)
    rating_3: Mapped[int] = mapped_column(default=0)
    rating_4: Mapped[int] = mapped_column(default=0)
    rating_5: Mapped[int] = mapped_column(default=0)
    clarity_sum: Mapped[int] = mapped_column(default=0)
    clarity_1: Mapped[int] = mapped_column(default=0)
    clarity_2: Mapped[int] = mapped_column(default=0)
    clarity_3: Mapped[int] = mapped_column(default=0)
    clarity_4: Mapped[int] = mapped_column(default=0)
    clarity_5: Mapped[int] = mapped_column(default=0)


class SurveyAnswer(db.Model):
    """One user's answer in one round; the schema allows no second one."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("clarity BETWEEN 1 AND 5", name="clarity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    satisfaction: Mapped[Satisfaction] = mapped_column(str_enum(Satisfaction, length=30))
    rating: Mapped[int]
    clarity: Mapped[int]
    heard: Mapped[Heard] = mapped_column(str_enum(Heard, length=10))
    comment: Mapped[str | None] = mapped_column(Text)
    # Whether the user took part in the round (the base of the response rate).
    is_participant: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    # Set when an evaluator voided the rating after an appeal (申诉复核): its values left
    # the counters and it can no longer change.
    voided_at: Mapped[datetime | None]

    # Replies to the department's own questions (written by the services in SQL).
    choices: Mapped[list[AnswerChoice]] = relationship(
        AnswerChoice, viewonly=True, lazy="raise_on_sql",
        primaryjoin=lambda: and_(foreign(AnswerChoice.owner_id) == SurveyAnswer.id,
                                 AnswerChoice.purpose == Purpose.SURVEY))
    texts: Mapped[list[AnswerText]] = relationship(
        AnswerText, viewonly=True, lazy="raise_on_sql",
        primaryjoin=lambda: and_(foreign(AnswerText.owner_id) == SurveyAnswer.id,
                                 AnswerText.purpose == Purpose.SURVEY))

    @property
    def changed(self) -> bool:
        return self.updated_at > self.created_at


SEED_MAX = 64
SAMPLE_MAX = 1000


class SurveySample(db.Model):
    """A random follow-up sample (随机回访) of a round's participants who had not rated,
    drawn by an evaluator and invited to the survey. Opt-in ratings overstate
    satisfaction; the sample's answers are counted apart so both can be compared.

    Reproducible: the members are ``random.Random(f"{round_id}:{seed}").sample`` of the
    population (participants without an answer and not sampled before, by user id);
    ``population_sha256`` and ``sample_sha256`` are SHA-256 of those ordered ids joined by
    commas, so anyone can check a draw. One draw per round and seed (UNIQUE). The
    counters move in the answers' own transactions."""

    __tablename__ = "survey_sample"
    __table_args__ = (
        UniqueConstraint("round_id", "seed"),
        CheckConstraint("size >= 1 AND population >= size", name="size_range"),
        CheckConstraint("answered >= 0 AND satisfied >= 0 AND satisfied <= answered",
                        name="counts_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    seed: Mapped[str] = mapped_column(String(SEED_MAX))
    asked: Mapped[int]  # the size the evaluator asked for
    size: Mapped[int]  # members drawn (at most the population)
    population: Mapped[int]
    population_sha256: Mapped[str] = mapped_column(String(64))
    sample_sha256: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime] = mapped_column(default=now)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Members who answered, and of them those on the top three levels (满意率).
    answered: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class SurveySampleMember(db.Model):
    """A participant drawn into a sample: at most one sample per round."""

    __tablename__ = "survey_sample_member"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    sample_id: Mapped[int] = mapped_column(
        ForeignKey("survey_sample.id", ondelete="CASCADE"), index=True)
