""""Followed up in time" beside the other figures: the public record (accountability,
the department page, /rectification/) in English and Chinese, the case page, the
evaluation dashboard with its Wilson interval, its CSV, the API (valid against the
OpenAPI document); the dashboard's queries stay the same with more cases."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from jsonschema import Draft202012Validator

from consult.api.openapi import document
from consult.clock import now
from consult.db import atomic
from consult.evaluation.intervals import wilson
from consult.extensions import db
from consult.rectification import services
from consult.rectification.models import RectificationCase
from consult.workdays import local_day
from tests.factories import UserFactory, fresh, rate, responded_round


def _follow_up(official, case_id):
    with atomic():
        services.record_follow_up(fresh(official), services.load_case(case_id),
                                  on=local_day(now()), channel="phone",
                                  note="电话回访，市民希望说明补贴标准。")


def _past_due(case_id):
    with atomic():
        db.session.get(RectificationCase, case_id).due_at = now() - timedelta(minutes=5)


def department_with_cases(in_time=3, late=1, missed=1, waiting=1):
    """A department whose cases were followed up in time, late, not at all by their due
    date (escalated), or are not due yet."""
    r, dept, official = responded_round()
    for _ in range(in_time):
        _follow_up(official, rate(r)[1].id)
    cases = [rate(r)[1] for _ in range(late + missed + waiting)]
    for c in cases[:late + missed]:
        _past_due(c.id)
    for c in cases[:late]:
        _follow_up(official, c.id)
    with atomic():
        services.escalate_overdue()
    return r, dept, official, cases


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def test_public_record_shows_followed_up_in_time(client):
    _r, dept, _official, cases = department_with_cases()
    late_case = cases[0]
    # Chinese (the default): the column and the share of the department.
    for path in ("/accountability/", f"/departments/{dept.slug}", "/rectification/",
                 f"/rectification/?department={dept.slug}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "按时回访" in page.text and "3/5（60%）" in page.text, path
    client.set_cookie("locale", "en")
    page = client.get("/accountability/")
    assert "Followed up in time" in page.text and "3/5 (60%)" in page.text
    case_page = client.get(f"/rectification/{late_case.id}")
    assert case_page.status_code == 200
    assert "Recorded " in case_page.text and "· late" in case_page.text


def test_dashboard_csv_and_api_carry_the_share_with_its_interval(client, login_as):
    _r, dept, _official, _cases = department_with_cases()
    low, high = wilson(3, 5)
    client.set_cookie("locale", "en")
    login_as(UserFactory(role="evaluator"))
    dash = client.get("/evaluation/")
    assert dash.status_code == 200
    section = dash.text.split('id="rectification"', 1)[1]
    assert "Followed up in time" in section
    assert f"95% interval {_pct(low)}–{_pct(high)}" in section

    body = client.get("/evaluation/export/rectification.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    [row] = [x for x in rows if x["Department"] == dept.name_en or x["Department"] == dept.name]
    assert (row["Followed up"], row["Follow-ups due"], row["Followed up in time"]) == (
        "4", "5", "0.6")
    assert (float(row["Followed up in time low"]), float(row["Followed up in time high"])) == (
        round(low, 4), round(high, 4))

    api = client.get(f"/api/v1/rectification?department={dept.slug}").get_json()
    doc = document()
    validator = Draft202012Validator({"$ref": "#/components/schemas/RectificationList",
                                      "components": doc["components"]})
    assert not list(validator.iter_errors(api))
    share = api["data"][0]["followed_up_in_time"]
    assert (share["count"], share["n"], share["value"]) == (3, 5, 0.6)
    assert (share["low"], share["high"]) == (round(low, 4), round(high, 4))
    props = doc["components"]["schemas"]["Rectification"]["properties"]
    assert "followed_up_in_time" in props and "due date" in props["followed_up_in_time"][
        "description"]


def _dashboard_queries(client, count_queries) -> list[str]:
    with count_queries() as seen:
        assert client.get("/evaluation/").status_code == 200
    return list(seen)


def test_dashboard_queries_stay_the_same_with_more_cases(client, login_as, count_queries):
    department_with_cases(in_time=1, late=0, missed=1, waiting=0)
    login_as(UserFactory(role="evaluator"))
    small = _dashboard_queries(client, count_queries)
    for _ in range(3):
        department_with_cases()
    big = _dashboard_queries(client, count_queries)
    assert len(small) == len(big) <= 30, "\n".join(big)
