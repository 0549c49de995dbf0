"""The language switch sticks: on the account when logged in, in a cookie otherwise;
Accept-Language is the fallback and Simplified Chinese the default."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.audit.models import AuditEntry
from consult.extensions import db
from tests.factories import PASSWORD, UserFactory

ZH = 'lang="zh-Hans-CN"'
EN = 'lang="en"'


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


def test_simplified_chinese_is_the_default(client):
    response = client.get("/")
    assert html_lang(response) == "zh-Hans-CN"
    # The switch offers the other language, labelled in that language.
    assert 'name="locale" value="en"' in response.text
    assert ">English</button>" in response.text


@pytest.mark.parametrize("header, lang", [
    ("en", "en"),
    ("en-GB,en;q=0.9", "en"),
    ("en-US,zh-CN;q=0.5", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans-CN"),
    ("zh-TW", "zh-Hans-CN"),
    ("fr-FR,de;q=0.8", "zh-Hans-CN"),
    ("", "zh-Hans-CN"),
])
def test_accept_language_is_the_fallback(client, header, lang):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == lang


def test_anonymous_switch_is_kept_in_a_cookie(client):
    response = client.post("/locale", data={"locale": "en", "next": "/auth/login"})
    assert response.status_code == 303
    assert response.location.endswith("/auth/login")
    cookie = client.get_cookie("locale")
    assert cookie.value == "en" and cookie.http_only
    page = client.get("/auth/login")
    assert html_lang(page) == "en"
    assert "<h1>Log in</h1>" in page.text
    # The cookie beats the browser's preference.
    assert html_lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
    client.post("/locale", data={"locale": "zh_CN"})
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "zh-Hans-CN"


def test_logged_in_switch_is_saved_on_the_account(client, app, login_as):
    user = login_as(UserFactory())
    assert client.post("/locale", data={"locale": "en"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    # Another browser, without the cookie and preferring Chinese, logs in: English.
    other = app.test_client()
    response = other.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                          headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 303
    assert html_lang(other.get("/me/", headers={"Accept-Language": "zh-CN"})) == "en"


def test_account_choice_beats_the_cookie(client, login_as):
    login_as(UserFactory(locale="zh_CN"))
    client.set_cookie("locale", "en")
    assert html_lang(client.get("/")) == "zh-Hans-CN"


def test_registration_keeps_the_language_of_the_visit(client):
    client.post("/locale", data={"locale": "en"})
    client.post("/auth/register", data={
        "email": "mei@example.org", "display_name": "Mei", "password": "plum blossom 2026",
        "confirm": "plum blossom 2026"})
    assert db.session.scalar(select(User.locale)) == "en"


@pytest.mark.parametrize("locale", ["xx", "fr", "zh_TW", "", "en'><script>"])
def test_non_existent_locale_gets_422_with_message(client, locale):
    client.set_cookie("locale", "en")
    response = client.post("/locale", data={"locale": locale})
    assert response.status_code == 422
    assert "Choose one of the offered languages: 简体中文 or English." in unescape(response.text)
    assert client.get_cookie("locale").value == "en"  # unchanged


def test_non_existent_locale_changes_nothing_on_the_account(client, login_as):
    user = login_as(UserFactory(locale="en"))
    response = client.post("/locale", data={"locale": "klingon"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_switch_never_redirects_off_site(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.status_code == 303 and response.location in ("/", "http://localhost/")


def test_switch_keeps_the_query_string(client):
    response = client.post("/locale", data={"locale": "en", "next": "/admin/users?q=mei"})
    assert response.location.endswith("/admin/users?q=mei")


def test_chinese_messages_for_a_chinese_user(client):
    """The zh_CN catalog is used: a refused login speaks Chinese to a Chinese visitor."""
    UserFactory(email="mei@example.org")
    response = client.post("/auth/login", data={"email": "mei@example.org",
                                                "password": "not the password"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    body = unescape(response.text)
    assert "The e-mail address or password is not right." not in body
    assert "电子邮箱或密码不正确。" in body
    assert "登录" in body


def test_english_user_gets_english_mail(client, outbox):
    client.set_cookie("locale", "en")
    client.post("/auth/register", data={
        "email": "mei@example.org", "display_name": "Mei", "password": "plum blossom 2026",
        "confirm": "plum blossom 2026"})
    assert outbox[0].subject == "Verify your e-mail address for consult"


def test_chinese_user_gets_chinese_mail(client, outbox):
    client.post("/auth/register", data={
        "email": "mei@example.org", "display_name": "小梅", "password": "plum blossom 2026",
        "confirm": "plum blossom 2026"})
    assert outbox[0].subject == "验证您在 consult 的电子邮箱"
    assert "小梅" in outbox[0].body
