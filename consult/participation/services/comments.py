"""Comments on a round's draft: post, reply, edit, withdraw, support; and the reads."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit, pagecache, signals
from consult.accounts.models import Actor, User
from consult.clock import now
from consult.consultations.models import Clause
from consult.db import db
from consult.errors import (
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from consult.participation.models import (
    MAX_DEPTH,
    VISIBLE,
    Comment,
    CommentStance,
    CommentSupport,
    CommentTally,
    ContentStatus,
    new_receipt_code,
    shown_to,
    shown_to_bound,
)
from consult.participation.services._common import (
    COMMENT_MAX,
    DUPLICATE_SECONDS,
    PROPOSAL_MAX,
    require_open,
    require_participant,
    set_support,
)
from consult.rounds import participants
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.security.input import clean_text
from consult.security.params import parse_int
from consult.web import Page, keyset_paginate

SORTS = ("newest", "supported", "clause")
STANCES = tuple(s.value for s in CommentStance)


def parse_stance(value: Any) -> CommentStance | None:
    """A stance from a form or a query string; None for none; 422 for anything else."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        return CommentStance(text)
    except ValueError:
        raise ValidationFailed(_l("Choose one of the stances offered, or none."),
                               field="stance") from None


def edit_window() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("COMMENT_EDIT_MINUTES", 15)))


def can_still_edit(comment: Comment) -> bool:
    return comment.is_visible and now() < comment.created_at + edit_window()


# ---------------------------------------------------------------- reads

def get_comment(actor: Actor, comment_id: int) -> Comment:
    """A comment with its author, clause and round (consultation, version) loaded;
    404 if unknown or in a consultation the actor may not see."""
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id).options(
            joinedload(Comment.author), joinedload(Comment.clause)))
    if comment is None:
        raise NotFound(_l("There is no such comment."))
    set_committed_value(comment, "round", get_round(actor, comment.round_id))
    return comment


def clause_of(round_: Round, value: Any) -> Clause | None:
    """Resolve ``?clause=`` (a clause id, or else a clause lineage id) within the round's
    version; None when it names no clause of it."""
    number = parse_int(value, low=1)
    if number is None:
        return None
    clauses = db.session.scalars(
        select(Clause).where(Clause.version_id == round_.version_id,
                             (Clause.id == number) | (Clause.lineage_id == number))
    ).all()
    by_id = [c for c in clauses if c.id == number]
    return (by_id or clauses or [None])[0]


def version_clauses(round_: Round) -> list[Clause]:
    return list(db.session.scalars(
        select(Clause).where(Clause.version_id == round_.version_id).order_by(Clause.position)))


# A clause as a comments page reads it: each column an attribute, as on a ``Clause``.
ClauseRow = namedtuple("ClauseRow", [column.key for column in Clause.__table__.columns])


def clause_rows(round_: Round) -> list[ClauseRow]:
    """The clauses of the round's draft as read-only rows, without building an ORM object
    per clause of a long draft on every rendering of the list. A published version is
    never edited, so they are kept in the page cache by the round (its id and creation
    time: a database rebuilt under the same name is told apart) and its version, for an
    hour: the comments page reads none on a miss."""
    def read() -> list[ClauseRow]:
        return [ClauseRow(*row) for row in db.session.execute(
            select(*Clause.__table__.columns).where(Clause.version_id == round_.version_id)
            .order_by(Clause.position))]

    return pagecache.fragment(
        "participation/clause-rows",
        (*pagecache.round_place(round_), round_.version_id), read,
        timeout=3600)


def clause_comment_counts(round_: Round | int) -> dict[int, int]:
    """{clause id: number of visible comments and replies on it} (for the comments page
    and the draft's margin on the consultation page), from the kept counts."""
    return comment_tallies(None, round_).counts


def stance_counts(round_: Round | int) -> dict[int | None, dict[CommentStance, int]]:
    """{clause id (None: the whole draft): {stance: visible comments stating it}}, for the
    clause index and the stance filter, from the kept counts."""
    return comment_tallies(None, round_).stances


