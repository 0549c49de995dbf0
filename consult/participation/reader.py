"""The comment list as every reader sees it, at the cost of one list for all.

Every reader of a round sees the same comments; only a few parts of each differ from one
reader to the next: the support button (pressed or not, offered or not, and its count),
"Flag" or "Appeal", and "Edit"/"Withdraw" on the reader's own comments. So the list is
rendered once for all of them (consult.pagecache) with those parts left as
``<!--reader:KIND:ID-->`` marks, together with the few facts of each comment that the
parts read (``Shown``). A request then reads the reader's own state and the supports each
comment has now in one small query (``reader_state``) and fills the marks: complete HTML,
no JavaScript needed. A visitor who is not logged in gets the same list, filled with the
counts alone (``support_counts``, ``VISITOR``).

The count of supports being a part filled in, the list is kept under the round's
``counts_version``, which a support does not move: the supports of a busy round, the
change it sees most, never render the list again (only a list sorted by supports is kept
under the content version, which they move).

The shared list never holds a comment awaiting review (only its author may see it): a
reader who has one in the round gets the list rendered for them alone (``state.held``).

Most readers have no part of their own on a page: they support none of its comments and
wrote none of them. Their parts then depend on nothing of theirs but what the permission
rules the parts ask say of them (``reader_kind``) and their CSRF token, so each worker
keeps the list filled for such a reader once per shared list (``Shared.stamp``: a new
rendering is a new stamp) and per kind of reader, with the token left as a mark
(``pagecache.shared_html``), and puts each reader's token in (``pagecache.personal``).
The new-comment form, the same for every reader who may post, is kept with the list the
same way.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

from cachetools import LRUCache
from flask import request
from markupsafe import Markup
from sqlalchemy import bindparam, exists, literal, or_, select, union_all

from consult.extensions import db
from consult.i18n import current_locale
from consult.pagecache import personal, shared_html
from consult.participation.models import VISIBLE, Comment, CommentSupport, ContentStatus
from consult.participation.permissions import is_participant
from consult.security.permissions import check
from consult.web import template_module

MARK = re.compile(r"<!--reader:(support|tools|own):(\d+)-->")


@dataclass(frozen=True)
class Shown:
    """What the reader's parts of one comment read of it (cached with the list)."""

    id: int
    author_id: int
    status: str
    support_count: int
    created_at: datetime
    receipt_code: str | None
    is_recorded: bool

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE


@dataclass(frozen=True)
class ReaderState:
    supported: frozenset[int]
    held: bool  # the reader has a comment awaiting review, or a confidential one, in the round
    # {comment id: its supports now}; the kept list's counts are as it was rendered, and a
    # support does not render it again (see the module)
    counts: Mapping[int, int] = field(default_factory=dict)


VISITOR = ReaderState(frozenset(), held=False)  # a visitor who is not logged in


def facts_of(comments: Any) -> dict[int, Shown]:
    return {c.id: Shown(c.id, c.author_id, c.status.value, c.support_count, c.created_at,
                        c.receipt_code, c.is_recorded)
            for c in comments}


@cache
def _counts_statement():
    """(comment id, its supports now) for the ids given, built once per process."""
    return (select(Comment.id, Comment.support_count)
            .where(Comment.id.in_(bindparam("ids", expanding=True))))


@cache
def _state_statement(with_ids: bool):
    """Built once per process (every logged-in reading of a list runs it): rows (comment
    id, its supports, whether the reader supports it) for the ids given, and (-1, 0, held)
    when the reader has a comment only they see as theirs in the round."""
    held = (select(literal(-1), literal(0), literal(True))
            .where(exists().where(Comment.round_id == bindparam("round_id"),
                                  Comment.author_id == bindparam("user_id"),
                                  or_(Comment.status == ContentStatus.HELD,
                                      Comment.confidential.is_(True)))))
    if not with_ids:
        return held
    return union_all(_counts_statement().add_columns(exists().where(
        CommentSupport.comment_id == Comment.id,
        CommentSupport.user_id == bindparam("user_id"))), held)


def reader_state(user: Any, round_id: int, comment_ids: list[int]) -> ReaderState:
    """The reader's supports among ``comment_ids``, the supports each of them has now, and
    whether the reader has a comment in the round that only they see as theirs (awaiting
    review, or confidential: its text is shown to its author only), in one statement."""
    params: dict[str, Any] = {"round_id": round_id, "user_id": user.id}
    if comment_ids:
        params["ids"] = comment_ids
    supported, counts, held = set(), {}, False
    for cid, count, theirs in db.session.execute(_state_statement(bool(comment_ids)),
                                                 params):
        if cid == -1:
            held = True
            continue
        counts[cid] = count
        if theirs:
            supported.add(cid)
    return ReaderState(supported=frozenset(supported), held=held, counts=counts)


