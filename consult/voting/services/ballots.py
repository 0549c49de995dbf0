"""Ballots: a stance on the draft and answers to the poll, one per user per round, cast and
changed while the round is open.

Tallies are counters kept in SQL in the ballot's own transaction: a new ballot increments
its stance and options; a changed ballot decrements the old ones and increments the new
ones. A ballot holds the round's state shared (``lifecycle.hold_state``: an advisory lock
on PostgreSQL) while it checks that the round is open and until it commits; closing the
round takes it exclusive, so no ballot lands after the close, and ballots do not wait
for each other there. They meet only on the rows every ballot of the round changes (the
round's counters, its tally, the poll counters), which each ballot updates last, with
one atomic ``UPDATE ... SET n = n + 1`` per table, in one fixed order (round, tally,
questions, options, each by id), just before its commit: no deadlocks, and the time a
ballot holds those rows is a few statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    bindparam,
    exists,
    false,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db, upsert_insert
from consult.errors import ValidationFailed
from consult.questionnaires import services as questionnaires
from consult.questionnaires.models import Purpose, QuestionnaireQuestion
from consult.questionnaires.services import Answers, Counts
from consult.rounds import lifecycle, participants
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundParticipant
from consult.security.permissions import authorize
from consult.voting.models import REASON_MAX, Ballot, Stance, VoteTally
from consult.voting.services._common import require_vote
from consult.voting.services.poll import list_questions

POLL = Purpose.POLL


def get_ballot(user: Any, round_: Round) -> Ballot | None:
    """The user's ballot in the round with its choices, or None (two queries at most)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Ballot).where(Ballot.round_id == round_.id, Ballot.user_id == user.id)
        .options(selectinload(Ballot.choices))
        .execution_options(populate_existing=True))


def answers_of(ballot: Ballot | None) -> Answers:
    """The ballot's answers to the poll (its choices loaded), empty without a ballot."""
    return Answers.of(ballot.choices) if ballot is not None else Answers()


# ---------------------------------------------------------------- checking

def _clean_stance(stance: Any) -> Stance:
    try:
        return Stance(stance)
    except ValueError:
        raise ValidationFailed(_l("Choose your stance on the draft."), field="stance") from None


def _clean_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_l("The reason can have at most %(max)d characters.",
                                  max=REASON_MAX), field="reason")
    return reason or None


def clean_answers(questions: list[QuestionnaireQuestion],
                  answers: Mapping[Any, Iterable[Any]] | None) -> Answers:
    """The poll answers checked against the round's questions (see
    ``questionnaires.clean_answers``); unanswered questions are left out."""
    return questionnaires.clean_answers(POLL, questions, answers)


# ---------------------------------------------------------------- casting

def cast_ballot(actor: Actor, round_: Round, *, stance: Any, reason: str | None = None,
                answers: Mapping[Any, Iterable[Any]] | None = None,
                questions: list[QuestionnaireQuestion] | None = None,
                reread: bool = True) -> Ballot | int:
    """Cast or change ``actor``'s ballot: one per user per round, whatever the races.

    ``questions`` are the round's poll questions when the caller has read them already
    (the vote page): they cannot change once the round is open. ``reread=False``
    returns only the ballot's id, for a caller that shows nothing of it (a redirect)."""
    authorize(actor, "voting.vote", round_)
    require_vote(round_)
    round_ = lifecycle.hold_state(round_)
    lifecycle.require(round_, RoundState.OPEN)
    stance, reason = _clean_stance(stance), _clean_reason(reason)
    if questions is None:
        questions = list_questions(round_)
    chosen = clean_answers(questions, answers)
    return record_ballot(round_.id, actor.id, stance=stance, reason=reason, answers=chosen,
                         polled=bool(questions), participant=True, reread=reread)


