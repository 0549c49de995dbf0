"""A comment's stance can be changed while the comment can be edited; the counts and the
badge follow; a bad stance is 422 beside the field and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.participation.models import Comment, CommentStance
from consult.participation.services import stance_counts
from tests.factories import UserFactory
from tests.web.test_comment_stance import clauses, post

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


def comment():
    db.session.expire_all()
    return db.session.scalar(select(Comment))


def test_the_author_changes_the_stance_and_the_counts_follow(client, login_as, rnd):
    first = clauses(rnd)[0]
    login_as(UserFactory())
    post(client, rnd, body="赞成第一条。", clause_id=str(first.id), stance="support")
    c = comment()
    form = client.get(f"/comments/{c.id}/edit").text
    assert 'name="stance" value="support" checked' in form
    saved = client.post(f"/comments/{c.id}/edit", data={"body": "赞成第一条。",
                                                       "stance": "oppose"})
    assert saved.status_code == 303
    assert comment().stance is CommentStance.OPPOSE and comment().edited_at is not None
    assert stance_counts(rnd) == {first.id: {CommentStance.OPPOSE: 1}}
    page = client.get(f"/rounds/{rnd.id}/comments").text
    assert "Against: 1" in page and "In favour: 1" not in page
    cleared = client.post(f"/comments/{c.id}/edit", data={"body": "赞成第一条。", "stance": ""})
    assert cleared.status_code == 303 and comment().stance is None


def test_a_bad_stance_in_an_edit_is_422_and_changes_nothing(client, login_as, rnd):
    login_as(UserFactory())
    post(client, rnd, body="整体意见。", stance="amend")
    c = comment()
    bad = client.post(f"/comments/{c.id}/edit", data={"body": "改过的意见。", "stance": "maybe"})
    assert bad.status_code == 422 and 'id="stance-error"' in bad.text
    assert comment().stance is CommentStance.AMEND and comment().body == "整体意见。"
