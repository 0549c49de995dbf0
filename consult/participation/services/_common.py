"""Shared guards and helpers for the participation services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from consult import pagecache
from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db, insert_ignore
from consult.errors import Conflict, InvalidState, PermissionDenied
from consult.rounds import lifecycle, participants
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import authorize, is_authenticated

COMMENT_MAX = 5000
PROPOSAL_MAX = 5000
QUESTION_MAX = 2000
ANSWER_MAX = 5000
# The same text by the same person within this many seconds is a double submit.
DUPLICATE_SECONDS = 120



def require_participant(actor: Actor, rule: str, obj: Any = None) -> None:
    """403 with a message that says what to do: log in, or verify the e-mail address."""
    if not is_authenticated(actor):
        raise PermissionDenied(_l("Log in to take part."))
    if not actor.is_verified:
        raise PermissionDenied(_l(
            "Verify your e-mail address before you take part: open the link we sent you, "
            "or ask for a new one on your account page."))
    authorize(actor, rule, obj)  # a suspended user gets the suspension's message


def require_open(round_: Round) -> None:
    """Participation happens only in a published consultation's open round (409).

    The round's dates are held first (``lifecycle.hold_state``, shared, as a ballot holds
    them) until the action commits, and read again: a close or an extension waits for the
    actions in flight and those after it wait for it, so nothing is posted, supported or
    changed after the close, and every participant is counted under the closing month the
    round has when they commit. Called before the action writes anything."""
    lifecycle.hold_state(round_)
    if not round_.consultation.is_published:
        raise InvalidState(_l("This consultation is not published, so it takes no opinions."))
    if not round_.kind.has_comments:
        raise InvalidState(_l("This round takes votes only, not comments or questions."))
    lifecycle.require(round_, RoundState.OPEN)




def set_support(actor: Actor, target: Any, link: Any, key: str, *, supported: bool,
                already: Any, not_yet: Any) -> bool:
    """Add or remove ``actor``'s support row (``link``, keyed by ``key`` and the user) of a
    comment or a question, and move its ``support_count``: the part after the rules that
    the two share. Nothing to change is a Conflict with ``already`` or ``not_yet``."""
    model = type(target)
    try:
        if supported:
            changed = insert_ignore(link, **{key: target.id}, user_id=actor.id,
                                    created_at=now())
            message, delta = already, 1
        else:
            changed = bool(db.session.execute(delete(link).where(
                getattr(link, key) == target.id, link.user_id == actor.id)).rowcount)
            message, delta = not_yet, -1
    except IntegrityError as exc:  # pragma: no cover - a race the insert-or-ignore absorbs
        raise Conflict(already) from exc
    if not changed:
        raise Conflict(message)
    db.session.execute(update(model).where(model.id == target.id)
                       .values(support_count=model.support_count + delta))
    # The count is shown; no count of the round's posts moves.
    pagecache.touch_rounds(db.session, [target.round_id], counts=False)
    if supported:
        participants.mark(target.round_id, actor.id)
    db.session.refresh(target, ["support_count"])
    return supported