def record_ballot(round_id: int, user_id: int, *, stance: Stance, reason: str | None,
                  answers: Answers | None = None, at: datetime | None = None,
                  polled: bool = True, participant: bool = False,
                  reread: bool = True) -> Ballot | int:
    """Upsert the ballot and move the counters; checks are the caller's (cast_ballot,
    or the demo seed writing history). Must run inside the caller's transaction.

    ``polled=False`` says the round has no poll question (so no choices to read back);
    ``participant=True`` also records the voter as a participant of the round. The rows
    shared by every ballot of the round are updated last (see the module's docstring)."""
    at = at or now()
    if db.session.get_bind().dialect.name == "postgresql":
        ballot_id, old_stance, joined = _write_ballot_pg(
            round_id, user_id, stance=stance, reason=reason, at=at, participant=participant)
        inserted = old_stance is None
        if joined:
            participants.joined(round_id, user_id)
    else:
        ballot_id, old_stance = _upsert_ballot(round_id, user_id, stance=stance,
                                               reason=reason, at=at)
        inserted = old_stance is None
        # A changed ballot's voter was recorded as a participant with their first ballot.
        joined = participant and inserted and participants.mark(round_id, user_id,
                                                                count=False)
    counts = _save_answers(ballot_id, answers or Answers(), inserted=inserted, polled=polled)
    ballot: Ballot | int = _read_ballot(ballot_id) if reread else ballot_id
    _move_shared_counters(round_id, inserted=inserted, joined=joined, stance=stance,
                          old_stance=old_stance, counts=counts)
    return ballot


_BALLOT = Ballot.__table__


def _lock_ballot(round_id: int, user_id: int):
    """(id, stance) of the user's ballot, locked until commit; None when there is none."""
    return db.session.execute(_LOCK_BALLOT, {"round_id": round_id,
                                             "user_id": user_id}).one_or_none()


_LOCK_BALLOT = (select(_BALLOT.c.id, _BALLOT.c.stance)
                .where(_BALLOT.c.round_id == bindparam("round_id"),
                       _BALLOT.c.user_id == bindparam("user_id"))
                .with_for_update())


def _upsert_ballot(round_id: int, user_id: int, *, stance: Stance, reason: str | None,
                   at: datetime) -> tuple[int, Stance | None]:
    """(ballot id, its stance before: None for a new ballot), the row written and locked
    (SQLite; PostgreSQL does it in one statement: ``_write_ballot_pg``)."""
    found = _lock_ballot(round_id, user_id)
    if found is None:
        # RETURNING, not rowcount: psycopg reports -1 rows for ON CONFLICT DO NOTHING.
        ballot_id = db.session.execute(
            upsert_insert(_BALLOT)
            .values(round_id=round_id, user_id=user_id, stance=stance, reason=reason,
                    created_at=at, updated_at=at)
            .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
            .returning(_BALLOT.c.id)).scalar_one_or_none()
        if ballot_id is not None:
            return ballot_id, None
        found = _lock_ballot(round_id, user_id)  # a twin request inserted it and committed
    ballot_id, old_stance = found
    db.session.execute(update(_BALLOT).where(_BALLOT.c.id == ballot_id)
                       .values(stance=stance, reason=reason, updated_at=at))
    return ballot_id, old_stance


def _write_ballot_pg(round_id: int, user_id: int, *, stance: Stance, reason: str | None,
                     at: datetime, participant: bool) -> tuple[int, Stance | None, bool]:
    """(ballot id, its stance before: None for a new ballot, whether the voter was recorded
    as a participant just now): the ballot locked and changed, or inserted (with the
    participant row), in one round trip. A twin request that inserted the same ballot
    after this statement's snapshot makes the insert do nothing once it has committed:
    the statement then runs again and finds it."""
    params = {"ballot_round": round_id, "voter": user_id, "new_stance": stance,
              "new_reason": reason, "at": at}
    statement = _ballot_statement_pg(participant)
    for _ in range(3):
        row = db.session.execute(statement, params).one_or_none()
        if row is not None:
            return row.id, row.old_stance, bool(row.joined)
    raise RuntimeError("the ballot was neither changed nor inserted")  # pragma: no cover


