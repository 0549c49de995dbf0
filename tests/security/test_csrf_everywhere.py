"""Every state-changing route refuses a request without a valid CSRF token, as every
role and on real objects (the route guard in tests/web uses id 1 of an empty database):
no token, a forged token, another session's token, a wrong X-CSRFToken header (htmx).
Refused requests write nothing."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.security.test_authorization_matrix import WRITE_METHODS, routes, url_for_rule
from tests.security.world import ROLES

CSRF_MESSAGE = "Your form expired or was sent from elsewhere."
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _token(client):
    page = client.get("/")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_every_write_route_needs_a_valid_token(app, client, login_as, world, csrf_on,
                                               count_queries):
    other = app.test_client()
    other_token = _token(other)  # a real token, of another session
    failures, checked = [], 0
    writes = [(m, r) for m, r in routes(app) if m in WRITE_METHODS]
    assert len(writes) > 40
    for role in ROLES:
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        client.set_cookie("locale", "en")
        _token(client)  # this session now holds a token
        for method, rule in writes:
            url = url_for_rule(rule, world.ids())
            attempts = [
                {"data": {}},
                {"data": {"csrf_token": "forged"}},
                {"data": {"csrf_token": other_token}},
                {"data": {}, "headers": {"X-CSRFToken": other_token, "HX-Request": "true"}},
            ]
            for attempt in attempts:
                with count_queries() as seen:
                    response = client.open(url, method=method, **attempt)
                checked += 1
                wrote = [s for s in seen if WRITE_SQL.match(s)]
                if response.status_code != 400 or wrote or (
                        "HX-Request" not in attempt.get("headers", {})
                        and CSRF_MESSAGE not in unescape(response.text)):
                    failures.append(f"{role} {method} {url} {attempt}: "
                                    f"{response.status_code} writes={len(wrote)}")
    assert not failures, "accepted without a valid CSRF token:\n" + "\n".join(failures[:40])
    print(f"\nCSRF: {len(writes)} write routes x {len(ROLES)} roles x 4 forgeries = "
          f"{checked} requests, all 400, nothing written")


def test_the_session_token_gets_through(client, login_as, world, csrf_on):
    login_as(world.users["citizen"])
    token = _token(client)
    response = client.post("/locale", data={"csrf_token": token, "locale": "en"})
    assert response.status_code == 303
    response = client.post(f"/suggestions/{world.suggestion.id}/support",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 303
