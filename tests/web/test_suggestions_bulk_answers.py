"""Bulk answers in the officials' suggestions list: tick suggestions of one department
awaiting their first answer, choose one answer and write one text, preview what the
public will see, confirm (signed). Each suggestion gets its own answer event, audit entry
and notification; a replayed confirmation is a 409; a selection of another department is
a 403; one already answered, mixing departments or an empty text is a 422 with the
message beside the selection or the field; nothing is half-saved."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.db import atomic, db
from consult.notifications.models import Notification, NotificationKind
from consult.suggestions import services
from consult.suggestions.models import AnswerStatus, Suggestion, SuggestionEvent, Visibility
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    ReplyTemplateFactory,
    RoleAssignmentFactory,
    UserFactory,
    make_suggestion,
    with_roles,
)

TEXT = "您好，已纳入明年的立法调研计划，我们会在调研中听取您的意见。"
URL = "/manage/suggestions/answer-many"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("locale", "en")


@pytest.fixture
def dept(app):
    return DepartmentFactory(name="市民政局", name_en="Civil Affairs Bureau", slug="civil")


def several(dept, n=3):
    return [make_suggestion(UserFactory(), dept, title=f"社区食堂太少第{i}条") for i in range(n)]


def preview(client, ids, *, status="under_study", body=TEXT, consultation_id="", **extra):
    return client.post(URL, data={"many-ids": [str(i) for i in ids], "many-status": status,
                                  "many-body": body, "many-consultation_id": consultation_id,
                                  **extra})


def confirm_fields(page_text):
    """The confirmation page's form, as a browser posts it."""
    form = page_text[page_text.index(f'action="{URL}"'):]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(unescape(value))
    return fields


def events():
    return db.session.scalar(select(func.count(SuggestionEvent.id)))


def test_preview_then_confirm_answers_each_suggestion(client, login_as, dept, official):
    chosen = several(dept, 3)
    supporter = UserFactory()
    with atomic():
        services.add_support(supporter, db.session.get(Suggestion, chosen[0].id))
    login_as(official)
    page = client.get("/manage/suggestions?who=all")
    assert page.status_code == 200 and 'form="answer-many"' in page.text
    assert page.text.count('name="many-ids"') == 3
    shown = preview(client, [s.id for s in chosen[:2]], next="/manage/suggestions?who=all")
    assert shown.status_code == 200, shown.text
    assert "What the public will see" in shown.text and TEXT in shown.text
    assert "Under study" in shown.text and "publish 2 answers" in shown.text
    assert events() == 0  # the preview publishes nothing
    fields = confirm_fields(shown.text)
    assert fields["many-ids"] == [str(chosen[0].id), str(chosen[1].id)]
    done = client.post(URL, data=fields)
    assert done.status_code == 303 and done.headers["Location"].endswith(
        "/manage/suggestions?who=all")
    db.session.expire_all()
    rows = list(db.session.scalars(select(SuggestionEvent).order_by(
        SuggestionEvent.suggestion_id)))
    assert [e.suggestion_id for e in rows] == [chosen[0].id, chosen[1].id]
    assert all(e.body == TEXT and e.answer_status is AnswerStatus.UNDER_STUDY and
               e.on_time for e in rows)
    for s in chosen[:2]:
        fresh = db.session.get(Suggestion, s.id)
        assert fresh.answered_at is not None and fresh.latest_answer_id is not None
    assert db.session.get(Suggestion, chosen[2].id).answered_at is None
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "suggestion.answered")) == 2
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == NotificationKind.SUGGESTION_ANSWERED)))
    assert notified == {chosen[0].author_id, chosen[1].author_id, supporter.id}
    assert "2 answers published" in client.get(done.headers["Location"]).text
    # the same confirmation again: 409, nothing more
    again = client.post(URL, data=fields)
    assert again.status_code == 409 and "already done" in again.text
    assert events() == 2


def test_a_confirmation_for_another_answer_or_tampered_is_refused(client, login_as, dept,
                                                                  official):
    chosen = several(dept, 2)
    login_as(official)
    fields = confirm_fields(preview(client, [s.id for s in chosen]).text)
    for changed in ({"many-body": "另一段文字"}, {"many-status": "not_taken"},
                    {"many-ids": fields["many-ids"][:1]},
                    {"confirm": fields["confirm"][0][:-2] + "xx"}):
        response = client.post(URL, data=dict(fields, **changed))
        assert response.status_code == 409, changed
    assert events() == 0


