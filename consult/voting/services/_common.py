"""Shared helpers of the voting services: reading the round, the vote-round check, the
states in which results are public."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import check

# States in which results are public (live results also show while OPEN).
FINAL_STATES = (RoundState.CLOSED, RoundState.RESPONDED, RoundState.EVALUATED)


def get_round(actor: Any, round_id: int) -> Round:
    """The round with its consultation, department and version, in one query; 404 when
    the ``round.view`` rule hides it (unpublished consultations), so nothing unpublished
    is found by guessing ids."""
    round_ = db.session.scalar(
        select(Round).where(Round.id == round_id)
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version)))
    if round_ is None or not check(actor, "round.view", round_):
        raise NotFound(_l("This round does not exist."))
    return round_


def require_vote(round_: Round) -> None:
    if not round_.kind.has_vote:
        raise ValidationFailed(_l("This round has no vote. Only vote rounds have poll "
                                  "questions and ballots."))


def lock_round(round_: Round) -> Round:
    """Re-read the round's dates under a row lock (PostgreSQL); SQLite serialises writers.
    For editing the poll (officials, rare); ballots use ``lifecycle.hold_state``.

    Only the dates are refreshed, so the loaded consultation stays in place."""
    db.session.flush()
    db.session.refresh(round_, attribute_names=lifecycle.STATE_COLUMNS, with_for_update=True)
    return round_
