"""The counts of a round's comments kept as the comments change (``CommentTally``), so
that no request counts a round's comments again: the comments page's counts per clause
and stance, and its list's total under any filter, are read from a few rows.

Each comment counts once in the row of its round, clause, stance, status and depth; a
top-level comment awaiting review counts again in a row of its author's (only they see it
listed, see ``services.comments.comment_tallies``).

The ORM's changes are followed, whatever service makes them (a post, an edit of its
stance, a withdrawal, a moderator's decision, an offline opinion entered, a deletion):

- before each flush, the rows as they are in the database of the comments the flush
  deletes or changes in a counted column (``_COUNTED``), read in one statement;
- after it, the comments as they are now: each one leaves the count of its old row and
  joins its new one (``session.info``, per transaction);
- when the transaction commits, the rows move, in key order, after every lock the
  transaction took on a round's row (its counters and the page cache's versions are
  there): a comment and a moderator's decision in one round never wait on each other in
  opposite orders. The round's ``tally_version`` moves with its other versions
  (pagecache.touch_rounds): the comments page keeps what it read of the counts under it
  (an edit of a comment's text moves none). A savepoint rolled back takes its moves
  with it.

The rows move at commit: a transaction that changes comments and then reads the counts
before it commits reads them as they were (the pages read them after the change's
commit). Rows loaded in bulk, around the ORM (the bench's data), are counted again by
``rebuild``, and so must be a change of a counted column made in SQL (none is today); the
tests check every test's rows against a recount (tests/oracles.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    delete,
    func,
    inspect,
    literal,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.orm import Session, SessionTransaction

from consult import pagecache
from consult.db import upsert_insert
from consult.participation.models import Comment, CommentTally, ContentStatus
from consult.rounds.models import Round

# The columns a comment's rows depend on, in the order ``_rows`` reads them.
_COUNTED = ("round_id", "clause_id", "stance", "status", "depth", "author_id")
_OLD, _MOVES = "comment_tally_old", "comment_tally_moves"  # session.info
_HELD = ContentStatus.HELD.value


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)  # an enum as stored


def _rows(values: Iterable[Any]) -> list[tuple]:
    """The keys of the rows a comment with these ``_COUNTED`` values counts in."""
    round_id, clause_id, stance, status, depth, author_id = map(_plain, values)
    every = (round_id, clause_id or 0, stance or "", status, depth, 0)
    if status == _HELD and depth == 0 and author_id is not None:
        return [every, (*every[:5], author_id)]
    return [every]


def before_flush(session: Session, flush_context, instances) -> None:
    """The counted rows, as the database has them, of the comments this flush deletes or
    changes in a counted column."""
    ids = [obj.id for obj in session.deleted if isinstance(obj, Comment)]
    for obj in session.dirty:
        if isinstance(obj, Comment) and obj.id is not None:
            attrs = inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in _COUNTED):
                ids.append(obj.id)
    if not ids:
        return
    columns = [getattr(Comment, name) for name in _COUNTED]
    with session.no_autoflush:
        old = {row[0]: tuple(row[1:]) for row in session.execute(
            select(Comment.id, *columns).where(Comment.id.in_(ids)))}
    session.info.setdefault(_OLD, {}).update(old)


def after_flush(session: Session, flush_context) -> None:
    """Each comment of the flush leaves its old rows and joins its new ones."""
    old: dict[int, tuple] = session.info.pop(_OLD, {})
    moves: Counter = Counter()
    for values in old.values():
        for key in _rows(values):
            moves[key] -= 1
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Comment)}
    changed = [obj for obj in session.dirty
               if isinstance(obj, Comment) and obj.id in old and obj.id not in deleted]
    for obj in (*(o for o in session.new if isinstance(o, Comment)), *changed):
        for key in _rows(getattr(obj, name) for name in _COUNTED):
            moves[key] += 1
    moves = Counter({key: n for key, n in moves.items() if n})
    if moves:
        # the rounds' tally versions move with their other versions, in one statement
        pagecache.touch_rounds(session, {key[0] for key in moves}, tallies=True)
        # (with the savepoint it was made in, if any: see ``after_soft_rollback``)
        session.info.setdefault(_MOVES, []).append((session.get_nested_transaction(), moves))


def after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """A rolled-back transaction's moves go with it (a savepoint's: only its own)."""
    if previous_transaction.parent is None:
        session.info.pop(_MOVES, None)
        session.info.pop(_OLD, None)
        return
    kept = session.info.get(_MOVES)
    if kept:
        session.info[_MOVES] = [(t, m) for t, m in kept
                                if not _within(t, previous_transaction)]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def before_commit(session: Session) -> None:
    """Move the rows by what the transaction's flushes found, in key order (after the
    page cache's versions: see the module)."""
    session.flush()
    kept = session.info.pop(_MOVES, None)
    if not kept:
        return
    total: Counter = Counter()
    for _transaction, moves in kept:
        total.update(moves)
    rows = [dict(zip(("round_id", "clause_id", "stance", "status", "depth", "held_by", "n"),
                     (*key, n), strict=True))
            for key, n in sorted(total.items()) if n]
    if not rows:
        return
    t = CommentTally
    stmt = upsert_insert(t)
    session.execute(stmt.values(rows).on_conflict_do_update(
        index_elements=[t.round_id, t.clause_id, t.stance, t.status, t.depth, t.held_by],
        set_={"n": t.n + stmt.excluded.n}))


def counted_statement():
    """(round, clause or 0, stance or "", status, depth, author or 0, n): every comment's
    rows counted from the comments themselves (``rebuild``; the tests' recount)."""
    stance = func.coalesce(type_coerce(Comment.stance, String), "")
    status = type_coerce(Comment.status, String)
    every = (select(Comment.round_id, func.coalesce(Comment.clause_id, 0), stance, status,
                    Comment.depth, literal(0, Integer), func.count())
             .group_by(Comment.round_id, Comment.clause_id, Comment.stance, Comment.status,
                       Comment.depth))
    held = (select(Comment.round_id, func.coalesce(Comment.clause_id, 0), stance, status,
                   Comment.depth, Comment.author_id, func.count())
            .where(Comment.status == ContentStatus.HELD, Comment.depth == 0,
                   Comment.author_id.is_not(None))
            .group_by(Comment.round_id, Comment.clause_id, Comment.stance, Comment.status,
                      Comment.depth, Comment.author_id))
    return union_all(every, held)


def rebuild(session: Session) -> None:
    """Count every round's comments again (data loaded in bulk, a repair): the rows the
    transactions keep, written at once."""
    session.execute(delete(CommentTally))
    session.execute(CommentTally.__table__.insert().from_select(
        ["round_id", "clause_id", "stance", "status", "depth", "held_by", "n"],
        counted_statement()))
    session.execute(update(Round).values(tally_version=Round.tally_version + 1)
                    .execution_options(synchronize_session=False))
    session.info.pop(_MOVES, None)


