"""The distinct participants per department and per closing month, kept as people take
part (``rounds.participants``), equal their recount over every participant row (the
oracle) after each kind of change, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.clock import now
from consult.consultations.models import Consultation
from consult.evaluation import scores
from consult.evaluation.scores import Scope
from consult.extensions import db
from consult.rounds import lifecycle, participants
from consult.rounds.models import ParticipantReach, ParticipantTally, Round
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    participate,
)
from tests.oracles import distinct_participants

_recount = distinct_participants  # the oracle


def _shown(group: str, department_id: int | None = None) -> dict:
    return {k: s.participants_unique for k, s in
            scores.compute(Scope(department_id=department_id), group,
                           frozenset({"participation"})).items() if s.participants_unique}


def _check(*departments) -> None:
    for department_id in (None, *departments):
        for group in ("department", "month"):
            assert _shown(group, department_id) == _recount(group, department_id), (
                group, department_id)


def _round(consultation, closes_days: int, *, closed: bool = False):
    closes = now() + timedelta(days=closes_days)
    return RoundFactory(version__consultation=consultation,
                        opens_at=closes - timedelta(days=10), closes_at=closes,
                        response_due_at=closes + timedelta(days=10),
                        closed_at=closes if closed else None,
                        recorded_state="closed" if closed else "open")


@pytest.fixture
def world(app):
    a, b = DepartmentFactory(), DepartmentFactory()
    ca1, ca2 = ConsultationFactory(department=a), ConsultationFactory(department=a)
    cb = ConsultationFactory(department=b)
    draft = ConsultationFactory(department=b, unpublished=True)
    w = dict(a=a, b=b, ca1=ca1, ca2=ca2, cb=cb, draft=draft,
             a1=_round(ca1, -70, closed=True), a2=_round(ca2, -70, closed=True),
             a3=_round(ca1, 3), b1=_round(cb, -70, closed=True), d1=_round(draft, 3),
             people=UserFactory.create_batch(5), official=UserFactory(role="official",
                                                                       role__department=a))
    db.session.commit()
    return w


def test_counters_equal_the_recount_after_every_kind_of_change(world):
    w, p = world, world["people"]
    ids = (w["a"].id, w["b"].id)
    # one person in two rounds of one department the same month, in another month, in
    # another department; others in one round; someone in an unpublished consultation
    for r, who in ((w["a1"], [0, 1]), (w["a2"], [0, 2]), (w["a3"], [0, 3]),
                   (w["b1"], [0, 3]), (w["d1"], [4, 0])):
        for i in who:
            participate(r, p[i])
    _check(*ids)  # read in the same transaction, before the commit
    db.session.commit()
    _check(*ids)
    assert _shown("department")[w["a"].id] == 4
    assert len(_shown("month")) == 2
    # a participation again changes nothing
    participate(w["a1"], p[0])
    participate(w["a2"], p[1])  # new in that round, not in that department and month
    db.session.commit()
    _check(*ids)
    assert _shown("department", w["a"].id) == {w["a"].id: 4}

    # an extension moves the open round's people to a later month
    lifecycle.extend(w["official"], w["a3"], new_closes_at=now() + timedelta(days=100),
                     reason="延期")
    db.session.commit()
    _check(*ids)
    assert (now() + timedelta(days=100)).strftime("%Y-%m") in _shown("month")
    # an early close moves them to this month
    lifecycle.close(w["official"], db.session.get(Round, w["a3"].id), reason="提前结束")
    db.session.commit()
    _check(*ids)
    # a consultation moved to another department takes its rounds' people along
    db.session.get(Consultation, w["ca2"].id).department_id = w["b"].id
    db.session.commit()
    _check(*ids)
    # a draft published: its round's people count from now on
    db.session.get(Consultation, w["draft"].id).published_at = now()
    participate(w["d1"], p[2])
    db.session.commit()
    _check(*ids)
    # and back, in one transaction with new participants, read before the commit
    db.session.get(Consultation, w["draft"].id).published_at = None
    participate(w["d1"], p[1])
    participate(w["a1"], p[4])
    _check(*ids)
    db.session.commit()
    _check(*ids)

    # the bulk rebuild (bench data, repairs) writes the same rows
    kept = _snapshot()
    participants.rebuild()
    db.session.commit()
    assert _snapshot() == kept
    assert not db.session.scalar(select(func.count()).select_from(ParticipantReach)
                                 .where(ParticipantReach.delta != 0))


def test_a_rolled_back_participation_leaves_the_counters(world):
    w, p = world, world["people"]
    participate(w["a1"], p[0])
    db.session.commit()
    before = _snapshot()
    participate(w["a1"], p[1])
    participate(w["b1"], p[0])
    db.session.rollback()
    assert _snapshot() == before
    participate(w["b1"], p[1])
    savepoint = db.session.begin_nested()  # rolled back inside the transaction
    participate(w["a2"], p[2])
    participate(w["a1"], p[4])
    savepoint.rollback()
    participate(w["a3"], p[3])
    db.session.commit()
    _check(w["a"].id, w["b"].id)


def test_dashboard_groups_read_the_counters_not_the_participant_rows(world, count_queries):
    participate(world["a1"], world["people"][0])
    db.session.commit()
    for group in ("department", "month"):
        with count_queries() as seen:
            scores.compute(Scope(), group, frozenset({"participation"}))
        assert not any("round_participant" in q for q in seen), group
        assert any("participant_tally" in q for q in seen), group
    # a scope the counters do not cover (a topic, a date range) still recounts
    with count_queries() as seen:
        scores.compute(Scope(start=now() - timedelta(days=400)), "department",
                       frozenset({"participation"}))
    assert any("count(distinct" in q.lower() for q in seen)


def _snapshot():
    reach = db.session.execute(
        select(ParticipantReach.department_id, ParticipantReach.month, ParticipantReach.user_id,
               ParticipantReach.rounds).order_by(ParticipantReach.department_id,
                                                 ParticipantReach.month,
                                                 ParticipantReach.user_id)).all()
    tally = db.session.execute(
        select(ParticipantTally.department_id, ParticipantTally.month,
               ParticipantTally.participants).where(ParticipantTally.participants > 0)
        .order_by(ParticipantTally.department_id, ParticipantTally.month)).all()
    rounds = db.session.execute(select(Round.id, Round.tallied_department_id,
                                       Round.tallied_month).order_by(Round.id)).all()
    return reach, tally, rounds
