"""The 好差评 pages: a citizen rates a response dissatisfied on the survey page, the
official follows up, rectifies (linked to an erratum) or is refused without a follow-up;
the citizen rates again; an appeal voided by an evaluator; the public record without the
rater; who may open what; the query budgets; the figures on accountability, the
department page, the evaluation dashboard, its CSV and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import workdays
from consult.clock import now
from consult.db import atomic
from consult.extensions import db
from consult.rectification.models import CaseStatus, RectificationCase
from consult.rounds import participants
from consult.workdays import local_day
from tests.factories import (
    DepartmentFactory,
    ErratumFactory,
    RoundResponseFactory,
    UserFactory,
    rate,
    responded_round,
)

BAD = {"satisfaction": "dissatisfied", "rating": "1", "clarity": "2", "heard": "no",
       "comment": "答复回避了我提出的补贴标准问题。"}


pytestmark = pytest.mark.usefixtures("english")


def case_row(case_id):
    db.session.expire_all()
    return db.session.get(RectificationCase, case_id)


def with_erratum(r, dept):
    response = RoundResponseFactory(round_=r, department_id=dept.id, published_at=now())
    return ErratumFactory(response_id=response.id, body="第三条补贴标准更正为每月300元。")


def test_journey_rate_follow_up_rectify_rerate(client, login_as):
    r, dept, official = responded_round()
    erratum = with_erratum(r, dept)
    citizen = UserFactory(display_name="张三")
    with atomic():
        participants.mark(r.id, citizen.id)
    login_as(citizen)
    assert client.post(f"/rounds/{r.id}/survey", data=BAD).status_code == 303
    case = db.session.scalar(select(RectificationCase))
    assert case is not None and case.rater_id == citizen.id

    login_as(official)
    page = client.get("/manage/rectification/")
    assert page.status_code == 200 and f"/manage/rectification/{case.id}" in page.text
    page = client.get(f"/manage/rectification/{case.id}")
    assert page.status_code == 200 and "答复回避了我提出的补贴标准问题。" in page.text
    # A case closed without a follow-up: 409, the message on the page, nothing changed.
    page = client.post(f"/manage/rectification/{case.id}/resolve",
                       data={"r-resolution": "rectified", "r-note": "已更正。"})
    assert page.status_code == 409
    assert "Record the follow-up with the rater" in page.text
    assert case_row(case.id).status == CaseStatus.OPEN
    page = client.post(f"/manage/rectification/{case.id}/follow-up",
                       data={"f-on": local_day(now()).isoformat(), "f-channel": "pigeon",
                             "f-note": "x"})
    assert page.status_code == 422 and "Choose how the rater was contacted." in page.text
    assert client.post(f"/manage/rectification/{case.id}/follow-up", data={
        "f-on": local_day(now()).isoformat(), "f-channel": "phone",
        "f-note": "电话回访：市民希望明确补贴标准。"}).status_code == 303
    assert client.post(f"/manage/rectification/{case.id}/resolve", data={
        "r-resolution": "rectified", "r-note": "已发布勘误，明确补贴标准。",
        "r-erratum_id": str(erratum.id)}).status_code == 303
    assert case_row(case.id).status == CaseStatus.RESOLVED

    login_as(citizen)
    page = client.get(f"/rectification/{case.id}")
    assert page.status_code == 200 and "Rate the response again" in page.text
    page = client.post(f"/rectification/{case.id}/rerate", data={"s-satisfaction": "meh"})
    assert page.status_code == 422
    assert client.post(f"/rectification/{case.id}/rerate",
                       data={"s-satisfaction": "satisfied"}).status_code == 303
    c = case_row(case.id)
    assert (c.status, c.rerating.value) == (CaseStatus.CLOSED, "satisfied")

    client.get("/logout")
    with client.session_transaction() as s:
        s.clear()
    page = client.get(f"/rectification/{case.id}")
    assert page.status_code == 200
    assert "已发布勘误，明确补贴标准。" in page.text and "#errata" in page.text
    # Nothing about the rater in public: neither name nor reason nor what they said.
    for private in ("张三", citizen.email, "答复回避了我提出的补贴标准问题。", "电话回访"):
        assert private not in page.text
    assert "Rate the response again" not in page.text


def test_appeal_and_review(client, login_as):
    r, dept, official = responded_round()
    _rater, case = rate(r)
    other = UserFactory(role="official", role__department=DepartmentFactory())
    login_as(other)
    assert client.post(f"/manage/rectification/{case.id}/appeal",
                       data={"a-reason": "恶意。"}).status_code == 403
    login_as(official)
    page = client.post(f"/manage/rectification/{case.id}/appeal", data={"a-reason": " "})
    assert page.status_code == 422
    assert client.post(f"/manage/rectification/{case.id}/appeal",
                       data={"a-reason": "评价内容含辱骂，与答复无关。"}).status_code == 303
    assert client.post(f"/rectification/{case.id}/decide",
                       data={"d-outcome": "voided", "d-reason": "x"}).status_code == 403
    evaluator = UserFactory(role="evaluator")
    login_as(evaluator)
    page = client.get("/rectification/appeals")
    assert page.status_code == 200 and f"/rectification/{case.id}" in page.text
    page = client.get(f"/rectification/{case.id}")
    assert "Decide the appeal" in page.text
    assert client.post(f"/rectification/{case.id}/decide", data={
        "d-outcome": "voided", "d-reason": "评价含辱骂内容，作废。"}).status_code == 303
    assert case_row(case.id).status == CaseStatus.VOIDED
    page = client.post(f"/rectification/{case.id}/decide", data={
        "d-outcome": "upheld", "d-reason": "再审。"})
    assert page.status_code == 409
    public = client.get("/rectification/?show=voided")
    assert public.status_code == 200 and f"/rectification/{case.id}" in public.text
    assert "评价含辱骂内容，作废。" in client.get(f"/rectification/{case.id}").text


@pytest.mark.parametrize("who, path, status", [
    ("anonymous", "/manage/rectification/", 302),
    ("citizen", "/manage/rectification/", 403),
    ("evaluator", "/manage/rectification/", 403),
    ("evaluator", "/manage/rectification/{id}", 403),
    ("other", "/manage/rectification/{id}", 403),
    ("citizen", "/rectification/appeals", 403),
    ("official", "/rectification/appeals", 403),
    ("anonymous", "/rectification/{id}", 200),
    ("anonymous", "/rectification/", 200),
    ("anonymous", "/rectification/999999", 404),
    ("official", "/manage/rectification/999999", 404),
])
def test_who_may_open_what(client, login_as, who, path, status):
    r, _dept, official = responded_round()
    _rater, case = rate(r)
    users = {"citizen": lambda: UserFactory(), "evaluator": lambda: UserFactory(role="evaluator"),
             "official": lambda: official,
             "other": lambda: UserFactory(role="official", role__department=DepartmentFactory())}
    if who != "anonymous":
        login_as(users[who]())
    assert client.get(path.format(id=case.id)).status_code == status


def test_rerate_by_someone_else_is_refused(client, login_as):
    r, _dept, _official = responded_round()
    _rater, case = rate(r)
    login_as(UserFactory())
    assert client.post(f"/rectification/{case.id}/rerate",
                       data={"s-satisfaction": "satisfied"}).status_code == 403


def _queries(client, count_queries, path):
    with count_queries() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_pages_cost_the_same_whatever_the_cases(client, login_as, count_queries):
    r, dept, official = responded_round()
    rate(r)
    login_as(official)
    paths = ["/rectification/", "/manage/rectification/?show=all", "/accountability/",
             f"/departments/{dept.slug}", f"/rectification/{1}"]
    before = {p: _queries(client, count_queries, p) for p in paths}
    for _ in range(3):
        r2, _d, _o = responded_round()
        for _ in range(3):
            rate(r2)
    for _ in range(4):
        rate(r)
    after = {p: _queries(client, count_queries, p) for p in paths}
    assert after == before
    assert before["/rectification/"] <= 8


def test_figures_on_accountability_department_evaluation_csv_and_api(client, login_as):
    r, dept, official = responded_round()
    rate(r)
    _r2, case = rate(r)
    with atomic():
        db.session.get(RectificationCase, case.id).due_at = now() - timedelta(hours=1)
    page = client.get("/accountability/")
    assert "Bad ratings followed up" in page.text and dept.name_en in page.text
    page = client.get(f"/departments/{dept.slug}")
    assert "Bad ratings followed up" in page.text
    record = client.get(f"/rectification/?department={dept.slug}&show=overdue")
    assert record.status_code == 200 and f"/rectification/{case.id}" in record.text
    api = client.get(f"/api/v1/rectification?department={dept.slug}")
    assert api.status_code == 200
    data = api.get_json()["data"]
    assert len(data) == 1 and data[0]["bad_ratings"] == 2
    login_as(UserFactory(role="evaluator"))
    dash = client.get("/evaluation/")
    assert dash.status_code == 200 and "Bad ratings followed up, by month" in dash.text
    csv = client.get("/evaluation/export/rectification.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and ",2," in lines[1]


def test_department_sets_its_deadline(client, login_as):
    from consult.rectification.services import days_for

    r, dept, official = responded_round()
    login_as(official)
    page = client.get("/manage/rectification/")
    assert f"/manage/rectification/deadline/{dept.id}" in page.text
    bad = client.post(f"/manage/rectification/deadline/{dept.id}",
                      data={f"p{dept.id}-due_days": "0"})
    assert bad.status_code == 422 and "from 1 to 60" in bad.text
    assert client.post(f"/manage/rectification/deadline/{dept.id}",
                       data={f"p{dept.id}-due_days": "3"}).status_code == 303
    assert days_for(dept.id) == 3
    _rater, case = rate(r)
    assert case.due_at == workdays.deadline(case.opened_at, 3)
    other = DepartmentFactory()
    assert client.post(f"/manage/rectification/deadline/{other.id}",
                       data={f"p{other.id}-due_days": "3"}).status_code == 403


def test_my_page_lists_my_cases_to_rate_again(client, login_as):
    r, _dept, official = responded_round()
    rater, case = rate(r)
    login_as(rater)
    page = client.get("/me/")
    assert page.status_code == 200 and f"/rectification/{case.id}" in page.text
    assert "you can rate again" not in page.text
    login_as(official)
    assert f"/rectification/{case.id}" not in client.get("/me/").text
