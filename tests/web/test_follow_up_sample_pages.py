"""The random follow-up sample (随机回访) on an evaluator's round page: drawn by a plain
form post (303 and a message), shown with its seed and SHA-256 beside the opt-in
figures; the same seed again is 409 with the message on the page, bad sizes 422, and
the page's queries stay constant as samples and answers grow."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.db import atomic
from consult.extensions import db
from consult.rounds import participants
from consult.surveys.models import SurveySample
from tests.factories import UserFactory, rate, responded_round

EN = {"Accept-Language": "en"}


def world(n=8):
    r, _dept, _official = responded_round()
    users = [UserFactory() for _ in range(n)]
    with atomic():
        for u in users:
            participants.mark(r.id, u.id)
    rate(r, users[0], satisfaction="satisfied", rating=4)
    return r, users


def test_draw_without_javascript_then_the_same_seed_is_refused(app, client, login_as):
    r, _users = world()
    login_as(UserFactory(role="evaluator"))
    page = client.get(f"/evaluation/rounds/{r.id}", headers=EN).get_data(True)
    assert "Random follow-up sample" in page and "Draw and invite" in page
    resp = client.post(f"/evaluation/rounds/{r.id}/sample", data={"size": "3", "seed": "d1"},
                       headers=EN)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#sample")
    html = client.get(resp.headers["Location"], headers=EN).get_data(True)
    assert "3 participants were drawn with the seed “d1”" in html
    sample = db.session.scalar(select(SurveySample))
    assert sample.sample_sha256 in html and "d1" in html and "3 of 7" in html
    again = client.post(f"/evaluation/rounds/{r.id}/sample", data={"size": "3", "seed": "d1"},
                        headers=EN)
    assert again.status_code == 409
    assert "already drawn for this round with the seed “d1”" in again.get_data(True)
    assert db.session.scalar(select(func.count(SurveySample.id))) == 1


def test_bad_size_is_422_beside_the_field_in_chinese(app, client, login_as):
    r, _users = world()
    login_as(UserFactory(role="evaluator"))
    resp = client.post(f"/evaluation/rounds/{r.id}/sample", data={"size": "many", "seed": ""},
                       headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 422
    assert "请填写1至1000之间的抽取人数。" in resp.get_data(True)
    assert db.session.scalar(select(func.count(SurveySample.id))) == 0


def test_citizens_and_officials_may_not_draw(app, client, login_as):
    r, users = world()
    login_as(users[1])
    assert client.post(f"/evaluation/rounds/{r.id}/sample",
                       data={"size": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(SurveySample.id))) == 0


def test_round_page_queries_stay_constant(app, client, login_as, count_queries):
    r, users = world(n=30)
    login_as(UserFactory(role="evaluator"))
    client.post(f"/evaluation/rounds/{r.id}/sample", data={"size": "2", "seed": "a"})
    with count_queries() as small:
        assert client.get(f"/evaluation/rounds/{r.id}").status_code == 200
    for i in range(4):
        client.post(f"/evaluation/rounds/{r.id}/sample", data={"size": "3", "seed": f"b{i}"})
    for u in users[1:12]:
        rate(r, u, satisfaction="very_satisfied", rating=5)
    with count_queries() as big:
        assert client.get(f"/evaluation/rounds/{r.id}").status_code == 200
    assert len(small) == len(big) <= 40, "\n".join(big)


def test_a_suggestion_answer_rated_badly_shows_its_case_everywhere(app, client, login_as):
    """The author rates the answer 非常不满意 with a reason through the page (no JS); the
    case shows on the department's workspace list, its own page and the public record,
    the reason only to the department."""
    from consult.rectification.models import RectificationCase
    from tests.unit.test_rating_levels_and_samples import answered_suggestion
    s, _dept, official, author = answered_suggestion()
    login_as(author)
    resp = client.post(f"/suggestions/{s.id}/rating",
                       data={"rating": "very_dissatisfied", "comment": "没有给出办理时限。"},
                       headers=EN)
    assert resp.status_code == 303
    case = db.session.scalar(select(RectificationCase))
    assert case is not None and case.suggestion_id == s.id
    login_as(official)
    listing = client.get("/manage/rectification/", headers=EN).get_data(True)
    assert s.title in listing
    page = client.get(f"/manage/rectification/{case.id}", headers=EN).get_data(True)
    assert "没有给出办理时限。" in page and "Answer to an agenda suggestion rated" in page
    client.get("/auth/logout")
    login_as(UserFactory())
    public = client.get(f"/rectification/{case.id}", headers=EN).get_data(True)
    assert s.title in public and "没有给出办理时限。" not in public
    assert f"/suggestions/{s.id}" in public
    assert s.title in client.get("/rectification/", headers=EN).get_data(True)


def test_the_public_record_shows_the_bad_rating_rate(app, client):
    r, dept, _official = responded_round()
    rate(r)
    rate(r, satisfaction="satisfied", rating=4)
    rate(r, satisfaction="very_satisfied", rating=5)
    html = client.get("/accountability/", headers=EN).get_data(True)
    assert "Bad rating rate" in html and "1/3" in html
