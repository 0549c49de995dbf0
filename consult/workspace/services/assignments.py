"""Team work on opinions: assign to a colleague of the owning department, claim, hand
over, unassign; "assigned to me" and triage progress per person. Every change is in the
audit log (who, from whom, to whom)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, delete, func, or_, select
from sqlalchemy.orm import joinedload

from consult import audit
from consult.accounts.models import Actor, Role, RoleAssignment, User
from consult.clock import now
from consult.db import db
from consult.errors import ValidationFailed
from consult.responses.models import Triage
from consult.security.params import parse_int
from consult.security.permissions import authorize
from consult.web import Page, paginate
from consult.workspace.models import Assignment, OpinionKind
from consult.workspace.services.opinions import Opinion, get_opinion, triage_items


def colleagues(department_id: int) -> list[User]:
    """The active officials of a department, by name (one query)."""
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.OFFICIAL,
               RoleAssignment.department_id == department_id, User.active.is_(True))
        .order_by(User.display_name, User.id).distinct()))


def _assignee(department_id: int, value: Any) -> User | None:
    """The colleague chosen, None for "nobody"; 422 for anyone outside the department."""
    raw = str(value or "").strip()
    if raw in ("", "0"):
        return None
    user_id = parse_int(raw, low=1)
    if user_id is None:
        raise ValidationFailed(_l("Choose a colleague of the department."), field="assignee_id")
    user = db.session.scalar(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.id == user_id, User.active.is_(True), RoleAssignment.role == Role.OFFICIAL,
               RoleAssignment.department_id == department_id))
    if user is None:
        raise ValidationFailed(_l("Only an official of the department that owns the opinion "
                                  "can be assigned to it."), field="assignee_id")
    return user


def current(kind: OpinionKind, item_id: int) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.kind == kind, Assignment.item_id == item_id)
        .options(joinedload(Assignment.assignee)))


def _set(actor: Actor, opinion: Opinion, assignee: User | None) -> str | None:
    """Assign (or unassign) one opinion; returns the audit action, None if unchanged."""
    row = db.session.scalar(select(Assignment).where(
        Assignment.kind == opinion.kind, Assignment.item_id == opinion.id).with_for_update())
    previous = row.assignee_id if row else None
    new = assignee.id if assignee else None
    if previous == new:
        return None
    if assignee is None:
        db.session.execute(delete(Assignment).where(Assignment.id == row.id))
        action = "opinion.unassigned"
    else:
        if row is None:
            row = Assignment(kind=opinion.kind, item_id=opinion.id,
                             department_id=opinion.department_id, round_id=opinion.round_id)
            db.session.add(row)
        row.assignee_id, row.assigned_by_id, row.assigned_at = new, actor.id, now()
        if new == actor.id and previous is None:
            action = "opinion.claimed"
        elif previous is not None:
            action = "opinion.handed_over"
        else:
            action = "opinion.assigned"
    db.session.flush()
    audit.record(actor, action, None, kind=opinion.kind.value, item_id=opinion.id,
                 department_id=opinion.department_id, previous_assignee_id=previous,
                 assignee_id=new)
    return action


def assign_opinion(actor: Actor, kind: Any, item_id: int, *, assignee_id: Any) -> str | None:
    """Assign an opinion to a colleague (``assignee_id`` empty: nobody). Only officials of
    the owning department, to an official of that department."""
    opinion = get_opinion(kind, item_id)
    authorize(actor, "workspace.department", opinion.department_id)
    return _set(actor, opinion, _assignee(opinion.department_id, assignee_id))


def claim_opinion(actor: Actor, kind: Any, item_id: int) -> str | None:
    return assign_opinion(actor, kind, item_id, assignee_id=actor.id)


def bulk_assign(actor: Actor, round_: Any, *, triage_ids: list[Any],
                assignee_id: Any) -> int:
    """Assign the ticked opinions of one round's triage (all of them this round's, else
    nothing changes) to one colleague; returns how many changed."""
    department_id = round_.consultation.department_id
    authorize(actor, "workspace.department", department_id)
    try:
        ids = [int(i) for i in triage_ids]
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Tick at least one opinion."), field="ids") from None
    assignee = _assignee(department_id, assignee_id)
    changed = 0
    for kind, item_id in triage_items(round_.id, ids):
        opinion = Opinion(kind, item_id, department_id, round_.id, "")
        if _set(actor, opinion, assignee) is not None:
            changed += 1
    return changed


def assignees_of(kind: OpinionKind, item_ids: list[int]) -> dict[int, User]:
    """Who each of these opinions is assigned to (one query, none for no ids)."""
    if not item_ids:
        return {}
    rows = db.session.scalars(select(Assignment).where(
        Assignment.kind == kind, Assignment.item_id.in_(item_ids))
        .options(joinedload(Assignment.assignee)))
    return {a.item_id: a.assignee for a in rows}


def assignees_of_rows(rows: list[Triage]) -> dict[int, User]:
    """Who each triage row's opinion is assigned to, by triage id (one query, none for no
    rows): the triage shows it on every row."""
    if not rows:
        return {}
    comments = [t.comment_id for t in rows if t.comment_id]
    questions = [t.question_id for t in rows if t.question_id]
    found = {(a.kind, a.item_id): a.assignee for a in db.session.scalars(
        select(Assignment).where(or_(
            and_(Assignment.kind == OpinionKind.COMMENT, Assignment.item_id.in_(comments)),
            and_(Assignment.kind == OpinionKind.QUESTION, Assignment.item_id.in_(questions))))
        .options(joinedload(Assignment.assignee)))}
    by_row = {t.id: found.get((OpinionKind.COMMENT, t.comment_id) if t.comment_id
                              else (OpinionKind.QUESTION, t.question_id)) for t in rows}
    return {k: v for k, v in by_row.items() if v is not None}


def mine_in_round(actor: Actor, round_id: int) -> tuple[list[int], list[int]]:
    """The comment and question ids of a round assigned to the actor (the triage filter)."""
    rows = db.session.execute(select(Assignment.kind, Assignment.item_id).where(
        Assignment.round_id == round_id, Assignment.assignee_id == actor.id)).all()
    return ([i for k, i in rows if k == OpinionKind.COMMENT],
            [i for k, i in rows if k == OpinionKind.QUESTION])


def mine_of_kind(actor: Actor, kind: OpinionKind) -> list[int]:
    return list(db.session.scalars(select(Assignment.item_id).where(
        Assignment.kind == kind, Assignment.assignee_id == actor.id)))


# The "who" filter of the question inbox and the suggestions list (triage has "mine").
WHO_ALL, WHO_MINE, WHO_UNASSIGNED = "all", "mine", "unassigned"
WHO_CHOICES = (WHO_ALL, WHO_MINE, WHO_UNASSIGNED)


def who_filter(actor: Actor, kind: OpinionKind, who: str) -> dict[str, Select | None]:
    """The ids a list keeps (``include``) or leaves out (``exclude``) for "assigned to me"
    or "unassigned", as subqueries: the list stays one query whatever the data size."""
    if who == WHO_MINE:
        return {"include": select(Assignment.item_id).where(
            Assignment.kind == kind, Assignment.assignee_id == actor.id), "exclude": None}
    if who == WHO_UNASSIGNED:
        return {"include": None,
                "exclude": select(Assignment.item_id).where(Assignment.kind == kind)}
    return {"include": None, "exclude": None}


@dataclass
class PersonProgress:
    user: User
    assigned: int
    triaged: int


def triage_progress_by_person(round_id: int) -> list[PersonProgress]:
    """Per colleague: opinions of the round assigned to them and how many are triaged
    (one query)."""
    on_comment = and_(Assignment.kind == OpinionKind.COMMENT,
                      Triage.comment_id == Assignment.item_id)
    on_question = and_(Assignment.kind == OpinionKind.QUESTION,
                       Triage.question_id == Assignment.item_id)
    rows = db.session.execute(
        select(User, func.count(Assignment.id),
               func.sum(case((Triage.status.is_not(None), 1), else_=0)))
        .join(Assignment, Assignment.assignee_id == User.id)
        .outerjoin(Triage, and_(Triage.round_id == round_id, on_comment | on_question))
        .where(Assignment.round_id == round_id)
        .group_by(User.id).order_by(User.display_name, User.id)).all()
    return [PersonProgress(u, n, int(done or 0)) for u, n, done in rows]


def my_assignments(actor: Actor, *, page: int = 1, per_page: int = 20) -> Page:
    """What is assigned to the actor, oldest assignment first (two queries)."""
    authorize(actor, "workspace.view")
    stmt = (select(Assignment).where(Assignment.assignee_id == actor.id)
            .order_by(Assignment.assigned_at, Assignment.id))
    return paginate(stmt, page=page, per_page=per_page)
