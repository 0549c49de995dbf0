"""Answering a questionnaire: check a set of answers, save them for their owner (a ballot,
a survey answer) and move the counters.

Saving is split in two steps so that the owning domain can keep its own lock order: first
``save_answers`` writes the owner's rows (they are its own, no one else writes them) and
returns how the counters must move; then, when the owner's domain has moved its own shared
counters, ``move_counts`` moves the questions' and options' counters, each table in one
statement, rows locked in id order. Both run in the owner's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Text, cast, delete, null, select, union_all

from consult.db import db, upsert_insert
from consult.errors import ValidationFailed
from consult.questionnaires.models import (
    RULES,
    TEXT_ANSWER_MAX,
    AnswerChoice,
    AnswerText,
    Purpose,
    QuestionKind,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.questionnaires.services._common import bump
from consult.security.params import parse_int


@dataclass
class Answers:
    """One owner's answers: the options chosen and the texts written, by question id."""

    chosen: dict[int, set[int]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, choices: Iterable[AnswerChoice] = (),
           texts: Iterable[AnswerText] = ()) -> Answers:
        """From an owner's rows (its ``choices`` and ``texts`` relationships)."""
        out = cls()
        for choice in choices:
            out.chosen.setdefault(choice.question_id, set()).add(choice.option_id)
        for text in texts:
            out.texts[text.question_id] = text.body
        return out

    @property
    def option_ids(self) -> set[int]:
        return {o for options in self.chosen.values() for o in options}

    @property
    def question_ids(self) -> set[int]:
        """The questions answered (an option chosen or a text written)."""
        return set(self.chosen) | set(self.texts)

    def values(self) -> dict[int, list[str]]:
        """As a form gives them back: option ids as text, or the one text written."""
        out: dict[int, list[str]] = {q: sorted(map(str, options))
                                     for q, options in self.chosen.items()}
        out.update({q: [body] for q, body in self.texts.items()})
        return out


@dataclass
class Counts:
    """How saving one owner's answers moves the counters: {id: +1 or -1}."""

    questions: dict[int, int] = field(default_factory=dict)
    options: dict[int, int] = field(default_factory=dict)


# ---------------------------------------------------------------- checking

def clean_answers(purpose: Purpose, questions: list[QuestionnaireQuestion],
                  given: Mapping[Any, Iterable[Any]] | None) -> Answers:
    """Check ``given`` ({question id: values from the form}) against ``questions``: every
    question is optional; an option must be one of its question's; a single-choice or
    scale question takes one; a text has at most ``TEXT_ANSWER_MAX`` characters. Errors
    name the question's field (``q<id>``)."""
    by_id = {q.id: q for q in questions}
    out = Answers()
    for question_id, values in (given or {}).items():
        question = by_id.get(parse_int(question_id, low=1))
        if question is None:
            rules = RULES[purpose]
            raise ValidationFailed(rules.not_part, field=rules.not_part_field)
        values = [text for text in (str(v).strip() for v in values) if text]
        if question.kind is QuestionKind.TEXT:
            body = _clean_text(question, values)
            if body:
                out.texts[question.id] = body
        else:
            picked = _clean_choices(question, values)
            if picked:
                out.chosen[question.id] = picked
    return out


def _clean_text(question: QuestionnaireQuestion, values: list[str]) -> str:
    body = "\n".join(values).replace("\r\n", "\n").strip()
    if len(body) > TEXT_ANSWER_MAX:
        raise ValidationFailed(_l("Your answer can have at most %(max)d characters.",
                                  max=TEXT_ANSWER_MAX), field=f"q{question.id}")
    return body


def _clean_choices(question: QuestionnaireQuestion, values: list[str]) -> set[int]:
    valid = {o.id for o in question.options}
    picked: set[int] = set()
    for value in values:
        if parse_int(value) not in valid:
            raise ValidationFailed(_l("Choose one of the answers shown."),
                                   field=f"q{question.id}")
        picked.add(int(value))
    if len(picked) > 1 and question.kind is not QuestionKind.MULTIPLE:
        raise ValidationFailed(_l("Choose only one answer to this question."),
                               field=f"q{question.id}")
    return picked


