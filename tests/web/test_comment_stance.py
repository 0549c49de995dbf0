"""A comment's optional stance: chosen in the form, shown as a badge, counted per clause,
filtered on; replies state none; an unknown stance is 422 and saves nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.consultations.models import Clause
from consult.extensions import db
from consult.participation.models import Comment, CommentStance
from consult.participation.services import stance_counts
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


def clauses(rnd):
    return db.session.scalars(select(Clause).where(Clause.version_id == rnd.version_id)
                              .order_by(Clause.position)).all()


def post(client, rnd, **data):
    data.setdefault("clause_id", "")
    return client.post(f"/rounds/{rnd.id}/comments", data=data)


def test_stance_is_saved_shown_counted_and_filtered(client, login_as, rnd, count_queries):
    first, second = clauses(rnd)[:2]
    login_as(UserFactory())
    assert post(client, rnd, body="赞成第一条。", clause_id=str(first.id),
                stance="support").status_code == 303
    assert post(client, rnd, body="反对第一条。", clause_id=str(first.id),
                stance="oppose").status_code == 303
    assert post(client, rnd, body="第二条没意见。", clause_id=str(second.id)).status_code == 303
    stances = {c.body: c.stance for c in db.session.scalars(select(Comment))}
    assert stances == {"赞成第一条。": CommentStance.SUPPORT, "反对第一条。": CommentStance.OPPOSE,
                       "第二条没意见。": None}
    assert stance_counts(rnd) == {first.id: {CommentStance.SUPPORT: 1, CommentStance.OPPOSE: 1}}

    page = client.get(f"/rounds/{rnd.id}/comments").text
    assert 'class="tag tag--green comment__stance">In favour<' in page
    assert 'class="tag tag--red comment__stance">Against<' in page
    assert "In favour: 1" in page and "Against: 1" in page  # the counts

    with count_queries() as queries:
        filtered = client.get(f"/rounds/{rnd.id}/comments?stance=oppose").text
    assert "反对第一条。" in filtered and "赞成第一条。" not in filtered
    assert "第二条没意见。" not in filtered
    assert '<option value="oppose" selected>' in filtered
    assert len(queries) <= 14
    both = client.get(f"/rounds/{rnd.id}/comments?stance=support&clause={first.id}").text
    assert "赞成第一条。" in both and "反对第一条。" not in both
    # An unknown stance in the address shows everything rather than failing.
    assert client.get(f"/rounds/{rnd.id}/comments?stance=bogus").status_code == 200


def test_unknown_stance_is_422_beside_the_field_and_nothing_saved(client, login_as, rnd):
    login_as(UserFactory())
    response = post(client, rnd, body="说明。", stance="maybe")
    assert response.status_code == 422
    assert 'id="stance-error"' in response.text
    assert "Choose one of the stances offered, or none." in response.text
    assert db.session.scalars(select(Comment)).all() == []


def test_a_reply_states_no_stance(client, login_as, rnd):
    login_as(UserFactory())
    post(client, rnd, body="原意见。", stance="neutral")
    parent = db.session.scalar(select(Comment))
    assert post(client, rnd, body="回复。", parent_id=str(parent.id),
                stance="oppose").status_code == 303
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent.id))
    assert reply.stance is None


def test_the_form_offers_the_stances_in_chinese(client, login_as, rnd):
    client.set_cookie("locale", "zh_CN")
    login_as(UserFactory())
    page = client.get(f"/rounds/{rnd.id}/comments").text
    for label in ("赞成", "反对", "建议修改", "中立", "不表态"):
        assert f"> {label}</label>" in page
