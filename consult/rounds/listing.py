"""Consultations as the public finds them, by how their rounds stand: the list with its
state filters and "closing soonest" order, what is open now, and a department's record.
(Here, not in consultations: these reads need the rounds and their lifecycle.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Department
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, Tag
from consult.consultations.services import PER_PAGE, search_terms
from consult.db import db
from consult.rounds.lifecycle import overdue_sql, state_sql
from consult.rounds.models import Round
from consult.web import Page, paginate

# Public state filters: how a consultation's rounds stand now.
STATE_FILTERS = ("open", "upcoming", "awaiting", "responded", "evaluated", "overdue")
SORTS = ("newest", "closing", "title")


def round_state_exists(value: str, at: datetime):
    sql_state = {"open": "open", "upcoming": "scheduled", "awaiting": "closed",
                 "responded": "responded", "evaluated": "evaluated"}
    condition = overdue_sql(at) if value == "overdue" else state_sql(at) == sql_state[value]
    return exists(select(Round.id).where(Round.consultation_id == Consultation.id, condition))


def _closing_soonest(at: datetime):
    return (select(func.min(Round.closes_at))
            .where(Round.consultation_id == Consultation.id, state_sql(at) == "open")
            .correlate(Consultation).scalar_subquery())


# What a list of consultations shows of each (the list page and the API).
LIST_OPTIONS = (joinedload(Consultation.department), selectinload(Consultation.tags))


def consultations_query(*, q: str = "", department: str = "", tag: str = "", state: str = "",
                        at: datetime | None = None):
    """The published consultations matching the filters (unordered): the one filter of the
    list page and the API, so both always show the same. An unknown ``state`` is ignored."""
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if department:
        stmt = stmt.where(Consultation.department_id == select(Department.id).where(
            Department.slug == department).scalar_subquery())
    if tag:
        stmt = stmt.where(Consultation.tags.any(Tag.name == tag.strip().lower()))
    if state in STATE_FILTERS:
        stmt = stmt.where(round_state_exists(state, at or clock_now()))
    for term in search_terms(q):
        term = term.lower()
        stmt = stmt.where(or_(func.lower(Consultation.title).contains(term, autoescape=True),
                              func.lower(Consultation.summary).contains(term, autoescape=True)))
    return stmt


def search_consultations(*, q: str = "", department: str = "", tag: str = "",
                         state: str = "", sort: str = "newest", page: int = 1,
                         per_page: int = PER_PAGE) -> Page:
    """Published consultations matching the filters. Each term of ``q`` must appear in the
    title or summary (substring match, so it works for Chinese without a tokenizer)."""
    at = clock_now()
    stmt = consultations_query(q=q, department=department, tag=tag, state=state, at=at)
    if sort == "closing":
        stmt = stmt.order_by(_closing_soonest(at).asc().nulls_last(),
                             Consultation.published_at.desc(), Consultation.id.desc())
    elif sort == "title":
        stmt = stmt.order_by(Consultation.title, Consultation.id)
    else:
        stmt = stmt.order_by(Consultation.published_at.desc(), Consultation.id.desc())
    stmt = stmt.options(*LIST_OPTIONS, selectinload(Consultation.rounds))
    return paginate(stmt, page=page, per_page=per_page)


def open_now(limit: int = 5) -> list[Consultation]:
    """Published consultations with an open round, the soonest closing first (bounded)."""
    at = clock_now()
    stmt = (select(Consultation)
            .where(Consultation.published_at.is_not(None), round_state_exists("open", at))
            .order_by(_closing_soonest(at).asc(), Consultation.id.desc())
            .options(joinedload(Consultation.department), selectinload(Consultation.rounds))
            .limit(limit))
    return list(db.session.scalars(stmt))


@dataclass
class DepartmentRecord:
    consultations: int
    rounds_by_state: dict[str, int]
    overdue: int
    responses: int
    responses_on_time: int

    @property
    def rounds(self) -> int:
        return sum(self.rounds_by_state.values())


def department_record(dept: Department) -> DepartmentRecord:
    """What the department has done in public: three queries whatever its size."""
    at = clock_now()
    published = and_(Consultation.department_id == dept.id,
                     Consultation.published_at.is_not(None))
    consultations = db.session.scalar(
        select(func.count()).select_from(Consultation).where(published)) or 0
    state = state_sql(at).label("state")
    by_state = {row.state: row.n for row in db.session.execute(
        select(state, func.count().label("n")).select_from(Round)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(published).group_by(state))}
    row = db.session.execute(
        select(func.count().filter(overdue_sql(at)).label("overdue"),
               func.count(Round.response_published_at).label("responses"),
               func.sum(case((Round.response_published_at <= Round.response_due_at, 1),
                             else_=0)).label("on_time"))
        .select_from(Round).join(Consultation, Consultation.id == Round.consultation_id)
        .where(published)).one()
    return DepartmentRecord(consultations=consultations, rounds_by_state=by_state,
                            overdue=row.overdue or 0, responses=row.responses or 0,
                            responses_on_time=row.on_time or 0)
