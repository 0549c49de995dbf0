"""The survey page dates the survey, not the closed comment period above it; officials of
the department are neither invited to rate its response nor able to (403)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from consult.db import atomic, db
from consult.notifications.models import Notification
from consult.rounds.models import Round
from consult.signals import survey_opened
from consult.surveys.models import SurveyAnswer
from tests.factories import UserFactory, closed_round, comment
from tests.web.test_responses_pages import publish, triage_all
from tests.web.test_surveys_pages import GOOD, add_participants, responded_round

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def head(page: str) -> str:
    return unescape(re.search(r'<span class="round-head__when">(.*?)</span>', page, re.S)
                    .group(1)).strip()


def test_the_header_of_an_open_survey_says_when_the_survey_closes(client, dept):
    r = responded_round(dept, published_days_ago=2, survey_days=14)
    page = client.get(f"/rounds/{r.id}/survey").text
    assert head(page).startswith("The survey closes in ")
    assert "Closed" not in head(page)
    # The round's other pages still date the comment period.
    assert head(client.get(f"/rounds/{r.id}/vote").text).startswith("Closed ")


def test_the_header_in_chinese_does_not_call_the_open_survey_closed(app, dept):
    r = responded_round(dept)
    zh = app.test_client()
    zh.set_cookie("locale", "zh_CN")
    when = head(zh.get(f"/rounds/{r.id}/survey").text)
    assert when.startswith("问卷于") and "已于" not in when


def test_an_official_of_the_department_cannot_rate_its_response(client, login_as, dept,
                                                                 official):
    r = responded_round(dept)
    add_participants(r.id, [official])
    login_as(official)
    page = client.get(f"/rounds/{r.id}/survey")
    assert page.status_code == 403
    assert "You work for the department that wrote this response" in unescape(page.text)
    assert 'name="satisfaction"' not in page.text
    for headers in ({}, HX):
        refused = client.post(f"/rounds/{r.id}/survey", data=GOOD, headers=headers)
        assert refused.status_code == 403
    assert db.session.scalar(select(SurveyAnswer.id)) is None


def test_the_response_page_invites_everyone_but_the_department(client, login_as):
    r, dept, official = closed_round()
    comment(r)
    triage_all(r, official)
    publish(r, official)
    assert "Rate the response" in client.get(f"/rounds/{r.id}/response").text  # visitor
    login_as(UserFactory(role="official"))  # of another department
    assert "Rate the response" in client.get(f"/rounds/{r.id}/response").text
    login_as(official)
    page = client.get(f"/rounds/{r.id}/response")
    assert page.status_code == 200 and "Rate the response" not in page.text


def test_an_official_of_another_department_may_rate_as_a_participant(client, login_as, dept):
    r = responded_round(dept)
    other = UserFactory(role="official")
    add_participants(r.id, [other])
    login_as(other)
    assert client.post(f"/rounds/{r.id}/survey", data=GOOD).status_code == 303


def test_officials_of_the_department_are_not_invited(app, dept, official):
    r = responded_round(dept)
    citizen = UserFactory()
    add_participants(r.id, [official, citizen])
    with atomic():
        survey_opened.send(db.session.get(Round, r.id))
    invited = set(db.session.scalars(select(Notification.user_id)))
    assert invited == {citizen.id}
