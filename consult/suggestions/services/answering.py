"""The department's side: answer (or transfer, or route an unrouted suggestion),
the author's rating of the answer, reply deadlines, and the officials' desk."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult import audit, signals
from consult.accounts.models import Actor, Department
from consult.clock import now as clock_now
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import (
    Conflict,
    InvalidState,
    ValidationFailed,
)
from consult.security.input import clean_text
from consult.security.permissions import authorize
from consult.suggestions import deadlines
from consult.suggestions.models import (
    AnswerStatus,
    EventKind,
    Rating,
    Suggestion,
    SuggestionEvent,
    SuggestionPolicy,
    SuggestionRating,
    Visibility,
)
from consult.suggestions.services._common import (
    PER_PAGE,
    _active_department,
    _assign,
    _clean,
    _current_assignment,
    _require_verified,
)
from consult.web import Page, paginate

ANSWERS = (AnswerStatus.UNDER_STUDY, AnswerStatus.ON_AGENDA, AnswerStatus.COVERED,
           AnswerStatus.NOT_TAKEN)


TRANSFER = "transferred"


def _consultation(consultation_id, *, department_id: int | None = None,
                  published: bool = False) -> Consultation:
    try:
        cid = int(consultation_id)
    except (TypeError, ValueError):
        cid = None
    consultation = db.session.get(Consultation, cid) if cid else None
    if consultation is None:
        raise ValidationFailed(_l("Choose the consultation this suggestion is linked to."),
                               field="consultation_id")
    if department_id is not None and consultation.department_id != department_id:
        raise ValidationFailed(
            _l("A suggestion taken onto the agenda links to a consultation of the same "
               "department."), field="consultation_id")
    if published and consultation.published_at is None:
        raise ValidationFailed(_l("Link a published consultation."), field="consultation_id")
    return consultation


def answer_suggestion(actor: Actor, suggestion: Suggestion, *, status: str, body: str = "",
                      consultation_id=None, to_department_id=None) -> SuggestionEvent:
    """An official of the current department answers (or transfers) the suggestion.
    Answers are public; the author and supporters are notified."""
    authorize(actor, "suggestion.answer", suggestion)
    if status == TRANSFER:
        return _transfer(actor, suggestion, to_department_id=to_department_id, body=body)
    try:
        answer = AnswerStatus(status)
    except ValueError:
        answer = None
    if answer not in ANSWERS:
        raise ValidationFailed(_l("Choose an answer."), field="status")
    body = _clean(body, "body", required=answer is AnswerStatus.NOT_TAKEN, limit="answer",
                  message=_l("Give the reason why the suggestion is not taken up."))
    consultation = None
    if answer is AnswerStatus.ON_AGENDA:
        consultation = _consultation(consultation_id, department_id=suggestion.department_id)
    elif answer is AnswerStatus.COVERED:
        consultation = _consultation(consultation_id, published=True)
    at = clock_now()
    first = suggestion.answered_at is None
    event = SuggestionEvent(
        suggestion_id=suggestion.id, kind=EventKind.ANSWERED, answer_status=answer,
        department_id=suggestion.department_id, body=body, actor_id=actor.id, created_at=at,
        consultation_id=consultation.id if consultation else None,
        on_time=(at <= suggestion.due_at) if first else None)
    db.session.add(event)
    db.session.flush()
    if first:
        assignment = _current_assignment(suggestion)
        if assignment is not None:
            assignment.answered_at, assignment.first_answer = at, answer.value
        suggestion.answered_at = at
    suggestion.answer_status = answer
    suggestion.consultation_id = consultation.id if consultation else None
    suggestion.latest_answer_id = event.id
    audit.record(actor, "suggestion.answered", suggestion, status=answer.value,
                 consultation_id=event.consultation_id, on_time=event.on_time)
    signals.suggestion_answered.send(suggestion, event=event, actor=actor)
    return event


def _transfer(actor: Actor, suggestion: Suggestion, *, to_department_id,
              body: str) -> SuggestionEvent:
    target = _active_department(to_department_id, field="to_department_id")
    if target.id == suggestion.department_id:
        raise ValidationFailed(_l("Choose another department than the current one."),
                               field="to_department_id")
    body = _clean(body, "body", limit="answer")
    at = clock_now()
    first = suggestion.answered_at is None
    event = SuggestionEvent(
        suggestion_id=suggestion.id, kind=EventKind.TRANSFERRED,
        department_id=suggestion.department_id, to_department_id=target.id, body=body,
        actor_id=actor.id, created_at=at, on_time=(at <= suggestion.due_at) if first else None)
    db.session.add(event)
    assignment = _current_assignment(suggestion)
    if assignment is not None and assignment.answered_at is None:
        assignment.answered_at, assignment.first_answer = at, TRANSFER
    from_id = suggestion.department_id
    _move(suggestion, target.id, at)
    db.session.flush()
    audit.record(actor, "suggestion.transferred", suggestion, from_department_id=from_id,
                 to_department_id=target.id, on_time=event.on_time)
    signals.suggestion_answered.send(suggestion, event=event, actor=actor)
    return event


def _move(suggestion: Suggestion, department_id: int, at: datetime) -> None:
    """The suggestion lands at a department: a fresh clock and a fresh answer."""
    suggestion.department_id = department_id
    suggestion.received_at = at
    suggestion.due_at = deadlines.due_date(department_id, at)
    suggestion.answered_at = None
    suggestion.answer_status = AnswerStatus.AWAITING
    suggestion.consultation_id = None
    suggestion.latest_answer_id = None
    db.session.flush()
    _assign(suggestion, department_id, at)


def route_suggestion(actor: Actor, suggestion: Suggestion, *, department_id) -> SuggestionEvent:
    """An admin sends a "not sure which department" suggestion to a department."""
    authorize(actor, "suggestion.route", suggestion)
    if suggestion.department_id is not None:
        raise InvalidState(_l("This suggestion has already been sent to a department."))
    target = _active_department(department_id)
    at = clock_now()
    event = SuggestionEvent(suggestion_id=suggestion.id, kind=EventKind.ROUTED,
                            to_department_id=target.id, actor_id=actor.id, created_at=at)
    db.session.add(event)
    _move(suggestion, target.id, at)
    audit.record(actor, "suggestion.routed", suggestion, to_department_id=target.id)
    return event


RATING_COMMENT_MAX = 2000


def rate_answer(actor: Actor, suggestion: Suggestion, *, rating: str,
                comment: str | None = None) -> SuggestionRating:
    """The author rates the current answer (five levels; the lowest two, 差评, open a
    rectification case through ``suggestion_rated``). One row per suggestion (unique);
    rating again changes it and points it at the answer and department rated now."""
    _require_verified(actor, "suggestion.rate", suggestion)
    if suggestion.latest_answer_id is None or not suggestion.is_answered:
        raise InvalidState(_l("You can rate the answer once the department has given one."))
    try:
        value = Rating(rating)
    except ValueError:
        raise ValidationFailed(_l("Choose how satisfied you are."), field="rating") from None
    comment = clean_text(comment, field="comment", limit=RATING_COMMENT_MAX, required=False)
    at = clock_now()
    row = db.session.scalar(select(SuggestionRating).where(
        SuggestionRating.suggestion_id == suggestion.id))
    if row is not None and row.voided_at is not None:
        raise InvalidState(_l("Your rating of this answer was voided after review and can "
                              "no longer be changed."))
    if row is None:
        row = SuggestionRating(suggestion_id=suggestion.id, user_id=actor.id, created_at=at)
        db.session.add(row)
    # A rating of an answer not rated before counts once in the department's 差评率.
    first = row.answer_id != suggestion.latest_answer_id
    row.rating, row.updated_at, row.comment = value, at, comment
    row.department_id = suggestion.department_id
    row.answer_id = suggestion.latest_answer_id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Your rating was just saved from elsewhere. Reload the page.")) \
            from None
    audit.record(actor, "suggestion.rated", suggestion, rating=value.value,
                 department_id=row.department_id)
    signals.suggestion_rated.send(row, suggestion=suggestion, actor=actor, first=first)
    return row


def void_rating(suggestion_id: int, answer_id: int | None, *,
                at: datetime | None = None) -> bool:
    """Mark the author's rating of that answer voided after an appeal upheld by an
    evaluator (kept, never deleted). False when it is gone, moved on or voided already."""
    row = db.session.scalar(select(SuggestionRating).where(
        SuggestionRating.suggestion_id == suggestion_id).with_for_update())
    if row is None or row.voided_at is not None or row.answer_id != answer_id:
        return False
    row.voided_at = at or clock_now()
    db.session.flush()
    return True


def set_reply_days(actor: Actor, department: Department, *, reply_days) -> SuggestionPolicy:
    """A department's officials (or an admin) set its reply deadline in working days.
    It applies to suggestions received from now on."""
    authorize(actor, "suggestion.policy", department)
    try:
        days = int(reply_days)
    except (TypeError, ValueError):
        days = 0
    if not deadlines.MIN_REPLY_DAYS <= days <= deadlines.MAX_REPLY_DAYS:
        raise ValidationFailed(
            _l("Give a number of working days from %(min)d to %(max)d.",
               min=deadlines.MIN_REPLY_DAYS, max=deadlines.MAX_REPLY_DAYS), field="reply_days")
    policy = db.session.get(SuggestionPolicy, department.id)
    previous = policy.reply_days if policy is not None else None
    if policy is None:
        policy = SuggestionPolicy(department_id=department.id, reply_days=days)
        db.session.add(policy)
    policy.reply_days, policy.updated_by_id = days, actor.id
    db.session.flush()
    audit.record(actor, "suggestion.policy_set", department, reply_days=days,
                 previous=previous)
    return policy


def open_for_official(actor: Actor, *, page: int = 1, per_page: int = PER_PAGE,
                      include: Select | None = None, exclude: Select | None = None) -> Page:
    """The actor's departments' open suggestions (awaiting or under study), due first.
    ``include``/``exclude``: subqueries of suggestion ids to keep or leave out (the
    workspace's "assigned to me" and "unassigned")."""
    authorize(actor, "suggestion.manage")
    ids = actor.official_department_ids or {-1}
    stmt = (select(Suggestion)
            .where(Suggestion.department_id.in_(ids), Suggestion.status != Visibility.HELD,
                   Suggestion.answer_status.in_((AnswerStatus.AWAITING,
                                                 AnswerStatus.UNDER_STUDY)))
            .options(joinedload(Suggestion.department))
            .order_by(Suggestion.answered_at.is_not(None), Suggestion.due_at, Suggestion.id))
    if include is not None:
        stmt = stmt.where(Suggestion.id.in_(include))
    if exclude is not None:
        stmt = stmt.where(Suggestion.id.not_in(exclude))
    return paginate(stmt, page=page, per_page=per_page)


def unrouted(actor: Actor, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """"Not sure which department" suggestions waiting for an admin, oldest first."""
    authorize(actor, "suggestion.route")
    stmt = (select(Suggestion).where(Suggestion.department_id.is_(None),
                                     Suggestion.status != Visibility.HELD)
            .order_by(Suggestion.created_at, Suggestion.id))
    return paginate(stmt, page=page, per_page=per_page)


def policies(departments: list[Department]) -> dict[int, int]:
    """Each department's reply days (its own setting or the default), one query."""
    own = dict(db.session.execute(select(SuggestionPolicy.department_id,
                                         SuggestionPolicy.reply_days).where(
        SuggestionPolicy.department_id.in_([d.id for d in departments] or [-1]))).all())
    default = deadlines.default_reply_days()
    return {d.id: own.get(d.id, default) for d in departments}
