"""Ending a session ends it on the server (issue 17, class 2).

For every event that must end a user's sessions (logout, "log out on every device",
password change, password reset, deactivation, a role change, account deletion), the
session cookie and the remember-me cookie copied before the event are each replayed
alone in a fresh browser: neither may still be logged in.
"""

from __future__ import annotations

import pytest

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.db import atomic
from consult.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.security.world import fresh

NEW_PASSWORD = "a quite different passphrase 42"
COOKIES = ("session", "remember_token")


def _log_in(app, user):
    browser = app.test_client()
    response = browser.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                                 "remember": "y"})
    assert response.status_code == 303
    assert browser.get("/me/").status_code == 200
    return browser


def _copy(browser) -> dict[str, str]:
    copied = {}
    for name in COOKIES:
        cookie = browser.get_cookie(name)
        assert cookie is not None, f"no {name} cookie after login"
        copied[name] = cookie.value
    return copied


def _logs_in(app, name: str, value: str) -> bool:
    replay = app.test_client()
    replay.set_cookie(name, value)
    return replay.get("/me/").status_code == 200


def _logout(app, browser, user):
    assert browser.post("/auth/logout").status_code == 303


def _everywhere(app, browser, user):
    assert browser.post("/me/logout-everywhere").status_code == 303


def _change_password(app, browser, user):
    response = browser.post("/me/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303


def _reset_password(app, browser, user):
    from consult.accounts import tokens
    token = tokens.make("reset", {"uid": user.id,
                                  "ph": tokens.password_fingerprint(user.password_hash)})
    other = app.test_client()
    response = other.post(f"/auth/reset/{token}", data={"password": NEW_PASSWORD,
                                                         "confirm": NEW_PASSWORD})
    assert response.status_code == 303


def _deactivate(app, browser, user):
    admin = fresh(UserFactory(role="admin"))
    with atomic():
        accounts.set_active(admin, db.session.get(User, user.id), active=False)


def _change_roles(app, browser, user):
    admin = fresh(UserFactory(role="admin"))
    with atomic():
        accounts.set_roles(admin, fresh(db.session.get(User, user.id)), roles=["moderator"],
                           department_ids=[])


def _delete_account(app, browser, user):
    response = browser.post("/me/data/delete", data={"password": PASSWORD, "content": "keep"})
    assert response.status_code == 303


EVENTS = {"logout": _logout, "log out on every device": _everywhere,
          "password change": _change_password, "password reset": _reset_password,
          "deactivation": _deactivate, "role change": _change_roles,
          "account deletion": _delete_account}


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_cookies_copied_before_the_event_no_longer_log_in(app, event):
    user = UserFactory()
    browser = _log_in(app, user)
    copied = _copy(browser)
    for name, value in copied.items():  # the copies work before the event
        assert _logs_in(app, name, value), name
    EVENTS[event](app, browser, db.session.get(User, user.id))
    db.session.expire_all()
    for name, value in copied.items():
        assert not _logs_in(app, name, value), f"{name} still logs in after {event}"


def test_other_devices_end_too(app):
    user = UserFactory()
    laptop, phone = _log_in(app, user), _log_in(app, user)
    assert laptop.post("/auth/logout").status_code == 303
    assert phone.get("/me/").status_code == 302


def test_password_change_keeps_the_current_session(app):
    user = UserFactory()
    browser = _log_in(app, user)
    _change_password(app, browser, user)
    assert browser.get("/me/").status_code == 200


def test_profile_offers_logging_out_everywhere(app):
    browser = _log_in(app, UserFactory())
    page = browser.get("/me/profile").get_data(as_text=True)
    assert 'action="/me/logout-everywhere"' in page
