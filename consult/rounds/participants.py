"""Recording who took part in a round, once per user, race-free."""

from __future__ import annotations

from sqlalchemy import update

from consult.clock import now
from consult.db import db, insert_ignore
from consult.rounds.models import Round, RoundParticipant


def mark(round_id: int, user_id: int, *, count: bool = True) -> bool:
    """Record ``user_id`` as a participant of the round; True the first time.

    Insert-or-ignore keeps it to one row per user even when two requests race,
    and bumps ``Round.participant_count`` only for a new row. ``count=False`` leaves
    the bump to the caller, who folds it into its own update of the round row (votes:
    one statement on that hot row, taken last).
    """
    inserted = insert_ignore(RoundParticipant, round_id=round_id, user_id=user_id,
                             first_at=now())
    if inserted and count:
        db.session.execute(
            update(Round).where(Round.id == round_id)
            .values(participant_count=Round.participant_count + 1)
        )
    return inserted
