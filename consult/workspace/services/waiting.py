"""What waits for an official's departments, most urgent first.

Every section is a count and a slice (two queries whatever the data size); the page
shows the first items of each and a merged "most urgent" list. Deadlines are counted in
working days on the official calendar (``consult.workdays``): a question is due
``CONSULT_QUESTION_ANSWER_DAYS`` working days after it was asked; a round's response is
due at the date the department set; a suggestion at its reply deadline; a follow-up
action on its due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy.orm import contains_eager

from consult import workdays
from consult.accounts.models import Actor, Department
from consult.clock import now as clock_now
from consult.consultations.models import Consultation
from consult.db import db
from consult.participation.models import VISIBLE, Comment, ContentStatus, Question
from consult.rectification.models import CaseStatus, RectificationCase
from consult.responses.models import FollowUpAction, RoundResponse
from consult.responses.services.public import UNFINISHED
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.suggestions.models import AnswerStatus, Suggestion, Visibility

DEFAULT_QUESTION_DAYS = 5
DEFAULT_CLOSING_SOON_HOURS = 48
ACTION_HORIZON_WORKDAYS = 10  # follow-up actions due within two working weeks are shown
SECTION_LIMIT = 8
URGENT_LIMIT = 10

# Section keys, in the order the page shows them.
QUESTIONS, CLOSING, TRIAGE, RESPONSES, ACTIONS, SUGGESTIONS, RATINGS = (
    "questions", "closing", "triage", "responses", "actions", "suggestions", "ratings")
SECTION_TITLES = {
    QUESTIONS: _l("Questions waiting for an answer"),
    CLOSING: _l("Rounds closing soon"),
    TRIAGE: _l("Closed rounds to triage"),
    RESPONSES: _l("Responses due"),
    ACTIONS: _l("Follow-up actions due"),
    SUGGESTIONS: _l("Suggestions awaiting an answer"),
    RATINGS: _l("Low ratings to follow up"),
}
SECTION_LINKS = {
    QUESTIONS: "participation.question_inbox",
    SUGGESTIONS: "suggestions.manage",
    RATINGS: "rectification.workspace",
}


def question_days() -> int:
    return int(current_app.config.get("QUESTION_ANSWER_DAYS", DEFAULT_QUESTION_DAYS))


def closing_soon() -> timedelta:
    return timedelta(hours=int(current_app.config.get("CLOSING_SOON_HOURS",
                                                      DEFAULT_CLOSING_SOON_HOURS)))


def question_due(question: Question) -> datetime:
    """When a question should be answered: N working days after the day it was asked."""
    return workdays.deadline(question.created_at, question_days())


def end_of(day: date) -> datetime:
    """The end of a local day, as an aware moment (a follow-up action's due date)."""
    zone = workdays.site_zone()
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


@dataclass
class Item:
    """One thing that waits: what it is, until when, and where to act on it."""
    kind: str
    title: str
    context: str
    due: datetime | None
    url: str
    action: str
    department_id: int
    progress: tuple[int, int] | None = None  # triage: (done, of)
    overdue: bool = False
    workdays_left: int | None = None


@dataclass
class Section:
    key: str
    total: int
    items: list[Item] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(SECTION_TITLES[self.key])

    @property
    def more_url(self) -> str | None:
        endpoint = SECTION_LINKS.get(self.key)
        return url_for(endpoint) if endpoint else None


@dataclass
class Workspace:
    sections: list[Section]
    urgent: list[Item]
    now: datetime

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.sections for i in s.items if i.overdue)


def _slice(stmt: Select, limit: int) -> tuple[int, list[Any]]:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return total or 0, list(db.session.execute(stmt.limit(limit)).all())


def _stamp(item: Item, now: datetime) -> Item:
    if item.due is not None:
        item.overdue = item.due < now
        item.workdays_left = workdays.workdays_left(item.due, now)
    return item


def _departments(actor: Actor, department_id: int | None) -> list[int]:
    ids = sorted(actor.official_department_ids)
    if department_id is not None:
        ids = [d for d in ids if d == department_id]
    return ids or [-1]


def departments_of(actor: Actor) -> list[Department]:
    """The departments the actor is an official of (one query)."""
    return list(db.session.scalars(select(Department).where(
        Department.id.in_(_departments(actor, None))).order_by(Department.id)))


# ---------------------------------------------------------------- the sections

