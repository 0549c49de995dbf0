"""Agenda suggestions: submit, support, comment, answer, transfer, route, rate.

Services authorize with the named rules of ``permissions.py`` (403), check state
(409), validate (422 with ``field=``), flush but never commit. Deadlines live in
``deadlines.py``; notifications go through ``notify.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.accounts.models import Department, Role
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, Tag
from consult.consultations.services import normalize_tags
from consult.db import db
from consult.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from consult.moderation import services as moderation
from consult.security.permissions import authorize, check
from consult.suggestions import deadlines, notify
from consult.suggestions.models import (
    AnswerStatus,
    EventKind,
    Rating,
    Suggestion,
    SuggestionAssignment,
    SuggestionComment,
    SuggestionEvent,
    SuggestionPolicy,
    SuggestionRating,
    SuggestionSupport,
    Visibility,
    suggestion_tag,
)
from consult.suggestions.permissions import is_verified
from consult.web import Page, paginate

PER_PAGE = 20
COMMENTS_PER_PAGE = 50
MAX_LINKS = 5
MAX_LINK_LENGTH = 500
LIMITS = {"title": 120, "problem": 5000, "affected": 2000, "location": 200,
          "proposal": 5000, "body": 2000, "answer": 5000}
MIN_TITLE = 5
SIMILAR_LIMIT = 5
SIMILAR_MAX_TERMS = 8
SORTS = ("support", "newest")
UNROUTED = "none"  # the department filter value of "not sure which department"


# ---------------------------------------------------------------- cleaning

def _clean(value: str | None, field: str, *, required: bool = False,
           message=None, limit: str | None = None) -> str:
    text = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n")).strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValidationFailed(_l("Remove the control characters from this text."), field=field)
    if required and not text:
        raise ValidationFailed(message or _l("This field is required."), field=field)
    most = LIMITS[limit or field]
    if len(text) > most:
        raise ValidationFailed(
            _l("Use at most %(limit)d characters (you entered %(count)d).",
               limit=most, count=len(text)), field=field)
    return text


def clean_links(raw: str | list[str] | None) -> list[str]:
    """One http(s) URL per line (or a list), at most five; anything else is refused."""
    if isinstance(raw, list):
        lines = raw
    else:
        lines = (raw or "").replace("\r\n", "\n").split("\n")
    links: list[str] = []
    for line in lines:
        url = line.strip()
        if not url:
            continue
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        host = (parts.hostname or "") if parts else ""
        if (parts is None or parts.scheme.lower() not in ("http", "https") or not host
                or "." not in host.strip(".") or any(ch.isspace() for ch in url)
                or any(ch in url for ch in "<>\"'`")):
            raise ValidationFailed(
                _l("“%(link)s” is not a web address. Give links starting with http:// or "
                   "https://, one per line.", link=url[:80]), field="links")
        if len(url) > MAX_LINK_LENGTH:
            raise ValidationFailed(
                _l("A link can have at most %(limit)d characters.", limit=MAX_LINK_LENGTH),
                field="links")
        if url not in links:
            links.append(url)
    if len(links) > MAX_LINKS:
        raise ValidationFailed(_l("Give at most %(n)d links.", n=MAX_LINKS), field="links")
    return links


def _tags(names: list[str]) -> list[Tag]:
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    out = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            try:
                with db.session.begin_nested():
                    tag = Tag(name=name)
                    db.session.add(tag)
            except IntegrityError:  # created meanwhile by someone else
                tag = db.session.scalar(select(Tag).where(Tag.name == name))
        out.append(tag)
    return out


def _active_department(department_id, field: str = "department_id") -> Department:
    try:
        dept_id = int(department_id)
    except (TypeError, ValueError):
        dept_id = None
    dept = db.session.get(Department, dept_id) if dept_id is not None else None
    if dept is None or not dept.active:
        raise ValidationFailed(_l("Choose a department from the list."), field=field)
    return dept


def _require_verified(actor, name: str, obj=None) -> None:
    """403 with a message that says what to do when the account is not verified."""
    if not is_verified(actor):
        raise PermissionDenied(_l("Only users with a verified e-mail address can do this. "
                                  "Open the link we sent you, or ask for a new one on "
                                  "your account page."))
    authorize(actor, name, obj)


def require_submitter(actor) -> None:
    """The new-suggestion page is for verified users only (403 with the reason)."""
    _require_verified(actor, "suggestion.submit")


def _insert(model):
    return (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(model)


# ---------------------------------------------------------------- reading

def _public():
    return Suggestion.status == Visibility.PUBLISHED


def get_suggestion(actor, suggestion_id: int, *, lock: bool = False) -> Suggestion:
    """A suggestion the actor may see (404 otherwise, so hidden ones are not revealed)."""
    stmt = select(Suggestion).where(Suggestion.id == suggestion_id).options(
        joinedload(Suggestion.department), joinedload(Suggestion.author),
        joinedload(Suggestion.consultation), joinedload(Suggestion.latest_answer),
        selectinload(Suggestion.tags))
    if lock and db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Suggestion)
    suggestion = db.session.scalar(stmt)
    if suggestion is None or not check(actor, "suggestion.view", suggestion):
        raise NotFound(_l("There is no such suggestion."))
    return suggestion


@dataclass
class Detail:
    suggestion: Suggestion
    events: list[SuggestionEvent]
    comments: Page
    supported: bool
    rating: SuggestionRating | None


def suggestion_detail(actor, suggestion: Suggestion, *, comment_page: int = 1) -> Detail:
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


def has_supported(actor, suggestion: Suggestion) -> bool:
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


# ---------------------------------------------------------------- submitting

def submit_suggestion(actor, *, department_id, title: str, problem: str, affected: str = "",
                      location: str = "", proposal: str, tags: str | list[str] = "",
                      links: str | list[str] = "") -> Suggestion:
    """A verified user's suggestion to a department, or (``department_id`` None) to
    "not sure which department" for an admin to route."""
    _require_verified(actor, "suggestion.submit")
    dept = None if department_id in (None, "", UNROUTED) else _active_department(department_id)
    title = _clean(title, "title", required=True,
                   message=_l("Give your suggestion a short title."))
    if len(title) < MIN_TITLE:
        raise ValidationFailed(_l("Use at least %(n)d characters for the title.", n=MIN_TITLE),
                               field="title")
    fields = dict(
        title=title,
        problem=_clean(problem, "problem", required=True,
                       message=_l("Describe the problem or need.")),
        affected=_clean(affected, "affected"),
        location=_clean(location, "location"),
        proposal=_clean(proposal, "proposal", required=True,
                        message=_l("Say what you propose the department should do.")),
    )
    link_list = clean_links(links)
    tag_list = _tags(normalize_tags(tags))
    at = clock_now()
    suggestion = Suggestion(author_id=actor.id, department_id=dept.id if dept else None,
                            links=link_list, received_at=at,
                            due_at=deadlines.due_date(dept.id if dept else None, at),
                            created_at=at, **fields)
    suggestion.tags = tag_list
    db.session.add(suggestion)
    db.session.flush()
    # A sensitive word holds it for review: the department receives it (and its clock
    # starts) only when a moderator approves it (``start_clock``).
    held = moderation.hold_if_sensitive(actor, suggestion)
    if dept is not None and not held:
        _assign(suggestion, dept.id, at)
    audit.record(actor, "suggestion.submitted", suggestion,
                 department_id=suggestion.department_id)
    return suggestion


def start_clock(suggestion: Suggestion) -> None:
    """A held suggestion was approved (``consult.moderation``): its department receives
    it now, with a fresh reply deadline. Nothing to do if it already has its stay."""
    if suggestion.department_id is not None and _current_assignment(suggestion) is not None:
        return
    at = clock_now()
    suggestion.received_at = at
    suggestion.due_at = deadlines.due_date(suggestion.department_id, at)
    if suggestion.department_id is not None:
        _assign(suggestion, suggestion.department_id, at)


def _assign(suggestion: Suggestion, department_id: int, at: datetime) -> SuggestionAssignment:
    assignment = SuggestionAssignment(suggestion_id=suggestion.id, department_id=department_id,
                                      received_at=at, due_at=suggestion.due_at)
    db.session.add(assignment)
    return assignment


def _current_assignment(suggestion: Suggestion) -> SuggestionAssignment | None:
    return db.session.scalar(
        select(SuggestionAssignment).where(
            SuggestionAssignment.suggestion_id == suggestion.id,
            SuggestionAssignment.department_id == suggestion.department_id)
        .order_by(SuggestionAssignment.id.desc()).limit(1))


# ---------------------------------------------------------------- support and comments

def toggle_support(actor, suggestion: Suggestion) -> bool:
    """Support, or take the support back. Returns whether the actor now supports it.
    One row per user (primary key); the counter moves only when a row did."""
    _require_verified(actor, "suggestion.support", suggestion)
    if actor.id == suggestion.author_id:
        raise Conflict(_l("You cannot support your own suggestion."))
    removed = db.session.execute(delete(SuggestionSupport).where(
        SuggestionSupport.suggestion_id == suggestion.id,
        SuggestionSupport.user_id == actor.id)).rowcount
    if removed:
        _bump(suggestion, "support_count", -1)
        return False
    return add_support(actor, suggestion)


def add_support(actor, suggestion: Suggestion) -> bool:
    """Insert-or-ignore the support row; idempotent under double clicks and races."""
    _require_verified(actor, "suggestion.support", suggestion)
    if actor.id == suggestion.author_id:
        raise Conflict(_l("You cannot support your own suggestion."))
    inserted = db.session.execute(
        _insert(SuggestionSupport).values(suggestion_id=suggestion.id, user_id=actor.id,
                                          created_at=clock_now())
        .on_conflict_do_nothing().returning(SuggestionSupport.user_id)).scalar()
    if inserted is not None:
        _bump(suggestion, "support_count", +1)
    return True


def _bump(suggestion: Suggestion, column: str, delta: int) -> None:
    db.session.execute(
        update(Suggestion).where(Suggestion.id == suggestion.id)
        .values({column: getattr(Suggestion, column) + delta})
        .execution_options(synchronize_session=False))
    db.session.expire(suggestion, [column])


def add_comment(actor, suggestion: Suggestion, *, body: str) -> SuggestionComment:
    _require_verified(actor, "suggestion.comment", suggestion)
    body = _clean(body, "body", required=True, message=_l("Write your comment."))
    comment = SuggestionComment(suggestion_id=suggestion.id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    _bump(suggestion, "comment_count", +1)
    moderation.hold_if_sensitive(actor, comment)  # a sensitive word: held, uncounted
    return comment


# ---------------------------------------------------------------- answering

ANSWERS = (AnswerStatus.UNDER_STUDY, AnswerStatus.ON_AGENDA, AnswerStatus.COVERED,
           AnswerStatus.NOT_TAKEN)
TRANSFER = "transferred"


def _consultation(consultation_id, *, department_id: int | None = None,
                  published: bool = False) -> Consultation:
    try:
        cid = int(consultation_id)
    except (TypeError, ValueError):
        cid = None
    consultation = db.session.get(Consultation, cid) if cid else None
    if consultation is None:
        raise ValidationFailed(_l("Choose the consultation this suggestion is linked to."),
                               field="consultation_id")
    if department_id is not None and consultation.department_id != department_id:
        raise ValidationFailed(
            _l("A suggestion taken onto the agenda links to a consultation of the same "
               "department."), field="consultation_id")
    if published and consultation.published_at is None:
        raise ValidationFailed(_l("Link a published consultation."), field="consultation_id")
    return consultation


def answer_suggestion(actor, suggestion: Suggestion, *, status: str, body: str = "",
                      consultation_id=None, to_department_id=None) -> SuggestionEvent:
    """An official of the current department answers (or transfers) the suggestion.
    Answers are public; the author and supporters are notified."""
    authorize(actor, "suggestion.answer", suggestion)
    if status == TRANSFER:
        return _transfer(actor, suggestion, to_department_id=to_department_id, body=body)
    try:
        answer = AnswerStatus(status)
    except ValueError:
        answer = None
    if answer not in ANSWERS:
        raise ValidationFailed(_l("Choose an answer."), field="status")
    body = _clean(body, "body", required=answer is AnswerStatus.NOT_TAKEN, limit="answer",
                  message=_l("Give the reason why the suggestion is not taken up."))
    consultation = None
    if answer is AnswerStatus.ON_AGENDA:
        consultation = _consultation(consultation_id, department_id=suggestion.department_id)
    elif answer is AnswerStatus.COVERED:
        consultation = _consultation(consultation_id, published=True)
    at = clock_now()
    first = suggestion.answered_at is None
    event = SuggestionEvent(
        suggestion_id=suggestion.id, kind=EventKind.ANSWERED, answer_status=answer,
        department_id=suggestion.department_id, body=body, actor_id=actor.id, created_at=at,
        consultation_id=consultation.id if consultation else None,
        on_time=(at <= suggestion.due_at) if first else None)
    db.session.add(event)
    db.session.flush()
    if first:
        assignment = _current_assignment(suggestion)
        if assignment is not None:
            assignment.answered_at, assignment.first_answer = at, answer.value
        suggestion.answered_at = at
    suggestion.answer_status = answer
    suggestion.consultation_id = consultation.id if consultation else None
    suggestion.latest_answer_id = event.id
    audit.record(actor, "suggestion.answered", suggestion, status=answer.value,
                 consultation_id=event.consultation_id, on_time=event.on_time)
    notify.answered(suggestion, event, actor=actor)
    return event


def _transfer(actor, suggestion: Suggestion, *, to_department_id, body: str) -> SuggestionEvent:
    target = _active_department(to_department_id, field="to_department_id")
    if target.id == suggestion.department_id:
        raise ValidationFailed(_l("Choose another department than the current one."),
                               field="to_department_id")
    body = _clean(body, "body", limit="answer")
    at = clock_now()
    first = suggestion.answered_at is None
    event = SuggestionEvent(
        suggestion_id=suggestion.id, kind=EventKind.TRANSFERRED,
        department_id=suggestion.department_id, to_department_id=target.id, body=body,
        actor_id=actor.id, created_at=at, on_time=(at <= suggestion.due_at) if first else None)
    db.session.add(event)
    assignment = _current_assignment(suggestion)
    if assignment is not None and assignment.answered_at is None:
        assignment.answered_at, assignment.first_answer = at, TRANSFER
    from_id = suggestion.department_id
    _move(suggestion, target.id, at)
    db.session.flush()
    audit.record(actor, "suggestion.transferred", suggestion, from_department_id=from_id,
                 to_department_id=target.id, on_time=event.on_time)
    notify.answered(suggestion, event, actor=actor)
    return event


def _move(suggestion: Suggestion, department_id: int, at: datetime) -> None:
    """The suggestion lands at a department: a fresh clock and a fresh answer."""
    suggestion.department_id = department_id
    suggestion.received_at = at
    suggestion.due_at = deadlines.due_date(department_id, at)
    suggestion.answered_at = None
    suggestion.answer_status = AnswerStatus.AWAITING
    suggestion.consultation_id = None
    suggestion.latest_answer_id = None
    db.session.flush()
    _assign(suggestion, department_id, at)


def route_suggestion(actor, suggestion: Suggestion, *, department_id) -> SuggestionEvent:
    """An admin sends a "not sure which department" suggestion to a department."""
    authorize(actor, "suggestion.route", suggestion)
    if suggestion.department_id is not None:
        raise InvalidState(_l("This suggestion has already been sent to a department."))
    target = _active_department(department_id)
    at = clock_now()
    event = SuggestionEvent(suggestion_id=suggestion.id, kind=EventKind.ROUTED,
                            to_department_id=target.id, actor_id=actor.id, created_at=at)
    db.session.add(event)
    _move(suggestion, target.id, at)
    audit.record(actor, "suggestion.routed", suggestion, to_department_id=target.id)
    return event


# ---------------------------------------------------------------- rating

def rate_answer(actor, suggestion: Suggestion, *, rating: str) -> SuggestionRating:
    """The author rates the current answer. One row per suggestion (unique); rating
    again changes it and points it at the answer and department rated now."""
    _require_verified(actor, "suggestion.rate", suggestion)
    if suggestion.latest_answer_id is None or not suggestion.is_answered:
        raise InvalidState(_l("You can rate the answer once the department has given one."))
    try:
        value = Rating(rating)
    except ValueError:
        raise ValidationFailed(_l("Choose how satisfied you are."), field="rating") from None
    at = clock_now()
    row = db.session.scalar(select(SuggestionRating).where(
        SuggestionRating.suggestion_id == suggestion.id))
    if row is None:
        row = SuggestionRating(suggestion_id=suggestion.id, user_id=actor.id, created_at=at)
        db.session.add(row)
    row.rating, row.updated_at = value, at
    row.department_id = suggestion.department_id
    row.answer_id = suggestion.latest_answer_id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Your rating was just saved from elsewhere. Reload the page.")) \
            from None
    audit.record(actor, "suggestion.rated", suggestion, rating=value.value,
                 department_id=row.department_id)
    return row


# ---------------------------------------------------------------- deadlines and records

def set_reply_days(actor, department: Department, *, reply_days) -> SuggestionPolicy:
    """A department's officials (or an admin) set its reply deadline in working days.
    It applies to suggestions received from now on."""
    authorize(actor, "suggestion.policy", department)
    try:
        days = int(reply_days)
    except (TypeError, ValueError):
        days = 0
    if not deadlines.MIN_REPLY_DAYS <= days <= deadlines.MAX_REPLY_DAYS:
        raise ValidationFailed(
            _l("Give a number of working days from %(min)d to %(max)d.",
               min=deadlines.MIN_REPLY_DAYS, max=deadlines.MAX_REPLY_DAYS), field="reply_days")
    policy = db.session.get(SuggestionPolicy, department.id)
    previous = policy.reply_days if policy is not None else None
    if policy is None:
        policy = SuggestionPolicy(department_id=department.id, reply_days=days)
        db.session.add(policy)
    policy.reply_days, policy.updated_by_id = days, actor.id
    db.session.flush()
    audit.record(actor, "suggestion.policy_set", department, reply_days=days,
                 previous=previous)
    return policy


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


def get_department_by_slug(slug: str) -> Department:
    dept = db.session.scalar(select(Department).where(Department.slug == slug))
    if dept is None:
        raise NotFound(_l("There is no such department."))
    return dept


# ---------------------------------------------------------------- the officials' desk

def managed_departments(actor) -> list[Department]:
    authorize(actor, "suggestion.manage")
    stmt = select(Department).order_by(Department.name)
    if not actor.has_role(Role.ADMIN):
        stmt = stmt.where(Department.id.in_(actor.official_department_ids or {-1}))
    return list(db.session.scalars(stmt))


def open_for_official(actor, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The actor's departments' open suggestions (awaiting or under study), due first."""
    authorize(actor, "suggestion.manage")
    ids = actor.official_department_ids or {-1}
    stmt = (select(Suggestion)
            .where(Suggestion.department_id.in_(ids), Suggestion.status != Visibility.HELD,
                   Suggestion.answer_status.in_((AnswerStatus.AWAITING,
                                                 AnswerStatus.UNDER_STUDY)))
            .options(joinedload(Suggestion.department))
            .order_by(Suggestion.answered_at.is_not(None), Suggestion.due_at, Suggestion.id))
    return paginate(stmt, page=page, per_page=per_page)


def unrouted(actor, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """"Not sure which department" suggestions waiting for an admin, oldest first."""
    authorize(actor, "suggestion.route")
    stmt = (select(Suggestion).where(Suggestion.department_id.is_(None),
                                     Suggestion.status != Visibility.HELD)
            .order_by(Suggestion.created_at, Suggestion.id))
    return paginate(stmt, page=page, per_page=per_page)


def policies(departments: list[Department]) -> dict[int, int]:
    """Each department's reply days (its own setting or the default), one query."""
    own = dict(db.session.execute(select(SuggestionPolicy.department_id,
                                         SuggestionPolicy.reply_days).where(
        SuggestionPolicy.department_id.in_([d.id for d in departments] or [-1]))).all())
    default = deadlines.default_reply_days()
    return {d.id: own.get(d.id, default) for d in departments}


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
