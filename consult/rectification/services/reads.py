"""Reads: the workspace's cases, the appeals to review, the public record (figures per
department from the tallies, the anonymised case list) and the monthly figures the
evaluation shows. Each a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import Actor, Department
from consult.clock import now
from consult.db import db
from consult.evaluation.scores import Share
from consult.rectification.models import (
    TALLY_COLUMNS,
    CaseStatus,
    RectificationCase,
    RectificationTally,
)
from consult.rounds.models import Round
from consult.security.permissions import authorize, is_official_of
from consult.web import Page, paginate

WORKSPACE_FILTERS = ("open", "overdue", "appealed", "resolved", "all")
PUBLIC_FILTERS = ("all", "open", "overdue", "rectified", "explained", "voided")


def _listing() -> Select:
    return (select(RectificationCase)
            .options(joinedload(RectificationCase.round).joinedload(Round.consultation),
                     joinedload(RectificationCase.suggestion),
                     joinedload(RectificationCase.department))
            .order_by(RectificationCase.due_at, RectificationCase.id))


def _filtered(stmt: Select, show: str, at: datetime) -> Select:
    c = RectificationCase
    if show == "open":
        return stmt.where(c.status.in_((CaseStatus.OPEN, CaseStatus.APPEALED)))
    if show == "overdue":
        return stmt.where(c.status == CaseStatus.OPEN, c.due_at < at)
    if show == "appealed":
        return stmt.where(c.status == CaseStatus.APPEALED)
    if show == "resolved":
        return stmt.where(c.status.in_((CaseStatus.RESOLVED, CaseStatus.CLOSED)))
    if show in ("rectified", "explained"):
        return stmt.where(c.resolution == show)
    if show == "voided":
        return stmt.where(c.status == CaseStatus.VOIDED)
    return stmt


def workspace_cases(actor: Actor, *, show: str = "open", page: int = 1,
                    per_page: int = 20) -> Page:
    """The cases of the actor's departments, soonest due first."""
    authorize(actor, "rectification.workspace")
    show = show if show in WORKSPACE_FILTERS else "open"
    stmt = _listing().where(
        RectificationCase.department_id.in_(sorted(actor.official_department_ids)))
    return paginate(_filtered(stmt, show, now()), page=page, per_page=per_page)


def appeals_to_review(actor: Actor, *, page: int = 1, per_page: int = 20) -> Page:
    authorize(actor, "rectification.review")
    stmt = _listing().where(RectificationCase.status == CaseStatus.APPEALED)
    stmt = stmt.order_by(None).order_by(RectificationCase.appealed_at, RectificationCase.id)
    return paginate(stmt, page=page, per_page=per_page)


def public_cases(*, department_id: int | None = None, show: str = "all", page: int = 1,
                 per_page: int = 20) -> Page:
    """Every case, newest first, without anything about the rater."""
    show = show if show in PUBLIC_FILTERS else "all"
    stmt = _listing().order_by(None).order_by(RectificationCase.opened_at.desc(),
                                              RectificationCase.id.desc())
    if department_id is not None:
        stmt = stmt.where(RectificationCase.department_id == department_id)
    return paginate(_filtered(stmt, show, now()), page=page, per_page=per_page)


