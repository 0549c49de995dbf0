"""Bulk answers: one answer (one status, one text) for several suggestions of one
department awaiting their first answer, after a preview and a signed confirmation.

Each suggestion is answered by ``answer_suggestion`` (its own event row, deadline check,
audit entry, ``suggestion_answered`` signal and so its notifications and rectification
hooks, as for one); the whole selection is one transaction, so one refused suggestion
changes nothing."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.accounts.models import Actor
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import ValidationFailed
from consult.security.params import ticked_ids
from consult.security.permissions import authorize
from consult.suggestions.models import AnswerStatus, Suggestion, SuggestionEvent, Visibility
from consult.suggestions.services._common import _clean
from consult.suggestions.services.answering import ANSWERS, _consultation, answer_suggestion

BULK_MAX = 50  # suggestions answered at once
PURPOSE = "suggestions.answer-many"


def selected_ids(values: list[Any] | None) -> list[int]:
    return ticked_ids(values, most=BULK_MAX, none=_l("Tick at least one suggestion."),
                      too_many=_l("Answer at most %(num)d suggestions at once.", num=BULK_MAX))


def load_selection(actor: Actor, values: list[Any] | None) -> list[Suggestion]:
    """The ticked suggestions (one query), each one the actor may answer (403 for one of
    another department or not yet sent to one). Their state is checked later
    (``check_selection``), after a confirmation is checked against it."""
    authorize(actor, "suggestion.answer_many")
    ids = selected_ids(values)
    rows = list(db.session.scalars(
        select(Suggestion).where(Suggestion.id.in_(ids))
        .options(joinedload(Suggestion.department))
        .order_by(Suggestion.due_at, Suggestion.id)))
    if len(rows) != len(ids):
        raise ValidationFailed(_l("Some selected suggestions do not exist."), field="ids")
    for suggestion in rows:
        authorize(actor, "suggestion.answer", suggestion)
    return rows


def check_selection(rows: list[Suggestion]) -> None:
    """One department, and every suggestion still waiting for its first answer."""
    if len({s.department_id for s in rows}) > 1:
        raise ValidationFailed(_l("The selection mixes departments: answer the suggestions "
                                  "of one department at a time."), field="ids")
    held = [s for s in rows if s.status is Visibility.HELD]
    if held:
        raise ValidationFailed(_l("%(num)d of the selected suggestions is awaiting a "
                                  "moderator's review: nothing was published.",
                                  num=len(held)), field="ids")
    answered = [s for s in rows if s.answered_at is not None
                or s.answer_status is not AnswerStatus.AWAITING]
    if answered:
        raise ValidationFailed(_l("%(num)d of the selected suggestions already has an answer: "
                                  "answer it on its own page. Nothing was published.",
                                  num=len(answered)), field="ids")


def check_answer(rows: list[Suggestion], *, status: Any, body: Any,
                 consultation_id: Any = None) -> tuple[AnswerStatus, str, Consultation | None]:
    """The one answer for all (checked before the preview, as ``answer_suggestion`` will
    check it for each): a status, a text (always required here, since one text speaks
    for several suggestions) and the consultation the status needs."""
    try:
        answer = AnswerStatus(status)
    except ValueError:
        answer = None
    if answer not in ANSWERS:
        raise ValidationFailed(_l("Choose an answer."), field="status")
    text = _clean(body, "body", required=True, limit="answer",
                  message=_l("Write the answer before you publish it."))
    consultation = None
    if answer is AnswerStatus.ON_AGENDA:
        consultation = _consultation(consultation_id, department_id=rows[0].department_id)
    elif answer is AnswerStatus.COVERED:
        consultation = _consultation(consultation_id, published=True)
    return answer, text, consultation


def confirmation_state(rows: list[Suggestion], answer: AnswerStatus, text: str,
                       consultation: Consultation | None) -> dict[str, Any]:
    """What the confirmation signs: these suggestions as they are now (department, first
    answer or not, latest answer) and exactly this answer (as ``check_answer`` returns
    it). Once they are answered the same confirmation no longer matches (409)."""
    return {"s": [[s.id, s.department_id, s.answered_at is None, s.latest_answer_id]
                  for s in rows],
            "status": answer.value, "c": consultation.id if consultation else None,
            "text": hashlib.sha256(text.encode()).hexdigest()}


def answer_suggestions(actor: Actor, rows: list[Suggestion], answer: AnswerStatus, text: str,
                       consultation: Consultation | None) -> list[SuggestionEvent]:
    """Publish the one answer on each suggestion (inside the caller's transaction): the
    rows from ``load_selection``, the answer from ``check_answer``."""
    check_selection(rows)
    cid = consultation.id if consultation else None
    return [answer_suggestion(actor, s, status=answer.value, body=text, consultation_id=cid)
            for s in rows]


def consultation_choices(actor: Actor, limit: int = 200) -> list[Consultation]:
    """Consultations a bulk answer may link: the actor's departments', newest first (one
    query)."""
    return list(db.session.scalars(
        select(Consultation).where(Consultation.department_id.in_(
            sorted(actor.official_department_ids) or [-1]))
        .order_by(Consultation.id.desc()).limit(limit)))
