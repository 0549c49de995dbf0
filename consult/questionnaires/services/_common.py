"""Shared helpers of the questionnaire services: reading a round's questions, portable
insert-or-ignore, counters moved in one statement."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import selectinload

from consult.db import db
from consult.errors import NotFound
from consult.questionnaires.models import RULES, Purpose, Questionnaire, QuestionnaireQuestion


def list_questions(round_id: int, purpose: Purpose) -> list[QuestionnaireQuestion]:
    """The round's questions for ``purpose`` with their options, in order (two queries)."""
    return list(db.session.scalars(_list_questions_statement(),
                                   {"round_id": round_id, "purpose": purpose}))


@cache
def _list_questions_statement():
    """Built once: every vote and every answer reads it."""
    return (select(QuestionnaireQuestion).join(Questionnaire)
            .where(Questionnaire.round_id == bindparam("round_id"),
                   Questionnaire.purpose == bindparam("purpose"))
            .options(selectinload(QuestionnaireQuestion.options))
            .order_by(QuestionnaireQuestion.position))


def get_question(round_id: int, purpose: Purpose, question_id: int) -> QuestionnaireQuestion:
    """One of the round's questions for ``purpose``, with its options; 404 otherwise."""
    question = db.session.scalar(
        select(QuestionnaireQuestion).join(Questionnaire)
        .where(QuestionnaireQuestion.id == question_id, Questionnaire.round_id == round_id,
               Questionnaire.purpose == purpose)
        .options(selectinload(QuestionnaireQuestion.options)))
    if question is None:
        raise NotFound(RULES[purpose].not_found)
    return question


def bump(model, column: str, deltas: Mapping[int, int]) -> None:
    """Add ``deltas`` ({row id: change}) to ``column`` in one statement. Rows shared with
    other writers are locked in id order first, so two transactions that move the same
    counters the other way round cannot deadlock."""
    ids = sorted(i for i, n in deltas.items() if n)
    if not ids:
        return
    if len(ids) > 1:
        db.session.execute(select(model.id).where(model.id.in_(ids)).order_by(model.id)
                           .with_for_update(key_share=True))
    counter = getattr(model, column)
    db.session.execute(update(model).where(model.id.in_(ids)).values(
        {column: counter + case({i: deltas[i] for i in ids}, value=model.id)}))
