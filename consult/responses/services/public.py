"""Public reads: opinion outcomes for badges, "what happened to my opinions",
accountability lists (overdue responses and follow-up actions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from consult.consultations.models import Consultation
from consult.db import db
from consult.participation.models import Channel, Comment
from consult.responses.models import (
    ActionStatus,
    Adoption,
    FollowUpAction,
    RoundResponse,
    Theme,
    Triage,
)
from consult.responses.services.actions import today
from consult.rounds import lifecycle
from consult.rounds.models import Round
from consult.web import Page, paginate

UNFINISHED = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Outcome:
    """What happened to one opinion, as published."""

    status: Adoption
    reason: str | None
    diff_url: str | None
    response_url: str
    theme: str | None = None

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def colour(self) -> str:
        return self.status.colour


def _diff_url(consultation_id: int, from_n: int, to_n: int | None,
              lineage_id: int | None, status: Adoption) -> str | None:
    if to_n is None or lineage_id is None or status not in (Adoption.ADOPTED, Adoption.PARTLY):
        return None
    return f"/consultations/{consultation_id}/diff?from={from_n}&to={to_n}#clause-{lineage_id}"


@dataclass
class Outcomes:
    comments: dict[int, Outcome]
    questions: dict[int, Outcome]

    def comment(self, comment_id: int) -> Outcome | None:
        return self.comments.get(comment_id)

    def question(self, question_id: int) -> Outcome | None:
        return self.questions.get(question_id)


def outcomes_for(*, comment_ids: Iterable[int] = (), question_ids: Iterable[int] = ()
                 ) -> Outcomes:
    """The published outcome of each given opinion, in ONE query (dicts by opinion id).
    Triage of a response not yet published is never shown."""
    c_ids = sorted({int(i) for i in comment_ids})
    q_ids = sorted({int(i) for i in question_ids})
    out = Outcomes({}, {})
    if not c_ids and not q_ids:
        return out
    conditions = []
    if c_ids:
        conditions.append(Triage.comment_id.in_(c_ids))
    if q_ids:
        conditions.append(Triage.question_id.in_(q_ids))

    rows = db.session.execute(
        select(Triage.comment_id, Triage.question_id, Triage.status, Triage.reason,
               Triage.changed_lineage_id, RoundResponse.round_id,
               RoundResponse.consultation_id, RoundResponse.from_version_number,
               RoundResponse.to_version_number, Theme.name)
        .join(RoundResponse, RoundResponse.round_id == Triage.round_id)
        .outerjoin(Theme, Theme.id == Triage.theme_id)
        .where(or_(*conditions), RoundResponse.published_at.is_not(None),
               Triage.status.is_not(None))).all()
    for c_id, q_id, status, reason, lineage, round_id, cons_id, from_n, to_n, theme in rows:
        outcome = Outcome(status=status, reason=reason,
                          diff_url=_diff_url(cons_id, from_n, to_n, lineage, status),
                          response_url=f"/rounds/{round_id}/response", theme=theme)
        if c_id is not None:
            out.comments[c_id] = outcome
        else:
            out.questions[q_id] = outcome
    return out


# ---------------------------------------------------------------- "what happened to my opinions"

@dataclass
class MyOpinionGroup:
    """The user's answered opinions of one consultation, on the page shown."""

    consultation_id: int
    title: str
    items: list[tuple[Triage, Outcome]]


@dataclass
class MyOpinions:
    counts: dict[str, int]
    total: int
    page: Page  # items: (Triage, Outcome) pairs, newest response first
    groups: list[MyOpinionGroup]

    @property
    def recent(self) -> list[tuple[Triage, Outcome]]:
        return self.page.items


