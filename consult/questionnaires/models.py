"""Questionnaires, their questions and options, and the answers people give.

A round has at most one questionnaire per purpose: its poll (the questions a ballot answers
besides its stance on the draft) and its survey (the department's own questions in the
satisfaction survey, besides the standard ones). Questions are ordered and of a kind; choice
and scale questions have ordered options.

Answers are rows owned by the row that holds one person's answer in the questionnaire's
purpose: the ballot (poll) or the survey answer (survey), named by ``(purpose, owner_id)``.
The owners live in higher layers (voting, surveys), which declare view-only relationships to
these rows; so the rows carry no foreign key to their owner, only to their question and
option (``ON DELETE CASCADE``, and so with the questionnaire and the round). Owners are not
deleted on their own: votes and survey answers stay counted, even when an account is
deleted (its personal data is erased, the row stays).

The numbers results show are counters moved in SQL in the owner's transaction, never
recounted per page: ``QuestionnaireQuestion.respondent_count`` (owners that answered the
question: the base of its shares) and ``QuestionnaireOption.answer_count`` (owners that
chose the option).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.db import db, str_enum

QUESTION_TEXT_MAX = 300
OPTION_TEXT_MAX = 120
TEXT_ANSWER_MAX = 1000
MIN_OPTIONS, MAX_OPTIONS, MAX_QUESTIONS = 2, 10, 10
SCALE = (1, 2, 3, 4, 5)


class Purpose(StrEnum):
    POLL = "poll"      # owners: ballots (voting)
    SURVEY = "survey"  # owners: survey answers (surveys)


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"

    @property
    def label(self) -> str:
        return str(QUESTION_KIND_LABELS[self])

    @property
    def has_options(self) -> bool:
        """Options the official writes (a scale's are 1–5, a free text has none)."""
        return self in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


QUESTION_KIND_LABELS = {
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.SCALE: _l("Scale 1–5"),
    QuestionKind.TEXT: _l("Free text"),
}


@dataclass(frozen=True)
class PurposeRules:
    """What differs between a poll and a survey: the kinds of question offered, the words
    of a few messages, and the name of the audit actions (``<audit>.question_added``)."""

    kinds: tuple[QuestionKind, ...]
    audit: str
    not_found: Any          # a question id that is not the questionnaire's
    too_many: Any           # the eleventh question
    not_part: Any           # an answer to a question of another questionnaire
    not_part_field: str     # where that message goes on the answer form

    @property
    def choice_only(self) -> bool:
        """Single or multiple choice only: the editor asks "more than one answer?"."""
        return all(kind.has_options for kind in self.kinds)

    def describe_kind(self, kind: QuestionKind) -> dict[str, Any]:
        """The kind as the audit log has always recorded it for this purpose."""
        return {"multiple": kind is QuestionKind.MULTIPLE} if self.choice_only \
            else {"kind": kind.value}


RULES = {
    Purpose.POLL: PurposeRules(
        kinds=(QuestionKind.SINGLE, QuestionKind.MULTIPLE), audit="poll",
        not_found=_l("This poll question does not exist."),
        too_many=_l("A round can have at most %(max)d poll questions.", max=MAX_QUESTIONS),
        not_part=_l("This poll question is not part of the round."), not_part_field="poll"),
    Purpose.SURVEY: PurposeRules(
        kinds=tuple(QuestionKind), audit="survey",
        not_found=_l("This survey question does not exist."),
        too_many=_l("A survey can have at most %(max)d questions of your own.",
                    max=MAX_QUESTIONS),
        not_part=_l("This question is not part of the survey."), not_part_field="survey"),
}


class Questionnaire(db.Model):
    """A round's questions for one purpose; created with its first question."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("round_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, length=20))

    questions: Mapped[list[QuestionnaireQuestion]] = relationship(
        back_populates="questionnaire", lazy="raise_on_sql",
        order_by="QuestionnaireQuestion.position", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def rules(self) -> PurposeRules:
        return RULES[self.purpose]


class QuestionnaireQuestion(db.Model):
    __tablename__ = "questionnaire_question"
    __table_args__ = (UniqueConstraint("questionnaire_id", "position"),
                      CheckConstraint("respondent_count >= 0",
                                      name="respondent_count_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(QUESTION_TEXT_MAX))
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, length=20))
    # Owners that answered this question (the base of its shares).
    respondent_count: Mapped[int] = mapped_column(default=0)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions",
                                                        lazy="raise_on_sql")
    options: Mapped[list[QuestionnaireOption]] = relationship(
        back_populates="question", lazy="raise_on_sql", order_by="QuestionnaireOption.position",
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def multiple(self) -> bool:
        return self.kind is QuestionKind.MULTIPLE


class QuestionnaireOption(db.Model):
    """An answer of a choice question, or one step (1–5) of a scale question."""

    __tablename__ = "questionnaire_option"
    __table_args__ = (UniqueConstraint("question_id", "position"),
                      CheckConstraint("answer_count >= 0", name="answer_count_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_question.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(OPTION_TEXT_MAX))
    # Owners that chose this option.
    answer_count: Mapped[int] = mapped_column(default=0)

    question: Mapped[QuestionnaireQuestion] = relationship(back_populates="options",
                                                           lazy="raise_on_sql")


class AnswerChoice(db.Model):
    """An option chosen by an owner (a choice or scale question)."""

    __tablename__ = "questionnaire_answer_choice"

    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, length=20), primary_key=True)
    owner_id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_option.id", ondelete="CASCADE"), primary_key=True,
        index=True)
    # Denormalised so "one option per single-choice question" is cheap to check and show.
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_question.id", ondelete="CASCADE"), index=True)


class AnswerText(db.Model):
    """The text an owner wrote for a free-text question."""

    __tablename__ = "questionnaire_answer_text"

    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, length=20), primary_key=True)
    owner_id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_question.id", ondelete="CASCADE"), primary_key=True,
        index=True)
    body: Mapped[str] = mapped_column(Text)
