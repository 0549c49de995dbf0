"""The round state machine, with the clock under control (time-machine, no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.db import db
from consult.errors import InvalidState, ValidationFailed
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    with_roles,
)

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
OPENS, CLOSES, DUE = T0 + timedelta(days=1), T0 + timedelta(days=10), T0 + timedelta(days=20)


def at(days: float):
    return time_machine.travel(T0 + timedelta(days=days), tick=False)


pytestmark = pytest.mark.usefixtures("keep_loaded")


@pytest.fixture
def department(app):
    return DepartmentFactory()


@pytest.fixture
def official(department):
    return with_roles(UserFactory(role="official", role__department=department))


@pytest.fixture
def make_round(department):
    def make(**kw) -> Round:
        with at(0):
            c = ConsultationFactory(department=department)
            v = DraftVersionFactory(consultation=c)
            fields = dict(version=v, consultation=c, opens_at=OPENS, closes_at=CLOSES,
                          response_due_at=DUE, survey_days=7, recorded_state="scheduled")
            fields.update(kw)
            return RoundFactory(**fields)
    return make


def actions(r: Round) -> list[tuple[str, str | None]]:
    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_label).where(
            AuditEntry.target_type == "round", AuditEntry.target_id == r.id)
        .order_by(AuditEntry.id)).all()
    return [tuple(row) for row in rows]


def test_clock_moves_scheduled_to_open_to_closed(make_round):
    r = make_round()
    assert lifecycle.state_of(r, T0) is RoundState.SCHEDULED
    assert lifecycle.state_of(r, OPENS - timedelta(seconds=1)) is RoundState.SCHEDULED
    assert lifecycle.state_of(r, OPENS) is RoundState.OPEN
    assert lifecycle.state_of(r, CLOSES - timedelta(seconds=1)) is RoundState.OPEN
    assert lifecycle.state_of(r, CLOSES) is RoundState.CLOSED
    with at(5):
        assert lifecycle.state_of(r) is RoundState.OPEN  # default: the clock


def test_official_closes_open_round_early(make_round, official):
    r = make_round()
    with at(5):
        lifecycle.close(official, r, reason="已收集到足够意见")
        db.session.commit()
        assert lifecycle.state_of(r) is RoundState.CLOSED
        assert r.closed_at == T0 + timedelta(days=5)
        assert r.closed_by_id == official.id
    # Still closed later, even though closes_at lies ahead.
    assert lifecycle.state_of(r, T0 + timedelta(days=6)) is RoundState.CLOSED
    assert ("round.closed", None) in actions(r)


def test_closed_to_responded_to_evaluated(make_round, official):
    r = make_round()
    with at(12):
        lifecycle.mark_responded(official, r)
        db.session.commit()
        assert lifecycle.state_of(r) is RoundState.RESPONDED
        assert r.response_published_at == T0 + timedelta(days=12)
        assert r.survey_closes_at == T0 + timedelta(days=19)
        assert r.closed_at == CLOSES  # the clock's close is made explicit
    assert lifecycle.state_of(r, T0 + timedelta(days=19) - timedelta(seconds=1)) \
        is RoundState.RESPONDED
    assert lifecycle.state_of(r, T0 + timedelta(days=19)) is RoundState.EVALUATED
    # The clock-made close is audited before the response (by the system).
    assert actions(r)[:2] == [("round.closed", "system"), ("round.responded", None)]


def test_backdated_response_must_follow_the_close(make_round, official):
    r = make_round()
    with at(40):
        with pytest.raises(InvalidState):
            lifecycle.mark_responded(official, r, at=CLOSES - timedelta(hours=1))
        db.session.rollback()
        lifecycle.mark_responded(official, r, at=T0 + timedelta(days=15))
        db.session.commit()
        # The survey window (7 days) is already over: evaluated at once, and audited.
        assert lifecycle.state_of(r) is RoundState.EVALUATED
        assert r.recorded_state == "evaluated"
    assert [a for a, _ in actions(r)] == ["round.closed", "round.responded", "round.evaluated"]


@pytest.mark.parametrize("days", [0, 12])
def test_close_is_refused_unless_open(make_round, official, days):
    r = make_round()
    with at(days), pytest.raises(InvalidState) as exc:
        lifecycle.close(official, r, reason="x")
    assert exc.value.status == 409


def test_close_twice_is_refused(make_round, official):
    r = make_round()
    with at(5):
        lifecycle.close(official, r, reason="x")
        db.session.commit()
        with pytest.raises(InvalidState) as exc:
            lifecycle.close(official, r, reason="again")
        assert exc.value.message == lifecycle.REFUSALS[RoundState.CLOSED]


def test_extend_open_round_and_refuse_when_closed(make_round, official):
    r = make_round()
    with at(5):
        lifecycle.extend(official, r, new_closes_at=CLOSES + timedelta(days=3), reason="延长")
        db.session.commit()
        assert r.closes_at == CLOSES + timedelta(days=3)
        assert r.response_due_at == DUE  # still after the new close: unchanged
        with pytest.raises(ValidationFailed):
            lifecycle.extend(official, r, new_closes_at=CLOSES, reason="earlier")
        db.session.rollback()
    with at(14), pytest.raises(InvalidState):
        lifecycle.extend(official, r, new_closes_at=CLOSES + timedelta(days=9), reason="x")


def test_extend_past_the_due_date_moves_the_due_date(make_round, official):
    r = make_round()
    with at(5):
        lifecycle.extend(official, r, new_closes_at=DUE + timedelta(days=1), reason="x")
        db.session.commit()
    assert r.response_due_at == DUE + timedelta(days=1) + (DUE - CLOSES)


@pytest.mark.parametrize("days", [0, 5])
def test_mark_responded_refused_unless_closed(make_round, official, days):
    r = make_round()
    with at(days), pytest.raises(InvalidState):
        lifecycle.mark_responded(official, r)


def test_mark_responded_twice_refused(make_round, official):
    r = make_round()
    with at(12):
        lifecycle.mark_responded(official, r)
        db.session.commit()
        with pytest.raises(InvalidState):
            lifecycle.mark_responded(official, r)


def test_is_overdue(make_round, official):
    r = make_round()
    assert not lifecycle.is_overdue(r, T0 + timedelta(days=5))      # open
    assert not lifecycle.is_overdue(r, DUE)                          # due today, not late
    assert lifecycle.is_overdue(r, DUE + timedelta(seconds=1))       # closed and late
    with at(25):
        lifecycle.mark_responded(official, r)                        # late, but answered
        db.session.commit()
    assert not lifecycle.is_overdue(r, T0 + timedelta(days=26))


def test_require(make_round):
    r = make_round()
    assert lifecycle.require(r, RoundState.OPEN, now=T0 + timedelta(days=2)) is RoundState.OPEN
    with pytest.raises(InvalidState) as exc:
        lifecycle.require(r, RoundState.OPEN, now=T0)
    assert exc.value.message == lifecycle.REFUSALS[RoundState.SCHEDULED]


def test_state_sql_agrees_with_state_of(make_round, official):
    rounds = {
        "scheduled": make_round(),
        "open": make_round(opens_at=T0 - timedelta(days=2), closes_at=T0 + timedelta(days=3),
                           response_due_at=T0 + timedelta(days=9)),
        "closed_by_clock": make_round(opens_at=T0 - timedelta(days=9),
                                      closes_at=T0 - timedelta(days=1),
                                      response_due_at=T0 + timedelta(days=9)),
        "overdue": make_round(opens_at=T0 - timedelta(days=30), closes_at=T0 - timedelta(days=20),
                              response_due_at=T0 - timedelta(days=1)),
        "closed_early": make_round(opens_at=T0 - timedelta(days=2),
                                   closes_at=T0 + timedelta(days=3),
                                   response_due_at=T0 + timedelta(days=9)),
        "responded": make_round(opens_at=T0 - timedelta(days=30),
                                closes_at=T0 - timedelta(days=20),
                                response_due_at=T0 - timedelta(days=10), survey_days=30),
        "evaluated": make_round(opens_at=T0 - timedelta(days=60),
                                closes_at=T0 - timedelta(days=50),
                                response_due_at=T0 - timedelta(days=40)),
    }
    with time_machine.travel(T0 - timedelta(hours=1), tick=False):
        lifecycle.close(official, rounds["closed_early"], reason="x")
    with time_machine.travel(T0 - timedelta(days=15), tick=False):
        lifecycle.mark_responded(official, rounds["responded"])
    with time_machine.travel(T0 - timedelta(days=45), tick=False):
        lifecycle.mark_responded(official, rounds["evaluated"])
    db.session.commit()
    # Compare at several moments, so that every state is met by SQL and Python alike.
    seen = set()
    for moment in (T0, T0 + timedelta(days=1), T0 + timedelta(days=4), T0 + timedelta(days=30)):
        sql = dict(db.session.execute(select(Round.id, lifecycle.state_sql(moment))).all())
        overdue = set(db.session.scalars(select(Round.id).where(lifecycle.overdue_sql(moment))))
        for r in rounds.values():
            assert sql[r.id] == lifecycle.state_of(r, moment).value, (r.id, moment)
            assert (r.id in overdue) == lifecycle.is_overdue(r, moment), (r.id, moment)
            seen.add(sql[r.id])
    assert seen == {s.value for s in RoundState}
    assert lifecycle.state_of(rounds["responded"], T0) is RoundState.RESPONDED
    assert lifecycle.state_of(rounds["evaluated"], T0) is RoundState.EVALUATED
    assert lifecycle.is_overdue(rounds["overdue"], T0)


def test_tick_audits_each_transition_once(make_round, official):
    r = make_round()
    with at(0.5):
        assert lifecycle.tick() == []
    with at(2):
        changed = lifecycle.tick()
        db.session.commit()
        assert [(c.id, old, new) for c, old, new in changed] == [(r.id, "scheduled", "open")]
        assert lifecycle.tick() == []  # once only
        db.session.commit()
    with at(11):
        assert [(old, new) for _, old, new in lifecycle.tick()] == [("open", "closed")]
        db.session.commit()
        lifecycle.mark_responded(official, r)
        db.session.commit()
    with at(30):
        assert [(old, new) for _, old, new in lifecycle.tick()] == [("responded", "evaluated")]
        db.session.commit()
        assert lifecycle.tick() == []
    assert actions(r) == [("round.open", "system"), ("round.closed", "system"),
                          ("round.responded", None), ("round.evaluated", "system")]


def test_rounds_tick_command(app, make_round):
    r = make_round()
    runner = app.test_cli_runner()
    with at(0.5):
        result = runner.invoke(args=["rounds", "tick"])
        assert result.exit_code == 0, result.output
        assert "No round changed state." in result.output
    with at(2):
        result = runner.invoke(args=["rounds", "tick"])
        assert result.exit_code == 0, result.output
        assert f"Round {r.id}" in result.output and "scheduled → open" in result.output
        assert "1 round changed state." in result.output
        assert "No round changed state." in runner.invoke(args=["rounds", "tick"]).output
    assert actions(r) == [("round.open", "system")]


@pytest.mark.pg
def test_state_held_before_the_read_is_not_read_again(make_round, count_queries):
    """A ballot that holds the round's state before reading the round (the vote page)
    re-reads nothing in ``hold_state``; once its transaction ends, the next one does."""
    round_id = make_round().id
    db.session.commit()
    db.session.expunge_all()
    lifecycle.hold_state_before_reading(round_id)
    r = db.session.get(Round, round_id)
    with count_queries() as seen:
        lifecycle.hold_state(r)
    assert seen == []
    db.session.commit()
    with count_queries() as seen:
        lifecycle.hold_state(r)
    assert len(seen) == 2, seen  # the lock, then the dates
    db.session.rollback()
