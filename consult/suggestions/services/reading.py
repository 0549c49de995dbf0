"""Reading suggestions: a suggestion's page, the public list and its filters, similar
titles (shown before submitting), a department's record, the consultations an answer
links to."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Actor, Department
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, Tag
from consult.db import db
from consult.suggestions import deadlines
from consult.suggestions.models import (
    AnswerStatus,
    Suggestion,
    SuggestionAssignment,
    SuggestionComment,
    SuggestionEvent,
    SuggestionRating,
    SuggestionSupport,
    Visibility,
    suggestion_tag,
)
from consult.suggestions.services._common import (
    COMMENTS_PER_PAGE,
    PER_PAGE,
    SIMILAR_LIMIT,
    SIMILAR_MAX_TERMS,
    UNROUTED,
    _public,
)
from consult.web import Page, paginate


@dataclass
class Detail:
    suggestion: Suggestion
    events: list[SuggestionEvent]
    comments: Page
    supported: bool
    rating: SuggestionRating | None


def suggestion_detail(actor: Actor, suggestion: Suggestion, *, comment_page: int = 1) -> Detail:
    """Everything the detail page shows, in a constant number of queries."""
    events = list(db.session.scalars(
        select(SuggestionEvent).where(SuggestionEvent.suggestion_id == suggestion.id)
        .options(joinedload(SuggestionEvent.department),
                 joinedload(SuggestionEvent.to_department),
                 joinedload(SuggestionEvent.consultation))
        .order_by(SuggestionEvent.id)))
    # Hidden comments stay in place (their reason shown, never their text); a held one
    # only for its author ("awaiting review").
    shown = SuggestionComment.status.in_((Visibility.PUBLISHED, Visibility.HIDDEN))
    if getattr(actor, "is_authenticated", False):
        shown = or_(shown, and_(SuggestionComment.status == Visibility.HELD,
                                SuggestionComment.author_id == actor.id))
    comments = paginate(
        select(SuggestionComment).where(SuggestionComment.suggestion_id == suggestion.id,
                                        shown)
        .options(joinedload(SuggestionComment.author))
        .order_by(SuggestionComment.created_at, SuggestionComment.id),
        page=comment_page, per_page=COMMENTS_PER_PAGE)
    supported = False
    rating = None
    if getattr(actor, "is_authenticated", False):
        supported = has_supported(actor, suggestion)
        if actor.id == suggestion.author_id:
            rating = db.session.scalar(select(SuggestionRating).where(
                SuggestionRating.suggestion_id == suggestion.id))
    return Detail(suggestion, events, comments, supported, rating)


def has_supported(actor: Actor, suggestion: Suggestion) -> bool:
    return db.session.scalar(select(SuggestionSupport.user_id).where(
        SuggestionSupport.suggestion_id == suggestion.id,
        SuggestionSupport.user_id == actor.id)) is not None


def list_suggestions(*, department: str = "", status: str = "", tag: str = "",
                     overdue: bool = False, sort: str = "support", page: int = 1,
                     per_page: int = PER_PAGE, now: datetime | None = None) -> Page:
    """Published suggestions, filtered and sorted; two queries plus one for the tags."""
    stmt = select(Suggestion).where(_public()).options(
        joinedload(Suggestion.department), selectinload(Suggestion.tags))
    if department == UNROUTED:
        stmt = stmt.where(Suggestion.department_id.is_(None))
    elif department:
        stmt = stmt.join(Department, Department.id == Suggestion.department_id).where(
            Department.slug == department)
    if status in {s.value for s in AnswerStatus}:
        stmt = stmt.where(Suggestion.answer_status == status)
    if tag:
        stmt = stmt.where(Suggestion.tags.any(Tag.name == tag))
    if overdue:
        stmt = stmt.where(deadlines.overdue_sql(now))
    if sort == "newest":
        stmt = stmt.order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
    else:
        stmt = stmt.order_by(Suggestion.support_count.desc(), Suggestion.id.desc())
    return paginate(stmt, page=page, per_page=per_page)


def filter_choices() -> tuple[list[Department], list[Tag]]:
    departments = list(db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)))
    # Tags of public suggestions only: a held or hidden one's tags are its text too.
    tags = list(db.session.scalars(
        select(Tag).join(suggestion_tag, suggestion_tag.c.tag_id == Tag.id)
        .join(Suggestion, Suggestion.id == suggestion_tag.c.suggestion_id).where(_public())
        .group_by(Tag.id, Tag.name).order_by(func.count().desc(), Tag.name).limit(40)))
    return departments, tags


def active_departments() -> list[Department]:
    return list(db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)))


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


_WORD = re.compile(r"[A-Za-z0-9]{2,}")


def title_terms(title: str) -> list[str]:
    """Chinese runs become overlapping bigrams (a lone character stays itself); Latin and
    digit runs of two or more become lower-case words. Unique, in order, at most eight."""
    text = unicodedata.normalize("NFKC", title or "")[:200]
    terms: list[str] = []
    for run in _CJK.findall(text):
        grams = [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
        terms.extend(grams)
    terms.extend(w.lower() for w in _WORD.findall(text))
    unique: list[str] = []
    for term in terms:
        if term not in unique:
            unique.append(term)
    return unique[:SIMILAR_MAX_TERMS]


def similar_suggestions(title: str, *, limit: int = SIMILAR_LIMIT,
                        exclude_id: int | None = None) -> list[Suggestion]:
    """Published suggestions whose titles share the most terms with ``title``, then the
    most supported: one bounded query (at most eight LIKE terms, ``limit`` rows)."""
    terms = title_terms(title)
    if not terms:
        return []
    lowered = func.lower(Suggestion.title)
    score = sum((case((lowered.contains(term, autoescape=True), 1), else_=0)
                 for term in terms), start=0)
    hits = or_(*(lowered.contains(term, autoescape=True) for term in terms))
    stmt = (select(Suggestion).where(_public(), hits)
            .options(joinedload(Suggestion.department))
            .order_by(score.desc(), Suggestion.support_count.desc(), Suggestion.id.desc())
            .limit(limit))
    if exclude_id is not None:
        stmt = stmt.where(Suggestion.id != exclude_id)
    # One-character Chinese titles would match too much; ask for two terms then.
    if len(terms) > 2:
        stmt = stmt.where(score >= 2)
    return list(db.session.scalars(stmt))


@dataclass
class SuggestionRecord:
    received: int
    answered: int
    answered_on_time: int
    overdue: int
    on_agenda: int
    reply_days: int

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.answered_on_time / self.answered) if self.answered else None


def department_suggestion_record(department_id: int,
                                 now: datetime | None = None) -> SuggestionRecord:
    """Received, answered, answered on time, overdue now, taken onto the agenda.

    Counted per stay at the department (``SuggestionAssignment``): a suggestion
    transferred away counts as received and answered by the transferring department.
    Two queries.
    """
    now = now or clock_now()
    a = SuggestionAssignment
    row = db.session.execute(select(
        func.count(a.id),
        func.count(a.answered_at),
        func.coalesce(func.sum(case((a.answered_at <= a.due_at, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(a.answered_at.is_(None), a.due_at < now), 1),
                                    else_=0)), 0),
        select(func.count(Suggestion.id)).where(
            Suggestion.department_id == department_id,
            Suggestion.answer_status == AnswerStatus.ON_AGENDA).scalar_subquery(),
    ).where(a.department_id == department_id)).one()
    return SuggestionRecord(*(int(v or 0) for v in row),
                            reply_days=deadlines.reply_days_for(department_id))


def answer_consultations(suggestion: Suggestion, limit: int = 200) -> list[Consultation]:
    """Consultations an answer may link: the department's own, newest first."""
    return list(db.session.scalars(
        select(Consultation).where(Consultation.department_id == suggestion.department_id)
        .order_by(Consultation.id.desc()).limit(limit)))


def suggestions_answered_by(consultation_id: int, limit: int = 3) -> list[Suggestion]:
    """The public suggestions taken onto the agenda as this consultation, for its page
    ("This consultation answers the suggestion …"): one bounded query."""
    return list(db.session.scalars(
        select(Suggestion).where(Suggestion.consultation_id == consultation_id,
                                 Suggestion.answer_status == AnswerStatus.ON_AGENDA, _public())
        .order_by(Suggestion.id).limit(limit)))
