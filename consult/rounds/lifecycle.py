"""The round state machine: the only code that compares the clock with round dates.

    scheduled --opens_at--> open --closes_at or official closes--> closed
    closed --official publishes response--> responded
    responded --survey window ends--> evaluated
    closed and now > response_due_at --> shown publicly as overdue
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, bindparam, case, event, func, select
from sqlalchemy.orm import Session, selectinload

from consult import audit, signals
from consult.accounts.models import Actor
from consult.clock import now as clock_now
from consult.db import db
from consult.errors import InvalidState, ValidationFailed
from consult.rounds.models import Round, RoundExtension


class RoundState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    RESPONDED = "responded"
    EVALUATED = "evaluated"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    RoundState.SCHEDULED: _l("Not yet open"),
    RoundState.OPEN: _l("Open for comments"),
    RoundState.CLOSED: _l("Closed"),
    RoundState.RESPONDED: _l("Responded"),
    RoundState.EVALUATED: _l("Evaluated"),
}
OVERDUE_LABEL = _l("Response overdue")

# Why an action is refused in a state, said to the user (409).
REFUSALS = {
    RoundState.SCHEDULED: _l("This round is not open yet."),
    RoundState.OPEN: _l("This round is still open."),
    RoundState.CLOSED: _l("This round is closed."),
    RoundState.RESPONDED: _l("The response to this round has already been published."),
    RoundState.EVALUATED: _l("This round has been evaluated and can no longer change."),
}


def state_of(r: Round, now: datetime | None = None) -> RoundState:
    now = now or clock_now()
    if r.response_published_at is not None:
        survey_over = r.survey_closes_at is not None and now >= r.survey_closes_at
        return RoundState.EVALUATED if survey_over else RoundState.RESPONDED
    if r.closed_at is not None or now >= r.closes_at:
        return RoundState.CLOSED
    return RoundState.OPEN if now >= r.opens_at else RoundState.SCHEDULED


def is_overdue(r: Round, now: datetime | None = None) -> bool:
    now = now or clock_now()
    return state_of(r, now) is RoundState.CLOSED and now > r.response_due_at

@dataclass(frozen=True)
class StateView:
    """What a status tag shows: the state, the public overdue mark, label and colour."""

    state: RoundState
    overdue: bool

    @property
    def label(self) -> str:
        return str(OVERDUE_LABEL) if self.overdue else self.state.label

    @property
    def colour(self) -> str:
        if self.overdue:
            return "red"
        return STATE_COLOURS[self.state]

    @property
    def key(self) -> str:
        return "overdue" if self.overdue else self.state.value


STATE_COLOURS = {RoundState.SCHEDULED: "grey", RoundState.OPEN: "green",
                 RoundState.CLOSED: "amber", RoundState.RESPONDED: "blue",
                 RoundState.EVALUATED: "grey"}


def state_view(r: Round, now: datetime | None = None) -> StateView:
    """The round's status tag as of ``now``: its state and whether it is publicly overdue."""
    now = now or clock_now()
    return StateView(state_of(r, now), is_overdue(r, now))


def state_class(state: RoundState | str) -> str:
    """The CSS class of a status tag for a state's value ("overdue" too)."""
    value = str(state)
    if value == "overdue":
        return "tag tag--red"
    try:
        return f"tag tag--{STATE_COLOURS[RoundState(value)]}"
    except ValueError:
        return "tag"


def with_states(rounds, now: datetime | None = None) -> list[tuple[Round, RoundState, bool]]:
    """(round, state, overdue) for each round, as of one ``now``."""
    now = now or clock_now()
    return [(r, state_of(r, now), is_overdue(r, now)) for r in rounds]


def current_of(rounds, now: datetime | None = None) -> tuple[Round, RoundState, bool] | None:
    """The (round, state, overdue) a reader cares about first: open, else the latest that
    has begun, else the first."""
    states = with_states(rounds, now)
    for item in states:
        if item[1] is RoundState.OPEN:
            return item
    started = [item for item in states if item[1] is not RoundState.SCHEDULED]
    if started:
        return started[-1]
    return states[0] if states else None



