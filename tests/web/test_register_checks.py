"""The sign-up form says every problem at once, and checks each field as the user leaves
it (htmx) without ever telling whether an address has an account."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.extensions import db
from tests.factories import UserFactory
from tests.web.test_auth import field_error

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_every_problem_is_shown_at_once(client, outbox):
    response = client.post("/auth/register", data={
        "email": "not-an-address", "display_name": "<b>", "password": "short",
        "confirm": "other"})
    assert response.status_code == 422
    assert field_error(response, "email") == "Enter an e-mail address like name@example.com."
    assert field_error(response, "display_name") == (
        "A display name cannot contain < or > or control characters.")
    assert field_error(response, "password") == "Use at least 10 characters."
    assert field_error(response, "confirm") == "The two passwords are not the same."
    summary = re.search(r'<div class="error-summary".*?</ul>', response.text, re.S).group(0)
    assert [f for f in ("email", "display_name", "password", "confirm")
            if f'href="#{f}"' in summary] == ["email", "display_name", "password", "confirm"]
    assert users() == 0 and outbox == []


def test_one_field_is_checked_as_the_user_leaves_it(client, outbox):
    data = {"email": "mei@example.org", "display_name": "", "password": "1234567890",
            "confirm": ""}
    answer = client.post("/auth/register/check", data={**data, "field": "password"},
                         headers=HX)
    assert answer.status_code == 200
    assert "too easy to guess" in answer.text and "<html" not in answer.text
    assert "display name" not in answer.text  # only the field asked about
    fine = client.post("/auth/register/check", data={**data, "field": "email"}, headers=HX)
    assert fine.status_code == 200 and fine.text.strip() == ""
    assert users() == 0 and outbox == []


def test_the_check_never_tells_whether_an_address_has_an_account(client, outbox):
    UserFactory(email="mei@example.org")
    taken = client.post("/auth/register/check", data={"email": "mei@example.org",
                                                      "field": "email"}, headers=HX)
    free = client.post("/auth/register/check", data={"email": "lan@example.org",
                                                     "field": "email"}, headers=HX)
    assert taken.status_code == free.status_code == 200
    assert taken.text == free.text == ""
    assert outbox == []


def test_without_javascript_the_check_answers_the_whole_form(client):
    response = client.post("/auth/register/check", data={"email": "x", "password": "short"})
    assert response.status_code == 422
    assert field_error(response, "email") and field_error(response, "password")
    assert field_error(response, "display_name") == "Enter a display name."
    assert users() == 0


def test_the_page_wires_each_field_to_its_check(client):
    page = client.get("/auth/register").text
    for name in ("email", "display_name", "password", "confirm"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'hx-post="/auth/register/check"' in tag and f'#{name}-feedback' in tag
        assert f'id="{name}-feedback"' in page


def test_the_check_needs_the_form_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/auth/register/check", data={"field": "email"}, headers=HX)
    assert response.status_code == 400
