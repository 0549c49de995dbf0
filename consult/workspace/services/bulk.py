"""Bulk answers: one text answers several questions of one round, after a preview and a
confirmation. Each question still gets its own answer row, audit entry and notification
(the participation service answers each); the whole selection is one transaction, so a
refused question (already answered, withdrawn, another department's) changes nothing."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from consult.accounts.models import Actor
from consult.db import db
from consult.errors import Conflict, PermissionDenied, ValidationFailed
from consult.participation.models import Answer, Question
from consult.participation.services import ANSWER_MAX, answer_question
from consult.rounds.services import get_round
from consult.security.input import clean_text
from consult.security.params import ticked_ids
from consult.security.permissions import authorize

BULK_MAX = 50  # questions answered at once
PURPOSE = "questions.answer-many"


def selected_ids(values: list[Any] | None) -> list[int]:
    return ticked_ids(values, most=BULK_MAX, none=_l("Tick at least one question."),
                      too_many=_l("Answer at most %(num)d questions at once.", num=BULK_MAX))


def questions_to_answer(actor: Actor, values: list[Any]) -> list[Question]:
    """The ticked questions, all unanswered, of one round of one of the actor's
    departments (two queries); else a clear refusal and nothing done."""
    authorize(actor, "question.inbox")
    ids = selected_ids(values)
    rows = list(db.session.scalars(
        select(Question).where(Question.id.in_(ids))
        .options(joinedload(Question.author),
                 joinedload(Question.answer).joinedload(Answer.department))
        .order_by(Question.created_at, Question.id)))
    if len(rows) != len(ids):
        raise ValidationFailed(_l("Some selected questions do not exist."), field="ids")
    if any(q.department_id not in actor.official_department_ids for q in rows):
        raise PermissionDenied(_l("Only officials of the department that runs this "
                                  "consultation can answer its questions."))
    if len({q.department_id for q in rows}) > 1:
        raise ValidationFailed(_l("The selection mixes departments: answer the questions of "
                                  "one department at a time."), field="ids")
    if len({q.round_id for q in rows}) > 1:
        raise ValidationFailed(_l("The selection mixes consultation rounds: answer the "
                                  "questions of one round at a time."), field="ids")
    answered = [q for q in rows if q.answered_at is not None or q.answer is not None]
    if answered:
        raise Conflict(_l("%(num)d of the selected questions already has an answer: nothing "
                          "was published.", num=len(answered)), field="ids")
    round_ = get_round(actor, rows[0].round_id)
    for q in rows:
        set_committed_value(q, "round", round_)
    return rows


def answer_text(body: Any) -> str:
    return clean_text(body, field="body", limit=ANSWER_MAX,
                      empty=_l("Write the answer before you publish it."))


def confirmation_state(questions: list[Question], body: str) -> dict[str, Any]:
    """What the confirmation signs: these questions (unanswered) and exactly this text."""
    return {"ids": [q.id for q in questions],
            "text": hashlib.sha256(body.encode()).hexdigest()}


def answer_questions(actor: Actor, values: list[Any], *, body: Any) -> list[Answer]:
    """Publish one answer text on each ticked question (one transaction)."""
    questions = questions_to_answer(actor, values)
    text = answer_text(body)
    return [answer_question(actor, q, body=text) for q in questions]
