"""A case's life on the department's side and the rater's: opened by a bad rating,
followed up (回访), rectified or explained, rated again. Each step is one transaction,
writes the audit log and moves the department's tally."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult import audit, workdays
from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, ValidationFailed
from consult.notifications.models import NotificationKind
from consult.notifications.services import notify
from consult.rectification.models import (
    NOTE_MAX,
    CaseStatus,
    Channel,
    RectificationCase,
    Resolution,
)
from consult.rectification.services._common import (
    count,
    due_at,
    month_of,
    require_status,
)
from consult.responses.models import Erratum, FollowUpAction, RoundResponse
from consult.security.input import clean_text
from consult.security.params import parse_int
from consult.security.permissions import authorize
from consult.surveys.models import BAD_SATISFACTION, Satisfaction, SurveyAnswer

BAD = BAD_SATISFACTION


def is_bad(satisfaction: Satisfaction | str) -> bool:
    """A 差评: the lowest two levels of the overall satisfaction (不满意, 非常不满意)."""
    return Satisfaction(satisfaction).is_bad


def count_rating(answer: SurveyAnswer, round_: Any, *, first: bool) -> None:
    """A rating given for the first time counts in its month's base of 差评率 (the
    department's ``rated`` counter), in the rating's transaction."""
    if first and answer.voided_at is None:
        count(round_.consultation.department_id, month_of(answer.created_at), rated=1)


def open_case(answer: SurveyAnswer, round_: Any, *, at: datetime | None = None
              ) -> RectificationCase | None:
    """The case for a bad rating, for the department that owns the round; None when the
    rating is not bad, or the rating has a case already (one per rating, whatever it
    became since). Runs in the rating's transaction."""
    if not is_bad(answer.satisfaction) or answer.voided_at is not None:
        return None
    exists = db.session.scalar(select(RectificationCase.id).where(
        RectificationCase.answer_id == answer.id))
    if exists is not None:
        return None
    at = at or now()
    department_id = round_.consultation.department_id
    case = RectificationCase(
        round_id=round_.id, department_id=department_id, answer_id=answer.id,
        rater_id=answer.user_id, first_satisfaction=answer.satisfaction,
        first_rating=answer.rating, reason=answer.comment, status=CaseStatus.OPEN,
        opened_at=at, month=month_of(at), due_at=due_at(department_id, at))
    try:
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:  # the same rating, from another window at the same moment
        return None
    count(department_id, case.month, opened=1)
    audit.record(None, "rectification.open", case, round_id=round_.id,
                 due_at=case.due_at.isoformat())
    return case


def suggestion_rated(rating: Any, suggestion: Any, *, first: bool,
                     at: datetime | None = None) -> RectificationCase | None:
    """A rating of a department's answer to an agenda suggestion: counted in 差评率 when
    the answer had not been rated, and a 差评 opens a case for the department that
    answered (once per rated answer). Runs in the rating's transaction."""
    at = at or now()
    department_id = rating.department_id
    if first:
        count(department_id, month_of(at), rated=1)
    if not is_bad(rating.rating.value) or rating.voided_at is not None:
        return None
    exists = db.session.scalar(select(RectificationCase.id).where(
        RectificationCase.suggestion_answer_id == rating.answer_id))
    if exists is not None:
        return None
    value = Satisfaction(rating.rating.value)
    case = RectificationCase(
        suggestion_id=suggestion.id, suggestion_answer_id=rating.answer_id,
        department_id=department_id, rater_id=rating.user_id, first_satisfaction=value,
        first_rating=value.score, reason=rating.comment, status=CaseStatus.OPEN,
        opened_at=at, month=month_of(at), due_at=due_at(department_id, at))
    try:
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        return None
    count(department_id, case.month, opened=1)
    audit.record(None, "rectification.open", case, suggestion_id=suggestion.id,
                 due_at=case.due_at.isoformat())
    return case


# ---------------------------------------------------------------- the department

def record_follow_up(actor: Actor, case: RectificationCase, *, on: date | None,
                     channel: Any, note: str | None,
                     at: datetime | None = None) -> RectificationCase:
    """The 回访: when and how the department reached the rater, and what they said."""
    authorize(actor, "rectification.manage", case)
    require_status(case, CaseStatus.OPEN, CaseStatus.APPEALED, CaseStatus.RESOLVED,
                   message=_l("This case is closed: its follow-up can no longer change."))
    if on is None:
        raise ValidationFailed(_l("Give the date of the follow-up."), field="on")
    at = at or now()
    today = workdays.local_day(at)
    if on > today or on < workdays.local_day(case.opened_at):
        raise ValidationFailed(_l("The follow-up date must be between the day the case "
                                  "opened and today."), field="on")
    try:
        channel = Channel(str(channel or ""))
    except ValueError:
        raise ValidationFailed(_l("Choose how the rater was contacted."),
                               field="channel") from None
    note = clean_text(note, field="note", limit=NOTE_MAX,
                      empty=_l("Write what the rater said."))
    first = case.followed_up_on is None
    case.followed_up_on, case.follow_up_channel, case.follow_up_note = on, channel, note
    case.followed_up_at, case.followed_up_by_id = at, actor.id
    deltas = {"followed_up": int(first)}
    if case.followed_up_in_time is None:
        # "Followed up in time": the first 回访 entered by the due date (the moment it is
        # recorded, whatever contact date it gives). A case whose due date passed without
        # one was counted late by the escalation tick already and is not counted again.
        case.followed_up_in_time = at <= case.due_at
        deltas.update(follow_up_due=1, follow_up_in_time=int(case.followed_up_in_time))
    count(case.department_id, case.month, **deltas)
    audit.record(actor, "rectification.follow_up", case, on=on.isoformat(),
                 channel=channel.value, in_time=case.followed_up_in_time)
    db.session.flush()
    return case


