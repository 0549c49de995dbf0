"""Bulk answers from the question inbox: one text for several questions of one round,
a preview of what the public will see, a signed confirmation; each question its own
answer, audit entry and notification; a replay is a 409 and changes nothing; a selection
mixing rounds is refused. Reply templates in each triage row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.notifications.models import Notification
from consult.participation.models import Answer
from consult.workspace.models import ReplyTemplate
from tests.factories import UserFactory, closed_round, comment, question

TEXT = "您好，补贴将于每季度首月发放，具体以街道通知为准。"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("locale", "en")


def preview(client, ids, body=TEXT):
    return client.post("/manage/questions/answer-many",
                       data={"many-ids": [str(i) for i in ids], "many-body": body})


def confirm_fields(page_text):
    """The confirmation page's form, as a browser would post it."""
    ids = re.findall(r'name="many-ids" value="(\d+)"', page_text)
    body = re.search(r'name="many-body" value="([^"]*)"', page_text).group(1)
    token = re.search(r'name="many-confirmation" value="([^"]+)"', page_text).group(1)
    return {"many-ids": ids, "many-body": body, "many-confirmation": token}


def answers():
    return db.session.scalar(select(func.count(Answer.id)))


def test_preview_then_confirm_answers_each_question(client, login_as):
    r, _dept, official = closed_round()
    asked = [question(r, body=f"补贴何时发放？{i}") for i in range(3)]
    login_as(official)
    inbox = client.get("/manage/questions")
    assert inbox.status_code == 200 and 'form="answer-many"' in inbox.text
    shown = preview(client, [q.id for q in asked[:2]])
    assert shown.status_code == 200 and "What the public will see" in shown.text
    assert TEXT in shown.text and "Publish 2 answers" in shown.text
    assert answers() == 0  # the preview publishes nothing
    fields = confirm_fields(shown.text)
    done = client.post("/manage/questions/answer-many", data=fields)
    assert done.status_code == 303, done.text
    rows = list(db.session.scalars(select(Answer).order_by(Answer.question_id)))
    assert [a.question_id for a in rows] == [asked[0].id, asked[1].id]
    assert all(a.body == TEXT for a in rows)
    audited = db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "question.answer"))
    assert audited == 2
    notified = set(db.session.scalars(select(Notification.user_id)))
    assert {asked[0].author_id, asked[1].author_id} <= notified
    assert asked[2].author_id not in notified
    # the same confirmation again: 409, nothing more
    again = client.post("/manage/questions/answer-many", data=fields)
    assert again.status_code == 409 and "already has an answer" in again.text
    assert answers() == 2


def test_a_confirmation_for_another_text_or_tampered_is_refused(client, login_as):
    r, _dept, official = closed_round()
    asked = [question(r, body=f"问题{i}") for i in range(2)]
    login_as(official)
    fields = confirm_fields(preview(client, [q.id for q in asked]).text)
    changed = dict(fields, **{"many-body": "另一段文字"})
    assert client.post("/manage/questions/answer-many", data=changed).status_code == 409
    forged = dict(fields, **{"many-confirmation": fields["many-confirmation"][:-2] + "xx"})
    assert client.post("/manage/questions/answer-many", data=forged).status_code == 409
    fewer = dict(fields, **{"many-ids": fields["many-ids"][:1]})
    assert client.post("/manage/questions/answer-many", data=fewer).status_code == 409
    assert answers() == 0


def test_mixing_rounds_or_an_empty_text_is_refused_with_a_message(client, login_as):
    r, dept, official = closed_round()
    from tests.factories import ConsultationFactory, RoundFactory
    other = RoundFactory(closed=True,
                         version__consultation=ConsultationFactory(department=dept))
    a, b = question(r, body="第一轮的问题"), question(other, body="第二轮的问题")
    login_as(official)
    mixed = preview(client, [a.id, b.id])
    assert mixed.status_code == 422 and "one round at a time" in mixed.text
    empty = preview(client, [a.id], body="  ")
    assert empty.status_code == 422 and "Write the answer" in empty.text
    none = preview(client, [])
    assert none.status_code == 422 and "Tick at least one question" in none.text
    assert preview(client, ["x"]).status_code == 422
    assert answers() == 0


def test_questions_of_another_department_are_403_and_citizens_too(client, login_as):
    r, _dept, official = closed_round()
    theirs, _other_dept, _stranger = closed_round()
    q = question(theirs)
    login_as(official)
    assert preview(client, [q.id]).status_code == 403
    login_as(UserFactory())
    assert preview(client, [q.id]).status_code == 403
    assert answers() == 0
    assert r.id


def test_each_triage_row_offers_the_reply_templates(client, login_as):
    r, dept, official = closed_round()
    comment(r)
    comment(r)
    login_as(official)
    client.post("/manage/templates", data={"department_id": str(dept.id),
                                           "purpose": "triage", "title": "资金不足",
                                           "body": "经财政测算，暂不采纳。"})
    row = db.session.scalar(select(ReplyTemplate))
    page = client.get(f"/manage/rounds/{r.id}/triage")
    row_ids = re.findall(r'id="triage-(\d+)"', page.text)
    assert len(row_ids) == 2
    for t in row_ids:
        assert f'data-template-for="t{t}-reason"' in page.text
    filled = client.get(f"/manage/rounds/{r.id}/triage?template={row.id}&row={row_ids[1]}")
    assert filled.status_code == 200
    second = filled.text[filled.text.index(f'id="triage-{row_ids[1]}"'):]
    first = filled.text[filled.text.index(f'id="triage-{row_ids[0]}"'):
                        filled.text.index(f'id="triage-{row_ids[1]}"')]
    assert "经财政测算，暂不采纳。</textarea>" in second
    assert "经财政测算，暂不采纳。</textarea>" not in first