def test_bad_input_is_422_beside_the_selection_or_the_field(client, login_as, dept, official):
    other = DepartmentFactory()
    RoleAssignmentFactory(user=official, department=other)
    mine, theirs = several(dept, 2), several(other, 1)
    with atomic():
        services.answer_suggestion(with_roles(official), db.session.get(Suggestion, mine[1].id),
                                   status="under_study")
    login_as(official)

    def refused(response, message, where):
        assert response.status_code == 422, response.text
        text = response.text
        assert message in text
        error = re.search(rf'id="{where}-error">(.*?)</p>', text, re.S)
        assert error and message in error.group(1), where
        return text

    text = refused(preview(client, [mine[0].id, theirs[0].id], status="on_agenda"),
                   "mixes departments", "many-ids")
    # the ticked boxes stay ticked
    assert re.search(rf'value="{mine[0].id}" form="answer-many"[^>]*checked', text)
    refused(preview(client, [mine[0].id, mine[1].id]), "already has an answer", "many-ids")
    refused(preview(client, []), "Tick at least one suggestion", "many-ids")
    refused(preview(client, ["x", "-1"]), "Tick at least one suggestion", "many-ids")
    refused(preview(client, [999999]), "do not exist", "many-ids")
    refused(preview(client, [mine[0].id], body="  "), "Write the answer", "many-body")
    refused(preview(client, [mine[0].id], status=""), "Choose an answer", "many-status")
    refused(preview(client, [mine[0].id], status="transferred"), "Choose an answer",
            "many-status")
    refused(preview(client, [mine[0].id], status="on_agenda"), "Choose the consultation",
            "many-consultation_id")
    foreign = ConsultationFactory(department=DepartmentFactory())
    refused(preview(client, [mine[0].id], status="on_agenda",
                    consultation_id=str(foreign.id)), "same department",
            "many-consultation_id")
    assert events() == 1  # only the answer given above


def test_a_confirmed_answer_refused_for_one_changes_nothing(client, login_as, dept, official):
    """Between preview and confirmation a colleague answers one of them: the signed
    state no longer matches (409) and none of the others is answered."""
    chosen = several(dept, 3)
    login_as(official)
    fields = confirm_fields(preview(client, [s.id for s in chosen]).text)
    with atomic():
        services.answer_suggestion(with_roles(official),
                                   db.session.get(Suggestion, chosen[2].id),
                                   status="not_taken", body="已有规定。")
    assert client.post(URL, data=fields).status_code == 409
    assert events() == 1


def test_another_departments_suggestions_are_403_and_others_too(client, login_as, dept,
                                                                official):
    other = DepartmentFactory()
    theirs = several(other, 1)
    unrouted = make_suggestion(UserFactory(), None, title="不知道找哪个部门")
    login_as(official)
    assert preview(client, [theirs[0].id]).status_code == 403
    assert preview(client, [unrouted.id]).status_code == 403
    for user in (UserFactory(), UserFactory(role="admin"), UserFactory(role="moderator")):
        login_as(user)
        assert preview(client, [theirs[0].id]).status_code == 403
    assert events() == 0


def test_held_suggestions_are_refused(client, login_as, dept, official):
    s = several(dept, 1)[0]
    with atomic():
        db.session.get(Suggestion, s.id).status = Visibility.HELD
    login_as(official)
    response = preview(client, [s.id])
    assert response.status_code == 422 and "moderator" in response.text
    assert events() == 0


def test_taken_onto_the_agenda_links_the_consultation_for_each(client, login_as, dept,
                                                               official):
    chosen = several(dept, 2)
    consultation = ConsultationFactory(department=dept, title="社区养老服务条例")
    login_as(official)
    page = client.get("/manage/suggestions")
    assert f'<option value="{consultation.id}">社区养老服务条例' in page.text
    shown = preview(client, [s.id for s in chosen], status="on_agenda",
                    consultation_id=str(consultation.id))
    assert shown.status_code == 200 and "社区养老服务条例" in shown.text
    assert client.post(URL, data=confirm_fields(shown.text)).status_code == 303
    db.session.expire_all()
    for s in chosen:
        fresh = db.session.get(Suggestion, s.id)
        assert fresh.answer_status is AnswerStatus.ON_AGENDA
        assert fresh.consultation_id == consultation.id


def test_under_study_rows_have_no_box_and_the_list_budget_is_flat(client, login_as, dept,
                                                                   official, count_queries):
    chosen = several(dept, 2)
    with atomic():
        services.answer_suggestion(with_roles(official),
                                   db.session.get(Suggestion, chosen[0].id),
                                   status="under_study")
    login_as(official)
    page = client.get("/manage/suggestions")
    assert f'value="{chosen[1].id}" form="answer-many"' in page.text
    assert f'value="{chosen[0].id}" form="answer-many"' not in page.text
    ConsultationFactory(department=dept)
    with count_queries() as few:
        assert client.get("/manage/suggestions").status_code == 200
    few = list(few)
    several(dept, 15)
    for _ in range(5):
        ConsultationFactory(department=dept)
    ReplyTemplateFactory(department_id=dept.id, purpose="suggestion", title="模板", body="正文",
                         created_by_id=official.id)
    with count_queries() as many:
        assert client.get("/manage/suggestions").status_code == 200
    assert len(many) == len(few) <= 15, "\n".join(many)
