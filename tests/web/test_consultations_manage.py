"""Officials' authoring pages: create/edit, the working copy (htmx and plain forms),
publishing versions, limits (413/422), and other departments (403, nothing changed)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.consultations.models import Consultation, DraftVersion, WorkingClause
from consult.db import db
from tests.confirm_helpers import confirmed_post
from tests.factories import ConsultationFactory, DepartmentFactory, DraftVersionFactory, UserFactory


@pytest.fixture
def official(dept, login_as):
    return login_as(UserFactory(role="official", role__department=dept))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def create(client, dept, **over):
    data = {"title": "生活垃圾分类管理条例", "department_id": str(dept.id),
            "summary": "推进生活垃圾分类。", "background": "", "goals": "",
            "tags": "垃圾分类，环境", "contact": "市城管局"}
    data.update(over)
    return client.post("/manage/consultations/new", data=data)


def test_manage_pages_need_login_and_official(client, login_as, dept):
    assert client.get("/manage/consultations/").status_code == 302
    login_as(UserFactory())
    assert client.get("/manage/consultations/").status_code == 403
    assert client.get("/manage/consultations/new").status_code == 403


def test_full_authoring_journey(client, dept, official):
    response = create(client, dept)
    assert response.status_code == 303
    c = db.session.scalar(select(Consultation))
    assert response.headers["Location"].endswith(f"/manage/consultations/{c.id}/draft")
    page = client.get(f"/manage/consultations/{c.id}/draft")
    assert page.status_code == 200 and "working-copy" in page.text
    for n, body in (("第一条", "为了推进生活垃圾分类，制定本条例。"), ("第二条", "本条例适用于本市。"),
                    ("第三条", "单位和个人应当分类投放。")):
        r = client.post(f"/manage/consultations/{c.id}/draft/clauses",
                        data={"number": n, "heading": "", "body": body})
        assert r.status_code == 303
    ids = list(db.session.scalars(select(WorkingClause.id).order_by(WorkingClause.position)))
    # move down without JavaScript: a real form, 303 back to the page
    r = client.post(f"/manage/consultations/{c.id}/draft/clauses/{ids[0]}/move",
                    data={"direction": "down"})
    assert r.status_code == 303
    # move up with htmx: the refreshed list comes back in place
    r = client.post(f"/manage/consultations/{c.id}/draft/clauses/{ids[2]}/move",
                    data={"direction": "up"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith("<section id=\"working-copy\"")
    order = list(db.session.scalars(select(WorkingClause.number).order_by(
        WorkingClause.position)))
    assert order == ["第二条", "第三条", "第一条"]
    # edit one
    r = client.post(f"/manage/consultations/{c.id}/draft/clauses/{ids[1]}",
                    data={"number": "第二条", "heading": "适用范围", "body": "本条例适用于本市行政区域。"})
    assert r.status_code == 303
    # publish the working copy as version 1, then the consultation
    r = confirmed_post(client, f"/manage/consultations/{c.id}/versions", data={"change_note": "首次征求意见"})
    assert r.status_code == 303
    assert count(DraftVersion) == 1
    r = confirmed_post(client, f"/manage/consultations/{c.id}/publish", data={})
    assert r.status_code == 303
    public = client.get(f"/consultations/{c.id}")
    assert public.status_code == 200 and "本条例适用于本市行政区域。" in public.text
    # delete with htmx, publish version 2, compare
    r = client.post(f"/manage/consultations/{c.id}/draft/clauses/{ids[2]}/delete",
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "第三条" not in r.text
    r = confirmed_post(client, f"/manage/consultations/{c.id}/versions", data={"change_note": "删去第三条"})
    assert r.status_code == 303
    diff = client.get(f"/consultations/{c.id}/diff?from=1&to=2")
    assert "<del>单位和个人应当分类投放。</del>" in diff.text
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"consultation.created", "draft.clause_added", "draft.clause_moved",
            "draft.clause_edited", "draft.clause_deleted", "draft.version_published",
            "consultation.published"} <= actions


def test_create_errors_are_shown_beside_fields(client, dept, official):
    r = create(client, dept, title="", summary="长" * 2001)
    assert r.status_code == 422
    assert "error-summary" in r.text and 'href="#title"' in r.text
    assert 'id="summary-error"' in r.text
    assert count(Consultation) == 0


def test_create_for_another_department_is_refused(client, dept, official):
    other = DepartmentFactory()
    r = create(client, other)
    assert r.status_code == 422 and 'id="department_id-error"' in r.text
    assert count(Consultation) == 0


def test_official_of_department_a_cannot_touch_department_b(client, login_as):
    a, b = DepartmentFactory(), DepartmentFactory()
    theirs = ConsultationFactory(department=b, title="原标题")
    DraftVersionFactory(consultation=theirs)
    login_as(UserFactory(role="official", role__department=a))
    base = f"/manage/consultations/{theirs.id}"
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/draft").status_code == 403
    attempts = [
        (f"{base}/edit", {"title": "被改", "department_id": str(a.id)}),
        (f"{base}/draft/clauses", {"number": "1", "body": "x"}),
        (f"{base}/draft/restore", {}),
        (f"{base}/versions", {"change_note": "x"}),
        (f"{base}/publish", {}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code == 403, url
    assert count(WorkingClause) == 0 and count(DraftVersion) == 1
    assert db.session.scalar(select(Consultation.title)) == "原标题"
    assert "原标题" not in client.get("/manage/consultations/").text


def test_clause_from_another_consultation_is_404(client, dept, official):
    create(client, dept)
    create(client, dept, title="另一个")
    first, second = db.session.scalars(select(Consultation.id).order_by(Consultation.id))
    client.post(f"/manage/consultations/{second}/draft/clauses",
                data={"number": "1", "body": "x"})
    clause_id = db.session.scalar(select(WorkingClause.id))
    r = client.post(f"/manage/consultations/{first}/draft/clauses/{clause_id}/delete")
    assert r.status_code == 404 and count(WorkingClause) == 1


def test_publish_refuses_empty_and_identical(client, dept, official):
    create(client, dept)
    cid = db.session.scalar(select(Consultation.id))
    r = confirmed_post(client, f"/manage/consultations/{cid}/versions", data={"change_note": "空"})
    assert r.status_code == 422 and "工作稿为空" in r.text
    client.post(f"/manage/consultations/{cid}/draft/clauses", data={"number": "1", "body": "x"})
    assert confirmed_post(client, f"/manage/consultations/{cid}/versions",
                       data={"change_note": "v1"}).status_code == 303
    r = confirmed_post(client, f"/manage/consultations/{cid}/versions", data={"change_note": "v2"})
    assert r.status_code == 422 and "error-summary" in r.text
    assert count(DraftVersion) == 1
    # publishing the consultation before any version: refused with a message
    create(client, dept, title="没有版本")
    other = db.session.scalar(select(Consultation.id).where(Consultation.title == "没有版本"))
    confirmed_post(client, f"/manage/consultations/{other}/publish")
    assert db.session.scalar(select(Consultation.published_at).where(
        Consultation.id == other)) is None


def test_huge_clause_is_413_and_long_clause_is_422(client, dept, official):
    create(client, dept)
    cid = db.session.scalar(select(Consultation.id))
    url = f"/manage/consultations/{cid}/draft/clauses"
    r = client.post(url, data={"number": "1", "body": "长" * (5 * 1024 * 1024 // 3 + 1)})
    assert r.status_code == 413
    r = client.post(url, data={"number": "1", "body": "长" * 20_001})
    assert r.status_code == 422 and "每条最多 20000 个字符" in r.text and 'id="body-error"' in r.text
    assert count(WorkingClause) == 0


def test_ten_thousand_clauses_are_refused_with_a_clear_message(client, dept, official):
    create(client, dept)
    cid = db.session.scalar(select(Consultation.id))
    text = "\n".join(f"第{i}条 内容{i}" for i in range(1, 10_001))
    r = client.post(f"/manage/consultations/{cid}/draft/import", data={"text": text})
    assert r.status_code == 422
    assert "草案最多 500 条；此操作后将有 10000 条。" in r.text and 'id="text-error"' in r.text
    assert count(WorkingClause) == 0
    ok = client.post(f"/manage/consultations/{cid}/draft/import",
                     data={"text": "第一条 甲\n第二条 乙"})
    assert ok.status_code == 303 and count(WorkingClause) == 2


def test_manage_list_shows_unpublished_of_own_departments(client, dept, official):
    ConsultationFactory(department=dept, unpublished=True, title="草拟中的办法")
    ConsultationFactory(title="别的部门的办法")
    text = client.get("/manage/consultations/").text
    assert "草拟中的办法" in text and "别的部门的办法" not in text


def test_manage_draft_query_budget(client, dept, official, count_queries):
    create(client, dept)
    cid = db.session.scalar(select(Consultation.id))
    client.post(f"/manage/consultations/{cid}/draft/import", data={"text": "第一条 甲"})
    confirmed_post(client, f"/manage/consultations/{cid}/versions", data={"change_note": "v1"})
    with count_queries() as small:
        client.get(f"/manage/consultations/{cid}/draft")
    small = list(small)
    client.post(f"/manage/consultations/{cid}/draft/import",
                data={"text": "\n".join(f"第{i}条 内容" for i in range(2, 300))})
    confirmed_post(client, f"/manage/consultations/{cid}/versions", data={"change_note": "v2"})
    with count_queries() as big:
        client.get(f"/manage/consultations/{cid}/draft")
    assert len(big) == len(small) <= 10, "\n".join(big)


def test_manage_list_query_budget(client, dept, official, count_queries):
    ConsultationFactory(department=dept, unpublished=True)
    with count_queries() as small:
        assert client.get("/manage/consultations/").status_code == 200
    small = list(small)
    for _ in range(30):
        ConsultationFactory(department=dept)
    with count_queries() as big:
        assert client.get("/manage/consultations/").status_code == 200
    assert len(big) == len(small) <= 8, "\n".join(big)


def test_manage_detail_and_edit_pages(client, dept, official, count_queries):
    create(client, dept)
    cid = db.session.scalar(select(Consultation.id))
    with count_queries() as seen:
        page = client.get(f"/manage/consultations/{cid}")
    assert page.status_code == 200 and len(seen) <= 8
    assert "请先发布草案的第一个版本" in page.text  # no version yet: says what to do first
    edit = client.get(f"/manage/consultations/{cid}/edit")
    assert edit.status_code == 200 and 'value="垃圾分类、环境"' in edit.text  # the Chinese list mark, which the tags field reads
    r = client.post(f"/manage/consultations/{cid}/edit", data={
        "title": "生活垃圾分类管理条例（修订）", "department_id": str(dept.id), "summary": "",
        "background": "", "goals": "", "tags": "环境", "contact": ""})
    assert r.status_code == 303
    assert db.session.scalar(select(Consultation.title)) == "生活垃圾分类管理条例（修订）"
    r = client.post(f"/manage/consultations/{cid}/edit", data={
        "title": "x" * 201, "department_id": str(dept.id), "tags": ""})
    assert r.status_code == 422 and 'id="title-error"' in r.text