def my_cases(user: Any, *, limit: int = 10) -> list[RectificationCase]:
    """The user's own rated cases (to rate again), newest first; one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        _listing().order_by(None).where(RectificationCase.rater_id == user.id)
        .order_by(RectificationCase.opened_at.desc()).limit(limit)))


def case_view(actor: Actor, case: RectificationCase) -> dict[str, Any]:
    """What the actor may see and do on a case page."""
    official = is_official_of(actor, case.department_id)
    return {"official": official,
            "rater": getattr(actor, "is_authenticated", False) and case.rater_id == actor.id}


# ---------------------------------------------------------------- figures

@dataclass
class Figures:
    """A department's record (all months, or one), from the tallies; ``overdue`` is
    counted from the open cases (one query for every department)."""

    rated: int = 0
    opened: int = 0
    followed_up: int = 0
    follow_up_due: int = 0
    follow_up_in_time: int = 0
    in_time: int = 0
    rectified: int = 0
    explained: int = 0
    rerated: int = 0
    improved: int = 0
    appealed: int = 0
    voided: int = 0
    escalated: int = 0
    overdue: int = 0
    department: Department | None = None
    month: date | None = None
    flags: list[str] = field(default_factory=list)
    rank: int | None = None  # within the month (1 = best), set by ``monthly_figures``
    ranked: int = 0  # departments ranked that month

    @property
    def resolved(self) -> int:
        return self.rectified + self.explained

    @property
    def counted(self) -> int:
        """Bad ratings that stand (not voided)."""
        return self.opened - self.voided

    @property
    def bad_share(self) -> Share:
        """差评率: bad ratings that stand among the ratings given (voided ones left both;
        a rating turned bad after its first month still counts)."""
        return Share(self.counted, max(self.rated - self.voided, self.counted))

    @property
    def follow_up_share(self) -> Share:
        """Followed up in time: cases whose first 回访 was recorded (the moment it was
        entered) by the case's due date — the end of its N-th working day on the official
        calendar, as the deadline is computed — among the cases whose 回访 was recorded or
        whose due date passed without one (counted when the tick escalates them). Cases
        neither followed up nor past due are in neither. A case under appeal counts when its
        回访 is recorded, or as late once the appeal is upheld and it is escalated; a case
        voided without a 回访 before it was escalated is in neither."""
        return Share(self.follow_up_in_time, self.follow_up_due)

    @property
    def in_time_share(self) -> Share:
        """Resolved in time: rectified or explained by the due date, among those resolved."""
        return Share(self.in_time, self.resolved)

    @property
    def rectified_share(self) -> Share:
        return Share(self.rectified, self.resolved)

    @property
    def improved_share(self) -> Share:
        return Share(self.improved, self.rerated)

    @property
    def upheld_share(self) -> Share:
        """Appeals that voided the rating (the department's appeal was upheld)."""
        return Share(self.voided, self.appealed)

    def add(self, row: Any) -> None:
        for c in TALLY_COLUMNS:
            setattr(self, c, getattr(self, c) + (getattr(row, c) or 0))


def _sums():
    return [func.coalesce(func.sum(getattr(RectificationTally, c)), 0).label(c)
            for c in TALLY_COLUMNS]


def department_figures(department_id: int | None = None) -> list[Figures]:
    """Per department with any case, by name: one query (the sums of the tallies, the
    department row, and its open cases past their due date)."""
    c = RectificationCase
    overdue = (select(func.count(c.id))
               .where(c.department_id == Department.id, c.status == CaseStatus.OPEN,
                      c.due_at < now())
               .correlate(Department).scalar_subquery())
    stmt = (select(Department, overdue.label("overdue"), *_sums())
            .join(RectificationTally, RectificationTally.department_id == Department.id)
            .group_by(Department.id).order_by(Department.name))
    if department_id is not None:
        stmt = stmt.where(Department.id == department_id)
    out = []
    for row in db.session.execute(stmt).all():
        f = Figures(department=row[0], overdue=row.overdue or 0)
        f.add(row)
        out.append(f)
    return out


def monthly_figures(*, start: date | None = None, end: date | None = None,
                    department_id: int | None = None) -> list[Figures]:
    """Per department and month (cases opened that month), ranked within each month by
    the share resolved in time (most first); a department last two months in a row is
    flagged ``last_twice``. Two queries.

    The rank orders by that one share (ties: fewer bad ratings that stand, then the
    name); it combines no other share, so "followed up in time", 差评率 and the rest are
    shown beside it without moving it: a case is resolved only after its 回访, so resolving
    in time already requires the 回访 in time."""
    stmt = select(RectificationTally).order_by(RectificationTally.month,
                                               RectificationTally.department_id)
    if start is not None:
        stmt = stmt.where(RectificationTally.month >= start)
    if end is not None:
        stmt = stmt.where(RectificationTally.month < end)
    if department_id is not None:
        stmt = stmt.where(RectificationTally.department_id == department_id)
    rows = db.session.scalars(stmt).all()
    depts = {d.id: d for d in db.session.scalars(select(Department))} if rows else {}
    by_month: dict[date, list[Figures]] = {}
    for r in rows:
        f = Figures(department=depts.get(r.department_id), month=r.month)
        f.add(r)
        by_month.setdefault(r.month, []).append(f)
    out: list[Figures] = []
    last_of: dict[date, int | None] = {}
    for month, figures in sorted(by_month.items()):
        figures.sort(key=lambda f: (-(f.in_time_share.value or 0), f.counted,
                                    f.department.name if f.department else ""))
        last_of[month] = figures[-1].department.id if len(figures) > 1 else None
        for i, f in enumerate(figures, start=1):
            f.rank, f.ranked = i, len(figures)
        out.extend(figures)
    months = sorted(by_month)
    for f in out:
        i = months.index(f.month)
        dept_id = f.department.id if f.department else None
        if i > 0 and dept_id is not None and last_of[f.month] == dept_id \
                and last_of[months[i - 1]] == dept_id:
            f.flags.append("last_twice")
    return out
