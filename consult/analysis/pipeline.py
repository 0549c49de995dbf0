"""Loading a round's opinions, supports and ballots and running every analysis on them.

An *opinion* is a visible top-level comment or question of the round (as in triage).
The result is plain JSON: the pages render it without further queries.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from consult.db import db
from consult.participation.models import (
    Comment,
    CommentSupport,
    ContentStatus,
    Question,
)
from consult.voting.models import Ballot

BACKGROUND_LIMIT = 20000   # the site's most recent other opinions used as background
VERSION = 1

Progress = Callable[[int, str], None]


def opinion_count(round_id: int) -> int:
    comments = select(func.count()).select_from(Comment).where(
        Comment.round_id == round_id, Comment.depth == 0,
        Comment.status == ContentStatus.PUBLISHED).scalar_subquery()
    questions = select(func.count()).select_from(Question).where(
        Question.round_id == round_id,
        Question.status == ContentStatus.PUBLISHED).scalar_subquery()
    return int(db.session.scalar(select(comments + questions)) or 0)


def load_opinions(round_id: int) -> list[dict]:
    rows = db.session.execute(
        select(Comment.id, Comment.author_id, Comment.clause_id, Comment.body,
               Comment.support_count)
        .where(Comment.round_id == round_id, Comment.depth == 0,
               Comment.status == ContentStatus.PUBLISHED,
               Comment.confidential.is_(False))  # its text is for the department only
        .order_by(Comment.id)).all()
    out = [{"id": r.id, "kind": "comment", "author_id": r.author_id, "clause_id": r.clause_id,
            "body": r.body, "support_count": r.support_count} for r in rows]
    rows = db.session.execute(
        select(Question.id, Question.author_id, Question.body, Question.support_count)
        .where(Question.round_id == round_id, Question.status == ContentStatus.PUBLISHED)
        .order_by(Question.id)).all()
    out += [{"id": r.id, "kind": "question", "author_id": r.author_id, "clause_id": None,
             "body": r.body, "support_count": r.support_count} for r in rows]
    return out


def load_background(round_id: int, limit: int = BACKGROUND_LIMIT) -> list[str]:
    bodies = list(db.session.scalars(
        select(Comment.body).where(Comment.round_id != round_id, Comment.depth == 0,
                                   Comment.status == ContentStatus.PUBLISHED,
                                   Comment.confidential.is_(False))
        .order_by(Comment.id.desc()).limit(limit)))
    bodies += db.session.scalars(
        select(Question.body).where(Question.round_id != round_id,
                                    Question.status == ContentStatus.PUBLISHED)
        .order_by(Question.id.desc()).limit(max(0, limit - len(bodies))))
    return bodies


def load_supports(round_id: int) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    supports = [(u, c) for u, c in db.session.execute(
        select(CommentSupport.user_id, CommentSupport.comment_id)
        .join(Comment, Comment.id == CommentSupport.comment_id)
        .where(Comment.round_id == round_id, Comment.depth == 0,
               Comment.status == ContentStatus.PUBLISHED))]
    stances = [(u, str(s.value if hasattr(s, "value") else s)) for u, s in db.session.execute(
        select(Ballot.user_id, Ballot.stance).where(Ballot.round_id == round_id))]
    return supports, stances


def analyse(opinions: list[dict], background: list[str], supports, stances, *,
            progress: Progress | None = None) -> dict:
    """Every analysis over plain data (the bench calls this directly).

    One BLAS/OpenMP thread: a background job shares the machine with the web workers,
    and on a busy two-core machine k-means with its threads was 3-5x slower."""
    from threadpoolctl import threadpool_limits  # noqa: PLC0415 - analysis worker only

    with threadpool_limits(limits=1):
        return _analyse(opinions, background, supports, stances, progress=progress)


def _analyse(opinions: list[dict], background: list[str], supports, stances, *,
             progress: Progress | None = None) -> dict:
    # Heavy (numpy, scipy, scikit-learn, jieba: most of a web worker's start and memory):
    # imported only here, by the analysis worker, never by the web app that enqueues.
    from consult.analysis import (  # noqa: PLC0415 - heavy: the analysis worker's only
        duplicates,
        groups,
        keyterms,
        text,
        themes,
    )

    report = progress or (lambda pct, step: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    report(5, "tokens")
    # Each opinion is normalised and segmented once; every step reuses its tokens and
    # its compact form. jieba's words of a text block are remembered across opinions.
    memo: dict[str, list[str]] = {}
    seen: dict[str, tuple[list[str], str]] = {}
    for o in opinions:
        body = o["body"]
        done = seen.get(body)
        if done is None:
            norm = text.normalize(body)
            done = seen[body] = (text.normalized_tokens(norm, memo),
                                 text.compact_normalized(norm))
        o["tokens"], o["compact"] = done
    del seen
    background_df, background_n = keyterms.document_frequency(
        text.tokens(b, memo) for b in background)
    del memo
    timings["tokens"] = time.perf_counter() - t0

    t = time.perf_counter()
    report(30, "duplicates")
    dups = duplicates.duplicate_groups(opinions, limit=100)
    timings["duplicates"] = time.perf_counter() - t

    t = time.perf_counter()
    report(45, "key terms")
    # A campaign counts once in key terms: drop every copy but the lead of each group.
    copies = {m for g in dups for m in g["members"] if m != g["lead"]}
    distinct = [o for o in opinions if f'{o["kind"]}:{o["id"]}' not in copies]
    terms = keyterms.key_terms(distinct, background_df, background_n)
    timings["keyterms"] = time.perf_counter() - t

    t = time.perf_counter()
    report(60, "themes")
    theme_result = themes.suggest_themes(opinions)
    timings["themes"] = time.perf_counter() - t

    t = time.perf_counter()
    report(80, "groups")
    group_result = groups.opinion_groups(supports, stances)
    timings["groups"] = time.perf_counter() - t

    # Texts of the comments the groups refer to, so pages need no queries.
    by_key = {f'{o["kind"]}:{o["id"]}': o for o in opinions}
    wanted = {f'comment:{r["comment_id"]}' for g in group_result["groups"]
              for r in g["representative"]} | {
        f'comment:{c["comment_id"]}' for c in group_result["consensus"]}
    texts = {k: {"body": by_key[k]["body"][:400], "support_count": by_key[k]["support_count"]}
             for k in wanted if k in by_key}
    for o in opinions:
        o.pop("tokens", None)
        o.pop("compact", None)
    return {
        "version": VERSION,
        "opinions": len(opinions),
        "comments": sum(1 for o in opinions if o["kind"] == "comment"),
        "questions": sum(1 for o in opinions if o["kind"] == "question"),
        "background": background_n,
        "keyterms": terms,
        "themes": theme_result,
        "duplicates": dups,
        "groups": group_result,
        "texts": texts,
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }


def run(round_id: int, *, progress: Progress | None = None) -> dict:
    opinions = load_opinions(round_id)
    background = load_background(round_id)
    supports, stances = load_supports(round_id)
    return analyse(opinions, background, supports, stances, progress=progress)