def my_opinions(user: Any, *, page: int = 1, per_page: int = 20) -> MyOpinions:
    """Counts per status over the user's opinions in responded rounds, and one page of
    them with their outcome, grouped by consultation (two queries whatever the page)."""
    published = RoundResponse.published_at.is_not(None)
    counts = dict(db.session.execute(
        select(Triage.status, func.count()).join(
            RoundResponse, RoundResponse.round_id == Triage.round_id)
        .where(Triage.author_id == user.id, published, Triage.status.is_not(None))
        .group_by(Triage.status)).all())
    counts = {status.value: n for status, n in counts.items()}
    total = sum(counts.values())
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        select(Triage, RoundResponse, Consultation.title)
        .join(RoundResponse, RoundResponse.round_id == Triage.round_id)
        .join(Consultation, Consultation.id == RoundResponse.consultation_id)
        .where(Triage.author_id == user.id, published, Triage.status.is_not(None))
        .options(joinedload(Triage.comment), joinedload(Triage.question))
        # One consultation's opinions stay together: the consultation whose newest
        # response is the most recent first, then its rounds and opinions newest first.
        .order_by(func.max(RoundResponse.published_at).over(
                      partition_by=RoundResponse.consultation_id).desc(),
                  RoundResponse.consultation_id.desc(),
                  RoundResponse.published_at.desc(), Triage.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    items: list[tuple[Triage, Outcome]] = []
    groups: list[MyOpinionGroup] = []
    for triage, response, title in rows:
        pair = (triage, Outcome(
            status=triage.status, reason=triage.reason,
            diff_url=_diff_url(response.consultation_id, response.from_version_number,
                               response.to_version_number, triage.changed_lineage_id,
                               triage.status),
            response_url=f"/rounds/{response.round_id}/response"))
        items.append(pair)
        if not groups or groups[-1].consultation_id != response.consultation_id:
            groups.append(MyOpinionGroup(response.consultation_id, title, []))
        groups[-1].items.append(pair)
    return MyOpinions(counts=counts, total=total,
                      page=Page(items=items, page=page, per_page=per_page, total=total),
                      groups=groups)


# ---------------------------------------------------------------- accountability

def public_actions_stmt(*, department_id: int | None = None, overdue_only: bool = False):
    """The follow-up actions the public sees (published, of a published consultation),
    unordered: the one filter of the department page, the actions list and the API."""
    stmt = (select(FollowUpAction)
            .join(FollowUpAction.round).join(Round.consultation)
            .where(FollowUpAction.published.is_(True), Consultation.published_at.is_not(None))
            .options(contains_eager(FollowUpAction.round).contains_eager(Round.consultation)
                     .joinedload(Consultation.department)))
    if overdue_only:
        stmt = stmt.where(FollowUpAction.status.in_(UNFINISHED),
                          FollowUpAction.due_on < today())
    if department_id is not None:
        stmt = stmt.where(FollowUpAction.department_id == department_id)
    return stmt


def overdue_actions_stmt(*, department_id: int | None = None, overdue_only: bool = True):
    stmt = public_actions_stmt(department_id=department_id, overdue_only=overdue_only)
    finished_last = case((FollowUpAction.status.in_(UNFINISHED), 0), else_=1)
    return stmt.order_by(finished_last, FollowUpAction.due_on, FollowUpAction.id)


def overdue_rounds_stmt(*, department_id: int | None = None):
    stmt = (select(Round).join(Round.consultation)
            .where(lifecycle.overdue_sql(), Consultation.published_at.is_not(None))
            .options(contains_eager(Round.consultation).joinedload(Consultation.department))
            .order_by(Round.response_due_at, Round.id))
    if department_id is not None:
        stmt = stmt.where(Consultation.department_id == department_id)
    return stmt


def list_overdue_rounds(*, department_id: int | None = None, page: int = 1,
                        per_page: int = 20) -> Page:
    return paginate(overdue_rounds_stmt(department_id=department_id), page=page,
                    per_page=per_page)


def list_actions(*, department_id: int | None = None, overdue_only: bool = True,
                 page: int = 1, per_page: int = 20) -> Page:
    return paginate(overdue_actions_stmt(department_id=department_id,
                                         overdue_only=overdue_only),
                    page=page, per_page=per_page)


def published_triage(round_ids: list[int]) -> list[tuple[Triage, Channel | None]]:
    """How every opinion of these rounds was dealt with, with the channel it came by (None
    for a question), for rounds whose response is published (a draft triage is never
    public), in triage order."""
    return [tuple(row) for row in db.session.execute(
        select(Triage, Comment.channel)
        .join(RoundResponse, and_(RoundResponse.round_id == Triage.round_id,
                                  RoundResponse.published_at.is_not(None)))
        .outerjoin(Comment, Comment.id == Triage.comment_id)
        .where(Triage.round_id.in_(round_ids)).order_by(Triage.id))]


@dataclass
class DepartmentAccountability:
    overdue_rounds: Page
    actions: Page
    today: Any


def department_accountability(department_id: int, *, limit: int = 10) -> DepartmentAccountability:
    """For the department page: its overdue responses and its follow-up actions (four
    queries: a count and a slice each)."""
    return DepartmentAccountability(
        overdue_rounds=list_overdue_rounds(department_id=department_id, per_page=limit),
        actions=list_actions(department_id=department_id, overdue_only=False, per_page=limit),
        today=today())