def top_proposals(round_: Round, *, per_clause: int = 3) -> dict[int, list[Comment]]:
    """{clause id: the most supported proposed wordings on it}, for officials' triage:
    one query (a window function ranks the proposals within each clause)."""
    rank = func.row_number().over(
        partition_by=Comment.clause_id,
        order_by=(Comment.support_count.desc(), Comment.created_at, Comment.id)).label("rank")
    ranked = (select(Comment.id, rank)
              .where(Comment.round_id == round_.id, Comment.clause_id.is_not(None),
                     Comment.proposed_text.is_not(None), Comment.status.in_(VISIBLE))
              .subquery())
    rows = db.session.scalars(
        select(Comment).join(ranked, ranked.c.id == Comment.id)
        .where(ranked.c.rank <= per_clause)
        .options(joinedload(Comment.author))
        .order_by(Comment.clause_id, ranked.c.rank))
    out: dict[int, list[Comment]] = {}
    for comment in rows:
        out.setdefault(comment.clause_id, []).append(comment)
    return out


@dataclass
class CommentsView:
    page: Page
    clauses: list[ClauseRow]
    counts: dict[int, int]
    sort: str
    clause: Clause | None
    stance: CommentStance | None = None
    stances: dict[int | None, dict[CommentStance, int]] = field(default_factory=dict)
    children: dict[int, list[Comment]] = field(default_factory=dict)
    by_id: dict[int, Comment] = field(default_factory=dict)
    supported: set[int] = field(default_factory=set)

    @property
    def clause_by_id(self) -> dict[int, Clause]:
        return {c.id: c for c in self.clauses}

    @property
    def stance_totals(self) -> dict[CommentStance, int]:
        """The stances stated on the clause shown, or on the whole round."""
        if self.clause is not None:
            return dict(self.stances.get(self.clause.id, {}))
        totals: dict[CommentStance, int] = {}
        for by_stance in self.stances.values():
            for stance, count in by_stance.items():
                totals[stance] = totals.get(stance, 0) + count
        return totals

    @property
    def whole_draft_total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Tallies:
    """What ``comment_tallies`` counts (see there)."""

    counts: dict[int, int] = field(default_factory=dict)  # as clause_comment_counts
    stances: dict[int | None, dict[CommentStance, int]] = field(default_factory=dict)
    # {(clause id, stance): top-level comments the viewer may see}
    listed: dict[tuple[int | None, CommentStance | None], int] = field(default_factory=dict)

    def total(self, clause: Clause | None, stance: CommentStance | None) -> int:
        """The top-level comments the viewer may see on ``clause`` stating ``stance``
        (None: any)."""
        return sum(n for (clause_id, said), n in self.listed.items()
                   if (clause is None or clause_id == clause.id)
                   and (stance is None or said == stance))


def comment_tallies(viewer: Any, round_: Round | int) -> Tallies:
    """Every count the comments page shows: per clause, per stance, and the top-level
    comments ``viewer`` may see (``shown_to``) by clause and stance, from which the list's
    total under any filter follows; read from the round's kept counts
    (consult.participation.tallies: a few rows, whatever the number of comments)."""
    if isinstance(round_, int):
        rows = _tally_rows(round_)
    else:  # kept under the round's tally version: an edit of a comment's text moves none
        rows = pagecache.fragment("participation/comment-tallies",
                                  pagecache.round_place(round_),
                                  lambda: _tally_rows(round_.id), version=round_.tally_version)
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    tallies = Tallies()
    for clause_id, stance, status, depth, held_by, count in rows:
        clause_id = clause_id or None
        stance = CommentStance(stance) if stance else None
        if held_by:
            # The author's own comment awaiting review: listed for them only (``shown_to``;
            # counted as held in the rows of every comment).
            if held_by == viewer_id:
                key = (clause_id, stance)
                tallies.listed[key] = tallies.listed.get(key, 0) + count
            continue
        status = ContentStatus(status)
        if status in VISIBLE:
            if clause_id is not None:
                tallies.counts[clause_id] = tallies.counts.get(clause_id, 0) + count
            if stance is not None:
                by_stance = tallies.stances.setdefault(clause_id, {})
                by_stance[stance] = by_stance.get(stance, 0) + count
        if depth == 0 and status != ContentStatus.HELD:
            key = (clause_id, stance)
            tallies.listed[key] = tallies.listed.get(key, 0) + count
    return tallies


@cache
def _tally_statement():
    """``_tally_rows``' statement, built once per process."""
    t = CommentTally
    return (select(t.clause_id, t.stance, t.status, t.depth, t.held_by, t.n)
            .where(t.round_id == bindparam("round_id"), t.n > 0))


def _tally_rows(round_id: int) -> list[tuple]:
    """The kept counts of a round's comments, as plain values (they are kept in the page
    cache)."""
    return [tuple(row) for row in db.session.execute(_tally_statement(),
                                                     {"round_id": round_id})]


