"""Recounts that tests check kept counters against (never used by the app to serve)."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.evaluation import scores
from consult.extensions import db
from consult.participation import tallies
from consult.participation.models import CommentTally
from consult.rounds.models import Round, RoundParticipant


def distinct_participants(group: str, department_id: int | None = None) -> dict:
    """Distinct participants per department (``group="department"``) or per closing month
    (``"month"``) of the rounds of published consultations, counted over every participant
    row (of one department's rounds with ``department_id``): what
    ``rounds.participants.tallies(by=group)`` and the dashboard must show."""
    key = scores._key(group)
    return dict(db.session.execute(
        scores._base(select(key, func.count(func.distinct(RoundParticipant.user_id)))
                     .select_from(RoundParticipant)
                     .join(Round, Round.id == RoundParticipant.round_id), group)
        .where(*scores.Scope(department_id=department_id).round_filters()).group_by(key)).all())


def comment_tallies() -> tuple[dict, dict]:
    """(kept, recounted): the rows of ``comment_tally`` with a count, and the same rows
    counted from the comments as they are (consult.participation.tallies), each as
    {(round, clause or 0, stance or "", status, depth, author or 0): n}."""
    t = CommentTally
    kept = {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(t.round_id, t.clause_id, t.stance, t.status, t.depth, t.held_by, t.n)
        .where(t.n != 0))}
    recounted = {tuple(row[:-1]): row[-1]
                 for row in db.session.execute(tallies.counted_statement())}
    return kept, recounted
