"""A department's own deadline for its cases, in working days (else the setting)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit
from consult.accounts.models import Actor, Department
from consult.db import db, upsert_insert
from consult.errors import PermissionDenied, ValidationFailed
from consult.rectification.models import RectificationPolicy
from consult.rectification.services._common import MAX_DAYS, MIN_DAYS, days_for
from consult.security.params import parse_int
from consult.security.permissions import is_official_of


def deadlines_of(actor: Actor) -> list[tuple[Department, int]]:
    """The actor's departments with their deadline in working days (two queries)."""
    ids = sorted(getattr(actor, "official_department_ids", ()) or ())
    if not ids:
        return []
    depts = db.session.scalars(select(Department).where(Department.id.in_(ids))
                               .order_by(Department.name)).all()
    own = dict(db.session.execute(select(RectificationPolicy.department_id,
                                         RectificationPolicy.due_days)
                                  .where(RectificationPolicy.department_id.in_(ids))).all())
    return [(d, own[d.id] if d.id in own else days_for(d.id)) for d in depts]


def set_due_days(actor: Actor, *, department_id: Any, due_days: Any) -> int:
    """Officials of the department set it; cases already open keep their due date."""
    dept_id = parse_int(department_id, low=1)
    if dept_id is None or not is_official_of(actor, dept_id):
        raise PermissionDenied(_l("You are not allowed to do this."))
    days_text = str(due_days if due_days is not None else "").strip()
    if parse_int(days_text, low=MIN_DAYS, high=MAX_DAYS) is None:
        raise ValidationFailed(_l("Give a number of working days from %(low)d to %(high)d.",
                                  low=MIN_DAYS, high=MAX_DAYS), field="due_days")
    days = int(days_text)
    db.session.execute(
        upsert_insert(RectificationPolicy)
        .values(department_id=dept_id, due_days=days, updated_by_id=actor.id)
        .on_conflict_do_update(index_elements=["department_id"],
                               set_={"due_days": days, "updated_by_id": actor.id}))
    audit.record(actor, "rectification.deadline", None, department_id=dept_id, days=days)
    return days
