"""Recording who took part in a round, once per user, race-free; and the distinct
participants per department and month, kept as counters as they happen.

A person is counted once per department, per closing month and per both, however many
rounds they took part in (``ParticipantReach`` rows, one per person and group, with the
number of their rounds there): the first participation in a group adds a row, and the
group's counter (``ParticipantTally``) moves when the transaction commits, so nothing is
ever recounted. The counters' row locks are taken last, at commit, in key order, after
every lock on a round row (a vote and a comment in one round never wait on each other in
opposite orders).

A round counts under the department of its consultation and the month it closes
(``closed_at``, else ``closes_at``), as the evaluation groups rounds, and only once its
consultation is published. When one of those changes (an early close, an extension, a
consultation moved to another department or published) its participants move from the
old group to the new one in the same transaction (``retally``): a set-based statement per
group, over that round's participants only.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    Integer,
    String,
    case,
    delete,
    func,
    inspect,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db, insert_ignore, upsert_insert
from consult.rounds.models import ParticipantReach, ParticipantTally, Round, RoundParticipant

EVERY_DEPARTMENT = 0
EVERY_MONTH = ""

_RETALLY = "participants_retally"  # session.info: round ids whose group may have changed
_PENDING = "participants_pending"  # session.info: reach rows wait for the counters
_GONE = "participants_gone"  # session.info: reach rows down to no round wait to go


def mark(round_id: int, user_id: int, *, count: bool = True) -> bool:
    """Record ``user_id`` as a participant of the round; True the first time.

    Insert-or-ignore keeps it to one row per user even when two requests race,
    and bumps ``Round.participant_count`` only for a new row. ``count=False`` leaves
    the bump to the caller, who folds it into its own update of the round row (votes:
    one statement on that hot row, taken last).
    """
    inserted = insert_ignore(RoundParticipant, round_id=round_id, user_id=user_id,
                             first_at=now())
    if inserted:
        _reach(db.session(), round_id, user_id)
        if count:
            db.session.execute(
                update(Round).where(Round.id == round_id)
                .values(participant_count=Round.participant_count + 1)
            )
    return inserted


def joined(round_id: int, user_id: int) -> None:
    """A participant row the caller inserted in its own statement (a vote on PostgreSQL
    writes the ballot and the participant row at once): counted in its groups, as
    ``mark`` counts the rows it inserts."""
    _reach(db.session(), round_id, user_id)


# ---------------------------------------------------------------- groups

def month_sql(col, dialect: str | None = None):
    """``YYYY-MM`` of a timestamp column, the same on SQLite and PostgreSQL."""
    if (dialect or db.session.get_bind().dialect.name) == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.strftime("%Y-%m", col)


def closing_month_sql(dialect: str | None = None):
    return month_sql(func.coalesce(Round.closed_at, Round.closes_at), dialect)


def _levels(department_id: int, month: str) -> list[tuple[int, str]]:
    """The groups a round's participant counts in, in key order."""
    return sorted([(EVERY_DEPARTMENT, month), (department_id, EVERY_MONTH),
                   (department_id, month)])


def _upsert(stmt):
    """Insert-or-add-one: a row whose ``rounds`` comes back from 0 counts again."""
    r = ParticipantReach
    return stmt.on_conflict_do_update(
        index_elements=[r.department_id, r.month, r.user_id],
        set_={"rounds": r.rounds + 1,
              "delta": r.delta + case((r.rounds == 0, 1), else_=0)})


def _reach(session: Session, round_id: int, user_id: int) -> None:
    """Count a new participant of the round in the groups the round is counted in (one
    statement; the counters move at commit). A round not counted yet (its first
    participant, or an unpublished consultation's) is placed first."""
    r = ParticipantReach
    levels = [(literal(EVERY_DEPARTMENT, Integer), Round.tallied_month),
              (Round.tallied_department_id, literal(EVERY_MONTH, String)),
              (Round.tallied_department_id, Round.tallied_month)]
    rows = union_all(*(
        select(d, m, literal(user_id, Integer), literal(1, Integer), literal(1, Integer))
        .where(Round.id == round_id, Round.tallied_department_id.is_not(None))
        for d, m in levels))
    stmt = _upsert(upsert_insert(r).from_select(
        ["department_id", "month", "user_id", "rounds", "delta"], rows)).returning(r.delta)
    deltas = session.execute(stmt).scalars().all()
    if not deltas and round_id not in _place(session, [round_id]):
        # Placed meanwhile by a first participant who committed after this statement's
        # snapshot (``_place`` waits for it on the round's row): counted where it put it.
        deltas = session.execute(stmt).scalars().all()
    if any(deltas):
        session.info[_PENDING] = True


