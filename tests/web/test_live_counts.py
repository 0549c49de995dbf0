"""After an in-page (htmx) post every number it changes comes back out of band, and the
comment form stays on the clause the reader was commenting on."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.consultations.models import Clause
from consult.extensions import db
from tests.factories import UserFactory

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("english")


def oob(html: str, element_id: str) -> str:
    match = re.search(rf'<span[^>]*id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</span>',
                      html, re.S)
    assert match, f"no out-of-band #{element_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_comment_on_a_clause_updates_every_count_and_keeps_the_clause(client, login_as, rnd,
                                                                      count_queries):
    clause = db.session.scalars(select(Clause).where(Clause.version_id == rnd.version_id)
                                .order_by(Clause.position)).all()[1]
    login_as(UserFactory())
    client.post(f"/rounds/{rnd.id}/comments", data={"body": "第一条意见。", "clause_id": ""})
    with count_queries() as queries:
        response = client.post(f"/rounds/{rnd.id}/comments", headers=HX,
                               data={"body": "第二条太笼统。", "clause_id": str(clause.id)})
    assert response.status_code == 200
    html = response.text
    assert oob(html, "tab-count-comments") == "2"
    assert oob(html, "clause-count-all") == "2"
    assert oob(html, "comments-total") == "2 comments"
    assert re.search(rf'id="clause-count-{clause.id}" hx-swap-oob="true">'
                     r'<span class="visually-hidden">1 comment</span>', html)
    # The fresh form is still on that clause.
    assert f'<option selected value="{clause.id}">' in html
    # the clause's new count; the round's dates held (a lock, on PostgreSQL) and read again;
    # the kept counts of the round's comments moved at commit
    assert len(queries) <= 23
    # The page without JavaScript shows the same numbers.
    page = client.get(f"/rounds/{rnd.id}/comments").text
    assert re.search(r'id="tab-count-comments">2<', page)


def test_comment_on_the_whole_draft_touches_no_clause_count(client, login_as, rnd):
    login_as(UserFactory())
    html = client.post(f"/rounds/{rnd.id}/comments", headers=HX,
                       data={"body": "整体很好。", "clause_id": ""}).text
    assert oob(html, "tab-count-comments") == "1"
    assert "clause-count-" not in html.replace('id="clause-count-all"', "")


def test_question_updates_tab_and_heading(client, login_as, rnd):
    login_as(UserFactory())
    html = client.post(f"/rounds/{rnd.id}/questions", headers=HX,
                       data={"body": "何时实施？"}).text
    assert oob(html, "tab-count-questions") == "1"
    assert oob(html, "questions-total") == "1 question"
    assert oob(html, "tab-count-comments") == "0"


def test_without_javascript_posting_redirects(client, login_as, rnd):
    login_as(UserFactory())
    response = client.post(f"/rounds/{rnd.id}/comments", data={"body": "好。", "clause_id": ""})
    assert response.status_code == 303
