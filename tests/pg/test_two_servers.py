"""Two stateless app servers over one PostgreSQL and one Redis (the way consult scales
out): a session, a rate limit and a vote made through one are seen through the other, and
a comment posted through one replaces the list the other had cached in Redis.

Each server is its own app instance (its own engine and limiter) in a real WSGI server on
its own loopback port; Redis db 15 at 127.0.0.1:6379 is flushed before and after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from consult.clock import now
from consult.rounds.models import RoundKind
from tests.conftest import REDIS_TEST_URL, make_app
from tests.factories import PASSWORD, RoundFactory, UserFactory

pytestmark = pytest.mark.pg

REDIS = REDIS_TEST_URL


@pytest.fixture
def redis_db15() -> Iterator[None]:
    redis = pytest.importorskip("redis")
    conn = redis.Redis.from_url(REDIS)
    try:
        conn.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    conn.flushdb()
    yield
    conn.flushdb()
    conn.close()


@pytest.fixture
def two_servers(pytestconfig, app, redis_db15) -> Iterator[list[str]]:
    servers, threads, apps = [], [], []
    for _ in range(2):
        other = make_app(pytestconfig, SERVER_NAME=None, REDIS_URL=REDIS,
                         RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS,
                         LOGIN_RATE_LIMIT="4 per minute", SECRET_KEY="shared-secret-of-the-fleet")
        server = make_server("127.0.0.1", 0, other, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        threads.append(thread)
        apps.append(other)
    yield [f"http://127.0.0.1:{s.server_port}" for s in servers]
    for server, thread in zip(servers, threads, strict=True):
        server.shutdown()
        thread.join(timeout=5)
    from consult.extensions import db
    for other in apps:
        with other.app_context():
            db.engine.dispose()


def test_session_rate_limit_and_vote_are_shared(app, two_servers):
    a, b = two_servers
    # An account older than the new-account cooldown (it may post at once).
    user = UserFactory(email="voter@example.org", created_at=now() - timedelta(days=1))
    other = UserFactory(email="other@example.org")
    round_id = RoundFactory(kind=RoundKind.VOTE, show_live_results=True).id
    comments_round = RoundFactory(kind=RoundKind.COMMENTS).id
    from consult.extensions import db
    db.session.commit()
    assert user.id != other.id

    # A session opened on A is valid on B (signed cookie, same SECRET_KEY, shared users).
    browser = requests.Session()
    assert browser.get(f"{b}/me/notifications", allow_redirects=False).status_code == 302
    resp = browser.post(f"{a}/auth/login", data={"email": "voter@example.org",
                                                  "password": PASSWORD},
                        allow_redirects=False)
    assert resp.status_code in (302, 303), resp.text[:500]
    page = browser.get(f"{b}/me/notifications", allow_redirects=False)
    assert page.status_code == 200

    # A vote cast through A is counted when B answers.
    resp = browser.post(f"{a}/rounds/{round_id}/vote", data={"stance": "oppose", "reason": ""},
                        allow_redirects=False)
    assert resp.status_code in (302, 303), resp.text[:500]
    results = browser.get(f"{b}/rounds/{round_id}/results",
                          headers={"Accept": "application/json"}).json()
    assert results["ballots"] == 1
    assert results["stances"]["oppose"] == 1
    # ... and changed through B, still one ballot, seen through A.
    browser.post(f"{b}/rounds/{round_id}/vote", data={"stance": "support", "reason": ""},
                 allow_redirects=False)
    results = requests.get(f"{a}/rounds/{round_id}/results",
                           headers={"Accept": "application/json"}).json()
    assert results["ballots"] == 1
    assert results["stances"] == {**results["stances"], "support": 1, "oppose": 0}

    # A visitor's comment list cached (in Redis) by B is replaced as soon as A commits a
    # comment: the key holds the round's content version, bumped in that transaction.
    import redis
    visitor = requests.Session()
    listing = f"{b}/rounds/{comments_round}/comments"
    assert "来自服务器 A 的意见" not in visitor.get(listing).text
    assert any(b"frag:" in key for key in redis.Redis.from_url(REDIS).keys("consult:*"))
    resp = browser.post(f"{a}/rounds/{comments_round}/comments",
                        data={"body": "来自服务器 A 的意见", "clause_id": ""},
                        allow_redirects=False)
    assert resp.status_code == 303, resp.text[:500]
    assert "来自服务器 A 的意见" in visitor.get(listing).text

    # The login limit (4 per minute per client address; the log-in above was one)
    # exhausted through A refuses on B.
    guesser = requests.Session()
    for _ in range(3):
        resp = guesser.post(f"{a}/auth/login", data={"email": "other@example.org",
                                                      "password": "wrong-password"},
                            allow_redirects=False)
        assert resp.status_code != 429
    resp = guesser.post(f"{b}/auth/login", data={"email": "other@example.org",
                                                  "password": PASSWORD},
                        allow_redirects=False)
    assert resp.status_code == 429