def retally(session: Session, round_ids: Iterable[int]) -> set[int]:
    """Move the participants of each round whose group changed (closing month,
    department, publication) from the group they are counted in to the current one;
    the ids of the rounds moved."""
    return _place(session, round_ids)


def _place(session: Session, round_ids: Iterable[int]) -> set[int]:
    """Place each round where it counts now; the ids of the rounds moved. The rounds' rows
    are locked (in id order) before their placement is read, so two transactions never
    place one round twice: the second waits, then reads what the first committed."""
    ids = sorted(set(round_ids))
    if not ids:
        return set()
    dialect = session.get_bind().dialect.name
    rows = session.execute(
        select(Round.id, Round.tallied_department_id, Round.tallied_month,
               Consultation.department_id, Consultation.published_at.is_not(None),
               closing_month_sql(dialect))
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(Round.id.in_(ids)).order_by(Round.id)
        # NO KEY UPDATE, as an UPDATE of the row takes: it does not wait for the key-share
        # locks that every row inserted with a foreign key to the round holds.
        .with_for_update(of=Round, key_share=True)).all()
    moved = set()
    for round_id, was_dept, was_month, dept, published, month in rows:
        before = (was_dept, was_month) if was_dept is not None else None
        after = (dept, month) if published else None
        if before == after:
            continue
        if before is not None:
            _leave(session, round_id, *before)
        if after is not None:
            _join(session, round_id, *after)
        session.execute(update(Round).where(Round.id == round_id).values(
            tallied_department_id=after[0] if after else None,
            tallied_month=after[1] if after else None)
            .execution_options(synchronize_session=False))
        moved.add(round_id)
    return moved


def _of_round(round_id: int):
    return select(RoundParticipant.user_id).where(RoundParticipant.round_id == round_id)


def _join(session: Session, round_id: int, department_id: int, month: str) -> None:
    r = ParticipantReach
    for d, m in _levels(department_id, month):
        session.execute(_upsert(upsert_insert(r).from_select(
            ["department_id", "month", "user_id", "rounds", "delta"],
            select(literal(d, Integer), literal(m, String), RoundParticipant.user_id,
                   literal(1, Integer), literal(1, Integer))
            .where(RoundParticipant.round_id == round_id))))
    session.info[_PENDING] = True


def _leave(session: Session, round_id: int, department_id: int, month: str) -> None:
    r = ParticipantReach
    for d, m in _levels(department_id, month):
        mine = (r.department_id == d, r.month == m, r.user_id.in_(_of_round(round_id)))
        session.execute(
            update(r).where(*mine)
            .values(rounds=r.rounds - 1, delta=r.delta - case((r.rounds == 1, 1), else_=0))
            .execution_options(synchronize_session=False))
        # Counted and gone in this same transaction: nothing for the counter.
        session.execute(delete(r).where(*mine, r.rounds == 0, r.delta == 0)
                        .execution_options(synchronize_session=False))
    session.info[_PENDING] = session.info[_GONE] = True


# ---------------------------------------------------------------- the counters

def settle(session: Session | None = None) -> None:
    """Bring the counters up to date with this transaction's participants (at commit,
    and before the counters are read in the same transaction): two statements, over
    the rows this transaction changed only."""
    session = session or db.session()
    session.flush()  # a change of a round's group still in the ORM is collected
    if not (session.info.get(_RETALLY) or session.info.get(_PENDING)):
        return
    retally(session, session.info.pop(_RETALLY, ()))
    if not session.info.pop(_PENDING, False):
        return
    r, t = ParticipantReach, ParticipantTally
    unsettled = r.delta != 0
    stmt = upsert_insert(t).from_select(
        ["department_id", "month", "participants"],
        select(r.department_id, r.month, func.sum(r.delta)).where(unsettled)
        .group_by(r.department_id, r.month).having(func.sum(r.delta) != 0)
        .order_by(r.department_id, r.month))  # counters locked in key order
    session.execute(stmt.on_conflict_do_update(
        index_elements=[t.department_id, t.month],
        set_={"participants": t.participants + stmt.excluded.participants}))
    if session.info.pop(_GONE, False):
        session.execute(delete(r).where(unsettled, r.rounds == 0)
                        .execution_options(synchronize_session=False))
    session.execute(update(r).where(unsettled).values(delta=0)
                    .execution_options(synchronize_session=False))


