"""The proposed-wording box starts from the clause's text: on the clause's comment page,
after posting on it, and when editing a comment that has no wording yet."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from consult.consultations.models import Clause
from consult.db import db
from consult.participation.models import Comment
from tests.factories import DraftVersionFactory, RoundFactory, UserFactory

HX = {"HX-Request": "true"}
TEXT = "社区养老服务机构应当提供日间照料服务。"


def box(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="proposed_text"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no proposed-wording box"
    return unescape(match.group(1)).strip()


@pytest.fixture
def setup(app):
    r = RoundFactory(version=DraftVersionFactory(clauses=[TEXT, "第二条的文字。"]))
    clause = db.session.scalar(select(Clause).where(Clause.version_id == r.version_id)
                               .order_by(Clause.position))
    return r, clause


@pytest.mark.parametrize("page_cache", [False, True])
def test_the_box_starts_from_the_chosen_clause(app, client, login_as, setup, page_cache):
    app.config["PAGE_CACHE"] = page_cache
    r, clause = setup
    login_as(UserFactory())
    page = client.get(f"/rounds/{r.id}/comments?clause={clause.id}").text
    assert box(page) == TEXT
    assert re.search(r'<details class="proposal-field"\s*>', page)  # closed: a start only
    assert box(client.get(f"/rounds/{r.id}/comments").text) == ""  # the whole draft


def test_after_posting_on_a_clause_the_fresh_box_starts_from_it(client, login_as, setup):
    r, clause = setup
    login_as(UserFactory())
    answer = client.post(f"/rounds/{r.id}/comments", headers=HX, data={
        "clause_id": str(clause.id), "body": "建议增加夜间。",
        "proposed_text": "社区养老服务机构应当提供日间和夜间照料服务。"})
    assert answer.status_code == 200
    assert box(answer.text) == TEXT
    posted = db.session.scalar(select(Comment))
    assert posted.proposed_text == "社区养老服务机构应当提供日间和夜间照料服务。"


def test_editing_a_comment_without_wording_starts_from_the_clause(client, login_as, setup):
    r, clause = setup
    author = UserFactory()
    login_as(author)
    client.post(f"/rounds/{r.id}/comments", data={"clause_id": str(clause.id),
                                                   "body": "只有意见。"})
    comment = db.session.scalar(select(Comment))
    assert comment.proposed_text is None
    assert box(client.get(f"/comments/{comment.id}/edit").text) == TEXT
    saved = client.post(f"/comments/{comment.id}/edit", data={"body": "只有意见，改过。",
                                                             "proposed_text": TEXT})
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).proposed_text is None