def resolution_choices(case: RectificationCase) -> dict[str, list]:
    """The round's errata and follow-up actions a rectification may link to (two
    queries; none for a suggestion's answer)."""
    if case.round_id is None:
        return {"errata": [], "actions": []}
    errata = db.session.scalars(
        select(Erratum).join(RoundResponse, RoundResponse.id == Erratum.response_id)
        .where(RoundResponse.round_id == case.round_id)
        .order_by(Erratum.created_at.desc()).limit(50)).all()
    actions = db.session.scalars(
        select(FollowUpAction).where(FollowUpAction.round_id == case.round_id)
        .order_by(FollowUpAction.due_on, FollowUpAction.id).limit(50)).all()
    return {"errata": errata, "actions": actions}


def _linked(model, value: Any, case: RectificationCase, *, field: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    text = str(value)
    row_id = parse_int(text, low=1)
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None or case.round_id is None:
        raise ValidationFailed(_l("Choose one of this round's own corrections."), field=field)
    round_id = None
    if isinstance(row, FollowUpAction):
        round_id = row.round_id
    elif isinstance(row, Erratum):
        round_id = db.session.scalar(select(RoundResponse.round_id).where(
            RoundResponse.id == row.response_id))
    if round_id != case.round_id:
        raise ValidationFailed(_l("Choose one of this round's own corrections."), field=field)
    return row.id


def resolve(actor: Actor, case: RectificationCase, *, resolution: Any, note: str | None,
            erratum_id: Any = None, action_id: Any = None,
            at: datetime | None = None) -> RectificationCase:
    """Rectify (what was done, linked to an erratum or an action) or explain why not;
    only after the follow-up. The rater is told and invited to rate again."""
    authorize(actor, "rectification.manage", case)
    require_status(case, CaseStatus.OPEN,
                   message=_l("Only a case awaiting follow-up can be rectified or explained."))
    if case.followed_up_on is None:
        raise Conflict(_l("Record the follow-up with the rater (回访) before closing the "
                          "case."))
    try:
        kind = Resolution(str(resolution or ""))
    except ValueError:
        raise ValidationFailed(_l("Choose whether the department rectified or explained."),
                               field="resolution") from None
    note = clean_text(note, field="note", limit=NOTE_MAX,
                      empty=_l("Write what was done, or why nothing will be."))
    erratum = _linked(Erratum, erratum_id, case, field="erratum_id")
    action = _linked(FollowUpAction, action_id, case, field="action_id")
    at = at or now()
    case.resolution, case.resolution_note = kind, note
    case.erratum_id, case.action_id = erratum, action
    case.resolved_at, case.resolved_by_id = at, actor.id
    case.resolved_in_time = at <= case.due_at
    case.status = CaseStatus.RESOLVED
    count(case.department_id, case.month, in_time=int(case.resolved_in_time),
          **{kind.value: 1})
    audit.record(actor, "rectification.resolve", case, resolution=kind.value,
                 in_time=case.resolved_in_time, erratum_id=erratum, action_id=action)
    if case.rater_id is not None:
        notify([case.rater_id], NotificationKind.RATING_FOLLOWED_UP,
               link=f"/rectification/{case.id}", actor=actor,
               consultation_id=case.round.consultation_id if case.round else None,
               consultation_title=(case.round.consultation.title if case.round
                                   else case.suggestion.title),
               resolution=kind.value, case_id=case.id)
    db.session.flush()
    return case


# ---------------------------------------------------------------- the rater

def rerate(actor: Actor, case: RectificationCase, *, satisfaction: Any,
           comment: str | None = None, at: datetime | None = None) -> RectificationCase:
    """The rater's second rating, kept beside the first (which never changes)."""
    authorize(actor, "rectification.rerate", case)
    require_status(case, CaseStatus.RESOLVED,
                   message=_l("You can rate again once the department has followed up "
                              "your rating, and only once."))
    try:
        value = Satisfaction(str(satisfaction or ""))
    except ValueError:
        raise ValidationFailed(_l("Choose how satisfied you are now."),
                               field="satisfaction") from None
    comment = clean_text(comment, field="comment", limit=NOTE_MAX, required=False)
    case.rerating, case.rerating_comment, case.rerated_at = value, comment, at or now()
    case.status = CaseStatus.CLOSED
    count(case.department_id, case.month, rerated=1, improved=int(case.improved))
    audit.record(actor, "rectification.rerate", case, satisfaction=value.value)
    db.session.flush()
    return case
