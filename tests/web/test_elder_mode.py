"""The elder-friendly mode (适老化): a switch that works without JavaScript, kept in a
cookie, changing only the look (the same page, links and forms in both modes)."""

from __future__ import annotations

import re

import pytest

from tests.factories import RoundFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")


def switch(client, mode, next_="/consultations/"):
    return client.post("/display", data={"mode": mode, "next": next_})


def test_switching_on_and_off_keeps_the_choice_and_returns_to_the_page(client, app):
    page = client.get("/").text
    assert '<html lang="en">' in page
    assert 'name="mode" value="elder" aria-pressed="false"' in page
    response = switch(client, "elder")
    assert response.status_code == 303
    assert response.headers["Location"] == "/consultations/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("display=elder") and "HttpOnly" in cookie and "Max-Age=" in cookie
    page = client.get("/consultations/").text
    assert '<html lang="en" class="elder">' in page
    assert 'name="mode" value="standard" aria-pressed="true"' in page
    assert switch(client, "standard").status_code == 303
    assert '<html lang="en">' in client.get("/").text


def test_it_holds_across_signing_in(client, login_as, app):
    switch(client, "elder")
    login_as(UserFactory())
    assert 'class="elder"' in client.get("/me/").text


@pytest.mark.parametrize("mode", ["", "huge", "elder\r\nSet-Cookie: x=1"])
def test_an_unknown_mode_is_422_and_changes_nothing(client, app, mode):
    response = switch(client, mode)
    assert response.status_code == 422
    assert "Set-Cookie" not in response.headers or "display=" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_no_open_redirect(client, app, target):
    assert switch(client, "elder", target).headers["Location"] == "/"


def test_the_switch_needs_the_csrf_token(client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/display", data={"mode": "elder", "next": "/"})
        assert response.status_code == 400
        assert "display=elder" not in response.headers.get("Set-Cookie", "")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_nothing_is_lost_in_elder_mode(client, login_as, app):
    """The comments page offers the same links, forms and fields in both modes."""
    r = RoundFactory()
    login_as(UserFactory())
    url = f"/rounds/{r.id}/comments"

    def controls(html):
        html = re.sub(r'<form method="post" action="/display".*?</form>', "", html, flags=re.S)
        html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
        return sorted(re.findall(r'<(?:a|form|input|select|textarea|button)\b[^>]*>', html))

    standard = controls(client.get(url).text)
    switch(client, "elder")
    elder_page = client.get(url).text
    assert 'class="elder"' in elder_page
    assert controls(elder_page) == standard and len(standard) > 20


def test_chinese_label(client, app):
    client.set_cookie("locale", "zh_CN")
    assert "适老模式" in client.get("/").text