def sort_of(asked: str | None) -> str:
    """The order a list is asked in (``sort``), the default for an unknown one."""
    return asked if asked in SORTS else "newest"


def list_comments(viewer: Any, round_: Round, *, sort: str = "newest",
                  clause: Clause | None = None, page: int = 1,
                  per_page: int = 20, cursor: str | None = None,
                  stance: str | None = None) -> CommentsView:
    """A page of threads: top-level comments (sorted, filtered) with all their replies,
    in a constant number of queries whatever the number of comments (the round's clauses,
    its counts, the page, the replies, the viewer's supports when logged in). Pages
    followed from the first by their links are read by key (``cursor``), not by OFFSET."""
    sort = sort_of(sort)
    chosen = CommentStance(stance) if stance in STANCES else None
    clauses = clause_rows(round_)
    tallies = comment_tallies(viewer, round_)
    stmt, key_types = _threads_statement(sort, clause is not None, chosen is not None)
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    params = {"round_id": round_.id, "viewer_id": viewer_id}
    if clause is not None:
        params["clause_id"] = clause.id
    if chosen is not None:
        params["stance"] = chosen
    result = keyset_paginate(stmt, params=params, page=page, per_page=per_page,
                             cursor=cursor, key_types=key_types,
                             total=tallies.total(clause, chosen))
    view = CommentsView(page=result, clauses=clauses, counts=tallies.counts, sort=sort,
                        clause=clause, stance=chosen, stances=tallies.stances)
    thread_ids = [c.id for c in result.items]
    everything = list(result.items)
    if thread_ids:
        replies = db.session.scalars(_replies_statement(),
                                     {"ids": thread_ids, "viewer_id": viewer_id})
        for reply in replies:
            view.children.setdefault(reply.parent_id, []).append(reply)
            everything.append(reply)
    view.by_id = {c.id: c for c in everything}
    view.supported = supported_ids(viewer, list(view.by_id))
    return view


def _authors():
    """A list shows only its authors' names: the rest of each author's row (a dozen
    columns, times among them, each converted) is neither read nor loaded later."""
    return (joinedload(Comment.author).load_only(User.display_name, raiseload=True)
            .raiseload(User.roles))


@cache
def _threads_statement(sort: str, on_clause: bool, with_stance: bool):
    """The top-level comments of a round in the list's ``sort``, on one clause and
    stating one stance when asked, that the reader may see; and the Python types of its
    ORDER BY columns (the pages' bookmarks). Built once per process for each kind of list
    (every reading of a list that is not kept runs one): the round, the reader, the clause
    and the stance are bound when it runs."""
    stmt = (select(Comment).where(Comment.round_id == bindparam("round_id"),
                                  Comment.parent_id.is_(None), shown_to_bound(Comment))
            .options(_authors()))
    if on_clause:
        stmt = stmt.where(Comment.clause_id == bindparam("clause_id"))
    if with_stance:
        stmt = stmt.where(Comment.stance == bindparam("stance"))
    if sort == "supported":
        return (stmt.order_by(Comment.support_count.desc(), Comment.created_at.desc(),
                              Comment.id.desc()), (int, datetime, int))
    if sort == "clause":  # comments on the whole draft (no clause) first
        return (stmt.outerjoin(Clause, Clause.id == Comment.clause_id)
                .order_by(func.coalesce(Clause.position, -1).label("clause_position"),
                          Comment.created_at, Comment.id), (int, datetime, int))
    return stmt.order_by(Comment.created_at.desc(), Comment.id.desc()), (datetime, int)


@cache
def _replies_statement():
    """Every reply of the threads given (``ids``) that the reader may see, oldest first;
    built once per process."""
    return (select(Comment).where(Comment.thread_id.in_(bindparam("ids", expanding=True)),
                                  Comment.parent_id.is_not(None), shown_to_bound(Comment))
            .options(_authors()).order_by(Comment.created_at, Comment.id))


def comments_stmt(viewer: Any, round_ids: list[int]):
    """Every comment of these rounds ``viewer`` may see, with its author (unordered): the
    same visibility as the comments page (``shown_to``), for the API and its export."""
    return (select(Comment).where(Comment.round_id.in_(round_ids), shown_to(Comment, viewer))
            .options(joinedload(Comment.author)))


def supported_ids(viewer: Any, comment_ids: list[int]) -> set[int]:
    if not comment_ids or not getattr(viewer, "is_authenticated", False):
        return set()
    return set(db.session.scalars(
        select(CommentSupport.comment_id).where(CommentSupport.user_id == viewer.id,
                                                CommentSupport.comment_id.in_(comment_ids))))