def support_counts(comment_ids: list[int]) -> dict[int, int]:
    """{comment id: its supports now} (a visitor's list: see ``ReaderState.counts``)."""
    if not comment_ids:
        return {}
    return dict(db.session.execute(_counts_statement(), {"ids": comment_ids}).all())


def reader_kind(user: Any) -> tuple[bool, ...]:
    """All the parts read of a reader with no part of their own on the page: whether they
    may support and flag (the rules the parts ask, with no comment of theirs in them)."""
    return (bool(user.is_authenticated), check(user, "comment.support"),
            check(user, "moderation.flag"))


# Per worker, each under a lock (an LRUCache is not thread-safe):
# {(stamp of the shared list, reader kind, page address, supports): the list filled for
# such a reader}, and {(scope, part key): a part rendered with the sample id} (see
# ``fill``), both with CSRF_MARK for the token; the least recently read go first.
_FILLED: LRUCache = LRUCache(maxsize=64)
_SAMPLES: LRUCache = LRUCache(maxsize=1024)
_lock = threading.Lock()


# The id (and support count, on a button) the parts are rendered with once per request,
# then replaced by each comment's.
SAMPLE_ID = 9_876_543_210_123
SAMPLE_COUNT = 8_765_432_109_012
_SAMPLE, _COUNT = str(SAMPLE_ID), str(SAMPLE_COUNT)


def fill(html: str, facts: dict[int, Shown], state: ReaderState, user: Any,
         open_now: bool, *, stamp: str | None = None) -> Markup:
    """The shared list with the reader's parts put in its marks. A part depends on the
    comment only through its id and the few facts in its key below: each different key is
    rendered once (with ``SAMPLE_ID``), and the id put in after. ``stamp`` names this
    rendering of the shared list: a reader with no part of their own on the page gets
    the list as this worker filled it for the last such reader (see the module's
    docstring)."""
    # (``user``: the object, not the current_user proxy, read per mark; a visitor has no id)
    uid = getattr(user, "id", None)
    path = str(request.full_path)
    if state.counts:  # the supports now, not as the list was rendered
        facts = {i: f if state.counts.get(i, f.support_count) == f.support_count
                 else replace(f, support_count=state.counts[i]) for i, f in facts.items()}
    kept = None
    if stamp is not None and uid is not None and not state.supported \
            and all(f.author_id != uid for f in facts.values()):
        kept = (stamp, reader_kind(user), path, *(f.support_count for f in facts.values()))
        with _lock:
            found = _FILLED.get(kept)
        if found is not None:
            return personal(found)

    supported = set(state.supported)  # (holds SAMPLE_ID while a pressed sample renders)
    macros: dict[str, Any] = {}

    def macro(kind: str):
        if not macros:
            slots = template_module("participation/_reader_slots.html",
                                    {"supported": supported, "open_now": open_now})
            macros.update(support=slots.support, tools=slots.tools, own=slots.own)
        return macros[kind]

    participant = is_participant(user)
    # A sample part is kept by this worker for every later filling in the same scope:
    # what a part reads besides its key (the language, the links' root and the page's
    # address, what the rules say of the reader, whether the round is open). A page
    # address that holds the sample id itself is rendered comment by comment.
    scope = (current_locale(), request.script_root, path, reader_kind(user), participant,
             open_now) if _SAMPLE not in path and _COUNT not in path else None

    def key(kind: str, f: Shown) -> tuple | None:
        # (a visitor has no id, and an opinion received offline no author: not "mine")
        mine = uid is not None and f.author_id == uid
        if kind == "support":  # a button shows the bare number; a text, its plural form
            button = open_now and f.is_visible and not mine and participant
            return (kind, f.id in state.supported, f.is_visible, mine,
                    None if button else f.support_count)
        if kind == "tools":
            return kind, f.is_visible, f.status, mine
        return None if mine else (kind,)  # one's own actions: by time, rendered each

    memo: dict[tuple, str] = {}  # (this filling's samples: a page asks for a few keys)

    def part(match: re.Match) -> str:
        kind, f = match.group(1), facts[int(match.group(2))]
        k = key(kind, f) if scope is not None else None
        if k is None:  # (every part as kept: the token a mark, put in once at the end)
            return shared_html(macro(kind)(f))
        sample = memo.get(k)
        if sample is None:
            with _lock:
                sample = _SAMPLES.get((scope, k))
            if sample is None:
                counted = SAMPLE_COUNT if k[-1] is None else f.support_count
                if f.id in supported:
                    supported.add(SAMPLE_ID)
                sample = shared_html(macro(kind)(replace(f, id=SAMPLE_ID,
                                                         support_count=counted)))
                supported.discard(SAMPLE_ID)
                with _lock:
                    _SAMPLES[(scope, k)] = sample
            memo[k] = sample
        return sample.replace(_SAMPLE, match.group(2)).replace(_COUNT, str(f.support_count))

    filled = MARK.sub(part, html)
    if kept is not None:
        with _lock:
            _FILLED[kept] = filled
    return personal(filled)
