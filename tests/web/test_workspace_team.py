"""Team work: assigning opinions to colleagues of the department, claiming, handing over,
bulk assignment from the triage, "assigned to me", internal notes (never shown to others)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.responses.models import Triage
from consult.workspace.models import Assignment, InternalNote, OpinionKind
from tests.factories import UserFactory, closed_round, comment, question

SECRET = "内部备注：此人上周已电话沟通，暂缓回复"


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def team():
    r, dept, official = closed_round()
    colleague = UserFactory(role="official", role__department=dept, display_name="李科员")
    return r, dept, official, colleague


def assignment(kind, item_id):
    return db.session.scalar(select(Assignment).where(Assignment.kind == kind,
                                                      Assignment.item_id == item_id))


def triage_ids(round_id):
    return [str(t.id) for t in db.session.scalars(
        select(Triage).where(Triage.round_id == round_id).order_by(Triage.id))]


def test_assign_claim_and_hand_over_with_audit(client, login_as, team):
    r, _dept, official, colleague = team
    c = comment(r)
    login_as(official)
    page = client.get(f"/manage/opinions/comment/{c.id}")
    assert page.status_code == 200 and "李科员" in page.text and "Nobody is assigned" in page.text
    resp = client.post(f"/manage/opinions/comment/{c.id}/assign",
                       data={"assignee_id": str(colleague.id)})
    assert resp.status_code == 303
    assert assignment(OpinionKind.COMMENT, c.id).assignee_id == colleague.id
    resp = client.post(f"/manage/opinions/comment/{c.id}/claim")
    assert resp.status_code == 303
    assert assignment(OpinionKind.COMMENT, c.id).assignee_id == official.id
    resp = client.post(f"/manage/opinions/comment/{c.id}/assign", data={"assignee_id": ""})
    assert resp.status_code == 303 and assignment(OpinionKind.COMMENT, c.id) is None
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.like("opinion.%")).order_by(AuditEntry.id)))
    assert actions == ["opinion.assigned", "opinion.handed_over", "opinion.unassigned"]


def test_assigning_outside_the_department_is_422_and_changes_nothing(client, login_as, team):
    r, _dept, official, _colleague = team
    _, _, stranger = closed_round()  # an official of another department
    q = question(r)
    login_as(official)
    resp = client.post(f"/manage/opinions/question/{q.id}/assign",
                       data={"assignee_id": str(stranger.id)})
    assert resp.status_code == 422
    assert "Only an official of the department that owns the opinion" in resp.text
    assert assignment(OpinionKind.QUESTION, q.id) is None
    resp = client.post(f"/manage/opinions/question/{q.id}/assign", data={"assignee_id": "x"})
    assert resp.status_code == 422


def test_officials_of_other_departments_and_citizens_cannot_reach_it(client, login_as, team):
    r, _dept, _official, _colleague = team
    author = UserFactory()
    c = comment(r, author)
    _, _, stranger = closed_round()
    for user in (author, stranger, UserFactory(role="moderator")):
        login_as(user)
        assert client.get(f"/manage/opinions/comment/{c.id}").status_code == 403
        assert client.post(f"/manage/opinions/comment/{c.id}/claim").status_code == 403
        assert client.post(f"/manage/opinions/comment/{c.id}/notes",
                           data={"body": "x"}).status_code == 403
    assert client.get("/manage/opinions/nonsense/1").status_code == 404
    assert client.get("/manage/opinions/comment/999999").status_code == 404


def test_bulk_assignment_from_the_triage_and_the_mine_filter(client, login_as, team,
                                                             count_queries):
    r, _dept, official, colleague = team
    for i in range(4):
        comment(r, body=f"意见{i}")
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/triage")
    ids = triage_ids(r.id)
    resp = client.post(f"/manage/rounds/{r.id}/assign", data={
        "bulk-ids": ids[:2], "bulk-assignee_id": str(colleague.id)})
    assert resp.status_code == 303
    assert db.session.scalar(select(db.func.count(Assignment.id))) == 2
    page = client.get(f"/manage/rounds/{r.id}/triage").text
    assert "Progress per person" in page and "李科员: 0 of 2 triaged" in page
    login_as(colleague)
    mine = client.get(f"/manage/rounds/{r.id}/triage?mine=1")
    assert mine.status_code == 200 and "2 opinions match." in mine.text
    listed = client.get("/manage/assigned")
    assert listed.status_code == 200 and "2 opinions are assigned to you." in listed.text
    with count_queries() as queries:
        client.get("/manage/assigned")
    assert len(queries) <= 8, queries


def _row(html: str, triage_id: str) -> str:
    start = html.index(f'id="triage-{triage_id}"')
    end = html.find("<article", start)
    return html[start:end if end != -1 else len(html)]


def test_each_triage_row_names_its_assignee_also_after_an_htmx_save(client, login_as, team):
    r, _dept, official, colleague = team
    comment(r, body="意见甲")
    question(r, body="问题乙")
    comment(r, body="意见丙")
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/triage")
    ids = triage_ids(r.id)
    client.post(f"/manage/rounds/{r.id}/assign", data={
        "bulk-ids": ids[:2], "bulk-assignee_id": str(colleague.id)})
    page = client.get(f"/manage/rounds/{r.id}/triage").text
    assert "Assigned to 李科员" in _row(page, ids[0])
    assert "Assigned to 李科员" in _row(page, ids[1])  # the question
    assert "Assigned to" not in _row(page, ids[2])
    swapped = client.post(f"/manage/rounds/{r.id}/triage/{ids[0]}",
                          data={f"t{ids[0]}-status": "adopted"},
                          headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and "Assigned to 李科员" in swapped.text


def test_bulk_assignment_refuses_rows_of_another_round(client, login_as, team):
    r, _dept, official, colleague = team
    comment(r)
    other, _, other_official = closed_round()
    comment(other)
    login_as(other_official)
    client.get(f"/manage/rounds/{other.id}/triage")
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/triage")
    resp = client.post(f"/manage/rounds/{r.id}/assign", data={
        "bulk-ids": triage_ids(r.id) + triage_ids(other.id),
        "bulk-assignee_id": str(colleague.id)})
    assert resp.status_code == 422 and "not opinions of this round" in resp.text
    assert db.session.scalar(select(db.func.count(Assignment.id))) == 0
    resp = client.post(f"/manage/rounds/{r.id}/assign", data={"bulk-assignee_id": ""})
    assert resp.status_code == 422


def test_notes_are_seen_by_the_department_only(client, login_as, team):
    r, _dept, official, colleague = team
    author = UserFactory()
    c = comment(r, author)
    login_as(official)
    assert client.post(f"/manage/opinions/comment/{c.id}/notes",
                       data={"body": ""}).status_code == 422
    resp = client.post(f"/manage/opinions/comment/{c.id}/notes", data={"body": SECRET})
    assert resp.status_code == 303
    assert db.session.scalar(select(InternalNote.body)) == SECRET
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "opinion.note_added"))
    assert entry is not None and SECRET not in str(entry.data)
    login_as(colleague)
    assert SECRET in client.get(f"/manage/opinions/comment/{c.id}").text
    # Nowhere else, for anyone: public pages, the API, the triage, the author's own data.
    for user in (None, author, official, UserFactory(role="admin")):
        if user is None:
            client.post("/auth/logout")
        else:
            login_as(user)
        for url in (f"/rounds/{r.id}/comments", f"/api/v1/rounds/{r.id}/comments?limit=100",
                    f"/api/v1/consultations/{r.consultation_id}/comments.csv", "/me/",
                    f"/manage/rounds/{r.id}/triage", "/admin/audit", "/admin/audit.csv"):
            page = client.get(url)
            assert SECRET not in page.get_data(as_text=True), (user, url)
        if user is author:
            export = client.post("/me/data/export")
            assert export.status_code == 200 and SECRET not in export.get_data(as_text=True)
