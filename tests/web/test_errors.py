"""Error pages: every status of issue 3 in the site layout with a translated message,
a fragment for htmx, JSON under /api; CSRF failures get 400 with a message."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import lazy_gettext as _l

from consult.errors import Conflict, RateLimited
from consult.extensions import db
from tests.conftest import make_app
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def assert_error_page(response, status: int, title: str, message: str | None = None):
    body = unescape(response.get_data(as_text=True))
    assert response.status_code == status, body[:500]
    assert response.mimetype == "text/html"
    # The site layout: landmarks, header with navigation and language switch, footer.
    assert body.startswith("<!doctype html>")
    assert '<html lang="en">' in body
    assert '<a class="skip-link" href="#main">' in body
    assert '<header class="site-header">' in body and '<footer class="site-footer">' in body
    assert '<main id="main"' in body and 'class="locale-switch"' in body
    assert f"Error {status}" in body
    assert f"<h1>{title}</h1>" in body
    assert re.search(rf"<title>{re.escape(title)} · ", body)
    if message:
        assert message in body


def csrf_token(client, path="/auth/login") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


# ---------------------------------------------------------------- CSRF: 400

@pytest.fixture
def csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


CSRF_MESSAGE = "Your form expired or was sent from elsewhere. Reload the page and try again."


def test_missing_csrf_token_gets_400_with_message(client, csrf):
    user = UserFactory()
    response = client.post("/auth/login", data={"email": user.email,
                                                "password": "correct horse battery"})
    assert_error_page(response, 400, "The request could not be understood", CSRF_MESSAGE)
    assert client.get("/me/").status_code == 302  # not logged in


def test_wrong_csrf_token_gets_400_with_message(client, csrf):
    csrf_token(client)  # the session has a token, but not this one
    response = client.post("/auth/register", data={
        "csrf_token": "forged", "email": "mei@example.org", "display_name": "Mei",
        "password": "plum blossom 2026", "confirm": "plum blossom 2026"})
    assert_error_page(response, 400, "The request could not be understood", CSRF_MESSAGE)
    from consult.accounts.models import User
    assert db.session.query(User).count() == 0


def test_token_of_another_session_is_refused(client, app, csrf):
    other = app.test_client()
    token = csrf_token(other)
    csrf_token(client)
    response = client.post("/locale", data={"csrf_token": token, "locale": "en"})
    assert response.status_code == 400


def test_right_csrf_token_in_the_form_passes(client, csrf):
    token = csrf_token(client)
    response = client.post("/auth/login", data={"csrf_token": token, "email": "x@example.org",
                                                "password": "whatever it is"})
    assert response.status_code == 422  # the form was processed: wrong credentials


def test_htmx_sends_the_token_in_a_header(client, csrf):
    page = client.get("/")
    header = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page.text)
    assert header, "base.html must give htmx the CSRF token"
    response = client.post("/locale", data={"locale": "en"},
                           headers={"X-CSRFToken": header.group(1), "HX-Request": "true"})
    assert response.status_code == 303
    refused = client.post("/locale", data={"locale": "en"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    # htmx gets the message as a fragment, not a whole page.
    assert "<html" not in refused.text and CSRF_MESSAGE in unescape(refused.text)


# ---------------------------------------------------------------- 403 and the login redirect

def test_visitor_is_sent_to_log_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.location.endswith("/auth/login?next=%2Fadmin%2Fusers")


def test_logged_in_user_without_the_right_gets_403(client, login_as):
    login_as(UserFactory())
    response = client.get("/admin/users")
    assert_error_page(response, 403, "You do not have access to this page",
                      "You are not allowed to do this.")
    assert "Administration" not in response.text  # the menu does not offer it either


# ---------------------------------------------------------------- 404, 405, 409, 413, 422

def test_404(client):
    assert_error_page(client.get("/no/such/page"), 404, "Page not found",
                      "Check the address, or go back to the home page.")


def test_404_for_a_missing_object(client, login_as):
    login_as(UserFactory(role="admin"))
    assert_error_page(client.get("/admin/users/999999"), 404, "Page not found",
                      "There is no such user.")


def test_405_keeps_the_allow_header(client):
    response = client.get("/auth/logout")
    assert_error_page(response, 405, "This action is not allowed here",
                      "Go back and use the buttons on the page.")
    assert "POST" in response.headers["Allow"]


def test_409_for_a_reused_link(client, outbox):
    client.post("/auth/register", data={
        "email": "mei@example.org", "display_name": "Mei", "password": "plum blossom 2026",
        "confirm": "plum blossom 2026"})
    path = re.search(r"http://localhost(/\S+)", outbox[0].body).group(1)
    client.get(path)
    response = client.get(path)
    assert response.status_code == 409
    assert "This verification link has already been used." in unescape(response.text)
    assert '<header class="site-header">' in response.text


def test_413_when_the_body_is_too_large(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/auth/login", data={"email": "x@example.org",
                                                "password": "p" * 5000})
    assert_error_page(response, 413, "What you sent is too large",
                      "Make it smaller and try again.")


def test_422_page(client):
    response = client.get("/auth/verify/not-a-real-token")
    assert response.status_code == 422
    assert "This verification link is not valid." in unescape(response.text)
    assert '<header class="site-header">' in response.text


# ---------------------------------------------------------------- 429

@pytest.fixture
def limited_client(pytestconfig):
    app = make_app(pytestconfig, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    with app.app_context():
        client = app.test_client()
        client.set_cookie("locale", "en")
        yield client
        db.engine.dispose()


def test_429_after_too_many_login_attempts(limited_client):
    # Empty forms: refused before any database work, but counted.
    for _ in range(2):
        assert limited_client.post("/auth/login", data={}).status_code == 422
    response = limited_client.post("/auth/login", data={})
    assert_error_page(response, 429, "Too many requests",
                      "You have done this too often. Please wait a little and try again.")
    assert int(response.headers["Retry-After"]) > 0
    assert limited_client.get("/auth/login").status_code == 200  # reading is not limited


# ---------------------------------------------------------------- service errors and 500

@pytest.fixture
def throwaway(app):
    """Routes that fail on purpose, added before the app's first request."""
    def boom():
        raise RuntimeError("a bug")

    def busy():
        raise Conflict(_l("This cannot be done right now"))

    def slow_down():
        raise RateLimited(_l("Too many requests"))

    app.add_url_rule("/_test/boom", "test_boom", boom)
    app.add_url_rule("/_test/conflict", "test_conflict", busy)
    app.add_url_rule("/_test/limited", "test_limited", slow_down)
    app.add_url_rule("/api/_test/boom", "test_api_boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_500_renders_in_the_layout(client, throwaway):
    response = client.get("/_test/boom")
    assert_error_page(response, 500, "Something went wrong on our side",
                      "The error has been logged. Please try again later.")
    assert "a bug" not in response.text and "Traceback" not in response.text


def test_service_errors_render_with_their_status(client, throwaway):
    assert_error_page(client.get("/_test/conflict"), 409, "This cannot be done right now")
    assert_error_page(client.get("/_test/limited"), 429, "Too many requests")


def test_htmx_gets_an_error_fragment(client, throwaway):
    response = client.get("/_test/conflict", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "<html" not in response.text and 'role="alert"' in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_api_errors_are_json(client, throwaway):
    response = client.get("/api/_test/boom")
    assert response.status_code == 500
    assert response.json["error"]["status"] == 500
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json["error"]["title"] == "Page not found"


def test_error_pages_are_translated(app, throwaway):
    client = app.test_client()  # no cookie, no Accept-Language: Simplified Chinese
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert '<html lang="zh-Hans-CN">' in response.text
    assert "Page not found" not in response.text
    assert "Something went wrong on our side" not in client.get("/_test/boom").text
