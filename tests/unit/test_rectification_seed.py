"""The demo cases: one per demo bad rating, every status shown, the tallies equal to a
recount of the cases, the demo citizen's case waiting for their new rating; idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.consultations.models import Consultation
from consult.db import db
from consult.rectification.models import TALLY_COLUMNS, RectificationCase, RectificationTally
from consult.rounds.models import Round
from consult.seed import seed
from consult.suggestions.models import SuggestionRating
from consult.surveys.models import SurveyAnswer
from consult.workdays import local_day


def _tallies():
    return {(t.department_id, t.month): tuple(getattr(t, c) for c in TALLY_COLUMNS)
            for t in db.session.scalars(select(RectificationTally))}


def test_demo_cases(app):
    seed()
    cases = list(db.session.scalars(select(RectificationCase)))
    bad = db.session.scalar(select(func.count(SurveyAnswer.id)).where(
        SurveyAnswer.satisfaction.in_(("dissatisfied", "very_dissatisfied"))))
    bad_answers = db.session.scalar(select(func.count(SuggestionRating.id)).where(
        SuggestionRating.rating.in_(("dissatisfied", "very_dissatisfied"))))
    assert len(cases) == bad + bad_answers and bad > 0
    assert {c.first_satisfaction.value for c in cases} == {"dissatisfied", "very_dissatisfied"}
    assert any(c.suggestion_id for c in cases)
    assert {"open", "appealed", "resolved", "closed", "voided"} <= {c.status.value for c in cases}
    recount: Counter = Counter()
    for c in cases:
        key = (c.department_id, c.month)
        recount[key, "opened"] += 1
        recount[key, "followed_up"] += c.followed_up_on is not None
        recount[key, "follow_up_due"] += c.followed_up_in_time is not None
        recount[key, "follow_up_in_time"] += bool(c.followed_up_in_time)
        recount[key, "in_time"] += bool(c.resolved_in_time)
        recount[key, "rectified"] += c.resolution is not None and c.resolution.value == "rectified"
        recount[key, "explained"] += c.resolution is not None and c.resolution.value == "explained"
        recount[key, "rerated"] += c.rerating is not None
        recount[key, "improved"] += c.improved
        recount[key, "appealed"] += c.appealed_at is not None
        recount[key, "voided"] += c.status.value == "voided"
        recount[key, "escalated"] += c.escalated_at is not None
    # Ratings (差评率's base): every survey answer and suggestion rating that stands.
    for department_id, at in [*db.session.execute(
            select(Consultation.department_id, SurveyAnswer.created_at)
            .join(Round, Round.id == SurveyAnswer.round_id)
            .join(Consultation, Consultation.id == Round.consultation_id)
            .where(SurveyAnswer.voided_at.is_(None))),
            *db.session.execute(select(SuggestionRating.department_id,
                                       SuggestionRating.created_at)
                                .where(SuggestionRating.voided_at.is_(None)))]:
        recount[(department_id, local_day(at).replace(day=1)), "rated"] += 1
    tallies = _tallies()
    for key, values in tallies.items():
        assert values == tuple(recount[key, col] for col in TALLY_COLUMNS), key
    # Both sides of "followed up in time" are in the demo: in time, late and missed.
    assert {True, False} <= {c.followed_up_in_time for c in cases}
    assert any(c.followed_up_in_time is False and c.followed_up_on is None for c in cases)
    citizen = db.session.scalar(select(User).where(User.email == "citizen@example.org"))
    mine = [c for c in cases if c.rater_id == citizen.id]
    assert [c.status.value for c in mine] == ["resolved"]
    seed()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(RectificationCase.id))) == len(cases)
    assert _tallies() == tallies