def _questions(ids: list[int], now: datetime, limit: int) -> Section:
    answerable = [RoundState.OPEN.value, RoundState.CLOSED.value]
    stmt = (select(Question).join(Round, Round.id == Question.round_id)
            .join(Consultation, Consultation.id == Round.consultation_id)
            .where(Question.department_id.in_(ids), Question.answered_at.is_(None),
                   Question.status.in_(VISIBLE), lifecycle.state_sql(now).in_(answerable))
            .options(contains_eager(Question.round).contains_eager(Round.consultation))
            .order_by(Question.created_at, Question.id))
    total, rows = _slice(stmt, limit)
    items = [_stamp(Item(
        kind=QUESTIONS, title=(q.public_body or "")[:140], context=q.round.consultation.title,
        due=question_due(q), url=url_for("participation.answer_question", question_id=q.id),
        action=str(_l("Answer")), department_id=q.department_id), now)
        for (q,) in rows]
    return Section(QUESTIONS, total, items)


def _closing(ids: list[int], now: datetime, limit: int) -> Section:
    stmt = (select(Round).join(Round.consultation)
            .where(Consultation.department_id.in_(ids),
                   lifecycle.state_sql(now) == RoundState.OPEN.value,
                   Round.closes_at <= now + closing_soon())
            .options(contains_eager(Round.consultation))
            .order_by(Round.closes_at, Round.id))
    total, rows = _slice(stmt, limit)
    items = [Item(kind=CLOSING, title=r.consultation.title, context=r.title,
                  due=r.closes_at, url=url_for("rounds.manage_round", round_id=r.id),
                  action=str(_l("Open the round")), department_id=r.consultation.department_id)
             for (r,) in rows]
    for item in items:
        item.workdays_left = workdays.workdays_left(item.due, now)
    return Section(CLOSING, total, items)


def _closed_rounds(ids: list[int], now: datetime) -> Select:
    return (select(Round, RoundResponse)
            .join(Round.consultation)
            .outerjoin(RoundResponse, RoundResponse.round_id == Round.id)
            .where(Consultation.department_id.in_(ids),
                   lifecycle.state_sql(now) == RoundState.CLOSED.value)
            .options(contains_eager(Round.consultation)))


def _round_item(kind: str, r: Round, response: RoundResponse | None, now: datetime) -> Item:
    progress = (response.triaged_count, response.opinion_count) if response else None
    if kind == TRIAGE:
        url, action = url_for("responses.triage", round_id=r.id), str(_l("Triage"))
    else:
        url = url_for("responses.manage_response", round_id=r.id)
        action = str(_l("Write the response"))
    return _stamp(Item(kind=kind, title=r.consultation.title, context=r.title,
                       due=r.response_due_at, url=url, action=action,
                       department_id=r.consultation.department_id, progress=progress), now)


def _triage(ids: list[int], now: datetime, limit: int) -> Section:
    stmt = (_closed_rounds(ids, now)
            .where(or_(RoundResponse.id.is_(None),
                       RoundResponse.triaged_count < RoundResponse.opinion_count))
            .order_by(Round.response_due_at, Round.id))
    total, rows = _slice(stmt, limit)
    items = [_round_item(TRIAGE, r, resp, now) for r, resp in rows]
    waiting = _opinions_to_triage([r.id for r, resp in rows if resp is None])
    for item, (r, _resp) in zip(items, rows, strict=True):
        if waiting.get(r.id):  # not started yet: "0 of N", N as the triage will hold
            item.progress = (0, waiting[r.id])
    return Section(TRIAGE, total, items)


def _opinions_to_triage(round_ids: list[int]) -> dict[int, int]:
    """How many opinions each round's triage will hold once started (the published
    top-level comments and published questions, as ``start_triage`` takes them), in one
    query; none for no rounds."""
    if not round_ids:
        return {}
    comments = (select(Comment.round_id.label("round_id"))
                .where(Comment.round_id.in_(round_ids), Comment.depth == 0,
                       Comment.status == ContentStatus.PUBLISHED))
    questions = (select(Question.round_id.label("round_id"))
                 .where(Question.round_id.in_(round_ids),
                        Question.status == ContentStatus.PUBLISHED))
    both = union_all(comments, questions).subquery()
    return dict(db.session.execute(select(both.c.round_id, func.count())
                                   .group_by(both.c.round_id)).all())


def _responses(ids: list[int], now: datetime, limit: int) -> Section:
    stmt = _closed_rounds(ids, now).order_by(Round.response_due_at, Round.id)
    total, rows = _slice(stmt, limit)
    return Section(RESPONSES, total,
                   [_round_item(RESPONSES, r, resp, now) for r, resp in rows])


