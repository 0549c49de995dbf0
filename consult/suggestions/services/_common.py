"""Shared by the suggestion services: limits, text and link cleaning, guards, the
public filter, loading a suggestion, the department assignment and counters."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Actor, Department, Role
from consult.db import db
from consult.errors import (
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from consult.security.input import clean_text
from consult.security.permissions import authorize, check
from consult.suggestions.models import (
    Suggestion,
    SuggestionAssignment,
    Visibility,
)
from consult.suggestions.permissions import is_verified

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


def _clean(value: str | None, field: str, *, required: bool = False,
           message=None, limit: str | None = None) -> str:
    """``clean_text`` with this domain's limits by field name, and "" for empty text."""
    return clean_text(value, field=field, limit=LIMITS[limit or field], required=required,
                      empty=message or _l("This field is required.")) or ""


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



def _active_department(department_id, field: str = "department_id") -> Department:
    try:
        dept_id = int(department_id)
    except (TypeError, ValueError):
        dept_id = None
    dept = db.session.get(Department, dept_id) if dept_id is not None else None
    if dept is None or not dept.active:
        raise ValidationFailed(_l("Choose a department from the list."), field=field)
    return dept


def _require_verified(actor: Actor, name: str, obj=None) -> None:
    """403 with a message that says what to do when the account is not verified."""
    if not is_verified(actor):
        raise PermissionDenied(_l("Only users with a verified e-mail address can do this. "
                                  "Open the link we sent you, or ask for a new one on "
                                  "your account page."))
    authorize(actor, name, obj)


def require_submitter(actor: Actor) -> None:
    """The new-suggestion page is for verified users only (403 with the reason)."""
    _require_verified(actor, "suggestion.submit")


def _public():
    return Suggestion.status == Visibility.PUBLISHED


def get_suggestion(actor: Actor, suggestion_id: int, *, lock: bool = False) -> Suggestion:
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


def _bump(suggestion: Suggestion, column: str, delta: int) -> None:
    db.session.execute(
        update(Suggestion).where(Suggestion.id == suggestion.id)
        .values({column: getattr(Suggestion, column) + delta})
        .execution_options(synchronize_session=False))
    db.session.expire(suggestion, [column])


def get_department_by_slug(slug: str) -> Department:
    dept = db.session.scalar(select(Department).where(Department.slug == slug))
    if dept is None:
        raise NotFound(_l("There is no such department."))
    return dept


def managed_departments(actor: Actor) -> list[Department]:
    authorize(actor, "suggestion.manage")
    stmt = select(Department).order_by(Department.name)
    if not actor.has_role(Role.ADMIN):
        stmt = stmt.where(Department.id.in_(actor.official_department_ids or {-1}))
    return list(db.session.scalars(stmt))
