"""The sensitive-word list and the hold it puts on matching posts."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult import audit
from consult.accounts.models import Actor
from consult.db import db
from consult.errors import Conflict, NotFound
from consult.moderation import terms as term_rules
from consult.moderation.models import (
    SensitiveTerm,
)
from consult.moderation.services._common import (
    _case,
    _count,
    _set_status,
    text_of,
)
from consult.participation.models import ContentStatus
from consult.security.permissions import authorize

# ---------------------------------------------------------------- sensitive words

def _terms() -> list[tuple[str, bool]]:
    return [(t.pattern, t.is_pattern) for t in db.session.scalars(
        select(SensitiveTerm).order_by(SensitiveTerm.id))]


def screen(text: str | None) -> bool:
    """True when the text matches a sensitive word or pattern (hold it for review)."""
    return term_rules.first_match(text or "", _terms()) is not None


def hold_if_sensitive(actor: Actor, item: Any) -> bool:
    """Called by participation right after a post is saved (and counted): on a match
    the post is HELD instead of published, taken out of the counters and queued.
    Returns whether it was held (then no notifications go out)."""
    match = term_rules.first_match(text_of(item), _terms())
    if match is None:
        return False
    _set_status(item, ContentStatus.HELD)
    _count(item, -1)
    case = _case(item)
    case.held, case.held_match, case.needs_review = True, match[:200], True
    audit.record(actor, "moderation.hold", item, term=match[:200])
    return True


def list_terms(actor: Actor) -> list[SensitiveTerm]:
    authorize(actor, "moderation.words")
    return list(db.session.scalars(select(SensitiveTerm).order_by(SensitiveTerm.pattern)))


def add_term(actor: Actor, *, pattern: str | None, is_pattern: bool = False) -> SensitiveTerm:
    authorize(actor, "moderation.words")
    value = term_rules.validate(pattern, is_pattern=bool(is_pattern))
    if db.session.scalar(select(SensitiveTerm.id).where(SensitiveTerm.pattern == value)):
        raise Conflict(_l("This is already on the list."), field="pattern")
    term = SensitiveTerm(pattern=value, is_pattern=bool(is_pattern), created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(term)
            db.session.flush()
    except IntegrityError as exc:  # pragma: no cover - two admins at once
        raise Conflict(_l("This is already on the list."), field="pattern") from exc
    audit.record(actor, "moderation.term_added", term, pattern=value, is_pattern=term.is_pattern)
    return term


def delete_term(actor: Actor, term_id: int) -> None:
    authorize(actor, "moderation.words")
    term = db.session.get(SensitiveTerm, term_id)
    if term is None:
        raise NotFound(_l("There is no such word on the list."))
    audit.record(actor, "moderation.term_deleted", term, pattern=term.pattern)
    db.session.delete(term)