# ---------------------------------------------------------------- saving

def read_answers(purpose: Purpose, owner_id: int) -> Answers:
    """What the owner has saved (one query: its choices and texts together)."""
    choices = select(AnswerChoice.question_id, AnswerChoice.option_id,
                     cast(null(), Text).label("body")).where(AnswerChoice.purpose == purpose,
                                                 AnswerChoice.owner_id == owner_id)
    texts = select(AnswerText.question_id, cast(null(), Integer).label("option_id"),
                   AnswerText.body).where(AnswerText.purpose == purpose,
                                          AnswerText.owner_id == owner_id)
    out = Answers()
    for question_id, option_id, body in db.session.execute(union_all(choices, texts)):
        if option_id is not None:
            out.chosen.setdefault(question_id, set()).add(option_id)
        else:
            out.texts[question_id] = body
    return out


def save_answers(purpose: Purpose, owner_id: int, answers: Answers, *,
                 before: Answers | None = None) -> Counts:
    """Make the owner's saved answers ``answers``. ``before`` is what it had (an empty
    ``Answers()`` for a new owner); read when not given. Returns how the counters move
    (``move_counts``): nothing is counted here."""
    if before is None:
        before = read_answers(purpose, owner_id)
    _save_choices(purpose, owner_id, answers, before)
    _save_texts(purpose, owner_id, answers, before)
    old_options, new_options = before.option_ids, answers.option_ids
    old_questions, new_questions = before.question_ids, answers.question_ids
    return Counts(
        questions={**{q: -1 for q in old_questions - new_questions},
                   **{q: 1 for q in new_questions - old_questions}},
        options={**{o: -1 for o in old_options - new_options},
                 **{o: 1 for o in new_options - old_options}})


def _save_choices(purpose: Purpose, owner_id: int, answers: Answers,
                  before: Answers) -> None:
    old, new = before.option_ids, answers.option_ids
    removed, added = sorted(old - new), sorted(new - old)
    if removed:
        db.session.execute(delete(AnswerChoice).where(
            AnswerChoice.purpose == purpose, AnswerChoice.owner_id == owner_id,
            AnswerChoice.option_id.in_(removed)))
    if added:
        question_of = {o: q for q, options in answers.chosen.items() for o in options}
        db.session.execute(upsert_insert(AnswerChoice).values([
            {"purpose": purpose, "owner_id": owner_id, "option_id": o,
             "question_id": question_of[o]} for o in added]))


def _save_texts(purpose: Purpose, owner_id: int, answers: Answers, before: Answers) -> None:
    written = {q: body for q, body in answers.texts.items() if before.texts.get(q) != body}
    dropped = sorted(q for q in before.texts if q not in answers.texts or q in written)
    if dropped:
        db.session.execute(delete(AnswerText).where(
            AnswerText.purpose == purpose, AnswerText.owner_id == owner_id,
            AnswerText.question_id.in_(dropped)))
    if written:
        db.session.execute(upsert_insert(AnswerText).values([
            {"purpose": purpose, "owner_id": owner_id, "question_id": q, "body": body}
            for q, body in sorted(written.items())]))


def move_counts(counts: Counts) -> None:
    """Move the questions' then the options' counters (one statement per table)."""
    bump(QuestionnaireQuestion, "respondent_count", counts.questions)
    bump(QuestionnaireOption, "answer_count", counts.options)


# ---------------------------------------------------------------- showing

def summarize(questions: list[QuestionnaireQuestion],
              answers: Answers) -> list[tuple[QuestionnaireQuestion, list[str]]]:
    """[(question, what was answered)] for the questions answered, in order: the chosen
    options' texts, or the one text written."""
    out = []
    for q in questions:
        if q.id in answers.texts:
            out.append((q, [answers.texts[q.id]]))
        elif q.id in answers.chosen:
            picked = [o.text for o in q.options if o.id in answers.chosen[q.id]]
            if picked:
                out.append((q, picked))
    return out
