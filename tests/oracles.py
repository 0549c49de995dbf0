"""Recounts that tests check kept counters against (never used by the app to serve)."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.evaluation import scores
from consult.extensions import db
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
