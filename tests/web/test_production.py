"""Production serving (compression, fingerprinted static files with long caching) and the
bench data generator (deterministic, counters equal to recounts)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bench.data import generate, viral_round_id
from consult.extensions import db
from consult.participation.models import Comment, CommentSupport
from consult.rounds import participants
from consult.rounds.models import Round, RoundParticipant
from consult.surveys.models import Survey, SurveyAnswer
from consult.voting.models import Ballot, VoteTally
from tests.oracles import distinct_participants


def test_html_is_compressed_when_the_client_accepts_it(client):
    for encoding in ("br", "gzip"):
        resp = client.get("/", headers={"Accept-Encoding": encoding})
        assert resp.status_code == 200
        assert resp.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in resp.headers["Vary"]
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    assert b"<html" in plain.data


def test_static_urls_are_fingerprinted_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/css/consult\.css\?v=[0-9a-f]{12})"', html).group(1)
    resp = client.get(url)
    assert resp.status_code == 200
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    assert "immutable" in resp.headers["Cache-Control"]
    resp.close()
    unversioned = client.get("/static/css/consult.css")
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")
    unversioned.close()


def test_the_bench_floor_is_not_served_without_consult_bench(client):
    assert client.get("/_bench/floor/rounds/1").status_code == 404


def _snapshot():
    return (db.session.scalar(select(func.count()).select_from(Comment)),
            db.session.scalars(select(Comment.body).order_by(Comment.id).limit(5)).all(),
            db.session.scalars(select(Ballot.stance).order_by(Ballot.id).limit(50)).all())


def test_bench_data_counters_equal_recounts(app):
    counts = generate("small")
    db.session.commit()
    assert counts["user"] == 600 and counts["comment"] == 1000 and counts["ballot"] >= 2990
    rid = viral_round_id()
    viral = db.session.get(Round, rid)
    assert viral.comment_count == 1000
    assert re.search(r"[\u4e00-\u9fff]{4,}", db.session.scalar(select(Comment.body).limit(1)))
    for round_ in db.session.scalars(select(Round)):
        ballots = db.session.scalar(select(func.count()).where(Ballot.round_id == round_.id))
        assert round_.ballot_count == ballots
        tally = db.session.get(VoteTally, round_.id)
        for stance in ("support", "support_with_changes", "oppose", "abstain"):
            assert getattr(tally, stance) == db.session.scalar(select(func.count()).where(
                Ballot.round_id == round_.id, Ballot.stance == stance))
        assert round_.participant_count == db.session.scalar(
            select(func.count()).where(RoundParticipant.round_id == round_.id))
        assert round_.comment_count == db.session.scalar(
            select(func.count()).where(Comment.round_id == round_.id))
    wrong_supports = db.session.scalar(
        select(func.count()).select_from(Comment).where(Comment.support_count != (
            select(func.count()).where(CommentSupport.comment_id == Comment.id)
            .scalar_subquery())))
    assert wrong_supports == 0
    parent = Comment.__table__.alias("p")
    wrong_replies = db.session.scalar(
        select(func.count()).select_from(parent).where(parent.c.reply_count != (
            select(func.count()).where(Comment.parent_id == parent.c.id).scalar_subquery())))
    assert wrong_replies == 0
    for survey in db.session.scalars(select(Survey)):
        rows = select(SurveyAnswer).where(SurveyAnswer.round_id == survey.round_id).subquery()
        n, rating_sum = db.session.execute(
            select(func.count(), func.coalesce(func.sum(rows.c.rating), 0))).one()
        assert (survey.respondents, survey.rating_sum) == (n, rating_sum)
        assert survey.satisfied + survey.basically_satisfied + survey.dissatisfied == n
    # the distinct participants per department and month: the counters read by the
    # dashboard equal the recount over every participant row
    for group in ("department", "month"):
        recount = distinct_participants(group)
        assert participants.tallies(by=group) == recount and recount, group


def test_bench_data_is_deterministic(pytestconfig):
    from tests.conftest import make_app, prepare_schema

    snapshots = []
    for _ in range(2):
        other = make_app(pytestconfig)
        with other.app_context():
            prepare_schema(pytestconfig)
            if pytestconfig.consult_db_url is not None:
                return  # one shared PostgreSQL database: covered on SQLite
            generate("small")
            db.session.commit()
            snapshots.append(_snapshot())
            db.session.remove()
            db.engine.dispose()
    assert snapshots[0] == snapshots[1]
