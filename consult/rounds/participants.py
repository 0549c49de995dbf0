"""Recording who took part in a round, once per user, race-free."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consult.clock import now
from consult.db import db
from consult.rounds.models import Round, RoundParticipant


def mark(round_id: int, user_id: int, *, count: bool = True) -> bool:
    """Record ``user_id`` as a participant of the round; True the first time.

    Insert-or-ignore keeps it to one row per user even when two requests race,
    and bumps ``Round.participant_count`` only for a new row. ``count=False`` leaves
    the bump to the caller, who folds it into its own update of the round row (votes:
    one statement on that hot row, taken last).
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RoundParticipant).values(
        round_id=round_id, user_id=user_id, first_at=now()
    ).on_conflict_do_nothing().returning(RoundParticipant.user_id)
    # RETURNING, not rowcount: psycopg does not report a usable rowcount here.
    inserted = db.session.execute(stmt).first() is not None
    if inserted and count:
        db.session.execute(
            update(Round).where(Round.id == round_id)
            .values(participant_count=Round.participant_count + 1)
        )
    return inserted