def tallies(*, by: str, department_id: int | None = None) -> dict:
    """Distinct participants of the rounds of published consultations: per department
    (``by="department"``) or per closing month (``by="month"``), of every department or
    of one; the keys with none are left out."""
    settle()
    t = ParticipantTally
    if by == "department":
        stmt = select(t.department_id, t.participants).where(
            t.month == EVERY_MONTH,
            t.department_id == department_id if department_id is not None
            else t.department_id != EVERY_DEPARTMENT)
    elif by == "month":
        stmt = select(t.month, t.participants).where(
            t.month != EVERY_MONTH,
            t.department_id == (EVERY_DEPARTMENT if department_id is None else department_id))
    else:
        raise ValueError(by)
    return dict(db.session.execute(stmt.where(t.participants > 0)).all())


def rebuild(session: Session | None = None) -> None:
    """Count every group again from the participant rows (bulk-loaded data, repairs):
    the same figures the transactions keep, written at once."""
    session = session or db.session()
    dialect = session.get_bind().dialect.name
    session.execute(delete(ParticipantTally))
    session.execute(delete(ParticipantReach))
    session.execute(update(Round).values(tallied_department_id=None, tallied_month=None)
                    .execution_options(synchronize_session=False))
    placed = (select(Round.id.label("round_id"),
                     Consultation.department_id.label("department_id"),
                     closing_month_sql(dialect).label("month"))
              .join(Consultation, Consultation.id == Round.consultation_id)
              .where(Consultation.published_at.is_not(None),
                     select(RoundParticipant.user_id)
                     .where(RoundParticipant.round_id == Round.id).exists())).subquery()
    session.execute(update(Round).where(Round.id.in_(select(placed.c.round_id))).values(
        tallied_department_id=select(Consultation.department_id)
        .where(Consultation.id == Round.consultation_id).scalar_subquery(),
        tallied_month=closing_month_sql(dialect))
        .execution_options(synchronize_session=False))
    every_dept, every_month = literal(EVERY_DEPARTMENT, Integer), literal(EVERY_MONTH, String)
    levels = [(every_dept, placed.c.month, [placed.c.month]),
              (placed.c.department_id, every_month, [placed.c.department_id]),
              (placed.c.department_id, placed.c.month, [placed.c.department_id, placed.c.month])]
    cols = ["department_id", "month", "user_id", "rounds", "delta"]
    for dept, month, by in levels:
        session.execute(ParticipantReach.__table__.insert().from_select(cols, select(
            dept, month, RoundParticipant.user_id, func.count(), literal(0, Integer))
            .select_from(RoundParticipant)
            .join(placed, placed.c.round_id == RoundParticipant.round_id)
            .group_by(*by, RoundParticipant.user_id)))
    r = ParticipantReach
    session.execute(ParticipantTally.__table__.insert().from_select(
        ["department_id", "month", "participants"],
        select(r.department_id, r.month, func.count()).group_by(r.department_id, r.month)))
    for key in (_RETALLY, _PENDING, _GONE):
        session.info.pop(key, None)


# ---------------------------------------------------------------- session events

def collect_moves(session: Session, flush_context, instances) -> None:
    """Before a flush: the rounds whose group the ORM changes (dates, a consultation's
    department or publication), moved when the counters are settled."""
    found: set[int] = set()
    for obj in session.dirty:
        if isinstance(obj, Round):
            attrs = inspect(obj).attrs
            if attrs.closes_at.history.has_changes() or attrs.closed_at.history.has_changes():
                found.add(obj.id)
        elif isinstance(obj, Consultation):
            attrs = inspect(obj).attrs
            if (attrs.department_id.history.has_changes()
                    or attrs.published_at.history.has_changes()):
                with session.no_autoflush:
                    found.update(session.scalars(
                        select(Round.id).where(Round.consultation_id == obj.id)))
    if found:
        session.info.setdefault(_RETALLY, set()).update(found)


def forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for key in (_RETALLY, _PENDING, _GONE):
            session.info.pop(key, None)
