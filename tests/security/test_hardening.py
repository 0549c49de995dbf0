"""Hardening: session cookie flags, a new session on login, no state change over GET,
the common-password deny-list, ProxyFix opt-in."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from consult.accounts.services import check_password_rules
from consult.app import create_app
from consult.config import ProductionConfig
from consult.errors import ValidationFailed
from consult.security.passwords import common_passwords, is_common
from tests.factories import PASSWORD, UserFactory
from tests.security.world import ROLES

WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
# Writes a GET may make: derived data cached on first view, never what users did.
# (endpoint, table): why
ALLOWED_GET_WRITES = {
    ("analysis.terms", "analysis_result"): "opinion analysis computed on first view and cached",
}


class _Prod(ProductionConfig):
    SECRET_KEY = "a-long-random-production-secret-for-this-test"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "locmem"
    PASSWORD_HASH_METHOD = "scrypt:2048:8:1"
    SERVER_NAME = "consult.example.org"
    SITE_URL = "https://consult.example.org"


def test_production_session_cookie_is_secure_httponly_lax():
    from consult.extensions import db
    app = create_app(_Prod)
    with app.app_context():
        db.create_all()
        user = UserFactory()
        client = app.test_client()
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                               base_url="https://consult.example.org")
        assert response.status_code == 303
        cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert cookies, response.headers
        flags = cookies[0].lower()
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, flags
        # plain http is sent to https in production
        assert client.get("/", base_url="http://consult.example.org").status_code == 302
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    print(f"\nproduction session cookie: {cookies[0].split(';', 1)[1].strip()}")


def test_development_cookie_is_httponly_lax_not_secure(client):
    user = UserFactory()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    flags = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in flags and "SameSite=Lax" in flags and "Secure" not in flags


def test_login_starts_a_new_session(client):
    user = UserFactory()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "fixation"
    before = client.get_cookie("session").value
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    after = client.get_cookie("session").value
    assert before != after
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def _get_urls(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {}
        for name in rule.arguments:
            conv = rule._converters[name]
            values[name] = ids.get(name, 1 if isinstance(conv, IntegerConverter) else "x")
        yield rule.endpoint, rule.build(values, append_unknown=False)[1]


def test_no_get_route_writes_to_the_database(app, client, login_as, world, count_queries):
    """Every GET route, as every role, with the seeded world: zero INSERT/UPDATE/DELETE."""
    writes, requests, statuses = [], 0, {}
    for role in ROLES:
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        for endpoint, url in _get_urls(app, world.ids()):
            with count_queries() as seen:
                response = client.get(url)
            requests += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
            found = [f"{m.group(1).split()[0].upper()} {m.group(2)}"
                     for m in (WRITE.match(s) for s in seen) if m
                     and (endpoint, m.group(2)) not in ALLOWED_GET_WRITES]
            if found:
                writes.append(f"{role} GET {url} ({endpoint}): {found}")
    assert not writes, "GET requests that wrote to the database:\n" + "\n".join(writes)
    print(f"\nGET without writes: {requests} requests over {len(ROLES)} roles, 0 writes; "
          f"statuses {dict(sorted(statuses.items()))}")


@pytest.mark.parametrize("password", ["password123!", "Qwertyuiop1", "1q2w3e4r5t",
                                      "welcome2026", "abcabcabcabc", "iloveyou1314",
                                      "Consult2026!"])
def test_common_passwords_are_refused(app, password):
    with pytest.raises(ValidationFailed) as info:
        check_password_rules(password)
    assert info.value.field == "password"


@pytest.mark.parametrize("password", ["correct horse battery", "consult-demo-2026",
                                      "Tangerine&Violin42", "我的密码是长江和黄河之水"])
def test_ordinary_passwords_pass(app, password):
    check_password_rules(password)
    assert not is_common(password)


def test_deny_list_is_shipped(app):
    words = common_passwords()
    assert len(words) >= 300 and "password" in words
    print(f"\ncommon-password deny-list: {len(words)} entries")


def test_proxy_fix_is_opt_in(pytestconfig):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from tests.conftest import make_app
    assert not isinstance(make_app(pytestconfig).wsgi_app, ProxyFix)
    app = make_app(pytestconfig, PROXY_FIX_HOPS=1)
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 1


@pytest.mark.parametrize("url", ["/departments/%00", "/rounds/1%00", "/consultations/?q=a%00b",
                                 "/consultations/?%00=1"])
def test_nul_in_the_path_or_query_is_a_400(client, url):
    # PostgreSQL cannot store NUL in text: before the guard this was a 500 there.
    response = client.get(url)
    assert response.status_code == 400
    assert "text/html" in response.content_type

