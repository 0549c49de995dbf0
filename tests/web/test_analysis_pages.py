"""Opinion analysis pages: who may see them, the job lifecycle (inline in tests),
accepting a suggested theme into triage, and bounded queries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.analysis import jobs
from consult.analysis.models import AnalysisResult, AnalysisStatus
from consult.clock import now
from consult.db import db
from consult.responses.models import Theme, Triage
from tests.analysis_corpus import corpus, load_into
from tests.conftest import REDIS_TEST_URL
from tests.factories import (
    AnalysisResultFactory,
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    clause_ids,
    closed_round,
    comment,
)

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


def _open_round(clauses=4):
    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    r = RoundFactory(version__consultation=consultation, version__clauses=clauses)
    return r, dept, UserFactory(role="official", role__department=dept)


def _with_corpus(r):
    from consult.consultations.models import Clause
    clauses = [db.session.get(Clause, i) for i in clause_ids(r)]
    return load_into(r, clauses)


def _url(r, part=""):
    return f"/manage/rounds/{r.id}/analysis{part}"


@pytest.mark.parametrize("who", ["citizen", "other_official"])
def test_others_are_refused(client, login_as, who):
    r, dept, _ = _open_round()
    user = (UserFactory() if who == "citizen"
            else UserFactory(role="official", role__department=DepartmentFactory()))
    login_as(user)
    for part in ("", "/themes", "/duplicates", "/groups", "/status", "/opinions?term=x"):
        resp = client.get(_url(r, part))
        assert resp.status_code == 403, part
        assert "You are not allowed to do this." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AnalysisResult)) == 0


def test_anonymous_is_sent_to_log_in(client):
    r, _, _ = _open_round()
    resp = client.get(_url(r))
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ["official", "moderator", "evaluator"])
def test_official_moderator_and_evaluator_see_the_analysis(client, login_as, role):
    r, dept, official = _open_round()
    _with_corpus(r)
    login_as(official if role == "official" else UserFactory(role=role))
    resp = client.get(_url(r))
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Up to date" in page and "停车位" in page
    for part, text in (("/themes", "Most supported"), ("/duplicates", "15 copies"),
                       ("/groups", "<svg"), ("/opinions?term=停车位", "停车位")):
        body = client.get(_url(r, part)).get_data(as_text=True)
        assert text in body, part


def test_first_visit_runs_the_analysis_and_stores_it(client, login_as):
    r, _, official = _open_round()
    _with_corpus(r)
    login_as(official)
    client.get(_url(r))
    row = db.session.scalar(select(AnalysisResult).where(AnalysisResult.round_id == r.id))
    assert row.status is AnalysisStatus.DONE and row.progress == 100
    assert row.opinion_count == len(corpus()["opinions"]) and row.computed_at is not None
    assert row.result["groups"]["k"] == 2
    assert row.result["duplicates"][0]["authors"] == 15


def test_a_new_run_starts_only_when_enough_opinions_arrived(client, login_as):
    r, _, official = _open_round()
    _with_corpus(r)
    login_as(official)
    client.get(_url(r))
    first = db.session.scalar(select(AnalysisResult.computed_at)
                              .where(AnalysisResult.round_id == r.id))
    n = len(corpus()["opinions"])
    author = UserFactory()

    def add(k):
        for i in range(k):
            comment(r, author, body=f"第{i}条补充意见：社区停车位要公平分配 {i}")

    add(5)  # 5 of 73: under 20 %
    client.get(_url(r))
    db.session.expire_all()
    row = db.session.scalar(select(AnalysisResult).where(AnalysisResult.round_id == r.id))
    assert row.computed_at == first and row.opinion_count == n
    add(15)  # 20 new of 73: over 20 %
    client.get(_url(r, "/themes"))
    db.session.expire_all()
    row = db.session.scalar(select(AnalysisResult).where(AnalysisResult.round_id == r.id))
    assert row.computed_at > first and row.opinion_count == n + 20
    assert row.result["opinions"] == n + 20


def test_needs_run_rules():
    row = AnalysisResult(round_id=1, status=AnalysisStatus.DONE, opinion_count=1000)
    assert not jobs.needs_run(row, 1049)
    assert jobs.needs_run(row, 1050)
    row.opinion_count = 10
    assert not jobs.needs_run(row, 11) and jobs.needs_run(row, 12)
    row.status = AnalysisStatus.RUNNING
    row.requested_at = now()
    assert not jobs.needs_run(row, 500)
    row.requested_at = now() - jobs.STALE_AFTER * 2
    assert jobs.needs_run(row, 500)
    row.status = AnalysisStatus.FAILED
    assert not jobs.needs_run(row, 500)
    assert jobs.needs_run(None, 0)


def test_status_fragment_polls_while_running_and_refreshes_when_done(client, login_as):
    r, _, official = _open_round()
    login_as(official)
    AnalysisResultFactory(round_id=r.id, status=AnalysisStatus.RUNNING, progress=45,
                          step="themes", opinion_count=0, requested_at=now())
    resp = client.get(_url(r, "/status?section=themes&polling=1"),
                      headers={"HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'hx-trigger="every 2s"' in body and "45%" in body
    assert "Refresh this page" in body and "HX-Refresh" not in resp.headers
    db.session.execute(AnalysisResult.__table__.update().values(status="done", progress=100))
    db.session.commit()
    resp = client.get(_url(r, "/status?section=themes&polling=1"),
                      headers={"HX-Request": "true"})
    assert resp.headers.get("HX-Refresh") == "true"
    assert "every 2s" not in resp.get_data(as_text=True)


def test_recompute_and_a_failure_are_shown(client, login_as, monkeypatch):
    r, _, official = _open_round()
    login_as(official)
    client.get(_url(r))

    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr("consult.analysis.pipeline.run", boom)
    resp = client.post(_url(r, "/refresh"), data={"section": "groups"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/analysis/groups")
    page = client.get(_url(r, "/groups")).get_data(as_text=True)
    assert "Failed" in page and "disk full" in page


def test_accept_a_theme_into_triage(client, login_as):
    r, dept, official = closed_round(clauses=4)
    ids = _with_corpus(r)
    login_as(official)
    client.get(_url(r, "/themes"))
    row = db.session.scalar(select(AnalysisResult).where(AnalysisResult.round_id == r.id))
    campaign = next(t for t in row.result["themes"]["themes"]
                    if f'comment:{ids["campaign:0"]}' in t["members"])
    resp = client.post(_url(r, f"/themes/{campaign['label']}/accept"),
                       data={f"t{campaign['label']}-name": "保留绿地"})
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Theme “保留绿地” created with 15 opinions." in page
    theme = db.session.scalar(select(Theme).where(Theme.round_id == r.id))
    assert theme.name == "保留绿地" and theme.member_count == 15
    assert db.session.scalar(select(func.count()).select_from(Triage)
                             .where(Triage.theme_id == theme.id)) == 15
    # The same name twice: the message beside the field, nothing saved.
    resp = client.post(_url(r, f"/themes/{campaign['label']}/accept"),
                       data={f"t{campaign['label']}-name": "保留绿地"})
    assert resp.status_code == 422
    assert "This round already has a theme with that name." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1


def test_accepting_needs_a_closed_round_and_an_official(client, login_as):
    r, _, official = _open_round()
    _with_corpus(r)
    login_as(official)
    client.get(_url(r, "/themes"))
    resp = client.post(_url(r, "/themes/0/accept"), data={"t0-name": "x"})
    assert resp.status_code == 409
    login_as(UserFactory(role="moderator"))
    assert client.post(_url(r, "/themes/0/accept"), data={"t0-name": "x"}).status_code == 403


def test_pages_use_a_bounded_number_of_queries(client, login_as, count_queries):
    small, _, official_small = _open_round()
    big, _, official_big = _open_round()
    _with_corpus(big)
    counts = {}
    for r, who in ((small, official_small), (big, official_big)):
        login_as(who)
        client.get(_url(r))  # first visit runs the analysis
        for part in ("", "/themes", "/duplicates", "/groups"):
            with count_queries() as seen:
                assert client.get(_url(r, part)).status_code == 200
            counts[(r.id, part)] = len(seen)
    for part in ("", "/themes", "/duplicates", "/groups"):
        assert counts[(small.id, part)] == counts[(big.id, part)] <= 15, part


def test_with_redis_the_job_goes_to_an_rq_worker(app, client, login_as):
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker
    url = REDIS_TEST_URL
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    queue = Queue(jobs.QUEUE, connection=connection)
    queue.empty()
    app.config.update(REDIS_URL=url, ANALYSIS_MODE="rq")
    r, _, official = _open_round()
    _with_corpus(r)
    login_as(official)
    page = client.get(_url(r)).get_data(as_text=True)
    assert "Waiting to start" in page and 'hx-trigger="every 2s"' in page
    assert queue.count == 1
    # A second visit while queued does not queue it again.
    client.get(_url(r))
    assert queue.count == 1
    SimpleWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()
    row = db.session.scalar(select(AnalysisResult).where(AnalysisResult.round_id == r.id))
    assert row.status is AnalysisStatus.DONE and row.result["groups"]["k"] == 2
    queue.empty()
    connection.close()


def test_cli_runs_one_round(app):
    r, _, _ = _open_round()
    _with_corpus(r)
    result = app.test_cli_runner().invoke(args=["analysis", "run", str(r.id)])
    assert result.exit_code == 0, result.output
    assert f"Round {r.id}: {len(corpus()['opinions'])} opinions analysed" in result.output
