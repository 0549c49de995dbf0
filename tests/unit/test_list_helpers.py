"""Helpers that work out once what every row of a long list shows (bench P1)."""

from __future__ import annotations

from flask import url_for

from consult.participation.models import CommentStance
from consult.templating import labels_of
from consult.web import IdUrls


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
