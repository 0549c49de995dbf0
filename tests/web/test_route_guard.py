"""Every state-changing route refuses a request without a valid CSRF token.

The routes are read from ``app.url_map``, so routes added later are covered without
touching this test.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.routing import IntegerConverter

from tests.factories import UserFactory

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "Your form expired or was sent from elsewhere."


def write_routes(app) -> list[tuple[str, str, str]]:
    """(method, url, rule) for every write route, with sample values for its arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & WRITE_METHODS):
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
            _, url = rule.build(values, append_unknown=False)
            found.append((method, url, rule.rule))
    return found


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_guard_sees_the_known_write_routes(app):
    rules = {rule for _, _, rule in write_routes(app)}
    for known in ("/auth/login", "/auth/logout", "/auth/register", "/auth/reset",
                  "/auth/reset/<token>", "/locale", "/me/profile", "/me/password",
                  "/admin/departments", "/admin/users/<int:user_id>",
                  "/admin/users/<int:user_id>/active"):
        assert known in rules


@pytest.mark.parametrize("who", ["visitor", "citizen", "admin"])
def test_every_write_route_refuses_a_missing_or_wrong_token(app, client, login_as, csrf_on,
                                                            who):
    if who != "visitor":
        login_as(UserFactory(role="admin") if who == "admin" else UserFactory())
    client.set_cookie("locale", "en")
    client.get("/")  # the session now holds a real token
    failures = []
    for method, url, _ in write_routes(app):
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.open(url, method=method, data=data)
            if response.status_code != 400 or CSRF_MESSAGE not in unescape(response.text):
                failures.append(f"{method} {url} {data}: {response.status_code}")
    assert not failures, "write routes that do not check the CSRF token:\n" + "\n".join(failures)


def test_a_valid_token_gets_through(client, csrf_on):
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/locale", data={"csrf_token": token, "locale": "en"})
    assert response.status_code == 303
