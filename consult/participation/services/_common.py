"""Shared guards and helpers for the participation services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from consult.accounts.models import Actor
from consult.errors import InvalidState, PermissionDenied
from consult.rounds import lifecycle
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
    """Participation happens only in a published consultation's open round (409)."""
    if not round_.consultation.is_published:
        raise InvalidState(_l("This consultation is not published, so it takes no opinions."))
    if not round_.kind.has_comments:
        raise InvalidState(_l("This round takes votes only, not comments or questions."))
    lifecycle.require(round_, RoundState.OPEN)


