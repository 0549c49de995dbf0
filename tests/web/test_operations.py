"""Operating consult: health checks, request ids, structured logs and /metrics.

(The same through a real nginx and gunicorn: tests/deploy/test_nginx_proxy.py.)"""

from __future__ import annotations

import json
import logging
import re

import pytest

from consult import observability
from consult.analysis import jobs
from consult.analysis.models import AnalysisStatus
from consult.db import db
from tests.conftest import REDIS_TEST_URL, make_app
from tests.factories import AnalysisResultFactory


@pytest.fixture
def production(pytestconfig, app):
    """The app as production configures it (https forced, secure cookies), same database."""
    prod = make_app(pytestconfig, ENV_NAME="production", SECRET_KEY="p" * 40,
                    SESSION_COOKIE_SECURE=True, SITE_URL="https://consult.example.org",
                    SERVER_NAME=None)
    yield prod
    with prod.app_context():
        db.engine.dispose()


def other_app(pytestconfig, **settings):
    return make_app(pytestconfig, SERVER_NAME=None, **settings)


# ---------------------------------------------------------------- health

def test_healthz_is_liveness_only(client, count_queries):
    with count_queries() as queries:
        response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")
    assert queries == []  # no database
    assert response.headers["Cache-Control"] == "no-store"


def test_health_checks_answer_plain_http_in_production(production):
    client = production.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ready", "checks": {"database": "ok"}}
    assert client.get("/metrics").status_code == 200
    # Everything else goes to https.
    page = client.get("/consultations/")
    assert page.status_code == 302
    assert page.location.startswith("https://")


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(pytestconfig):
    broken = other_app(pytestconfig,
                       SQLALCHEMY_DATABASE_URI="postgresql+psycopg://consult@127.0.0.1:1/none",
                       SQLALCHEMY_ENGINE_OPTIONS={})
    with broken.app_context():
        response = broken.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unreachable"}}


def test_readyz_is_503_naming_redis_when_it_is_unreachable(pytestconfig):
    broken = other_app(pytestconfig, REDIS_URL="redis://127.0.0.1:1/0")
    with broken.app_context():
        from tests.conftest import prepare_schema
        prepare_schema(pytestconfig)
        response = broken.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json == {"status": "unavailable",
                             "checks": {"database": "ok", "redis": "unreachable"}}


def test_readyz_checks_a_running_redis(pytestconfig):
    url = REDIS_TEST_URL
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not running at {url}")
    ready = other_app(pytestconfig, REDIS_URL=url)
    with ready.app_context():
        from tests.conftest import prepare_schema
        prepare_schema(pytestconfig)
        response = ready.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


# ---------------------------------------------------------------- request ids and logs

def test_every_response_carries_a_request_id(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made
    given = client.get("/healthz", headers={"X-Request-ID": "nginx-3f2a9c0d"})
    assert given.headers["X-Request-ID"] == "nginx-3f2a9c0d"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\" \"level\": \"ERROR"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


def test_json_log_lines_carry_the_request_id(app):
    formatter = observability.JsonFormatter()
    with app.test_request_context("/", headers={"X-Request-ID": "req-12345678"}):
        record = logging.LogRecord("consult.test", logging.WARNING, __file__, 1,
                                   "投票 %s", ("已保存",), None)
        record.round_id = 7
        line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-12345678"
    assert line["message"] == "投票 已保存" and line["level"] == "WARNING"
    assert line["logger"] == "consult.test" and line["round_id"] == 7
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    outside = logging.LogRecord("consult.test", logging.INFO, __file__, 1, "job", (), None)
    with observability.carrying_request_id("req-of-the-job"):
        assert json.loads(formatter.format(outside))["request_id"] == "req-of-the-job"
    assert json.loads(formatter.format(outside))["request_id"] is None


def test_the_access_log_has_one_record_per_request(app, client, caplog, monkeypatch):
    app.config["ACCESS_LOG"] = True
    with caplog.at_level(logging.INFO, logger="consult.access"):
        response = client.get("/consultations/?q=x", headers={"User-Agent": "probe/1"})
    records = [r for r in caplog.records if r.name == "consult.access"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.route, record.status) == (
        "GET", "/consultations/", "/consultations/", 200)
    assert record.request_id == response.headers["X-Request-ID"]
    assert record.user_agent == "probe/1" and record.duration_ms > 0


def test_a_background_analysis_logs_with_the_id_of_its_request(app, monkeypatch):
    seen = []
    monkeypatch.setattr(jobs, "run_analysis", lambda round_id: seen.append(
        (round_id, observability.request_id())))
    jobs._in_thread(app, 5, "req-abcdef12")
    assert seen == [(5, "req-abcdef12")]


# ---------------------------------------------------------------- metrics

def test_metrics_count_requests_by_route(client):
    client.get("/consultations/")
    client.get("/no/such/page")
    text = client.get("/metrics").text
    assert re.search(r'consult_http_requests_total\{method="GET",route="/consultations/",'
                     r'status="200"\} [1-9]', text)
    assert re.search(r'consult_http_requests_total\{method="GET",route="<unmatched>",'
                     r'status="404"\} [1-9]', text)
    assert 'consult_http_request_duration_seconds_bucket{le="0.5",method="GET",' in text
    assert "consult_db_pool_checked_out " in text


def test_metrics_show_the_analysis_jobs_waiting(client):
    for status in (AnalysisStatus.QUEUED, AnalysisStatus.QUEUED, AnalysisStatus.RUNNING,
                   AnalysisStatus.DONE):
        AnalysisResultFactory(status=status)
    text = client.get("/metrics").text
    assert 'consult_analysis_jobs{status="queued"} 2.0' in text
    assert 'consult_analysis_jobs{status="running"} 1.0' in text


def test_metrics_are_not_public(app, client):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    app.config["METRICS_TOKEN"] = "a-token-of-sixteen+"
    bearer = {"Authorization": "Bearer a-token-of-sixteen+"}
    assert client.get("/metrics", environ_base=outside, headers=bearer).status_code == 200
    wrong = {"Authorization": "Bearer a-token-of-sixteen-"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 403
    app.config["METRICS_ALLOW"] = ("203.0.113.0/24",)
    assert client.get("/metrics", environ_base=outside).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback no longer listed


def test_metrics_can_be_turned_off(pytestconfig):
    quiet = other_app(pytestconfig, METRICS=False)
    with quiet.app_context():
        assert quiet.test_client().get("/metrics").status_code == 404
        db.engine.dispose()