def effective_closed_at(r: Round) -> datetime:
    """When the round actually closed (early close or its closing date)."""
    return r.closed_at if r.closed_at is not None else r.closes_at


def require(r: Round, *states: RoundState, now: datetime | None = None) -> RoundState:
    state = state_of(r, now)
    if state not in states:
        raise InvalidState(REFUSALS[state])
    return state


def state_sql(now: datetime | None = None):
    """The same logic as ``state_of`` as a SQL CASE, for filters and counts."""
    now = now or clock_now()
    return case(
        (and_(Round.response_published_at.is_not(None), Round.survey_closes_at.is_not(None),
              Round.survey_closes_at <= now), RoundState.EVALUATED.value),
        (Round.response_published_at.is_not(None), RoundState.RESPONDED.value),
        (Round.closed_at.is_not(None), RoundState.CLOSED.value),
        (Round.closes_at <= now, RoundState.CLOSED.value),
        (Round.opens_at <= now, RoundState.OPEN.value),
        else_=RoundState.SCHEDULED.value,
    )


def overdue_sql(now: datetime | None = None):
    now = now or clock_now()
    return and_(state_sql(now) == RoundState.CLOSED.value, Round.response_due_at < now)


# Writes that are allowed only while a round is open (ballots) and the transitions that
# change a round's dates meet on one PostgreSQL advisory lock per round: writers hold it
# shared, so they never wait for each other, and a transition holds it exclusive, so it
# waits until the writers in flight have committed and writers that come after wait for
# it, then re-read the dates (READ COMMITTED: a new snapshot per statement). PostgreSQL
# queues a shared request behind a waiting exclusive one, so a stream of votes cannot
# starve an official's close. SQLite serialises writers itself.
_STATE_LOCK_CLASS = 0x524E  # the first key of the (class, round id) advisory lock pair


_LOCK_KEY_MAX = 2**31 - 1  # the advisory lock's keys are 32-bit: a larger id is no round
_HELD = "consult.rounds.held_state"  # session.info: rounds held before they were read