def thread_context(comment: Comment) -> dict[int, Comment]:
    """The comments of ``comment``'s thread by id (to name whom a reply answers)."""
    rows = db.session.scalars(
        select(Comment).where(Comment.thread_id == comment.thread_id)
        .options(joinedload(Comment.author)))
    return {c.id: c for c in rows}


# ---------------------------------------------------------------- writes

def post_comment(actor: Actor, round_: Round, *, body: str | None,
                 clause_id: int | None = None, proposed_text: str | None = None,
                 parent_id: int | None = None, stance: Any = None,
                 confidential: bool = False) -> Comment:
    """A comment on the whole draft or on a clause, or a reply (``parent_id``), with an
    optional stance on what it comments on (replies state none). A top-level comment gets
    a receipt code and may be confidential (only for the department: counted and
    answered, its text shown to no one else)."""
    require_participant(actor, "comment.post", round_)
    require_open(round_)
    body = clean_text(body, field="body", limit=COMMENT_MAX,
                      empty=_l("Write your comment before you send it."))
    target: Comment | None = None
    clause: Clause | None = None
    chosen = None if parent_id else parse_stance(stance)
    if parent_id:
        target = db.session.scalar(
            select(Comment).where(Comment.id == parent_id, Comment.round_id == round_.id))
        if target is None:
            raise ValidationFailed(_l("The comment you reply to is not part of this round."),
                                   field="parent_id")
        if not target.is_visible:
            raise InvalidState(_l("This comment was withdrawn; it takes no more replies."))
        clause_id, proposed_text = target.clause_id, None
    elif clause_id:
        clause = db.session.scalar(select(Clause).where(
            Clause.id == clause_id, Clause.version_id == round_.version_id))
        if clause is None:
            raise ValidationFailed(_l("This clause is not part of the draft of this round."),
                                   field="clause_id")
    else:
        clause_id = None
    proposal = None
    if proposed_text and proposed_text.strip():
        if clause is None:
            raise ValidationFailed(_l("Choose the clause your new wording replaces."),
                                   field="clause_id")
        proposal = clean_text(proposed_text, field="proposed_text", limit=PROPOSAL_MAX,
                              empty="", required=False)
        if proposal == clause.body.strip():
            # The box starts from the clause's text: left as it was, it proposes nothing.
            proposal = None
    _refuse_duplicate(actor, round_, body=body, parent_id=parent_id)

    comment = Comment(round_id=round_.id, author_id=actor.id, clause_id=clause_id, body=body,
                      proposed_text=proposal, stance=chosen,
                      confidential=bool(confidential) and target is None,
                      receipt_code=None if target is not None else new_receipt_code())
    if target is not None:
        if target.depth < MAX_DEPTH:
            comment.parent_id, comment.depth = target.id, target.depth + 1
        else:  # flatten: beside the deepest level, naming whom it answers
            comment.parent_id, comment.depth = target.parent_id, MAX_DEPTH
        comment.reply_to_id = target.id
        comment.thread_id = target.thread_id
    db.session.add(comment)
    db.session.flush()
    if comment.thread_id is None:
        comment.thread_id = comment.id
    db.session.execute(update(Round).where(Round.id == round_.id)
                       .values(comment_count=Round.comment_count + 1))
    if comment.parent_id is not None:
        db.session.execute(update(Comment).where(Comment.id == comment.parent_id)
                           .values(reply_count=Comment.reply_count + 1))
    participants.mark(round_.id, actor.id)
    audit.record(actor, "comment.reply" if target else "comment.post", comment,
                 round_id=round_.id, clause_id=clause_id)
    db.session.flush()
    set_committed_value(comment, "author", actor)
    set_committed_value(comment, "round", round_)
    if not comment.confidential:  # never public, so nothing for moderators to screen
        signals.content_posted.send(comment, actor=actor)  # moderation may hold it (uncounted)
    if target is None:
        signals.opinion_received.send(comment, actor=actor)  # the receipt by e-mail
    if target is not None and comment.status == ContentStatus.PUBLISHED \
            and target.author_id != comment.author_id:
        signals.comment_replied.send(comment, parent=target)
    return comment


