"""The comments page's counts (services.comments.comment_tallies, read from the counts
kept by consult.participation.tallies) equal a recount of the round's comments in Python,
whatever their status, depth, clause and stance, and whoever reads."""

from __future__ import annotations

from sqlalchemy import delete, select

from consult.consultations.models import Clause
from consult.extensions import db
from consult.participation import tallies
from consult.participation.models import (
    VISIBLE,
    Comment,
    CommentStance,
    CommentTally,
    ContentStatus,
    shown_to,
)
from consult.participation.services import comments as services
from consult.rounds.models import Round
from tests import oracles
from tests.factories import RoundFactory, UserFactory, comment


class Anonymous:
    is_authenticated = False
    id = None


def _recount(viewer, round_id):
    """What the page shows, counted one comment at a time."""
    counts, stances, listed = {}, {}, {}
    viewer_id = viewer.id if viewer.is_authenticated else None
    for c in db.session.scalars(select(Comment).where(Comment.round_id == round_id)):
        if c.status in VISIBLE:
            if c.clause_id is not None:
                counts[c.clause_id] = counts.get(c.clause_id, 0) + 1
            if c.stance is not None:
                by = stances.setdefault(c.clause_id, {})
                by[c.stance] = by.get(c.stance, 0) + 1
        if c.parent_id is None and (c.status != ContentStatus.HELD or c.author_id == viewer_id):
            listed[(c.clause_id, c.stance)] = listed.get((c.clause_id, c.stance), 0) + 1
    return counts, stances, listed


def _set(c, **values):
    for name, value in values.items():
        setattr(c, name, value)
    db.session.commit()
    return c


def test_tallies_equal_a_recount(app):
    rnd = RoundFactory()
    other = RoundFactory()  # its comments are never counted
    clauses = list(db.session.scalars(
        select(Clause).where(Clause.version_id == rnd.version_id).order_by(Clause.position)))
    assert len(clauses) >= 3
    on = [c.id for c in clauses[:2]] + [None]
    reader, stranger = UserFactory(), UserFactory()
    stances = [CommentStance.SUPPORT, CommentStance.OPPOSE, None, CommentStance.AMEND]
    statuses = [ContentStatus.PUBLISHED, ContentStatus.WITHDRAWN, ContentStatus.HIDDEN,
                ContentStatus.HELD]
    n = 0
    for clause_id in on:
        for stance in stances:
            for k, status in enumerate(statuses):
                for author in [reader, stranger] * (k + 1):  # a different number of each
                    n += 1
                    top = _set(comment(rnd, author, clause_id=clause_id),
                               stance=stance, status=status)
                    if n % 3 == 0:  # replies: counted per clause, never listed
                        reply = comment(rnd, stranger, clause_id=clause_id, depth=1, parent=top)
                        if n % 2:
                            _set(reply, status=ContentStatus.HELD)
                        deeper = comment(rnd, reader, clause_id=clause_id, depth=2,
                                         parent=reply)
                        if n % 4 == 0:
                            _set(deeper, status=ContentStatus.WITHDRAWN)
    _set(comment(other, reader, clause_id=on[0]), stance=CommentStance.SUPPORT)
    round_ = db.session.get(Round, rnd.id)
    for viewer in (Anonymous(), reader, stranger):
        tallies = services.comment_tallies(viewer, round_)
        counts, by_stance, listed = _recount(viewer, rnd.id)
        assert tallies.counts == counts
        assert tallies.stances == by_stance
        assert tallies.listed == listed
        # and each filter's total is the number of comments the list would show
        for clause in [None, *clauses[:3]]:
            for stance in [None, *CommentStance]:
                shown = db.session.scalars(select(Comment.id).where(
                    Comment.round_id == rnd.id, Comment.parent_id.is_(None),
                    shown_to(Comment, viewer),
                    *([Comment.clause_id == clause.id] if clause else []),
                    *([Comment.stance == stance] if stance else []))).all()
                assert tallies.total(clause, stance) == len(shown)
    # the counts the margin and the index read elsewhere agree
    assert services.clause_comment_counts(rnd.id) == counts
    assert services.stance_counts(rnd.id) == by_stance


def test_own_held_comments_are_listed_for_their_author_only(app):
    rnd = RoundFactory()
    author, other = UserFactory(), UserFactory()
    _set(comment(rnd, author), status=ContentStatus.HELD, stance=CommentStance.OPPOSE)
    comment(rnd, other)
    round_ = db.session.get(Round, rnd.id)
    assert services.comment_tallies(author, round_).total(None, None) == 2
    assert services.comment_tallies(author, round_).total(None, CommentStance.OPPOSE) == 1
    assert services.comment_tallies(other, round_).total(None, None) == 1
    assert services.comment_tallies(Anonymous(), round_).total(None, None) == 1
    assert services.comment_tallies(author, round_).stances == {}


def _kept_equals_recount() -> dict:
    kept, recounted = oracles.comment_tallies()
    assert kept == recounted
    return kept


def test_kept_counts_follow_every_change_and_only_committed_ones(app):
    """The counts kept in ``comment_tally`` move with each comment at commit: a post, a
    change of status or stance over several flushes, a deletion; a rolled-back
    transaction or savepoint moves nothing; ``rebuild`` writes the same rows again."""
    rnd = RoundFactory()
    author, other = UserFactory(), UserFactory()
    a, b = comment(rnd, author), comment(rnd, other)
    assert sum(_kept_equals_recount().values()) == 2
    sp = db.session.begin_nested()
    db.session.get(Comment, a.id).status = ContentStatus.HIDDEN
    db.session.flush()
    sp.rollback()
    db.session.commit()
    assert ContentStatus.HIDDEN.value not in {key[3] for key in _kept_equals_recount()}
    db.session.get(Comment, b.id).stance = CommentStance.OPPOSE
    db.session.flush()
    db.session.rollback()
    assert _kept_equals_recount() == {(rnd.id, 0, "", "published", 0, 0): 2}
    a = db.session.get(Comment, a.id)
    a.status = ContentStatus.HELD  # awaiting review: counted again under its author
    db.session.flush()
    a.stance = CommentStance.SUPPORT
    db.session.flush()
    db.session.commit()
    assert _kept_equals_recount() == {(rnd.id, 0, "", "published", 0, 0): 1,
                                      (rnd.id, 0, "support", "held", 0, 0): 1,
                                      (rnd.id, 0, "support", "held", 0, author.id): 1}
    db.session.delete(db.session.get(Comment, b.id))
    db.session.commit()
    kept = _kept_equals_recount()
    db.session.execute(delete(CommentTally))
    tallies.rebuild(db.session())
    db.session.commit()
    assert _kept_equals_recount() == kept


def test_a_list_rendered_again_counts_no_comment(app, client, count_queries):
    """The comments page's counts come from the kept rows: rendering the list again after
    a change reads a few of them, and never groups or counts the round's comments."""
    rnd = RoundFactory()
    for _ in range(3):
        comment(rnd, UserFactory())
    assert client.get(f"/rounds/{rnd.id}/comments").status_code == 200
    comment(rnd, UserFactory())  # the list is rendered again
    with count_queries() as seen:
        text = client.get(f"/rounds/{rnd.id}/comments").text
    assert "4 条意见" in text or "4 comments" in text
    assert any("comment_tally" in s for s in seen)
    assert not any("count(" in s.lower() and "from comment" in s.lower() for s in seen)
