"""Submitting a suggestion (its clock starts when it reaches a department), supporting
it and commenting on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from consult import audit, signals
from consult.accounts.models import Actor
from consult.clock import now as clock_now
from consult.consultations.services import normalize_tags, tags_named
from consult.db import db, insert_ignore
from consult.errors import (
    Conflict,
    ValidationFailed,
)
from consult.suggestions import deadlines
from consult.suggestions.models import (
    Suggestion,
    SuggestionComment,
    SuggestionSupport,
    Visibility,
)
from consult.suggestions.services._common import (
    MIN_TITLE,
    UNROUTED,
    _active_department,
    _assign,
    _bump,
    _clean,
    _current_assignment,
    _require_verified,
    clean_links,
)


def submit_suggestion(actor: Actor, *, department_id, title: str, problem: str, affected: str = "",
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
    tag_list = tags_named(normalize_tags(tags))
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
    signals.content_posted.send(suggestion, actor=actor)
    if dept is not None and suggestion.status != Visibility.HELD:
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


def toggle_support(actor: Actor, suggestion: Suggestion) -> bool:
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


def add_support(actor: Actor, suggestion: Suggestion) -> bool:
    """Insert-or-ignore the support row; idempotent under double clicks and races."""
    _require_verified(actor, "suggestion.support", suggestion)
    if actor.id == suggestion.author_id:
        raise Conflict(_l("You cannot support your own suggestion."))
    if insert_ignore(SuggestionSupport, suggestion_id=suggestion.id, user_id=actor.id,
                     created_at=clock_now()):
        _bump(suggestion, "support_count", +1)
    return True


def add_comment(actor: Actor, suggestion: Suggestion, *, body: str) -> SuggestionComment:
    _require_verified(actor, "suggestion.comment", suggestion)
    body = _clean(body, "body", required=True, message=_l("Write your comment."))
    comment = SuggestionComment(suggestion_id=suggestion.id, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    _bump(suggestion, "comment_count", +1)
    signals.content_posted.send(comment, actor=actor)  # moderation may hold it (uncounted)
    return comment
