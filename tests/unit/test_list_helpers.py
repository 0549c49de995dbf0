"""Helpers that work out once what every row of a long list shows (bench P1)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlakeyset import select_page
from sqlalchemy import func, select

from consult.consultations.models import Clause
from consult.extensions import db
from consult.participation.models import Comment, CommentStance
from consult.templating import labels_of
from consult.web import IdUrls, _entity_keys, _opaque, keyset_paginate
from tests.factories import RoundFactory, UserFactory, comment


def test_id_urls_build_what_url_for_builds(app):
    with app.test_request_context("/"):
        reply = IdUrls("participation.reply_form", "comment_id")
        clause = IdUrls("participation.round_comments", "clause")
        for id_ in (1, 42, 918_273_645_546_372, 2**40):
            assert reply(id_) == url_for("participation.reply_form", comment_id=id_)
            assert clause(id_, round_id=7) == url_for("participation.round_comments",
                                                      round_id=7, clause=id_)
        # another value holding the sample id's digits: each link is built whole
        assert clause(5, round_id=1_918_273_645_546_372) == url_for(
            "participation.round_comments", round_id=1_918_273_645_546_372, clause=5)


def test_labels_of_are_the_members_labels_in_the_current_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert labels_of(list(CommentStance)) == {s: str(s.label) for s in CommentStance}


def test_a_first_page_read_by_limit_carries_the_bookmark_sqlakeyset_makes(app):
    """``keyset_paginate`` reads a first page ordered by the entity's own columns as a plain
    LIMIT and makes the next page's bookmark itself: the same rows and the same bookmark
    as sqlakeyset's ``select_page``, in every order of the comment list, and the bookmark
    leads to the same second page. An order by another table's column (the clause's
    place) is left to sqlakeyset."""
    rnd = RoundFactory()
    people = [UserFactory() for _ in range(3)]
    clauses = list(db.session.scalars(select(Clause.id).where(
        Clause.version_id == rnd.version_id)))
    for i in range(13):
        c = comment(rnd, people[i % 3], clause_id=clauses[i % len(clauses)])
        c.support_count = i % 4  # ties, broken by the time and the id
    db.session.commit()
    base = select(Comment).where(Comment.round_id == rnd.id, Comment.parent_id.is_(None))
    orders = {
        "newest": (base.order_by(Comment.created_at.desc(), Comment.id.desc()),
                   (datetime, int), ("created_at", "id")),
        "supported": (base.order_by(Comment.support_count.desc(), Comment.created_at.desc(),
                                    Comment.id.desc()),
                      (int, datetime, int), ("support_count", "created_at", "id")),
        "clause": (base.outerjoin(Clause, Clause.id == Comment.clause_id)
                   .order_by(func.coalesce(Clause.position, -1), Comment.created_at,
                             Comment.id), (int, datetime, int), None),
    }
    with app.test_request_context("/"):
        for stmt, key_types, keys in orders.values():
            assert _entity_keys(stmt) == keys
            first = keyset_paginate(stmt, page=1, per_page=5, cursor=None,
                                    key_types=key_types, total=13)
            theirs = select_page(db.session, stmt, per_page=5, page=None)
            assert [c.id for c in first.items] == [row[0].id for row in theirs]
            assert first.next_cursor == _opaque(theirs.paging.bookmark_next)
            second = keyset_paginate(stmt, page=2, per_page=5, cursor=first.next_cursor,
                                     key_types=key_types, total=13)
            theirs = select_page(db.session, stmt, per_page=5,
                                 page=theirs.paging.bookmark_next)
            assert [c.id for c in second.items] == [row[0].id for row in theirs]
            last = keyset_paginate(stmt, page=1, per_page=13, cursor=None,
                                   key_types=key_types, total=13)
            assert last.next_cursor is None and len(last.items) == 13
