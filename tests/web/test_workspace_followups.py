"""The workspace's follow-ups: low ratings to follow up (rectification cases) with the
menu count, and the "all / assigned to me / unassigned" filter of the question inbox and
the suggestions list."""

from __future__ import annotations

import pytest

from consult.db import atomic
from consult.extensions import db
from consult.rectification.models import CaseStatus
from consult.workspace.models import OpinionKind
from consult.workspace.services import assignments
from tests.factories import (
    UserFactory,
    closed_round,
    fresh,
    make_suggestion,
    question,
    rate,
    responded_round,
)


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("locale", "en")


def badge(client):
    response = client.get("/manage/badge", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


# ---------------------------------------------------------------- low ratings

def test_open_low_ratings_of_the_department_wait_in_the_workspace(client, login_as):
    r, dept, official = responded_round()
    _, case = rate(r)
    assert case is not None and case.status == CaseStatus.OPEN
    other, _other_dept, _ = responded_round()
    _, foreign = rate(other)
    login_as(official)
    text = client.get("/manage/").text
    assert "Low ratings to follow up" in text
    assert f"/manage/rectification/{case.id}" in text
    assert f"/manage/rectification/{foreign.id}" not in text
    assert "working days left" in text  # due in working days
    assert ">1<" in badge(client)


def test_a_case_followed_up_no_longer_waits(client, login_as):
    r, _dept, official = responded_round()
    _, case = rate(r)
    login_as(official)
    assert f"/manage/rectification/{case.id}" in client.get("/manage/").text
    case.status = CaseStatus.APPEALED  # out of the department's hands
    db.session.commit()
    assert f"/manage/rectification/{case.id}" not in client.get("/manage/").text
    assert ">1<" not in badge(client)


def test_the_most_urgent_case_comes_first(client, login_as):
    r, _dept, official = responded_round()
    _, first = rate(r)
    _, second = rate(r)
    second.due_at = first.due_at.replace(year=first.due_at.year - 1)
    db.session.commit()
    login_as(official)
    text = client.get("/manage/").text
    assert text.index(f"/manage/rectification/{second.id}") < \
        text.index(f"/manage/rectification/{first.id}")
    assert "Overdue since" in text


def test_the_query_count_stays_constant_with_more_low_ratings(client, login_as,
                                                              count_queries):
    r, _dept, official = responded_round()
    for _ in range(2):
        rate(r)
    login_as(official)
    client.get("/manage/")
    with count_queries() as few:
        assert client.get("/manage/").status_code == 200
    for _ in range(12):
        rate(r)
    with count_queries() as many:
        page = client.get("/manage/")
    assert page.status_code == 200 and "and 6 more" in page.text
    assert len(many) == len(few), many


# ---------------------------------------------------------------- who

def _claim(user, kind, item_id):
    with atomic():
        assignments.claim_opinion(fresh(user), kind, item_id)


def test_the_question_inbox_filters_by_who(client, login_as):
    r, dept, official = closed_round()
    colleague = UserFactory(role="official", role__department=dept)
    mine = question(r, body="分给我的问题")
    theirs = question(r, body="分给同事的问题")
    nobody = question(r, body="没有分派的问题")
    _claim(official, OpinionKind.QUESTION, mine.id)
    _claim(colleague, OpinionKind.QUESTION, theirs.id)
    login_as(official)
    everything = client.get("/manage/questions").text
    assert all(t in everything for t in ("分给我的问题", "分给同事的问题", "没有分派的问题"))
    only_mine = client.get("/manage/questions?who=mine").text
    assert "分给我的问题" in only_mine and "分给同事的问题" not in only_mine
    assert "没有分派的问题" not in only_mine
    unassigned = client.get("/manage/questions?who=unassigned&sort=supported").text
    assert "没有分派的问题" in unassigned and "分给我的问题" not in unassigned
    assert "分给同事的问题" not in unassigned
    assert nobody.id  # still waiting
    odd = client.get("/manage/questions?who=%3Cscript%3E")
    assert odd.status_code == 200 and "分给同事的问题" in odd.text  # unknown: all


def test_the_suggestions_list_filters_by_who(client, login_as):
    _r, dept, official = closed_round()
    mine = make_suggestion(UserFactory(), dept, title="分给我的建议")
    make_suggestion(UserFactory(), dept, title="没有分派的建议")
    _claim(official, OpinionKind.SUGGESTION, mine.id)
    login_as(official)
    everything = client.get("/manage/suggestions").text
    assert "分给我的建议" in everything and "没有分派的建议" in everything
    only_mine = client.get("/manage/suggestions?who=mine").text
    assert "分给我的建议" in only_mine and "没有分派的建议" not in only_mine
    unassigned = client.get("/manage/suggestions?who=unassigned").text
    assert "没有分派的建议" in unassigned and "分给我的建议" not in unassigned
    assert 'aria-current="page">Unassigned' in unassigned
