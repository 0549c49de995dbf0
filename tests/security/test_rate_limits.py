"""Posting, supporting, voting and the API are rate limited per user (or address):
429, the translated error page and Retry-After. New accounts wait before posting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from consult.accounts.models import User
from consult.clock import now
from consult.extensions import db
from consult.participation.models import Comment
from consult.security.limits import CATEGORY_SETTINGS, LIMITED_ENDPOINTS


def _post_comment(client, world, n):
    return client.post(f"/rounds/{world.round.id}/comments", data={"body": f"第{n}条不同的意见内容"})


def test_every_limited_endpoint_exists(app):
    endpoints = set(app.view_functions)
    missing = sorted(set(LIMITED_ENDPOINTS) - endpoints)
    assert not missing, f"limited endpoints that no longer exist: {missing}"
    print(f"\n{len(LIMITED_ENDPOINTS)} endpoints limited in {len(CATEGORY_SETTINGS)} categories")


def test_posting_is_limited_with_429_retry_after_and_translated_page(client, login_as, world,
                                                                    limits_on):
    limits_on["POST_RATE_LIMIT"] = "3 per minute"
    login_as(world.users["author"])
    client.set_cookie("locale", "en")
    statuses = [_post_comment(client, world, n).status_code for n in range(5)]
    assert statuses[:3] == [303, 303, 303], statuses
    response = _post_comment(client, world, 9)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "Too many requests" in response.text
    client.set_cookie("locale", "zh_CN")
    assert _post_comment(client, world, 10).status_code == 429
    count = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.author_id == world.users["author"].id, Comment.parent_id.is_(None)))
    assert count == 1 + 3, "nothing past the limit was saved"
    print(f"\nposting: {statuses.count(303)} accepted, then 429 with Retry-After "
          f"{response.headers['Retry-After']} s")


def test_limits_are_per_user(client, login_as, world, limits_on):
    limits_on["POST_RATE_LIMIT"] = "1 per minute"
    login_as(world.users["author"])
    assert _post_comment(client, world, 1).status_code == 303
    assert _post_comment(client, world, 2).status_code == 429
    login_as(world.users["citizen"])
    assert _post_comment(client, world, 3).status_code == 303


@pytest.mark.parametrize("category, method, path", [
    ("support", "POST", "/comments/{comment}/support"),
    ("support", "POST", "/questions/{question}/support"),
    ("support", "POST", "/suggestions/{suggestion}/support"),
    ("vote", "POST", "/rounds/{round}/vote"),
])
def test_support_and_vote_are_limited(client, login_as, world, limits_on, category, method,
                                      path):
    limits_on[CATEGORY_SETTINGS[category]] = "2 per minute"
    login_as(world.users["citizen"])
    url = path.format(comment=world.comment.id, question=world.question.id,
                      suggestion=world.suggestion.id, round=world.round.id)
    statuses = [client.open(url, method=method, data={"stance": "support"}).status_code
                for _ in range(3)]
    assert 429 not in statuses[:2] and statuses[2] == 429, statuses
    print(f"\n{category} {path}: {statuses}")


def test_api_paths_are_limited(app, client, limits_on):
    limits_on["API_RATE_LIMIT"] = "2 per minute"
    statuses = [client.get("/api/anything").status_code for _ in range(3)]
    assert statuses[2] == 429 and 429 not in statuses[:2], statuses


def test_reading_is_never_limited(client, world, limits_on):
    limits_on["POST_RATE_LIMIT"] = "1 per minute"
    statuses = {client.get(f"/rounds/{world.round.id}/comments").status_code for _ in range(5)}
    assert statuses == {200}


def test_new_account_cool_down(client, login_as, world, limits_on):
    limits_on["NEW_ACCOUNT_COOLDOWN_MINUTES"] = 10
    client.set_cookie("locale", "en")
    login_as(world.users["citizen"])  # created just now
    response = _post_comment(client, world, 1)
    assert response.status_code == 429
    assert "New accounts can post a few minutes after registering" in response.text
    assert 500 <= int(response.headers["Retry-After"]) <= 600
    # supporting is not posting: no cool-down
    assert client.post(f"/comments/{world.comment.id}/support").status_code != 429
    db.session.execute(update(User).where(User.id == world.users["citizen"].id)
                       .values(created_at=now() - timedelta(minutes=11)))
    db.session.commit()
    assert _post_comment(client, world, 2).status_code == 303
    # staff are exempt
    login_as(world.users["official_a"])
    response = client.post(f"/questions/{world.question.id}/answer", data={"body": "专项资金。"})
    assert response.status_code != 429
    print("\ncool-down: new account 429 with Retry-After "
          "≤ 600 s; after 11 minutes 303; staff exempt")


def test_limits_off_when_disabled(client, login_as, world, app):
    app.config.update(RATELIMIT_ENABLED=False, POST_RATE_LIMIT="1 per minute")
    login_as(world.users["author"])
    assert [_post_comment(client, world, n).status_code for n in range(3)] == [303] * 3


def test_flask_limiter_429_on_login_has_retry_after_and_translated_page(pytestconfig):
    """The per-address limits on login/registration/reset (Flask-Limiter) answer
    through errors.py: the translated error page and Retry-After."""
    from consult.extensions import db as _db
    from tests.conftest import make_app, prepare_schema

    app = make_app(pytestconfig, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute",
                   RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        prepare_schema(pytestconfig)
        from consult.extensions import limiter
        limiter.reset()
        client = app.test_client()
        client.set_cookie("locale", "en")
        statuses = [client.post("/auth/login", data={"email": "a@example.org",
                                                     "password": "whatever-1234"}).status_code
                    for _ in range(2)]
        response = client.post("/auth/login", data={"email": "a@example.org",
                                                    "password": "whatever-1234"})
        client.set_cookie("locale", "zh_CN")
        zh = client.post("/auth/login", data={"email": "a@example.org", "password": "x"})
        limiter.reset()
        _db.session.remove()
        _db.engine.dispose()
    assert 429 not in statuses
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many requests" in response.text
    assert zh.status_code == 429 and "Too many requests" not in zh.text
    print(f"\nlogin limit: {statuses} then 429, Retry-After {response.headers['Retry-After']} s")
