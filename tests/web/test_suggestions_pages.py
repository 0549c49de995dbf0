"""Suggestion pages: statuses, messages beside fields, htmx fragments vs pages, budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.consultations.models import Tag
from consult.db import atomic, db
from consult.suggestions import services
from consult.suggestions.models import (
    AnswerStatus,
    Suggestion,
    SuggestionComment,
    SuggestionEvent,
    SuggestionRating,
    SuggestionSupport,
    Visibility,
)
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoleAssignmentFactory,
    UserFactory,
    make_suggestion,
    with_roles,
)

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", "Accept-Language": "en"}
T0 = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dept(app):
    return DepartmentFactory(name="市民政局", name_en="Civil Affairs Bureau", slug="civil")



@pytest.fixture
def citizen(app):
    return UserFactory()


@pytest.fixture
def suggestion(dept, citizen):
    return make_suggestion(citizen, dept, tags="养老")


def form(**over):
    data = dict(department_id="", title="社区食堂太少", problem="老人吃饭不方便。",
                affected="独居老人", location="东城区", proposal="每个街道建一个社区食堂。",
                tags="养老, 社区", links="")
    data.update(over)
    return data


# ---------------------------------------------------------------- list and detail

def test_list_filters_and_empty_states(client, dept, citizen, official):
    other = DepartmentFactory(slug="transport")
    a = make_suggestion(citizen, dept, title="社区食堂太少", tags="养老")
    b = make_suggestion(citizen, other, title="公交站台没有遮雨棚")
    c = make_suggestion(citizen, None, title="不知道找哪个部门的问题")
    with atomic():
        services.add_support(UserFactory(), db.session.get(Suggestion, b.id))
        services.answer_suggestion(with_roles(official), db.session.get(Suggestion, a.id),
                                   status="under_study")
    page = client.get("/suggestions/", headers=EN).get_data(as_text=True)
    assert page.index("公交站台没有遮雨棚") < page.index("社区食堂太少")  # most supported first
    assert "3 suggestions found" in page
    def titles(query):
        return client.get("/suggestions/?" + query, headers=EN).get_data(as_text=True)
    assert "公交站台" not in titles("department=civil") and "社区食堂" in titles("department=civil")
    assert "不知道找哪个部门" in titles("department=none") and "社区食堂" not in titles(
        "department=none")
    assert "社区食堂" in titles("status=under_study") and "公交站台" not in titles(
        "status=under_study")
    assert "社区食堂" in titles("tag=养老") and "公交站台" not in titles("tag=养老")
    newest = titles("sort=newest")
    assert newest.index("不知道找哪个部门") < newest.index("社区食堂太少")
    assert "No suggestion matches these filters." in titles("overdue=1")
    assert c.id


def test_overdue_shows_on_the_list_detail_and_department_record(client, dept, suggestion):
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        page = client.get("/suggestions/?overdue=1", headers=EN).get_data(as_text=True)
        assert "老旧小区加装电梯审批太慢" in page and "Reply overdue" in page
        detail = client.get(f"/suggestions/{suggestion.id}", headers=EN).get_data(as_text=True)
        assert "Reply overdue since" in detail
        record = client.get("/departments/civil", headers=EN).get_data(as_text=True)
        assert "Suggestions from the public" in record
        assert 'href="/suggestions/?department=civil&amp;overdue=1">1</a>' in record


def test_empty_list_teaches(client, app):
    page = client.get("/suggestions/", headers=EN).get_data(as_text=True)
    assert "No suggestions yet." in page and "/suggestions/new" in page


def test_detail_page_and_404s(client, suggestion, citizen):
    response = client.get(f"/suggestions/{suggestion.id}", headers=EN)
    assert response.status_code == 200
    assert "老旧小区加装电梯审批太慢" in response.get_data(as_text=True)
    assert client.get("/suggestions/99999", headers=EN).status_code == 404
    with atomic():
        db.session.get(Suggestion, suggestion.id).status = Visibility.HIDDEN
    hidden = client.get(f"/suggestions/{suggestion.id}", headers=EN)
    assert hidden.status_code == 200  # the reason in place of the text
    assert "老旧小区加装电梯审批太慢" not in hidden.get_data(as_text=True)
    assert "Hidden by a moderator" in hidden.get_data(as_text=True)
    with atomic():
        db.session.get(Suggestion, suggestion.id).status = Visibility.HELD
    assert client.get(f"/suggestions/{suggestion.id}").status_code == 404


def test_links_are_rendered_safely(client, login_as, dept, citizen):
    s = make_suggestion(citizen, dept, links="https://example.org/a?b=1&c=2",
                        problem="见 https://example.org/p 和 javascript:alert(1)")
    page = client.get(f"/suggestions/{s.id}").get_data(as_text=True)
    assert 'href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener"' in page
    assert '<a href="https://example.org/p" rel="nofollow ugc noopener">' in page
    assert 'href="javascript' not in page


# ---------------------------------------------------------------- submitting

def test_new_requires_login_and_verification(client, login_as, dept):
    assert client.get("/suggestions/new").status_code == 302
    login_as(UserFactory(unverified=True))
    response = client.get("/suggestions/new", headers=EN)
    assert response.status_code == 403
    assert "verified e-mail address" in response.get_data(as_text=True)
    response = client.post("/suggestions/new", data=form(department_id=str(dept.id)),
                           headers=EN)
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Suggestion.id))) == 0


def test_submit_with_errors_beside_fields_then_success(client, login_as, dept, citizen):
    login_as(citizen)
    response = client.post("/suggestions/new", data=form(
        department_id="", problem="", links="javascript:alert(1)"), headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a department, or “Not sure which department”." in page
    assert "Describe the problem or need." in page
    assert db.session.scalar(select(func.count(Suggestion.id))) == 0
    response = client.post("/suggestions/new", data=form(
        department_id=str(dept.id), links="ftp://example.org/x"), headers=EN)
    assert response.status_code == 422
    assert "is not a web address" in response.get_data(as_text=True)
    assert 'id="links-error"' in response.get_data(as_text=True)
    response = client.post("/suggestions/new", data=form(
        department_id=str(dept.id), links="https://example.org/x"), headers=EN)
    assert response.status_code == 303
    s = db.session.scalar(select(Suggestion))
    assert response.headers["Location"].endswith(f"/suggestions/{s.id}")
    assert s.department_id == dept.id and s.links == ["https://example.org/x"]
    response = client.post("/suggestions/new", data=form(department_id="none"), headers=EN)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Suggestion.id)).where(
        Suggestion.department_id.is_(None))) == 1


def test_similar_titles_fragment_and_no_js_check(client, login_as, dept, citizen, suggestion):
    response = client.get("/suggestions/similar?title=加装电梯", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "老旧小区加装电梯审批太慢" in body and "<html" not in body
    assert "No similar" in client.get("/suggestions/similar?title=火星基地",
                                      headers=HX).get_data(as_text=True)
    login_as(citizen)
    response = client.post("/suggestions/new", data=form(
        department_id=str(dept.id), title="小区加装电梯", check="1"), headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Similar suggestions already exist" in page and 'value="小区加装电梯"' in page
    assert db.session.scalar(select(func.count(Suggestion.id))) == 1


# ---------------------------------------------------------------- support and comments

def test_support_toggle_with_htmx_and_without(client, login_as, suggestion):
    assert client.post(f"/suggestions/{suggestion.id}/support").status_code == 302  # login
    fan = login_as(UserFactory())
    response = client.post(f"/suggestions/{suggestion.id}/support", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="support"' in body and "<html" not in body and "<strong>1</strong>" in body
    response = client.post(f"/suggestions/{suggestion.id}/support", headers=EN)
    assert response.status_code == 303 and response.headers["Location"].endswith("#support")
    assert db.session.scalar(select(func.count()).select_from(SuggestionSupport)) == 0
    client.post(f"/suggestions/{suggestion.id}/support")
    rows = list(db.session.scalars(select(SuggestionSupport)))
    assert [(r.user_id) for r in rows] == [fan.id]


def test_support_refusals(client, login_as, suggestion, citizen):
    login_as(UserFactory(unverified=True))
    response = client.post(f"/suggestions/{suggestion.id}/support", headers=EN)
    assert response.status_code == 403
    assert "verified e-mail address" in response.get_data(as_text=True)
    login_as(citizen)  # the author
    response = client.post(f"/suggestions/{suggestion.id}/support", headers=EN)
    assert response.status_code == 409
    assert "your own suggestion" in response.get_data(as_text=True)


def test_comments_htmx_fragment_no_js_redirect_and_422(client, login_as, suggestion):
    login_as(UserFactory())
    response = client.post(f"/suggestions/{suggestion.id}/comments", data={"body": " "},
                           headers=HX)
    assert response.status_code == 422
    assert "Write your comment." in response.get_data(as_text=True)
    response = client.post(f"/suggestions/{suggestion.id}/comments",
                           data={"body": "我们楼也等了两年。"}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "我们楼也等了两年。" in body and "<html" not in body
    assert "1 comment" in body
    response = client.post(f"/suggestions/{suggestion.id}/comments",
                           data={"body": "支持！"}, headers=EN)
    assert response.status_code == 303 and "#comment-" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Suggestion, suggestion.id).comment_count == 2
    response = client.post(f"/suggestions/{suggestion.id}/comments", data={"body": " "},
                           headers=EN)
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)


# ---------------------------------------------------------------- answering

def test_answer_page_is_for_the_departments_officials(client, login_as, suggestion, dept):
    url = f"/manage/suggestions/{suggestion.id}/answer"
    login_as(UserFactory())
    assert client.get(url).status_code == 403
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(url).status_code == 403
    assert client.post(url, data={"status": "under_study"}).status_code == 403
    login_as(UserFactory(role="admin"))
    assert client.get(url).status_code == 403
    login_as(UserFactory(role="official", role__department=dept))
    assert client.get(url).status_code == 200
    assert client.get("/manage/suggestions/99999/answer").status_code == 404


def test_answer_taken_onto_the_agenda_links_the_consultation(client, login_as, suggestion,
                                                             dept, official, outbox):
    consultation = ConsultationFactory(department=dept, title="社区养老服务条例")
    login_as(official)
    url = f"/manage/suggestions/{suggestion.id}/answer"
    response = client.post(url, data={"status": "not_taken", "body": ""}, headers=EN)
    assert response.status_code == 422
    assert "Give the reason why the suggestion is not taken up." in response.get_data(
        as_text=True)
    response = client.post(url, data={"status": "on_agenda", "consultation_id": "",
                                      "body": "已立项。"}, headers=EN)
    assert response.status_code == 422
    assert "Choose the consultation" in response.get_data(as_text=True)
    response = client.post(url, data={"status": "on_agenda", "body": "已立项。",
                                      "consultation_id": str(consultation.id)}, headers=EN)
    assert response.status_code == 303
    page = client.get(f"/suggestions/{suggestion.id}", headers=EN).get_data(as_text=True)
    assert "Taken onto the agenda" in page
    assert f'href="/consultations/{consultation.id}"' in page and "社区养老服务条例" in page
    assert db.session.scalar(select(AuditEntry.actor_id).where(
        AuditEntry.action == "suggestion.answered")) == official.id
    assert len(outbox) == 1  # the author


def test_transfer_through_the_page(client, login_as, suggestion, official):
    other = DepartmentFactory()
    login_as(official)
    url = f"/manage/suggestions/{suggestion.id}/answer"
    response = client.post(url, data={"status": "transferred", "to_department_id": ""},
                           headers=EN)
    assert response.status_code == 422 and "Choose a department from the list." in \
        response.get_data(as_text=True)
    response = client.post(url, data={"status": "transferred",
                                      "to_department_id": str(other.id)}, headers=EN)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Suggestion, suggestion.id).department_id == other.id
    assert client.get(url).status_code == 403  # now the other department's to answer


# ---------------------------------------------------------------- rating

def test_rating_by_the_author_after_an_answer(client, login_as, suggestion, citizen, official):
    url = f"/suggestions/{suggestion.id}/rating"
    login_as(citizen)
    response = client.post(url, data={"rating": "satisfied"}, headers=EN)
    assert response.status_code == 409
    with atomic():
        services.answer_suggestion(with_roles(official), db.session.get(Suggestion, suggestion.id),
                                   status="under_study")
    page = client.get(f"/suggestions/{suggestion.id}", headers=EN).get_data(as_text=True)
    assert "Rate the answer" in page
    response = client.post(url, data={}, headers=EN)
    assert response.status_code == 422 and "Choose how satisfied you are." in \
        response.get_data(as_text=True)
    assert client.post(url, data={"rating": "dissatisfied"}).status_code == 303
    assert client.post(url, data={"rating": "satisfied"}).status_code == 303
    rows = list(db.session.scalars(select(SuggestionRating)))
    assert len(rows) == 1 and rows[0].rating.value == "satisfied"
    login_as(UserFactory())
    assert client.post(url, data={"rating": "satisfied"}).status_code == 403


# ---------------------------------------------------------------- the desk

def test_manage_queue_sorted_by_due_date(client, login_as, dept, official, citizen):
    late = make_suggestion(citizen, dept, title="较早提交的建议")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        make_suggestion(citizen, dept, title="较晚提交的建议")
        make_suggestion(citizen, DepartmentFactory(), title="别的部门的建议")
        login_as(UserFactory())
        assert client.get("/manage/suggestions").status_code == 403
        login_as(official)
        page = client.get("/manage/suggestions", headers=EN).get_data(as_text=True)
    assert page.index("较早提交的建议") < page.index("较晚提交的建议")
    assert "别的部门的建议" not in page
    assert late.id


def test_admin_routes_unsure_suggestions(client, login_as, dept, citizen):
    s = make_suggestion(citizen, None, title="不知道该找哪个部门")
    admin = login_as(UserFactory(role="admin"))
    page = client.get("/manage/suggestions", headers=EN).get_data(as_text=True)
    assert "不知道该找哪个部门" in page
    url = f"/manage/suggestions/{s.id}/route"
    response = client.post(url, data={"department_id": ""}, headers=EN)
    assert response.status_code == 422 and "Choose a department." in response.get_data(
        as_text=True)
    response = client.post(url, data={"department_id": str(dept.id)}, headers=EN)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Suggestion, s.id).department_id == dept.id
    assert client.post(url, data={"department_id": str(dept.id)}).status_code == 409
    login_as(UserFactory(role="official", role__department=dept))
    assert client.post(url, data={"department_id": str(dept.id)}).status_code == 403
    assert db.session.scalar(select(AuditEntry.actor_id).where(
        AuditEntry.action == "suggestion.routed")) == admin.id


def test_reply_deadline_page(client, login_as, dept, official):
    login_as(UserFactory())
    assert client.get("/manage/suggestions/deadlines").status_code == 403
    login_as(official)
    page = client.get("/manage/suggestions/deadlines", headers=EN).get_data(as_text=True)
    assert "15 working days" in page
    key = f"d{dept.id}-reply_days"
    response = client.post("/manage/suggestions/deadlines",
                           data={"department": dept.id, key: "200"}, headers=EN)
    assert response.status_code == 422
    assert "from 1 to 90" in response.get_data(as_text=True)
    response = client.post("/manage/suggestions/deadlines",
                           data={"department": dept.id, key: "10"}, headers=EN)
    assert response.status_code == 303
    other = DepartmentFactory()
    assert client.post("/manage/suggestions/deadlines",
                       data={"department": other.id, f"d{other.id}-reply_days": "5"}
                       ).status_code == 404
    make_suggestion(UserFactory(), dept)
    s = db.session.scalar(select(Suggestion))
    assert s.due_at == datetime(2026, 11, 18, 15, 59, 59, tzinfo=UTC)


# ---------------------------------------------------------------- query budgets

def _bulk(n: int, dept, author, fans, consultation) -> Suggestion:
    """``n`` suggestions (each tagged, some answered), and on the first ``n`` comments,
    supports and events."""
    tags = [Tag(name=f"话题{i}") for i in range(3)]
    db.session.add_all(tags)
    first = None
    for i in range(n):
        s = Suggestion(author_id=author.id, department_id=dept.id if i % 4 else None,
                       title=f"建议{i} 关于社区", problem="p", proposal="q",
                       due_at=T0 + timedelta(days=i % 30 - 10),
                       answer_status=AnswerStatus.AWAITING, support_count=i)
        s.tags = tags[: 1 + i % 3]
        db.session.add(s)
        first = first or s
    db.session.flush()
    for i in range(n):
        db.session.add(SuggestionComment(suggestion_id=first.id, author_id=fans[i % len(fans)].id,
                                         body=f"评论{i}"))
        db.session.add(SuggestionEvent(suggestion_id=first.id, kind="answered",
                                       department_id=dept.id, answer_status="under_study",
                                       consultation_id=consultation.id, actor_id=author.id,
                                       body="答复"))
    for fan in fans[: min(n, len(fans))]:
        db.session.add(SuggestionSupport(suggestion_id=first.id, user_id=fan.id))
    db.session.commit()
    return first


@pytest.mark.parametrize("path", ["/suggestions/", "/suggestions/?tag=话题1&sort=newest",
                                  "/suggestions/?overdue=1", "DETAIL", "/manage/suggestions",
                                  "/suggestions/similar?title=社区建议"])
def test_query_budget(app, client, login_as, count_queries, path, pytestconfig):
    from tests.conftest import clear_database, prepare_schema

    counts = []
    for n in (3, 300):
        dept = DepartmentFactory()
        author = UserFactory(role="admin")
        RoleAssignmentFactory(user=author, department=dept)
        fans = [UserFactory() for _ in range(3)]
        consultation = ConsultationFactory(department=dept)
        first = _bulk(n, dept, author, fans, consultation)
        login_as(author)
        url = f"/suggestions/{first.id}" if path == "DETAIL" else path
        with count_queries() as seen:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(list(seen))
        db.session.remove()
        clear_database(pytestconfig)
        prepare_schema(pytestconfig)
    small, big = counts
    assert len(big) == len(small) <= 15, "\n".join(big)
