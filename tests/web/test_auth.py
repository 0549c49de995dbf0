"""Accounts through the test client: register, verify, log in and out, reset and change
passwords, edit the profile; every bad input of issue 3 with its status and message."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.audit.models import AuditEntry
from consult.clock import now
from consult.extensions import db
from tests.factories import PASSWORD, UserFactory

GOOD_PASSWORD = "plum blossom 2026"


pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def page_alike(response) -> str:
    """The page's text without its CSRF tokens: they carry the second they were signed in,
    so two identical pages served a second apart differ there."""
    return CSRF_TOKEN.sub(r"\1<token>", text(response))


CSRF_TOKEN = re.compile(r'(X-CSRFToken": "|name="csrf_token"[^>]*?value=")[^"]+')


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def link_in(message) -> str:
    """The path of the link in a mail (http://localhost/auth/...)."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def field_error(response, field: str) -> str:
    match = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert match, f"no error beside {field}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Error:", "").strip()


def register(client, **overrides):
    data = {"email": "mei@example.org", "display_name": "王小梅",
            "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}
    data.update(overrides)
    return client.post("/auth/register", data=data)


def login(client, email, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


# ---------------------------------------------------------------- register and verify

def test_register_verify_and_log_in(client, outbox):
    page = client.get("/auth/register")
    assert page.status_code == 200
    assert 'for="display_name"' in page.text and 'id="display_name"' in page.text

    response = register(client)  # no session yet: the answer a taken address gets too
    assert response.status_code == 200 and "We sent a message to mei@example.org" in text(
        response)
    user = db.session.scalar(select(User))
    assert (user.email, user.display_name, user.locale) == ("mei@example.org", "王小梅", "en")
    assert not user.is_verified
    assert client.get("/me/").status_code == 302

    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.to == ["mei@example.org"]
    assert mail.subject == "Verify your e-mail address for consult"
    path = link_in(mail)
    assert path.startswith("/auth/verify/")

    response = client.get(path)
    assert response.status_code == 303 and response.location.endswith("/auth/login")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified
    assert "Thank you, your e-mail address is verified." in text(client.get("/auth/login"))
    assert actions() == ["user.registered", "user.verified"]


def test_verification_link_works_without_a_session(client, app, outbox):
    register(client)
    path = link_in(outbox[0])
    other = app.test_client()
    other.set_cookie("locale", "en")
    response = other.get(path)
    assert response.status_code == 303 and response.location.endswith("/auth/login")


def test_reused_verification_link_gets_409_with_message(client, outbox):
    register(client)
    path = link_in(outbox[0])
    assert client.get(path).status_code == 303
    response = client.get(path)
    assert response.status_code == 409
    assert "This verification link has already been used." in text(response)
    assert actions().count("user.verified") == 1


def test_expired_verification_link_gets_422_and_verifies_nothing(client, outbox):
    start = now()
    with time_machine.travel(start, tick=False):
        register(client)
    path = link_in(outbox[0])
    with time_machine.travel(start + timedelta(days=3, hours=1), tick=False):
        response = client.get(path)
    assert response.status_code == 422
    assert "This verification link has expired." in text(response)
    assert not db.session.scalar(select(User)).is_verified


def test_broken_verification_link_gets_422(client):
    response = client.get("/auth/verify/garbage.token.here")
    assert response.status_code == 422
    assert "This verification link is not valid." in text(response)


def test_verification_link_can_be_sent_again(client, outbox, login_as):
    register(client)
    login_as(db.session.scalar(select(User)))
    response = client.post("/auth/verify/resend")
    assert response.status_code == 303
    assert len(outbox) == 2
    assert "We sent a new verification link to mei@example.org." in text(client.get("/me/"))


BAD_REGISTRATIONS = [
    ({"email": "not-an-address"}, 422, "email", "Enter an e-mail address like name@example.com."),
    ({"email": ""}, 422, "email", "Enter an e-mail address like name@example.com."),
    ({"password": "short", "confirm": "short"}, 422, "password", "Use at least 10 characters."),
    ({"confirm": "something else 1"}, 422, "confirm", "The two passwords are not the same."),
    ({"display_name": "长" * 3000}, 422, "display_name",
     "A display name can have at most 50 characters."),
    ({"display_name": "<script>alert('x')</script>"}, 422, "display_name",
     "A display name cannot contain < or > or control characters."),
    ({"display_name": "Mei\u200b"}, 422, "display_name",
     "A display name cannot contain < or > or control characters."),
    ({"display_name": ""}, 422, "display_name", "Enter a display name."),
]


@pytest.mark.parametrize("overrides, status, field, message", BAD_REGISTRATIONS)
def test_bad_registration_gets_message_and_saves_nothing(client, outbox, overrides, status,
                                                         field, message):
    response = register(client, **overrides)
    assert response.status_code == status
    assert field_error(response, field) == message
    body = text(response)
    assert "There is a problem" in body and f'href="#{field}"' in body
    assert "<script>alert" not in response.get_data(as_text=True)  # never echoed unescaped
    assert rows(User) == 0 and rows(AuditEntry) == 0 and outbox == []


def test_taken_address_answers_as_a_new_one_and_mails_the_owner(client, outbox):
    """Registration does not tell whether an address has an account (issue 17)."""
    UserFactory(email="mei@example.org", display_name="梅", locale="en")
    taken = register(client, email="MEI@example.org")
    client.delete_cookie("session")
    fresh = register(client, email="lan@example.org")
    assert taken.status_code == fresh.status_code == 200
    def page(response):
        return re.sub(r'(csrf|Token)[^>]*', "", response.get_data(as_text=True))
    assert page(taken).replace("mei@", "lan@") == page(fresh)
    assert ("Set-Cookie" in taken.headers) == ("Set-Cookie" in fresh.headers)
    assert rows(User) == 2
    owner_mail, new_mail = outbox
    assert owner_mail.to == ["mei@example.org"]
    assert owner_mail.subject == "Someone tried to register with your address on consult"
    assert "/auth/reset" in owner_mail.body
    assert new_mail.to == ["lan@example.org"]


def test_register_keeps_what_was_typed(client):
    response = register(client, display_name="王小梅", password="short", confirm="short")
    assert response.status_code == 422
    assert 'value="mei@example.org"' in response.text
    assert 'value="王小梅"' in response.text
    assert GOOD_PASSWORD not in response.text and 'value="short"' not in response.text


# ---------------------------------------------------------------- login and logout

def test_login_logout(client):
    user = UserFactory()
    assert client.get("/me/").status_code == 302
    response = login(client, user.email)
    assert response.status_code == 303 and response.location.endswith("/me/")
    assert client.get_cookie("remember_token") is None
    me = client.get("/me/")
    assert me.status_code == 200 and user.email in me.text

    assert client.get("/auth/logout").status_code == 405
    assert client.get("/me/").status_code == 200  # a GET does not log out
    response = client.post("/auth/logout")
    assert response.status_code == 303
    assert "You are logged out." in text(client.get(response.location))
    assert client.get("/me/").status_code == 302


def test_login_goes_back_where_the_visitor_was_sent_from(client):
    user = UserFactory()
    response = client.get("/me/profile")
    assert response.status_code == 302 and "next=" in response.location
    assert login(client, user.email, next="/me/profile").location.endswith("/me/profile")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_login_never_redirects_off_site(client, target):
    user = UserFactory()
    response = login(client, user.email, next=target)
    assert response.status_code == 303 and response.location.endswith("/me/")


def test_remember_me_sets_the_remember_cookie(client, app):
    user = UserFactory()
    response = login(client, user.email, remember="y")
    assert response.status_code == 303
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert cookie.expires is not None and cookie.expires > now() + timedelta(days=29)
    # A browser that lost its session cookie is still logged in through it.
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/me/").status_code == 200


def test_logout_forgets_a_remembered_login(client):
    user = UserFactory()
    login(client, user.email, remember="y")
    assert client.get_cookie("remember_token") is not None
    client.post("/auth/logout")
    assert client.get_cookie("remember_token") is None
    assert client.get("/me/").status_code == 302


def test_unknown_address_and_wrong_password_get_the_same_answer(client):
    UserFactory(email="mei@example.org")
    unknown = login(client, "nobody@example.org")
    wrong = login(client, "mei@example.org", password="not the password")
    assert unknown.status_code == wrong.status_code == 422
    message = "The e-mail address or password is not right."
    assert field_error(unknown, "email") == field_error(wrong, "email") == message
    summary = re.compile(r'<div class="error-summary".*?</div>', re.S)
    assert summary.search(unknown.text).group(0) == summary.search(wrong.text).group(0)
    assert client.get("/me/").status_code == 302


def test_logins_and_failed_logins_are_audited(client):
    user = UserFactory(email="mei@example.org")
    login(client, "nobody@example.org")
    login(client, "mei@example.org", password="not the password")
    login(client, "mei@example.org")
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.actor_label, e.target_id) for e in entries] == [
        ("user.login_failed", None, "anonymous", None),
        ("user.login_failed", user.id, None, user.id),
        ("user.logged_in", user.id, None, user.id),
    ]
    assert entries[0].data == {"email": "nobody@example.org"}
    assert entries[0].ip == "127.0.0.1"


