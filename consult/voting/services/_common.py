"""Shared helpers of the voting services: reading the round, the vote-round check, the
states in which results are public."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.db import db
from consult.errors import ValidationFailed
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round

# States in which results are public (live results also show while OPEN).
FINAL_STATES = (RoundState.CLOSED, RoundState.RESPONDED, RoundState.EVALUATED)


def require_vote(round_: Round) -> None:
    if not round_.kind.has_vote:
        raise ValidationFailed(_l("This round has no vote. Only vote rounds have poll "
                                  "questions and ballots."))


def hold_round(round_id: int) -> None:
    """Before a ballot's request reads the round: hold its state until the ballot commits
    (``lifecycle.hold_state_before_reading``), so that ``cast_ballot`` need not re-read its
    dates. Harmless for a round that does not exist or that the voter may not see: the
    read that follows says so."""
    lifecycle.hold_state_before_reading(round_id)


def lock_round(round_: Round) -> Round:
    """Re-read the round's dates under a row lock (PostgreSQL); SQLite serialises writers.
    For editing the poll (officials, rare); ballots use ``lifecycle.hold_state``.

    Only the dates are refreshed, so the loaded consultation stays in place."""
    db.session.flush()
    db.session.refresh(round_, attribute_names=lifecycle.STATE_COLUMNS, with_for_update=True)
    return round_
