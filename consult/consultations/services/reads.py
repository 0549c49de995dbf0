"""Public reads: a consultation, its versions and diffs, lists and search, department records."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Department
from consult.clock import now as clock_now
from consult.consultations.diff import VersionDiff, diff_versions
from consult.consultations.models import Clause, Consultation, DraftVersion, Tag
from consult.consultations.services.common import PER_PAGE
from consult.db import db
from consult.errors import NotFound
from consult.security.permissions import check
from consult.web import Page, paginate


def get_public_consultation(actor, consultation_id: int) -> Consultation:
    """A consultation page: department, tags, rounds and versions (without clauses)."""
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.department), selectinload(Consultation.tags),
                 selectinload(Consultation.rounds), selectinload(Consultation.versions)))
    if consultation is None or not check(actor, "consultation.view", consultation):
        raise NotFound(_l("There is no such consultation."))
    return consultation


def version_clauses(version: DraftVersion | None) -> list[Clause]:
    if version is None:
        return []
    return list(db.session.scalars(
        select(Clause).where(Clause.version_id == version.id).order_by(Clause.position)))


def get_version(consultation: Consultation, number: int) -> DraftVersion:
    """A version of an already visible consultation (its ``versions`` loaded)."""
    for version in consultation.versions:
        if version.number == number:
            return version
    raise NotFound(_l("This consultation has no version %(n)d.", n=number))


def compare(consultation: Consultation, old_number: int, new_number: int) -> VersionDiff:
    old = get_version(consultation, old_number)
    new = get_version(consultation, new_number)
    clauses = list(db.session.scalars(
        select(Clause).where(Clause.version_id.in_([old.id, new.id]))
        .order_by(Clause.position)))
    return diff_versions([c for c in clauses if c.version_id == old.id],
                         [c for c in clauses if c.version_id == new.id])


# Public state filters: how a consultation's rounds stand now.
STATE_FILTERS = ("open", "upcoming", "awaiting", "responded", "evaluated", "overdue")
SORTS = ("newest", "closing", "title")


def _round_state_exists(value: str, at: datetime):
    from consult.rounds.lifecycle import overdue_sql, state_sql
    from consult.rounds.models import Round

    sql_state = {"open": "open", "upcoming": "scheduled", "awaiting": "closed",
                 "responded": "responded", "evaluated": "evaluated"}
    condition = overdue_sql(at) if value == "overdue" else state_sql(at) == sql_state[value]
    return exists(select(Round.id).where(Round.consultation_id == Consultation.id, condition))


def _closing_soonest(at: datetime):
    from consult.rounds.lifecycle import state_sql
    from consult.rounds.models import Round

    return (select(func.min(Round.closes_at))
            .where(Round.consultation_id == Consultation.id, state_sql(at) == "open")
            .correlate(Consultation).scalar_subquery())


def search_terms(q: str) -> list[str]:
    return [t for t in unicodedata.normalize("NFKC", q or "").split() if t][:8]


def search_consultations(*, q: str = "", department: str = "", tag: str = "",
                         state: str = "", sort: str = "newest", page: int = 1,
                         per_page: int = PER_PAGE) -> Page:
    """Published consultations matching the filters. Each term of ``q`` must appear in the
    title or summary (substring match, so it works for Chinese without a tokenizer)."""
    at = clock_now()
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if department:
        stmt = stmt.where(Consultation.department_id == select(Department.id).where(
            Department.slug == department).scalar_subquery())
    if tag:
        stmt = stmt.where(Consultation.tags.any(Tag.name == tag.strip().lower()))
    if state in STATE_FILTERS:
        stmt = stmt.where(_round_state_exists(state, at))
    for term in search_terms(q):
        term = term.lower()
        stmt = stmt.where(or_(func.lower(Consultation.title).contains(term, autoescape=True),
                              func.lower(Consultation.summary).contains(term, autoescape=True)))
    if sort == "closing":
        stmt = stmt.order_by(_closing_soonest(at).asc().nulls_last(),
                             Consultation.published_at.desc(), Consultation.id.desc())
    elif sort == "title":
        stmt = stmt.order_by(Consultation.title, Consultation.id)
    else:
        stmt = stmt.order_by(Consultation.published_at.desc(), Consultation.id.desc())
    stmt = stmt.options(joinedload(Consultation.department), selectinload(Consultation.tags),
                        selectinload(Consultation.rounds))
    return paginate(stmt, page=page, per_page=per_page)


def open_now(limit: int = 5) -> list[Consultation]:
    """Published consultations with an open round, the soonest closing first (bounded)."""
    at = clock_now()
    stmt = (select(Consultation)
            .where(Consultation.published_at.is_not(None), _round_state_exists("open", at))
            .order_by(_closing_soonest(at).asc(), Consultation.id.desc())
            .options(joinedload(Consultation.department), selectinload(Consultation.rounds))
            .limit(limit))
    return list(db.session.scalars(stmt))


def filter_choices() -> tuple[list[Department], list[Tag]]:
    """Departments and the topic tags used by published consultations (for the filters)."""
    departments = list(db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)))
    from consult.consultations.models import consultation_tag
    tags = list(db.session.scalars(
        select(Tag).join(consultation_tag, consultation_tag.c.tag_id == Tag.id)
        .join(Consultation, Consultation.id == consultation_tag.c.consultation_id)
        .where(Consultation.published_at.is_not(None))
        .group_by(Tag.id, Tag.name).order_by(func.count().desc(), Tag.name).limit(40)))
    return departments, tags


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


def get_department(slug: str) -> Department:
    dept = db.session.scalar(select(Department).where(Department.slug == slug))
    if dept is None:
        raise NotFound(_l("There is no such department."))
    return dept


def department_record(dept: Department) -> DepartmentRecord:
    """What the department has done in public: three queries whatever its size."""
    from consult.rounds.lifecycle import overdue_sql, state_sql
    from consult.rounds.models import Round

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