def test_deactivated_user_cannot_log_in(client):
    user = UserFactory(active=False)
    response = login(client, user.email)
    assert response.status_code == 422
    assert field_error(response, "email").startswith("This account has been deactivated.")
    assert client.get("/me/").status_code == 302
    assert actions() == ["user.login_refused_inactive"]


def test_login_form_errors(client):
    response = login(client, "", password="")
    assert response.status_code == 422
    assert field_error(response, "email") == "Enter an e-mail address like name@example.com."
    assert field_error(response, "password") == "Enter your password."
    assert rows(AuditEntry) == 0


def test_login_replaces_the_session(client):
    user = UserFactory()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


# ---------------------------------------------------------------- password reset

def test_reset_password_by_mail(client, outbox):
    user = UserFactory(email="mei@example.org")
    assert client.get("/auth/reset").status_code == 200
    response = client.post("/auth/reset", data={"email": "MEI@example.org"})
    assert response.status_code == 200
    assert "a link to choose a new password is on its way" in text(response)
    assert len(outbox) == 1 and outbox[0].to == ["mei@example.org"]
    path = link_in(outbox[0])
    assert path.startswith("/auth/reset/")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert field_error(response, "password") == "Use at least 10 characters."
    response = client.post(path, data={"password": GOOD_PASSWORD, "confirm": "other thing 12"})
    assert response.status_code == 422
    assert field_error(response, "confirm") == "The two passwords are not the same."

    response = client.post(path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 303
    assert client.get("/me/").status_code == 200  # logged in by the reset
    client.post("/auth/logout")
    assert login(client, user.email).status_code == 422
    assert login(client, user.email, password=GOOD_PASSWORD).status_code == 303

    # The link worked once.
    reused = client.get(path)
    assert reused.status_code == 409
    assert "This password reset link has already been used." in text(reused)
    assert client.post(path, data={"password": "another good one 1",
                                   "confirm": "another good one 1"}).status_code == 409
    assert "user.password_reset" in actions()


def test_reset_request_says_the_same_for_unknown_addresses(client, outbox):
    UserFactory(email="mei@example.org")
    known = client.post("/auth/reset", data={"email": "mei@example.org"})
    unknown = client.post("/auth/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert page_alike(known).replace("mei@", "X@") == page_alike(unknown).replace(
        "nobody@", "X@")
    assert len(outbox) == 1


def test_reset_request_with_malformed_address(client, outbox):
    response = client.post("/auth/reset", data={"email": "no at sign"})
    assert response.status_code == 422
    assert field_error(response, "email") == "Enter an e-mail address like name@example.com."
    assert outbox == []


def test_expired_reset_link(client, outbox):
    UserFactory(email="mei@example.org")
    start = now()
    with time_machine.travel(start, tick=False):
        client.post("/auth/reset", data={"email": "mei@example.org"})
    path = link_in(outbox[0])
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
        response = client.post(path, data={"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 422
    assert "This password reset link has expired." in text(response)
    assert login(client, "mei@example.org").status_code == 303  # old password still works


def test_reset_link_dies_when_the_password_changed_meanwhile(client, outbox, login_as):
    user = UserFactory(email="mei@example.org")
    client.post("/auth/reset", data={"email": "mei@example.org"})
    path = link_in(outbox[0])
    login_as(user)
    assert client.post("/me/password", data={
        "current_password": PASSWORD, "new_password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD}).status_code == 303
    response = client.get(path)
    assert response.status_code == 409
    assert "already been used" in text(response)


# ---------------------------------------------------------------- change password, profile

def test_change_password_ends_other_sessions(client, app, login_as):
    user = UserFactory()
    other = app.test_client()
    assert login(other, user.email).status_code == 303
    login_as(user)
    assert client.get("/me/password").status_code == 200

    response = client.post("/me/password", data={
        "current_password": "not my password", "new_password": GOOD_PASSWORD,
        "confirm": GOOD_PASSWORD})
    assert response.status_code == 422
    assert field_error(response, "current_password") == "Your current password is not right."
    response = client.post("/me/password", data={
        "current_password": PASSWORD, "new_password": "1111111111", "confirm": "1111111111"})
    assert response.status_code == 422
    assert field_error(response, "new_password").startswith("This password is too easy")
    assert other.get("/me/").status_code == 200  # nothing changed yet

    response = client.post("/me/password", data={
        "current_password": PASSWORD, "new_password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert response.status_code == 303
    assert "Other devices have been logged out." in text(client.get("/me/"))
    assert client.get("/me/").status_code == 200  # this session goes on
    assert other.get("/me/").status_code == 302  # the other one has ended
    assert "user.password_changed" in actions()


def test_change_password_ends_remembered_sessions_too(client, app, login_as):
    user = UserFactory()
    other = app.test_client()
    login(other, user.email, remember="y")
    remembered = other.get_cookie("remember_token").value
    login_as(user)
    client.post("/me/password", data={
        "current_password": PASSWORD, "new_password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    stolen = app.test_client()
    stolen.set_cookie("remember_token", remembered)
    assert stolen.get("/me/").status_code == 302


def test_edit_profile(client, login_as):
    user = login_as(UserFactory(locale="en"))
    page = client.get("/me/profile")
    assert page.status_code == 200 and '<option selected value="Asia/Shanghai">' in page.text
    response = client.post("/me/profile", data={
        "display_name": "  Mei  Wang ", "locale": "zh_CN", "timezone": "Europe/Berlin"})
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.display_name, saved.locale, saved.timezone) == (
        "Mei Wang", "zh_CN", "Europe/Berlin")
    assert "user.profile_updated" in actions()


@pytest.mark.parametrize("data, field, message", [
    ({"display_name": "长" * 3000}, "display_name",
     "A display name can have at most 50 characters."),
    ({"display_name": "<img src=x onerror=alert(1)>"}, "display_name",
     "A display name cannot contain < or > or control characters."),
    ({"display_name": ""}, "display_name", "Enter a display name."),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a valid time zone."),
    ({"locale": "xx"}, "locale", "Choose one of the offered languages."),
])
def test_bad_profile_gets_message_and_saves_nothing(client, login_as, data, field, message):
    user = login_as(UserFactory(display_name="王小梅", locale="en"))
    form = {"display_name": "新名字", "locale": "en", "timezone": "Asia/Tokyo", **data}
    response = client.post("/me/profile", data=form)
    assert response.status_code == 422
    assert field_error(response, field) == message
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.display_name, saved.locale, saved.timezone) == (
        "王小梅", "en", "Asia/Shanghai")
    assert rows(AuditEntry) == 0


def test_account_pages_need_a_login(client):
    for path in ("/me/", "/me/profile", "/me/password"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/auth/login?next=" in response.location
    assert client.post("/auth/verify/resend").status_code == 302


def test_verification_link_verifies_its_own_account_and_says_so(client, outbox, login_as):
    """Opened while another account is logged in: the link's own account is verified,
    not the one logged in, and the page says which (issue 17)."""
    register(client)
    path = link_in(outbox[0])
    other = login_as(UserFactory(email_verified_at=None))
    response = client.get(path)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "mei@example.org")).is_verified
    assert not db.session.get(User, other.id).is_verified
    assert "which belongs to another account" in text(client.get("/me/"))
