"""Reply templates (常用答复): kept per department, inserted into the answer forms and the
bulk triage reason and bulk answers, never a template of another department."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.workspace.models import ReplyTemplate
from tests.factories import UserFactory, closed_round, comment, make_suggestion, question

ANSWER = "您好，补贴将于每季度首月发放，具体以街道通知为准。"


pytestmark = pytest.mark.usefixtures("english")


def create(client, dept, purpose, title, body=ANSWER):
    return client.post("/manage/templates", data={
        "department_id": str(dept.id), "purpose": purpose, "title": title, "body": body})


def test_keep_templates_and_insert_one_into_a_question_answer(client, login_as, count_queries):
    r, dept, official = closed_round()
    q = question(r)
    login_as(official)
    assert client.get("/manage/templates").status_code == 200
    assert create(client, dept, "question", "补贴发放").status_code == 303
    assert create(client, dept, "question", "补贴发放").status_code == 422  # same title
    assert create(client, dept, "nonsense", "x").status_code == 422
    row = db.session.scalar(select(ReplyTemplate))
    page = client.get(f"/questions/{q.id}/answer")
    assert page.status_code == 200 and "补贴发放" in page.text and 'data-template-for' in page.text
    filled = client.get(f"/questions/{q.id}/answer?template={row.id}")
    assert filled.status_code == 200 and f">{ANSWER}</textarea>" in filled.text
    with count_queries() as queries:
        client.get("/manage/templates")
    assert len(queries) <= 8, queries


def test_a_template_of_another_department_is_never_inserted_or_managed(client, login_as):
    r, dept, official = closed_round()
    q = question(r)
    _other_round, other_dept, stranger = closed_round()
    login_as(stranger)
    assert create(client, other_dept, "question", "别的部门").status_code == 303
    assert create(client, dept, "question", "冒充").status_code == 422  # not their department
    foreign = db.session.scalar(select(ReplyTemplate))
    login_as(official)
    assert client.get(f"/questions/{q.id}/answer?template={foreign.id}").status_code == 404
    assert client.get(f"/manage/templates/{foreign.id}").status_code == 403
    assert client.post(f"/manage/templates/{foreign.id}/delete").status_code == 403
    assert db.session.scalar(select(ReplyTemplate.id)) == foreign.id
    login_as(UserFactory())
    assert client.get("/manage/templates").status_code == 403


def test_a_triage_reason_template_fills_the_bulk_reason(client, login_as):
    r, dept, official = closed_round()
    comment(r)
    login_as(official)
    create(client, dept, "triage", "资金不足", body="经财政测算，目前资金无法保障，暂不采纳。")
    row = db.session.scalar(select(ReplyTemplate))
    page = client.get(f"/manage/rounds/{r.id}/triage?template={row.id}")
    assert page.status_code == 200 and "经财政测算，目前资金无法保障，暂不采纳。</textarea>" in page.text


def test_suggestion_answer_template_edit_and_delete(client, login_as):
    r, dept, official = closed_round()
    s = make_suggestion(UserFactory(), dept)
    login_as(official)
    create(client, dept, "suggestion", "已列入议程", body="感谢建议，已列入本年度立法计划。")
    row = db.session.scalar(select(ReplyTemplate))
    page = client.get(f"/manage/suggestions/{s.id}/answer?template={row.id}")
    assert page.status_code == 200 and "感谢建议，已列入本年度立法计划。</textarea>" in page.text
    resp = client.post(f"/manage/templates/{row.id}", data={"title": "", "body": "x"})
    assert resp.status_code == 422
    resp = client.post(f"/manage/templates/{row.id}", data={"title": "已列入", "body": "改过的。"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(ReplyTemplate, row.id).body == "改过的。"
    assert client.post(f"/manage/templates/{row.id}/delete").status_code == 303
    assert db.session.scalar(select(ReplyTemplate)) is None


@pytest.mark.parametrize("purpose, inbox, waiting", [
    ("question", "/manage/questions", lambda r, dept: question(r)),
    ("suggestion", "/manage/suggestions", lambda r, dept: make_suggestion(UserFactory(), dept)),
])
def test_a_template_fills_the_bulk_answer_and_another_departments_is_404(
        client, login_as, purpose, inbox, waiting):
    """The question inbox and the suggestions list: the department's templates of the
    purpose are offered for the bulk answer's text, another department's never."""
    r, dept, official = closed_round()
    waiting(r, dept)
    _other_round, other_dept, stranger = closed_round()
    login_as(stranger)
    assert create(client, other_dept, purpose, "别人的", body="别的部门的答复").status_code == 303
    foreign = db.session.scalar(select(ReplyTemplate))
    login_as(official)
    assert create(client, dept, purpose, "我们的").status_code == 303
    own = db.session.scalar(select(ReplyTemplate).where(ReplyTemplate.title == "我们的"))
    page = client.get(inbox)
    assert "我们的" in page.text and "别人的" not in page.text
    assert 'data-template-for="many-body"' in page.text
    filled = client.get(f"{inbox}?template={own.id}")
    assert filled.status_code == 200 and f"{ANSWER}</textarea>" in filled.text
    assert client.get(f"{inbox}?template={foreign.id}").status_code == 404
