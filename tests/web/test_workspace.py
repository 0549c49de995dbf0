"""The officials' workspace (/manage/): what waits, for whom, with a bounded query count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.clock import now
from consult.participation.models import ContentStatus
from tests.factories import (
    PASSWORD,
    CommentFactory,
    ConsultationFactory,
    RoundFactory,
    UserFactory,
    closed_round,
    comment,
    make_suggestion,
    question,
)

pytestmark = pytest.mark.usefixtures("english")


def fill(r, dept, n):
    """n questions waiting in round r, n suggestions to dept, n rounds closing soon."""
    for i in range(n):
        question(r, body=f"补贴何时发放？{i}")
        make_suggestion(UserFactory(), dept, title=f"加装电梯{i}")
        consultation = ConsultationFactory(department=dept, title=f"即将截止的征求意见{i}")
        RoundFactory(version__consultation=consultation,
                     closes_at=now() + timedelta(hours=10))


def test_anonymous_is_sent_to_login(client):
    response = client.get("/manage/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_citizen_gets_403(client, login_as):
    login_as(UserFactory())
    assert client.get("/manage/").status_code == 403
    assert client.get("/manage/badge").status_code == 403


def test_moderators_and_evaluators_are_sent_to_their_own_page(client, login_as):
    login_as(UserFactory(role="moderator"))
    response = client.get("/manage/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    login_as(UserFactory(role="evaluator"))
    response = client.get("/manage/")
    assert response.status_code == 302 and "/evaluation" in response.headers["Location"]


def test_the_workspace_shows_what_waits_for_the_department_only(client, login_as):
    r, dept, official = closed_round()
    question(r, body="我的问题：补贴何时发放？")
    comment(r)
    CommentFactory(round_id=r.id, author_id=UserFactory().id, body="隐藏的意见",
                   status=ContentStatus.HIDDEN)
    make_suggestion(UserFactory(), dept, title="加装电梯审批太慢")
    other, other_dept, _ = closed_round()
    question(other, body="别的部门的问题")
    make_suggestion(UserFactory(), other_dept, title="别的部门的建议")
    login_as(official)
    page = client.get("/manage/")
    assert page.status_code == 200
    text = page.text
    assert "我的问题：补贴何时发放？" in text and "加装电梯审批太慢" in text
    assert "别的部门" not in text
    # not started yet: the opinions its triage will hold (a hidden one is not counted)
    assert f"/manage/rounds/{r.id}/triage" in text and "0 of 2 triaged" in text
    assert f"/manage/rounds/{r.id}/response" in text
    assert "working days left" in text
    badge = client.get("/manage/badge", headers={"HX-Request": "true"})
    # a question, a suggestion and a closed round waiting for its response
    assert badge.status_code == 200 and ">3<" in badge.text


def test_an_overdue_response_is_marked(client, login_as):
    r, dept, official = closed_round(overdue=True)
    login_as(official)
    text = client.get("/manage/").text
    assert "Overdue since" in text


def test_a_department_filter_outside_ones_own_is_404(client, login_as):
    _, _, official = closed_round()
    _, other_dept, _ = closed_round()
    login_as(official)
    assert client.get(f"/manage/?department={other_dept.id}").status_code == 404


def test_the_menu_links_the_workspace_for_officials_only(client, login_as):
    _, _, official = closed_round()
    login_as(official)
    assert 'href="/manage/"' in client.get("/consultations/").text
    login_as(UserFactory())
    assert 'href="/manage/"' not in client.get("/consultations/").text


def test_officials_land_on_the_workspace_after_login(client):
    _, _, official = closed_round()
    response = client.post("/auth/login", data={"email": official.email,
                                                "password": PASSWORD})
    assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith("/manage/")


def test_query_count_does_not_grow_with_the_data(client, login_as, count_queries):
    r, dept, official = closed_round()
    fill(r, dept, 2)
    login_as(official)
    client.get("/manage/")
    with count_queries() as few:
        assert client.get("/manage/").status_code == 200
    fill(r, dept, 12)
    with count_queries() as many:
        page = client.get("/manage/")
    assert page.status_code == 200 and "and 6 more" in page.text
    # 19: one counts the opinions of rounds whose triage has not started ("0 of N").
    assert len(many) == len(few) <= 19, many
