"""Overdue cases escalate: a case still awaiting follow-up past its due date is marked
escalated once, and the department's officials and the evaluators are told. Run by
``flask rectification escalate`` and after every ``flask rounds tick``.

An escalated case with no 回访 recorded yet has missed its follow-up deadline: it is
counted then, once, as followed up late (``followed_up_in_time`` False, the tally's
``follow_up_due``), so "followed up in time" does not wait for the 回访 that may never
come. A case under appeal is not escalated (nor counted) until the appeal is upheld."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import or_, select, update

from consult import audit
from consult.accounts.models import Role, RoleAssignment
from consult.clock import now
from consult.db import db
from consult.notifications.models import NotificationKind
from consult.notifications.services import notify
from consult.rectification.models import CaseStatus, RectificationCase
from consult.rectification.services._common import count

BATCH = 500


def escalate_overdue(at: datetime | None = None) -> int:
    """Escalate every open case past its due date not escalated yet (in batches); the
    number escalated. Runs in the caller's transaction."""
    at = at or now()
    rows = db.session.scalars(
        select(RectificationCase)
        .where(RectificationCase.status == CaseStatus.OPEN,
               RectificationCase.due_at < at, RectificationCase.escalated_at.is_(None))
        .order_by(RectificationCase.id).limit(BATCH)
        .with_for_update(skip_locked=True)).all()
    if not rows:
        return 0
    ids = [r.id for r in rows]
    db.session.execute(update(RectificationCase).where(RectificationCase.id.in_(ids))
                       .values(escalated_at=at).execution_options(synchronize_session=False))
    missed_ids = set()
    for r in rows:  # locked above; flushed with the session (the objects stay current)
        if r.followed_up_in_time is None and r.followed_up_at is None:
            r.followed_up_in_time = False
            missed_ids.add(r.id)
    per_month: dict[tuple[int, object], dict[str, int]] = defaultdict(
        lambda: {"escalated": 0, "follow_up_due": 0})
    per_department: dict[int, int] = defaultdict(int)
    for r in rows:
        per_month[(r.department_id, r.month)]["escalated"] += 1
        per_month[(r.department_id, r.month)]["follow_up_due"] += r.id in missed_ids
        per_department[r.department_id] += 1
        audit.record(None, "rectification.escalate", r, due_at=r.due_at.isoformat(),
                     follow_up_missed=r.id in missed_ids)
    for (department_id, month), deltas in per_month.items():
        count(department_id, month, **deltas)
    for department_id, n in per_department.items():
        audience = select(RoleAssignment.user_id).where(or_(
            (RoleAssignment.role == Role.OFFICIAL)
            & (RoleAssignment.department_id == department_id),
            RoleAssignment.role == Role.EVALUATOR)).distinct()
        notify(audience, NotificationKind.RECTIFICATION_OVERDUE,
               link="/manage/rectification/?show=overdue", cases=n,
               department_id=department_id)
    return len(rows)