@cache
def _ballot_statement_pg(participant: bool):
    """PostgreSQL only. WITH old (the voter's ballot, locked), changed (it, updated:
    returns the stance it had), new (inserted when there is none) [, joined (the
    participant row, with a new ballot)] SELECT the one row of changed or new."""
    b = _BALLOT
    # Not named after a column of the tables written: that would also set the column.
    round_id = bindparam("ballot_round", type_=Integer)
    user_id = bindparam("voter", type_=Integer)
    new_stance = bindparam("new_stance", type_=b.c.stance.type)
    new_reason = bindparam("new_reason", type_=b.c.reason.type)
    at = bindparam("at", type_=b.c.created_at.type)
    old = (select(b.c.id, b.c.stance).where(b.c.round_id == round_id, b.c.user_id == user_id)
           .with_for_update().cte("old"))
    changed = (update(b).where(b.c.id == old.c.id)
               .values(stance=new_stance, reason=new_reason, updated_at=at)
               .returning(b.c.id, old.c.stance.label("old_stance")).cte("changed"))
    new = (upsert_insert(b).from_select(
        ["round_id", "user_id", "stance", "reason", "created_at", "updated_at"],
        select(round_id, user_id, new_stance, new_reason, at, at)
        .where(~exists(select(old.c.id))))
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
        .returning(b.c.id).cte("new"))
    if participant:
        p = RoundParticipant.__table__
        joined_cte = (upsert_insert(p).from_select(
            ["round_id", "user_id", "first_at"],
            select(round_id, user_id, at).select_from(new))
            .on_conflict_do_nothing().returning(p.c.round_id).cte("joined"))
        joined = exists(select(joined_cte.c.round_id))
    else:
        joined = false()
    return select(changed.c.id, changed.c.old_stance, false().label("joined")).union_all(
        select(new.c.id, null().label("old_stance"), joined.label("joined")))


def _save_answers(ballot_id: int, answers: Answers, *, inserted: bool,
                  polled: bool) -> Counts:
    """The ballot's poll answers written (its own rows); the counters to move."""
    if not polled:
        return Counts()
    return questionnaires.save_answers(POLL, ballot_id, answers,
                                       before=Answers() if inserted else None)


def _read_ballot(ballot_id: int) -> Ballot:
    return db.session.execute(
        select(Ballot).where(Ballot.id == ballot_id).options(joinedload(Ballot.choices))
        .execution_options(populate_existing=True)).unique().scalar_one()


def _move_shared_counters(round_id: int, *, inserted: bool, joined: bool, stance: Stance,
                          old_stance: Stance | None, counts: Counts) -> None:
    """The rows every ballot of the round changes, last and in a fixed order: the round,
    its tally, the poll's questions and options."""
    if inserted or old_stance != stance:
        dialect = db.session.get_bind().dialect.name
        for statement in _counter_statements(dialect, inserted, joined, stance, old_stance):
            db.session.execute(statement, {"counted_round": round_id})
    questionnaires.move_counts(counts)


@cache
def _counter_statements(dialect: str, inserted: bool, joined: bool, stance: Stance,
                        old_stance: Stance | None) -> tuple:
    """The statements that move the round's counters and its tally, built once per case.
    A new ballot's round and tally go in one statement on PostgreSQL: the tally's row is
    written from the round's updated one, so the round's row is always taken first."""
    r, t = Round.__table__, VoteTally.__table__
    round_id = bindparam("counted_round", type_=Integer)  # not a written column's name
    if not inserted:  # a changed stance: the tally only
        values = {stance.value: t.c[stance.value] + 1}
        if old_stance is not None:
            values[old_stance.value] = t.c[old_stance.value] - 1
        return (update(t).where(t.c.round_id == round_id).values(values),)
    round_counts = {"ballot_count": r.c.ballot_count + 1}
    if joined:
        round_counts["participant_count"] = r.c.participant_count + 1
    bump_round = update(r).where(r.c.id == round_id).values(round_counts)
    # The round's first ballot creates the tally: an upsert, one round trip.
    insert = upsert_insert(t)  # the session's dialect: ``dialect``
    if dialect == "postgresql":
        bumped = bump_round.returning(r.c.id).cte("bumped")
        tally = insert.from_select(  # every column named: no client-side defaults
            ["round_id", *(s.value for s in Stance)],
            select(bumped.c.id, *(literal(int(s is stance)) for s in Stance)))
    else:
        tally = insert.values({"round_id": round_id, stance.value: 1})
    tally = tally.on_conflict_do_update(index_elements=["round_id"], set_={
        stance.value: t.c[stance.value] + 1})
    return (tally,) if dialect == "postgresql" else (bump_round, tally)