def _actions(ids: list[int], now: datetime, limit: int) -> Section:
    today = workdays.local_day(now)
    horizon = workdays.add_workdays(today, ACTION_HORIZON_WORKDAYS)
    stmt = (select(FollowUpAction).join(FollowUpAction.round).join(Round.consultation)
            .where(FollowUpAction.department_id.in_(ids),
                   FollowUpAction.published.is_(True),
                   FollowUpAction.status.in_(UNFINISHED), FollowUpAction.due_on <= horizon)
            .options(contains_eager(FollowUpAction.round).contains_eager(Round.consultation))
            .order_by(FollowUpAction.due_on, FollowUpAction.id))
    total, rows = _slice(stmt, limit)
    items = [_stamp(Item(kind=ACTIONS, title=a.title, context=a.round.consultation.title,
                         due=end_of(a.due_on), url=url_for("responses.manage_action",
                                                           action_id=a.id),
                         action=str(_l("Record progress")), department_id=a.department_id),
                    now)
             for (a,) in rows]
    return Section(ACTIONS, total, items)


def _suggestions(ids: list[int], now: datetime, limit: int) -> Section:
    stmt = (select(Suggestion)
            .where(Suggestion.department_id.in_(ids), Suggestion.status != Visibility.HELD,
                   Suggestion.answer_status.in_((AnswerStatus.AWAITING,
                                                 AnswerStatus.UNDER_STUDY)),
                   and_(Suggestion.answered_at.is_(None)))
            .order_by(Suggestion.due_at, Suggestion.id))
    total, rows = _slice(stmt, limit)
    items = [_stamp(Item(kind=SUGGESTIONS, title=s.title, context="", due=s.due_at,
                         url=url_for("suggestions.answer", suggestion_id=s.id),
                         action=str(_l("Answer")), department_id=s.department_id), now)
             for (s,) in rows]
    return Section(SUGGESTIONS, total, items)


def _ratings(ids: list[int], now: datetime, limit: int) -> Section:
    """Open rectification cases (a bad survey rating awaiting the department's follow-up),
    the earliest due first."""
    stmt = (select(RectificationCase).join(RectificationCase.round).join(Round.consultation)
            .where(RectificationCase.department_id.in_(ids),
                   RectificationCase.status == CaseStatus.OPEN)
            .options(contains_eager(RectificationCase.round)
                     .contains_eager(Round.consultation))
            .order_by(RectificationCase.due_at, RectificationCase.id))
    total, rows = _slice(stmt, limit)
    items = [_stamp(Item(kind=RATINGS, title=str(c.first_satisfaction.label),
                         context=c.round.consultation.title, due=c.due_at,
                         url=url_for("rectification.manage", case_id=c.id),
                         action=str(_l("Follow up")), department_id=c.department_id), now)
             for (c,) in rows]
    return Section(RATINGS, total, items)


def waiting_for(actor: Actor, *, department_id: int | None = None,
                limit: int = SECTION_LIMIT, now: datetime | None = None) -> Workspace:
    """Everything that waits for the actor's departments (or one of them): fourteen queries
    whatever the size of the data (two per section)."""
    authorize(actor, "workspace.view")
    now = now or clock_now()
    ids = _departments(actor, department_id)
    sections = [build(ids, now, limit) for build in
                (_questions, _closing, _triage, _responses, _actions, _suggestions,
                               _ratings)]
    dated = [i for s in sections if s.key != TRIAGE for i in s.items if i.due is not None]
    urgent = sorted(dated, key=lambda i: i.due)[:URGENT_LIMIT]
    return Workspace(sections=sections, urgent=urgent, now=now)


def waiting_count(actor: Actor, now: datetime | None = None) -> int:
    """How many things wait (the menu badge): one query."""
    now = now or clock_now()
    ids = _departments(actor, None)
    answerable = [RoundState.OPEN.value, RoundState.CLOSED.value]
    questions = (select(func.count(Question.id)).join(Round, Round.id == Question.round_id)
                 .where(Question.department_id.in_(ids), Question.answered_at.is_(None),
                        Question.status.in_(VISIBLE), lifecycle.state_sql(now).in_(answerable))
                 .scalar_subquery())
    responses = (select(func.count(Round.id)).join(Round.consultation)
                 .where(Consultation.department_id.in_(ids),
                        lifecycle.state_sql(now) == RoundState.CLOSED.value).scalar_subquery())
    suggestions = (select(func.count(Suggestion.id))
                   .where(Suggestion.department_id.in_(ids),
                          Suggestion.status != Visibility.HELD,
                          Suggestion.answer_status.in_((AnswerStatus.AWAITING,
                                                        AnswerStatus.UNDER_STUDY)),
                          Suggestion.answered_at.is_(None)).scalar_subquery())
    ratings = (select(func.count(RectificationCase.id))
               .where(RectificationCase.department_id.in_(ids),
                      RectificationCase.status == CaseStatus.OPEN).scalar_subquery())
    return db.session.scalar(select(questions + responses + suggestions + ratings)) or 0
