"""Defining a questionnaire's questions: add, change, move and delete them, with their
options validated.

These are the mechanics shared by the poll and the survey editors. The domain that owns the
questionnaire decides who may edit and until when (voting: the round's officials while it is
scheduled; surveys: until the response is published) and calls these after its own checks,
inside its transaction. Every editor of a questionnaire first locks its row, so positions
are never handed out twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from consult import audit
from consult.accounts.models import Actor
from consult.db import db, upsert_insert
from consult.errors import NotFound, ValidationFailed
from consult.questionnaires.models import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_OPTIONS,
    OPTION_TEXT_MAX,
    QUESTION_TEXT_MAX,
    RULES,
    SCALE,
    Purpose,
    PurposeRules,
    QuestionKind,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds.models import Round


def ensure_questionnaire(round_id: int, purpose: Purpose) -> int:
    """The id of the round's questionnaire for ``purpose``, created when missing and locked
    until the transaction ends (PostgreSQL; SQLite serialises writers itself)."""
    db.session.execute(upsert_insert(Questionnaire).values(round_id=round_id, purpose=purpose)
                       .on_conflict_do_nothing(index_elements=["round_id", "purpose"]))
    return db.session.scalar(
        select(Questionnaire.id).where(Questionnaire.round_id == round_id,
                                       Questionnaire.purpose == purpose).with_for_update())


# ---------------------------------------------------------------- checking what was typed

def clean_kind(kind: Any, rules: PurposeRules) -> QuestionKind:
    try:
        cleaned = QuestionKind(kind)
    except ValueError:
        cleaned = None
    if cleaned not in rules.kinds:
        raise ValidationFailed(_l("Choose the kind of question."), field="kind")
    return cleaned


def clean_question_text(text: str | None) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationFailed(_l("Enter the question."), field="text")
    if len(text) > QUESTION_TEXT_MAX:
        raise ValidationFailed(_l("The question can have at most %(max)d characters.",
                                  max=QUESTION_TEXT_MAX), field="text")
    return text


def parse_options(kind: QuestionKind, options: str | Iterable[str] | None) -> list[str]:
    """Options one per line (or a list) for choice questions, blank lines dropped and each
    trimmed; 1–5 for a scale; none for free text."""
    if kind is QuestionKind.SCALE:
        return [str(v) for v in SCALE]
    if kind is QuestionKind.TEXT:
        return []
    lines = (options or "").splitlines() if isinstance(options, str | None) else list(options)
    cleaned = [" ".join(str(line).split()) for line in lines]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) < MIN_OPTIONS:
        raise ValidationFailed(_l("Give at least %(min)d answers, one per line.",
                                  min=MIN_OPTIONS), field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationFailed(_l("Give at most %(max)d answers.", max=MAX_OPTIONS),
                               field="options")
    if any(len(line) > OPTION_TEXT_MAX for line in cleaned):
        raise ValidationFailed(_l("Each answer can have at most %(max)d characters.",
                                  max=OPTION_TEXT_MAX), field="options")
    if len({line.casefold() for line in cleaned}) != len(cleaned):
        raise ValidationFailed(_l("Each answer must be different."), field="options")
    return cleaned


def _clean(rules: PurposeRules, text: Any, kind: Any,
           options: Any) -> tuple[str, QuestionKind, list[str]]:
    kind = clean_kind(kind, rules)
    return clean_question_text(text), kind, parse_options(kind, options)


def _described(rules: PurposeRules, text: str, kind: QuestionKind,
               options: list[str]) -> dict[str, Any]:
    """A question as the audit log records it."""
    return {"text": text, **rules.describe_kind(kind), "options": options}


def _locked_own(round_: Round, purpose: Purpose, question: QuestionnaireQuestion) -> None:
    """Lock the questionnaire; 404 unless ``question`` is one of its questions."""
    if question.questionnaire_id != ensure_questionnaire(round_.id, purpose):
        raise NotFound(RULES[purpose].not_found)


# ---------------------------------------------------------------- the questions

def add_question(actor: Actor, round_: Round, purpose: Purpose, *, text: Any, kind: Any,
                 options: str | Iterable[str] | None = None) -> QuestionnaireQuestion:
    """Add a question after the last one (at most ``MAX_QUESTIONS``)."""
    rules = RULES[purpose]
    text, kind, answers = _clean(rules, text, kind, options)
    questionnaire_id = ensure_questionnaire(round_.id, purpose)
    count, last = db.session.execute(
        select(func.count(QuestionnaireQuestion.id), func.max(QuestionnaireQuestion.position))
        .where(QuestionnaireQuestion.questionnaire_id == questionnaire_id)).one()
    if count >= MAX_QUESTIONS:
        raise ValidationFailed(rules.too_many, field="text")
    question = QuestionnaireQuestion(questionnaire_id=questionnaire_id, position=(last or 0) + 1,
                        text=text, kind=kind,
                        options=[QuestionnaireOption(position=i + 1, text=answer)
                                 for i, answer in enumerate(answers)])
    db.session.add(question)
    db.session.flush()
    audit.record(actor, f"{rules.audit}.question_added", round_, question_id=question.id,
                 **_described(rules, text, kind, answers))
    return question


def update_question(actor: Actor, round_: Round, purpose: Purpose,
                    question: QuestionnaireQuestion, *,
                    text: Any, kind: Any,
                    options: str | Iterable[str] | None = None) -> QuestionnaireQuestion:
    """Change a question's text, kind and options. Only before anyone can answer: the
    counters of a changed option would no longer say what people chose."""
    rules = RULES[purpose]
    _locked_own(round_, purpose, question)
    text, kind, answers = _clean(rules, text, kind, options)
    before = _described(rules, question.text, question.kind,
                        [o.text for o in question.options])
    question.text, question.kind = text, kind
    # In place by position, so no (question, position) pair is ever doubled inside the
    # flush; no one can have answered yet.
    existing = list(question.options)
    for i, answer in enumerate(answers):
        if i < len(existing):
            existing[i].text = answer
        else:
            question.options.append(QuestionnaireOption(position=i + 1, text=answer))
    for extra in existing[len(answers):]:
        question.options.remove(extra)
    db.session.flush()
    audit.record(actor, f"{rules.audit}.question_changed", round_, question_id=question.id,
                 before=before, after=_described(rules, text, kind, answers))
    return question


def move_question(actor: Actor, round_: Round, purpose: Purpose, question: QuestionnaireQuestion, *,
                  by: int) -> QuestionnaireQuestion:
    """Move a question ``by`` places (-1: up, 1: down); at either end it stays."""
    rules = RULES[purpose]
    _locked_own(round_, purpose, question)
    order = list(db.session.scalars(
        select(QuestionnaireQuestion.id)
        .where(QuestionnaireQuestion.questionnaire_id == question.questionnaire_id)
        .order_by(QuestionnaireQuestion.position)))
    at = order.index(question.id)
    to = at + by
    if by == 0 or not 0 <= to < len(order):
        return question
    other = db.session.get(QuestionnaireQuestion, order[to])
    mine, theirs = question.position, other.position
    # Through a free position: (questionnaire, position) is unique at every statement.
    question.position = 0
    db.session.flush()
    other.position = mine
    db.session.flush()
    question.position = theirs
    db.session.flush()
    audit.record(actor, f"{rules.audit}.question_moved", round_, question_id=question.id,
                 text=question.text, before=at + 1, after=to + 1)
    return question


def delete_question(actor: Actor, round_: Round, purpose: Purpose,
                    question: QuestionnaireQuestion) -> None:
    rules = RULES[purpose]
    _locked_own(round_, purpose, question)
    audit.record(actor, f"{rules.audit}.question_deleted", round_, question_id=question.id,
                 text=question.text)
    db.session.delete(question)
    db.session.flush()
