"""Questions to the department, "I want to know too", answers and the officials' inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.clock import now
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.participation.models import Answer, Question, QuestionSupport
from consult.rounds.models import Round
from tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    QuestionFactory,
    RoundFactory,
    UserFactory,
)

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


@pytest.fixture
def official(rnd):
    from consult.accounts.models import Department
    consultation = db.session.get(Consultation, rnd.consultation_id)
    department = db.session.get(Department, consultation.department_id)
    return UserFactory(role="official", role__department=department, display_name="王科长")


def url(r):
    return f"/rounds/{r.id}/questions"


def ask(client, login_as, r, user, body):
    login_as(user)
    response = client.post(url(r), data={"body": body})
    assert response.status_code == 303, response.text
    return db.session.scalar(select(Question).where(Question.body == body))


def questions_of(r):
    return list(db.session.scalars(select(Question).where(Question.round_id == r.id)))


def test_ask_no_js_and_counters(client, login_as, rnd):
    q = ask(client, login_as, rnd, UserFactory(), "补贴标准是多少？")
    assert q.department_id == db.session.get(Consultation, rnd.consultation_id).department_id
    db.session.expire_all()
    r = db.session.get(Round, rnd.id)
    assert r.question_count == 1 and r.participant_count == 1
    page = client.get(url(rnd)).text
    assert "补贴标准是多少？" in page and "Waiting for an answer" in page


def test_ask_htmx_inserts_and_clears(client, login_as, rnd):
    login_as(UserFactory())
    response = client.post(url(rnd), data={"body": "何时实施？"}, headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'hx-swap-oob="afterbegin:#question-list"' in response.text
    assert "data-announce" in response.text


@pytest.mark.parametrize("body,status", [("", 422), ("  \n ", 422), ("问" * 2001, 422)])
def test_bad_question_is_422_beside_the_field(client, login_as, rnd, body, status):
    login_as(UserFactory())
    response = client.post(url(rnd), data={"body": body})
    assert response.status_code == status
    assert 'id="body-error"' in response.text
    assert questions_of(rnd) == []


def test_question_rules(client, login_as):
    closed = RoundFactory(closed=True)
    assert client.post(url(closed), data={"body": "匿名"}).status_code == 302
    login_as(UserFactory(unverified=True))
    assert client.post(url(closed), data={"body": "未验证"}).status_code == 403
    login_as(UserFactory())
    response = client.post(url(closed), data={"body": "已截止"})
    assert response.status_code == 409 and "This round is closed." in response.text
    hidden = RoundFactory(version=DraftVersionFactory(
        consultation=ConsultationFactory(unpublished=True)))
    assert client.post(url(hidden), data={"body": "未发布"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_double_submitted_question_is_asked_once(client, login_as, rnd):
    ask(client, login_as, rnd, UserFactory(), "重复的问题")
    again = client.post(url(rnd), data={"body": "重复的问题"})
    assert again.status_code == 409
    assert len(questions_of(rnd)) == 1


def test_want_to_know_too_toggles_once_per_user(client, login_as, rnd):
    q = ask(client, login_as, rnd, UserFactory(), "问题")
    assert client.post(f"/questions/{q.id}/support", data={"supported": "1"}).status_code == 403
    login_as(UserFactory())
    assert client.post(f"/questions/{q.id}/support", data={"supported": "1"}).status_code == 303
    assert client.post(f"/questions/{q.id}/support", data={"supported": "1"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Question, q.id).support_count == 1
    response = client.post(f"/questions/{q.id}/support", data={"supported": "0"}, headers=HX)
    assert response.status_code == 200 and 'aria-pressed="false"' in response.text
    db.session.expire_all()
    assert db.session.get(Question, q.id).support_count == 0
    assert db.session.scalar(select(func.count()).select_from(QuestionSupport)) == 0


def test_official_answers_publicly_no_js(client, login_as, rnd, official):
    asker = UserFactory()
    q = ask(client, login_as, rnd, asker, "什么时候开始？")
    fan = UserFactory()
    login_as(fan)
    client.post(f"/questions/{q.id}/support", data={"supported": "1"})
    login_as(official)
    page = client.get(url(rnd)).text
    assert f'id="answer-body-{q.id}"' in page
    response = client.post(f"/questions/{q.id}/answer", data={"body": "明年一月起实施。"})
    assert response.status_code == 303
    client.set_cookie("locale", "en")
    public = client.get(url(rnd)).text
    assert "明年一月起实施。" in public and "Answered" in public
    db.session.expire_all()
    assert db.session.get(Question, q.id).answered_at is not None
    from consult.notifications.models import Notification
    assert {n.user_id for n in db.session.scalars(select(Notification))} == {asker.id, fan.id}
    again = client.post(f"/questions/{q.id}/answer", data={"body": "再答一次"})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_answer_htmx_swaps_in_place(client, login_as, rnd, official):
    q = ask(client, login_as, rnd, UserFactory(), "问")
    login_as(official)
    bad = client.post(f"/questions/{q.id}/answer", data={"body": " "}, headers=HX)
    assert bad.status_code == 422 and "<html" not in bad.text and "error-summary" in bad.text
    response = client.post(f"/questions/{q.id}/answer", data={"body": "答"}, headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'class="answer"' in response.text and "data-announce" in response.text


def test_officials_answer_only_their_department(client, login_as, rnd):
    q = ask(client, login_as, rnd, UserFactory(), "问别的部门")
    other = UserFactory(role="official", role__department=DepartmentFactory())
    login_as(other)
    assert f'id="answer-body-{q.id}"' not in client.get(url(rnd)).text
    assert client.get(f"/questions/{q.id}/answer").status_code == 403
    response = client.post(f"/questions/{q.id}/answer", data={"body": "越权回答"})
    assert response.status_code == 403
    login_as(UserFactory())
    assert client.post(f"/questions/{q.id}/answer", data={"body": "市民回答"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_answer_allowed_after_close_but_not_after_response(client, login_as, rnd, official):
    q = ask(client, login_as, rnd, UserFactory(), "截止后还能答吗")
    r = db.session.get(Round, rnd.id)
    r.closed_at = now()
    db.session.commit()
    login_as(official)
    assert client.post(f"/questions/{q.id}/answer", data={"body": "可以"}).status_code == 303
    q2 = QuestionFactory(round_id=rnd.id, author_id=q.author_id,
                         department_id=q.department_id, body="另一个")
    r = db.session.get(Round, rnd.id)
    r.response_published_at = now()
    db.session.commit()
    assert client.post(f"/questions/{q2.id}/answer", data={"body": "太晚"}).status_code == 409


def test_inbox_lists_unanswered_of_own_departments_sorted(client, login_as, rnd, official):
    old = ask(client, login_as, rnd, UserFactory(), "等了很久")
    popular = ask(client, login_as, rnd, UserFactory(), "很多人想知道")
    answered = ask(client, login_as, rnd, UserFactory(), "已经回答")
    foreign = ask(client, login_as, RoundFactory(), UserFactory(), "别的部门的问题")
    row = db.session.get(Question, old.id)
    row.created_at = now() - timedelta(days=9)
    db.session.get(Question, popular.id).support_count = 5
    db.session.commit()
    login_as(official)
    client.post(f"/questions/{answered.id}/answer", data={"body": "答"})
    client.set_cookie("locale", "en")
    page = client.get("/manage/questions").text
    assert "等了很久" in page and "很多人想知道" in page
    assert "已经回答" not in page and "别的部门的问题" not in page
    assert page.index("等了很久") < page.index("很多人想知道")
    assert "waiting for 9 days" in page
    by_support = client.get("/manage/questions?sort=supported").text
    assert by_support.index("很多人想知道") < by_support.index("等了很久")
    assert foreign is not None


def test_inbox_is_for_officials_only(client, login_as):
    assert client.get("/manage/questions").status_code == 302
    login_as(UserFactory())
    assert client.get("/manage/questions").status_code == 403


def test_questions_page_and_inbox_query_budgets(client, login_as, count_queries, rnd, official):
    consultation = db.session.get(Consultation, rnd.consultation_id)
    big = RoundFactory(version=DraftVersionFactory(consultation=consultation))
    users = [UserFactory() for _ in range(5)]
    for r, n in ((rnd, 3), (big, 200)):
        for i in range(n):
            q = QuestionFactory(round_id=r.id, author_id=users[i % 5].id, body=f"问题{i}",
                                department_id=consultation.department_id,
                                answered_at=now() if i % 2 else None)
            if i % 2:
                AnswerFactory(question=q, author_id=official.id, body="答")
    login_as(users[0])
    with count_queries() as few:
        assert client.get(url(rnd)).status_code == 200
    with count_queries() as many:
        assert client.get(url(big)).status_code == 200
    assert len(many) == len(few) <= 15, "\n".join(many)
    login_as(official)
    with count_queries() as inbox:
        assert client.get("/manage/questions").status_code == 200
    assert len(inbox) <= 10, "\n".join(inbox)


def test_inbox_leaves_out_rounds_whose_response_is_published(client, login_as, rnd, official):
    q = ask(client, login_as, rnd, UserFactory(), "答复发布后才看到")
    login_as(official)
    assert "答复发布后才看到" in client.get("/manage/questions").text
    r = db.session.get(Round, rnd.id)
    r.closed_at = now() - timedelta(days=1)
    db.session.commit()
    assert "答复发布后才看到" in client.get("/manage/questions").text  # closed: still answerable
    r = db.session.get(Round, rnd.id)
    r.response_published_at = now()
    db.session.commit()
    assert "答复发布后才看到" not in client.get("/manage/questions").text
    assert q is not None