def _refuse_duplicate(actor: Actor, round_: Round, *, body: str, parent_id: int | None) -> None:
    """A double click or a resent form must not post the same text twice."""
    since = now() - timedelta(seconds=DUPLICATE_SECONDS)
    same = db.session.scalar(
        select(Comment.id).where(
            Comment.round_id == round_.id, Comment.author_id == actor.id,
            Comment.body == body, Comment.created_at >= since,
            Comment.parent_id.is_(None) if not parent_id else Comment.reply_to_id == parent_id,
            Comment.status == ContentStatus.PUBLISHED).limit(1))
    if same is not None:
        raise Conflict(_l("You have just posted this comment; it was not posted again."),
                       field="body")


_KEEP: Any = object()


def edit_comment(actor: Actor, comment: Comment, *, body: str | None,
                 proposed_text: str | None = None, stance: Any = _KEEP) -> Comment:
    """The author corrects a comment within the edit window; it then shows "edited". A
    top-level comment's stance can change too (left out: kept as it was)."""
    if not check_author(actor, comment):
        raise PermissionDenied(_l("Only the author can edit a comment."))
    require_participant(actor, "comment.edit", comment)
    require_open(comment.round)
    if not comment.is_visible:
        raise InvalidState(_l("This comment was withdrawn and can no longer be edited."))
    if not can_still_edit(comment):
        raise InvalidState(_l("Comments can be edited only in the first %(minutes)d minutes "
                              "after posting. You can post a new comment instead.",
                              minutes=int(edit_window().total_seconds() // 60)))
    body = clean_text(body, field="body", limit=COMMENT_MAX,
                      empty=_l("Write your comment before you send it."))
    proposal = comment.proposed_text
    if comment.clause_id is not None and comment.parent_id is None:
        proposal = clean_text(proposed_text, field="proposed_text", limit=PROPOSAL_MAX,
                              empty="", required=False)
        if proposal is not None and comment.clause and proposal == comment.clause.body.strip():
            proposal = None  # the clause's own text, as the box starts: no new wording
    chosen = comment.stance
    if stance is not _KEEP and comment.parent_id is None:
        chosen = parse_stance(stance)
    if body == comment.body and proposal == comment.proposed_text and chosen == comment.stance:
        return comment
    comment.body, comment.proposed_text, comment.edited_at = body, proposal, now()
    comment.stance = chosen
    audit.record(actor, "comment.edit", comment)
    if comment.status == ContentStatus.PUBLISHED and not comment.confidential:
        # The edited text is screened like a new post: a sensitive word added by an
        # edit holds the comment (uncounted) for review, as it would have on posting.
        signals.content_posted.send(comment, actor=actor)
    return comment


def check_author(actor: Actor, comment: Comment) -> bool:
    return getattr(actor, "is_authenticated", False) and comment.author_id == actor.id


def withdraw_comment(actor: Actor, comment: Comment) -> Comment:
    """Kept and marked withdrawn; its text is never shown again, replies keep their place."""
    if not check_author(actor, comment):
        raise PermissionDenied(_l("Only the author can withdraw a comment."))
    require_participant(actor, "comment.withdraw", comment)
    require_open(comment.round)
    if comment.status == ContentStatus.WITHDRAWN:
        raise Conflict(_l("You have already withdrawn this comment."))
    if not comment.is_visible:
        raise InvalidState(_l("This comment can no longer be withdrawn."))
    comment.status, comment.withdrawn_at = ContentStatus.WITHDRAWN, now()
    db.session.execute(update(Round).where(Round.id == comment.round_id)
                       .values(comment_count=Round.comment_count - 1))
    if comment.parent_id is not None:
        db.session.execute(update(Comment).where(Comment.id == comment.parent_id)
                           .values(reply_count=Comment.reply_count - 1))
    audit.record(actor, "comment.withdraw", comment)
    return comment


def set_comment_support(actor: Actor, comment: Comment, *, supported: bool) -> bool:
    """Support (or stop supporting) a comment; one support per user by the primary key.

    The button posts the state it wants, so a double click cannot undo itself: the
    second identical request finds nothing to change and gets a Conflict (409).
    Returns the new state; ``comment.support_count`` is refreshed.
    """
    require_participant(actor, "comment.support", comment)
    if comment.author_id == actor.id:
        raise PermissionDenied(_l("You cannot support your own comment."))
    require_open(comment.round)
    if not comment.is_visible:
        raise InvalidState(_l("This comment was withdrawn; it can no longer be supported."))
    return set_support(actor, comment, CommentSupport, "comment_id", supported=supported,
                       already=_l("You already support this comment."),
                       not_yet=_l("You do not support this comment."))
