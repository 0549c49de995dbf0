"""Follow-up actions: committed to in the draft response, tracked after publication.

Status planned / in progress / done / dropped (a reason is required to drop); each
change is a dated, audited progress update. An action is overdue when its due date has
passed and it is neither done nor dropped.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.accounts.models import Actor
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import InvalidState, NotFound, ValidationFailed
from consult.responses.models import ActionStatus, ActionUpdate, FollowUpAction
from consult.responses.services._common import clean
from consult.responses.services.triage import _writable
from consult.rounds.models import Round
from consult.security.permissions import authorize

TITLE_MAX = 300
UNIT_MAX = 120
UPDATE_MAX = 3000
MAX_DUE = timedelta(days=5 * 366)


def today() -> date:
    """Today's date where the department works (Asia/Shanghai unless configured)."""
    try:
        tz = get_timezone()
    except Exception:  # pragma: no cover - outside a request
        tz = None

    zone = ZoneInfo(str(tz)) if tz is not None else ZoneInfo("Asia/Shanghai")
    return now().astimezone(zone).date()


def _due(value: Any, *, field: str = "due_on") -> date:
    if not isinstance(value, date):
        raise ValidationFailed(_l("Enter the due date."), field=field)
    if value < today():
        raise ValidationFailed(_l("The due date must not be in the past."), field=field)
    if value > today() + MAX_DUE:
        raise ValidationFailed(_l("Set a due date within five years."), field=field)
    return value


def add_action(actor: Actor, round_: Round, *, title: str | None, owner_unit: str | None,
               due_on: Any) -> FollowUpAction:
    """Commit to a follow-up action in the draft response."""
    response = _writable(actor, round_)
    action = FollowUpAction(
        response_id=response.id, round_id=round_.id,
        department_id=round_.consultation.department_id,
        title=clean(title, field="title", limit=TITLE_MAX, required=True,
                    empty=_l("Say what will be done.")),
        owner_unit=clean(owner_unit, field="owner_unit", limit=UNIT_MAX, required=True,
                         empty=_l("Name the unit responsible.")),
        due_on=_due(due_on), status=ActionStatus.PLANNED, published=False)
    db.session.add(action)
    db.session.flush()
    audit.record(actor, "action.added", action, title=action.title,
                 due_on=action.due_on.isoformat())
    return action


def remove_action(actor: Actor, round_: Round, action_id: int) -> None:
    """Take an action out of the draft (a published one stays: it can only be dropped)."""
    _writable(actor, round_)
    action = db.session.get(FollowUpAction, action_id)
    if action is None or action.round_id != round_.id:
        raise NotFound(_l("This follow-up action does not exist."))
    if action.published:
        raise InvalidState(_l("A published action cannot be removed; drop it with a reason."))
    audit.record(actor, "action.removed", action, title=action.title)
    db.session.delete(action)


def get_action(actor: Actor, action_id: int, *, manage: bool = False) -> FollowUpAction:
    action = db.session.scalar(
        select(FollowUpAction).where(FollowUpAction.id == action_id).options(
            joinedload(FollowUpAction.round).joinedload(Round.consultation)
            .joinedload(Consultation.department),
            selectinload(FollowUpAction.updates).joinedload(ActionUpdate.by)))
    if action is None or (not action.published and not manage):
        raise NotFound(_l("This follow-up action does not exist."))
    if manage:
        authorize(actor, "action.manage", action)
    return action


def record_progress(actor: Actor, action: FollowUpAction, *, status: Any, body: str | None,
                    on: Any, drop_reason: str | None = None) -> ActionUpdate:
    """A dated progress update; moves the action's status (audited)."""
    authorize(actor, "action.manage", action)
    if not action.published:
        raise InvalidState(_l("Progress is recorded once the response is published."))
    try:
        new_status = ActionStatus(status)
    except ValueError:
        raise ValidationFailed(_l("Choose the action's status."), field="status") from None
    text = clean(body, field="body", limit=UPDATE_MAX, required=True,
                 empty=_l("Say what happened."))
    if not isinstance(on, date):
        raise ValidationFailed(_l("Enter the date of this progress."), field="on")
    if on > today():
        raise ValidationFailed(_l("Progress cannot be dated in the future."), field="on")
    if on < action.created_at.date() - timedelta(days=1):
        raise ValidationFailed(_l("Progress cannot be dated before the action was promised."),
                               field="on")
    reason = clean(drop_reason, field="drop_reason", limit=UPDATE_MAX)
    if new_status is ActionStatus.DROPPED and not reason:
        raise ValidationFailed(_l("Say why the action is dropped; the reason is public."),
                               field="drop_reason")
    old = action.status
    update_row = ActionUpdate(action_id=action.id, body=text, on=on, status=new_status,
                              by_id=actor.id, created_at=now())
    db.session.add(update_row)
    action.status = new_status
    action.drop_reason = reason if new_status is ActionStatus.DROPPED else None
    if action.last_update_on is None or on > action.last_update_on:
        action.last_update_on = on
    db.session.execute(update(FollowUpAction).where(FollowUpAction.id == action.id)
                       .values(update_count=FollowUpAction.update_count + 1))
    db.session.flush()
    audit.record(actor, "action.updated", action, status=new_status.value,
                 previous=old.value, on=on.isoformat(), update_id=update_row.id)
    return update_row
