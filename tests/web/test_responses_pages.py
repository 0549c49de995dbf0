"""Triage, response and follow-up pages: statuses, messages beside fields, htmx vs no-JS,
publication guards and query budgets."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from consult.db import atomic, db
from consult.responses import services
from consult.responses.models import RoundResponse, Triage
from consult.rounds.services import get_round
from tests.confirm_helpers import confirmed_post
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    clause_ids,
    closed_round,
    comment,
    question,
)

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


def rows(round_id):
    db.session.expire_all()
    return list(db.session.scalars(select(Triage).where(Triage.round_id == round_id)
                                   .order_by(Triage.id)))


def response_row(round_id) -> RoundResponse:
    db.session.expire_all()
    return db.session.scalar(select(RoundResponse).where(RoundResponse.round_id == round_id))


def load(r, actor):
    db.session.expire_all()
    return get_round(actor, r.id)


def triage_all(r, official, status="adopted", reason="理由"):
    with atomic():
        round_ = load(r, official)
        services.start_triage(round_)
    ids = [t.id for t in rows(r.id)]
    with atomic():
        services.bulk_triage(official, load(r, official), triage_ids=ids, status=status,
                             reason=reason)


def publish(r, official, summary="感谢大家的意见。"):
    with atomic():
        services.save_response(official, load(r, official), summary=summary)
    with atomic():
        services.publish_response(official, load(r, official))


# ---------------------------------------------------------------- access

def test_triage_page_access(client, login_as):
    r, _dept, official = closed_round()
    comment(r)
    url = f"/manage/rounds/{r.id}/triage"
    assert client.get(url).status_code == 302  # log in first
    login_as(UserFactory())
    resp = client.get(url)
    assert resp.status_code == 403 and "You are not allowed to do this." in resp.text
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(url).status_code == 403
    login_as(official)
    resp = client.get(url)
    assert resp.status_code == 200
    assert "0 of 1 triaged" in resp.text


def test_triage_refused_while_open(client, login_as):
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation=ConsultationFactory(department=dept))
    login_as(UserFactory(role="official", role__department=dept))
    resp = client.get(f"/manage/rounds/{r.id}/triage")
    assert resp.status_code == 409 and "This round is still open." in resp.text


# ---------------------------------------------------------------- one row: no-JS and htmx

def test_triage_one_without_javascript(client, login_as):
    r, _dept, official = closed_round()
    comment(r)
    comment(r)
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/triage")
    t = rows(r.id)[0]
    url = f"/manage/rounds/{r.id}/triage/{t.id}"
    resp = client.post(url, data={f"t{t.id}-status": "not_adopted", f"t{t.id}-reason": ""})
    assert resp.status_code == 422
    assert "Say why this opinion is not adopted; the reason is shown publicly." in resp.text
    assert 'class="error-summary"' in resp.text
    assert f'id="t{t.id}-reason-error"' in resp.text
    assert response_row(r.id).triaged_count == 0
    resp = client.post(url, data={f"t{t.id}-status": "not_adopted",
                                  f"t{t.id}-reason": "与上位法冲突。",
                                  "next": f"/manage/rounds/{r.id}/triage?status=untriaged"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/manage/rounds/{r.id}/triage?status=untriaged")
    assert rows(r.id)[0].reason == "与上位法冲突。"
    page = client.get(resp.headers["Location"])
    assert "1 of 2 triaged" in page.text


def test_triage_one_with_htmx_swaps_the_row_and_progress(client, login_as):
    r, _dept, official = closed_round()
    comment(r)
    comment(r)
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/triage")
    t = rows(r.id)[1]
    url = f"/manage/rounds/{r.id}/triage/{t.id}"
    resp = client.post(url, data={f"t{t.id}-status": "adopted"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200
    assert "<html" not in resp.text
    assert f'id="triage-{t.id}"' in resp.text
    assert re.search(r'id="triage-progress"[^>]*hx-swap-oob="true"', resp.text)
    assert "1 of 2 triaged" in resp.text and "Saved: Adopted." in resp.text
    resp = client.post(url, data={f"t{t.id}-status": "not_adopted"},
                       headers={"HX-Request": "true"})
    assert resp.status_code == 422 and "<html" not in resp.text
    assert "Say why this opinion is not adopted" in resp.text
    assert rows(r.id)[1].status.value == "adopted"


def test_bulk_triage_and_themes_through_the_pages(client, login_as):
    r, _dept, official = closed_round()
    for _ in range(4):
        comment(r)
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/triage")
    resp = client.post(f"/manage/rounds/{r.id}/themes", data={"theme-name": ""})
    assert resp.status_code == 422 and "Give the theme a name." in resp.text
    resp = client.post(f"/manage/rounds/{r.id}/themes", data={"theme-name": "收费"})
    assert resp.status_code == 303
    theme_id = services.themes_of(r.id)[0].id
    ids = [str(t.id) for t in rows(r.id)]
    resp = client.post(f"/manage/rounds/{r.id}/triage/bulk", data={
        "bulk-ids": ids[:3], "bulk-status": "not_adopted", "bulk-reason": "",
        "bulk-theme_id": str(theme_id)})
    assert resp.status_code == 422
    assert "Say why this opinion is not adopted" in resp.text
    resp = client.post(f"/manage/rounds/{r.id}/triage/bulk", data={
        "bulk-status": "adopted", "bulk-theme_id": "keep"})
    assert resp.status_code == 422 and "Select at least one opinion." in resp.text
    resp = client.post(f"/manage/rounds/{r.id}/triage/bulk", data={
        "bulk-ids": ids[:3], "bulk-status": "not_adopted", "bulk-reason": "资金不足。",
        "bulk-theme_id": str(theme_id)})
    assert resp.status_code == 303
    page = client.get(f"/manage/rounds/{r.id}/triage?theme={theme_id}")
    assert "3 opinions match." in page.text and "3 of 4 triaged" in page.text
    page = client.get(f"/manage/rounds/{r.id}/triage?status=untriaged")
    assert "1 opinion matches." in page.text
    # Merge needs another theme.
    client.post(f"/manage/rounds/{r.id}/themes", data={"theme-name": "范围"})
    other = [t.id for t in services.themes_of(r.id) if t.id != theme_id][0]
    resp = client.post(f"/manage/rounds/{r.id}/themes/{theme_id}/merge",
                       data={f"m{theme_id}-into_id": str(other)})
    assert resp.status_code == 303
    assert [(t.name, t.member_count) for t in services.themes_of(r.id)] == [("范围", 3)]


def test_filters_and_proposed_wordings(client, login_as):
    r, _dept, official = closed_round()
    cl = clause_ids(r)
    comment(r, clause_id=cl[0], supports=1, proposed="措辞甲", body="意见甲")
    comment(r, clause_id=cl[0], supports=9, proposed="措辞乙", body="意见乙")
    comment(r, clause_id=cl[1], supports=5, body="意见丙")
    question(r, supports=7, body="问题丁")
    login_as(official)
    page = client.get(f"/manage/rounds/{r.id}/triage")
    text = page.text
    # Most supported first; proposals ordered by support within their clause.
    assert text.index("意见乙") < text.index("问题丁") < text.index("意见丙") < text.index("意见甲")
    proposals = text[text.index("Most supported proposed wordings"):]
    assert proposals.index("措辞乙") < proposals.index("措辞甲")
    page = client.get(f"/manage/rounds/{r.id}/triage?clause={cl[0]}")
    assert "2 opinions match." in page.text and "意见丙" not in page.text
    page = client.get(f"/manage/rounds/{r.id}/triage?clause=questions")
    assert "1 opinion matches." in page.text and "问题丁" in page.text
    assert '<p class="triage-row__body">意见乙' not in page.text
    page = client.get(f"/manage/rounds/{r.id}/triage?min_support=6")
    assert "2 opinions match." in page.text
    page = client.get(f"/manage/rounds/{r.id}/triage?min_support=abc&status=nonsense")
    assert page.status_code == 200 and "4 opinions match." in page.text


# ---------------------------------------------------------------- the response

def seen_on_preview(client, r, *, blocked=False) -> str:
    """The fingerprint the preview page confirms (computed as the page does when the
    preview shows no button because something blocks the publication)."""
    page = client.get(f"/manage/rounds/{r.id}/response/publish")
    assert page.status_code == 200
    found = re.search(r'name="p-seen" type="hidden" value="([0-9a-f]+)"', page.text) or \
        re.search(r'type="hidden" name="p-seen" value="([0-9a-f]+)"', page.text) or \
        re.search(r'id="p-seen" name="p-seen" type="hidden" value="([0-9a-f]+)"', page.text)
    if blocked:
        assert found is None
        from consult.responses.services import draft_fingerprint
        from consult.responses.services._common import response_of
        return draft_fingerprint(response_of(r.id))
    assert found, page.text
    return found.group(1)


def audit_actions() -> list[str]:
    from consult.audit.models import AuditEntry
    return list(db.session.scalars(select(AuditEntry.action)))


def test_publishing_refuses_a_draft_changed_since_the_preview(client, login_as):
    r, _dept, official = closed_round()
    comment(r)
    login_as(official)
    client.post(f"/manage/rounds/{r.id}/response", data={"r-summary": "第一稿。"})
    triage_all(r, official)
    seen = seen_on_preview(client, r)
    client.post(f"/manage/rounds/{r.id}/response", data={"r-summary": "同事改过的第二稿。"})
    resp = client.post(f"/manage/rounds/{r.id}/response/publish", data={"p-seen": seen})
    assert resp.status_code == 409 and "The draft changed since you previewed it" in resp.text
    assert "同事改过的第二稿。" in resp.text  # the preview again, of what would be published
    assert "response.published" not in audit_actions()


def test_adding_an_action_keeps_the_summary_typed(client, login_as):
    r, _dept, official = closed_round()
    comment(r)
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/response")
    due = (date.today() + timedelta(days=30)).isoformat()
    resp = client.post(f"/manage/rounds/{r.id}/response/actions", data={
        "r-summary": "刚写的摘要，尚未保存。", "r-to_version_number": "",
        "a-title": "", "a-owner_unit": "养老服务处", "a-due_on": due})
    assert resp.status_code == 422 and "刚写的摘要，尚未保存。" in resp.text
    resp = client.post(f"/manage/rounds/{r.id}/response/actions", data={
        "r-summary": "刚写的摘要，尚未保存。", "r-to_version_number": "",
        "a-title": "新增助餐点", "a-owner_unit": "养老服务处", "a-due_on": due})
    assert resp.status_code == 303
    page = client.get(f"/manage/rounds/{r.id}/response").text
    assert "刚写的摘要，尚未保存。" in page and "新增助餐点" in page

def test_publication_through_the_pages(client, login_as, outbox):
    r, _dept, official = closed_round()
    comment(r)
    comment(r)
    login_as(official)
    client.get(f"/manage/rounds/{r.id}/response")
    resp = client.post(f"/manage/rounds/{r.id}/response", data={
        "r-summary": "我们收到了两条意见。", "r-to_version_number": "7"})
    assert resp.status_code == 422
    assert "Choose a later version of this consultation" in resp.text
    resp = client.post(f"/manage/rounds/{r.id}/response", data={
        "r-summary": "我们收到了两条意见。", "r-to_version_number": ""})
    assert resp.status_code == 303
    # Publishing goes through the preview: a bare POST publishes nothing and shows it.
    resp = client.post(f"/manage/rounds/{r.id}/response/publish")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/manage/rounds/{r.id}/response/publish")
    preview = client.get(resp.headers["Location"])
    assert preview.status_code == 200 and "2 opinions are not triaged yet." in preview.text
    assert "我们收到了两条意见。" in preview.text and 'name="p-seen"' not in preview.text
    resp = client.post(f"/manage/rounds/{r.id}/response/publish",
                       data={"p-seen": seen_on_preview(client, r, blocked=True)})
    assert resp.status_code == 409
    assert "2 opinions are not triaged yet." in resp.text
    other = UserFactory(role="official", role__department=DepartmentFactory())
    login_as(other)
    assert client.post(f"/manage/rounds/{r.id}/response/publish").status_code == 403
    login_as(official)
    triage_all(r, official)
    resp = client.post(f"/manage/rounds/{r.id}/response/actions", data={
        "a-title": "", "a-owner_unit": "养老服务处", "a-due_on": "2020-01-01"})
    assert resp.status_code == 422 and "Say what will be done." in resp.text
    due = (date.today() + timedelta(days=60)).isoformat()
    resp = client.post(f"/manage/rounds/{r.id}/response/actions", data={
        "a-title": "新增助餐点", "a-owner_unit": "养老服务处", "a-due_on": due})
    assert resp.status_code == 303
    seen = seen_on_preview(client, r)
    resp = client.post(f"/manage/rounds/{r.id}/response/publish", data={"p-seen": seen})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/rounds/{r.id}/response")
    # The same confirmation sent again (a double click, a replay) publishes nothing twice.
    resp = client.post(f"/manage/rounds/{r.id}/response/publish", data={"p-seen": seen})
    assert resp.status_code == 409
    assert len([e for e in audit_actions() if e == "response.published"]) == 1
    public = client.get(f"/rounds/{r.id}/response")
    assert "我们收到了两条意见。" in public.text and "新增助餐点" in public.text
    assert "100% · 2 / 2" in public.text
    # Saving after publication is refused: only errata.
    resp = client.post(f"/manage/rounds/{r.id}/response", data={"r-summary": "悄悄改"})
    assert resp.status_code == 409
    resp = confirmed_post(client, f"/manage/rounds/{r.id}/response/errata", data={"e-body": ""})
    assert resp.status_code == 422 and "Say what is corrected and how." in resp.text
    resp = confirmed_post(client, f"/manage/rounds/{r.id}/response/errata",
                       data={"e-body": "第二条的日期更正为6月1日。"})
    assert resp.status_code == 303
    public = client.get(f"/rounds/{r.id}/response")
    assert "Erratum" in public.text and "第二条的日期更正为6月1日。" in public.text
    assert "我们收到了两条意见。" in public.text


def test_public_statistics_show_counts_and_percentages(client, login_as):
    r, _dept, official = closed_round()
    cl = clause_ids(r)
    for i in range(50):
        comment(r, clause_id=cl[i % 2], body=f"意见{i}")
    with atomic():
        services.start_triage(load(r, official))
    ids = [t.id for t in rows(r.id)]
    with atomic():
        services.bulk_triage(official, load(r, official), triage_ids=ids[:30], status="adopted")
    with atomic():
        services.bulk_triage(official, load(r, official), triage_ids=ids[30:41],
                             status="partly_adopted")
    with atomic():
        services.bulk_triage(official, load(r, official), triage_ids=ids[41:],
                             status="out_of_scope")
    publish(r, official)
    page = client.get(f"/rounds/{r.id}/response")
    assert "50 opinions received." in page.text
    assert "Adopted fully or partly: 82% · 41 / 50" in page.text
    assert "60% · 30 / 50" in page.text and "22% · 11 / 50" in page.text
    assert "18% · 9 / 50" in page.text


def test_response_page_before_publication(client):
    r = RoundFactory(overdue=True)
    page = client.get(f"/rounds/{r.id}/response")
    assert page.status_code == 200 and "has not been published" in page.text
    r2 = RoundFactory(closed=True)
    page = client.get(f"/rounds/{r2.id}/response")
    assert "The department is working on its response." in page.text
    assert client.get("/rounds/999999/response").status_code == 404


def test_draft_response_is_not_public(client, login_as):
    r, _dept, official = closed_round()
    login_as(official)
    client.post(f"/manage/rounds/{r.id}/response", data={"r-summary": "内部草稿的文字"})
    client.post("/auth/logout")
    page = client.get(f"/rounds/{r.id}/response")
    assert "内部草稿的文字" not in page.text


# ---------------------------------------------------------------- outcomes on opinions

def test_adoption_badge_and_my_opinions(app, client, login_as):
    author = UserFactory()
    r, _dept, official = closed_round()
    c = comment(r, author, body="我的意见")
    triage_all(r, official, status="not_adopted", reason="财政资金有限。")
    publish(r, official)
    outcomes = services.outcomes_for(comment_ids=[c.id])
    with app.test_request_context():
        html = app.jinja_env.get_template("responses/_adoption_badge.html").render(
            triage=outcomes.comment(c.id))
    assert "财政资金有限。" in html and "tag--amber" in html
    login_as(author)
    me = client.get("/me/")
    assert "What happened to my opinions" in me.text
    assert "Departments have answered 1 of your opinions" in me.text
    assert "财政资金有限。" in me.text


# ---------------------------------------------------------------- follow-up actions

def test_recording_progress_on_an_action(client, login_as):
    r, _dept, official = closed_round()
    with atomic():
        services.start_triage(load(r, official))
    with atomic():
        action = services.add_action(official, load(r, official), title="新增助餐点",
                                     owner_unit="养老服务处",
                                     due_on=date.today() + timedelta(days=10))
    action_id = action.id
    publish(r, official)
    url = f"/manage/actions/{action_id}"
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(url).status_code == 403
    login_as(official)
    assert client.get(url).status_code == 200
    today = services.today().isoformat()
    resp = client.post(url, data={"u-status": "dropped", "u-body": "停止", "u-on": today})
    assert resp.status_code == 422
    assert "Say why the action is dropped; the reason is public." in resp.text
    resp = client.post(url, data={"u-status": "in_progress", "u-body": "已选址",
                                  "u-on": today})
    assert resp.status_code == 303
    page = client.get(f"/rounds/{r.id}/response")
    assert "In progress" in page.text and "已选址" in page.text


# ---------------------------------------------------------------- query budgets

def _round_with(n: int):
    r, _dept, official = closed_round(clauses=4)
    cl = clause_ids(r)
    for i in range(n):
        comment(r, clause_id=cl[i % 4] if i % 5 else None, supports=i % 7,
                proposed="新的措辞" if i % 3 == 0 else None, body=f"意见{i}")
        if i % 4 == 0:
            question(r, body=f"问题{i}")
    return r, official


def test_triage_page_query_budget(client, login_as, count_queries):
    counts = []
    for n in (3, 80):
        r, official = _round_with(n)
        login_as(official)
        client.get(f"/manage/rounds/{r.id}/triage")  # starts the triage once
        with atomic():
            services.create_theme(official, load(r, official), name=f"主题{n}")
        with count_queries() as seen:
            resp = client.get(f"/manage/rounds/{r.id}/triage")
        assert resp.status_code == 200
        counts.append(list(seen))
    small, big = counts
    # 16: one of them names each row's assignee (issue 18).
    assert len(big) == len(small) <= 16, "\n".join(big)


def test_response_pages_query_budget(client, login_as, count_queries):
    counts = []
    for n in (3, 60):
        r, official = _round_with(n)
        triage_all(r, official)
        for i in range(1 + n // 20):
            with atomic():
                services.create_theme(official, load(r, official), name=f"主题{i}")
            with atomic():
                services.add_action(official, load(r, official), title=f"行动{i}",
                                    owner_unit="处", due_on=date.today() + timedelta(days=9))
        login_as(official)
        with count_queries() as manage:
            assert client.get(f"/manage/rounds/{r.id}/response").status_code == 200
        publish(r, official)
        with atomic():
            services.add_erratum(official, load(r, official), body="更正")
        with count_queries() as public:
            assert client.get(f"/rounds/{r.id}/response").status_code == 200
        counts.append((list(manage), list(public)))
    (m_small, p_small), (m_big, p_big) = counts
    assert len(m_big) == len(m_small) <= 16, "\n".join(m_big)
    assert len(p_big) == len(p_small) <= 12, "\n".join(p_big)


def test_comment_and_question_pages_show_outcomes_with_a_link_to_the_change(client, login_as):
    from consult.consultations.models import Clause, Consultation
    from tests.factories import DraftVersionFactory

    r, _dept, official = closed_round()
    cl = clause_ids(r)
    adopted = comment(r, clause_id=cl[0], body="建议延长服务时间")
    comment(r, body="整体意见", supports=1)
    q = question(r, body="何时实施？")
    consultation = db.session.get(Consultation, r.consultation_id)
    DraftVersionFactory(consultation=consultation, clauses=3)
    lineage = db.session.get(Clause, cl[0]).lineage_id
    with atomic():
        services.start_triage(load(r, official))
    for t in rows(r.id):
        with atomic():
            if t.comment_id == adopted.id:
                services.triage_opinion(official, load(r, official), t, status="adopted",
                                        changed_lineage_id=lineage)
            else:
                services.triage_opinion(official, load(r, official), t,
                                        status="not_adopted", reason="不在本办法范围内。")
    with atomic():
        services.save_response(official, load(r, official), summary="答复", to_version_number=2)
    with atomic():
        services.publish_response(official, load(r, official))
    page = client.get(f"/rounds/{r.id}/comments")
    assert page.status_code == 200
    assert (f'href="/consultations/{r.consultation_id}/diff?from=1&amp;to=2#clause-{lineage}"'
            in page.text)
    assert "不在本办法范围内。" in page.text and "Adopted" in page.text
    page = client.get(f"/rounds/{r.id}/questions")
    assert "不在本办法范围内。" in page.text and "Not adopted" in page.text
    assert q.id


def test_assigning_a_theme_in_the_page_updates_its_count(client, login_as):
    """The theme list says how many opinions each theme holds; saving a row with htmx
    swaps those counts out of band (no "0 opinions" after an opinion joined it)."""
    r, _dept, official = closed_round()
    comment(r)
    login_as(official)
    client.post(f"/manage/rounds/{r.id}/themes", data={"theme-name": "收费"})
    theme_id = services.themes_of(r.id)[0].id
    page = client.get(f"/manage/rounds/{r.id}/triage").text
    assert f'id="theme-count-{theme_id}">0 opinions<' in page
    t = rows(r.id)[0]
    resp = client.post(f"/manage/rounds/{r.id}/triage/{t.id}", headers={"HX-Request": "true"},
                       data={f"t{t.id}-status": "adopted", f"t{t.id}-theme_id": str(theme_id)})
    assert resp.status_code == 200
    assert f'id="theme-count-{theme_id}" hx-swap-oob="true">1 opinion<' in resp.text