def _state_lock(round_id: int, *, shared: bool) -> bool:
    """Take the lock; False where there is none (SQLite)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    fn = _SHARED_LOCK if shared else _EXCLUSIVE_LOCK
    db.session.execute(fn, {"lock_class": _STATE_LOCK_CLASS, "round_id": round_id})
    return True


# Built once: the busiest write path (every ballot) takes the shared one.
_SHARED_LOCK = select(func.pg_advisory_xact_lock_shared(
    bindparam("lock_class", type_=Integer), bindparam("round_id", type_=Integer)))
_EXCLUSIVE_LOCK = select(func.pg_advisory_xact_lock(
    bindparam("lock_class", type_=Integer), bindparam("round_id", type_=Integer)))


def hold_state_before_reading(round_id: int) -> None:
    """Hold the round's state (shared, as ``hold_state``) before the round is read in this
    transaction: the read that follows already sees the dates as they stay until the
    transaction ends, so ``hold_state`` need not read them again (one round trip less on
    the vote path). Call it before anything loads the round into the session."""
    if 0 < round_id <= _LOCK_KEY_MAX and _state_lock(round_id, shared=True):
        db.session.info.setdefault(_HELD, set()).add(round_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_held(session: Session, transaction) -> None:
    if transaction.parent is None:  # the lock ends with the outermost transaction
        session.info.pop(_HELD, None)


def hold_state(r: Round) -> Round:
    """Keep the round's dates from changing until this transaction ends and re-read them
    (only the dates: loaded relations stay). Cheap and shared: many writers at once."""
    if r.id in db.session.info.get(_HELD, ()):
        return r  # held before it was read (``hold_state_before_reading``)
    db.session.flush()
    _state_lock(r.id, shared=True)
    db.session.refresh(r, attribute_names=STATE_COLUMNS)
    return r


STATE_COLUMNS = ["opens_at", "closes_at", "closed_at", "response_published_at",
                 "survey_closes_at", "show_live_results"]


def _lock(r: Round, *options) -> Round:
    """Re-read the round with a row lock (PostgreSQL) so two transitions cannot race, after
    the writers that hold its state (``hold_state``) have committed."""
    db.session.flush()
    _state_lock(r.id, shared=False)
    locked = db.session.scalar(
        select(Round).where(Round.id == r.id).options(*options).with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def _catch_up(r: Round, now: datetime) -> None:
    """Audit a clock-driven transition ``rounds tick`` has not recorded yet, so that an
    explicit transition never hides the one the clock made before it."""
    state = state_of(r, now).value
    if r.recorded_state != state:
        previous, r.recorded_state = r.recorded_state, state
        audit.record(None, f"round.{state}", r, previous=previous)
        if state == RoundState.OPEN.value:
            signals.round_opened.send(r)
        elif state == RoundState.CLOSED.value:
            signals.round_closed.send(r)


def close(actor: Actor, r: Round, *, reason: str) -> Round:
    """An official closes an open round early."""
    r = _lock(r)
    at = clock_now()
    _catch_up(r, at)
    require(r, RoundState.OPEN, now=at)
    r.closed_at, r.close_reason, r.closed_by_id = at, reason, actor.id
    r.recorded_state = RoundState.CLOSED.value
    audit.record(actor, "round.closed", r, reason=reason, early=True)
    signals.round_closed.send(r)
    return r


def extend(actor: Actor, r: Round, *, new_closes_at: datetime, reason: str) -> Round:
    """Move the closing date of a scheduled or open round (recorded publicly)."""
    r = _lock(r, selectinload(Round.extensions))
    at = clock_now()
    _catch_up(r, at)
    require(r, RoundState.SCHEDULED, RoundState.OPEN, now=at)
    if new_closes_at <= r.closes_at:
        raise ValidationFailed(_l("The new closing date must be later than the current one."),
                               field="new_closes_at")
    old = r.closes_at
    r.extensions.append(RoundExtension(old_closes_at=old, new_closes_at=new_closes_at,
                                       reason=reason, by_id=actor.id))
    r.closes_at = new_closes_at
    if r.response_due_at < new_closes_at:
        r.response_due_at = new_closes_at + (r.response_due_at - old)
    audit.record(actor, "round.extended", r, old=old.isoformat(),
                 new=new_closes_at.isoformat(), reason=reason)
    return r


def mark_responded(actor: Actor, r: Round, *, at: datetime | None = None) -> Round:
    """The response is published: the survey opens for ``survey_days``.

    ``at`` backdates the publication (demo data and imports of past rounds); it must lie
    between the round's close and now. Pages never pass it.
    """
    r = _lock(r)
    current = clock_now()
    _catch_up(r, current)
    require(r, RoundState.CLOSED, now=current)
    if at is None:
        at = current
    elif not (effective_closed_at(r) <= at <= current):
        raise InvalidState(_l("A response cannot be published before the round closed."))
    if r.closed_at is None:
        r.closed_at = r.closes_at
    r.response_published_at = at
    r.survey_closes_at = at + timedelta(days=r.survey_days)
    r.recorded_state = RoundState.RESPONDED.value
    audit.record(actor, "round.responded", r,
                 at=at.isoformat() if at != current else None)
    # A survey window already over (backdated publication) is evaluated at once.
    _catch_up(r, current)
    return r


def tick(now: datetime | None = None) -> list[tuple[Round, str, str]]:
    """Audit clock-driven transitions as "system" (run by ``flask rounds tick``).

    Each transition is recorded once: ``recorded_state`` remembers what was written.
    """
    now = now or clock_now()
    changed = []
    stmt = (select(Round).where(Round.recorded_state != state_sql(now))
            .order_by(Round.id).with_for_update())
    for r in db.session.scalars(stmt):
        old = r.recorded_state
        _catch_up(r, now)
        changed.append((r, old, r.recorded_state))
    return changed
