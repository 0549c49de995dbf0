"""The evaluators' dashboard: who may see it, what it shows (intervals, flags, drill-down,
sorting), CSV downloads with a BOM and the same filters, the printable report, and a
constant number of queries whatever the data size."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import UserFactory, scores_world

PAGES = ["/evaluation/", "/evaluation/report", "/evaluation/export/departments.csv",
         "/evaluation/export/months.csv"]


@pytest.mark.parametrize("path", PAGES)
def test_visitors_are_sent_to_login_and_citizens_refused(app, client, login_as, path):
    r = client.get(path)
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    login_as(UserFactory())
    assert client.get(path).status_code == 403
    login_as(UserFactory(role="official", role__department=None))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["evaluator", "admin"])
def test_evaluators_and_admins_see_the_comparison(app, client, login_as, role):
    w = scores_world()
    login_as(UserFactory(role=role))
    r = client.get("/evaluation/?sort=satisfaction&dir=desc", headers={"Accept-Language": "en"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert w["dept_a"].name_en in html and w["dept_b"].name_en in html
    assert "70%" in html and "7 / 10" in html  # satisfaction with its count
    assert "small sample" in html and "not enough answers" in html
    assert "data:image/svg+xml;base64," in html  # server-made SVG charts
    assert html.index(w["dept_a"].name_en) < html.index(w["dept_b"].name_en)


def test_drill_down_department_consultation_round(app, client, login_as):
    w = scores_world()
    login_as(UserFactory(role="evaluator"))
    en = {"Accept-Language": "en"}
    html = client.get(f"/evaluation/departments/{w['dept_a'].id}", headers=en).get_data(True)
    assert w["ca"].title in html
    html = client.get(f"/evaluation/consultations/{w['ca'].id}", headers=en).get_data(True)
    assert f"/evaluation/rounds/{w['r1'].id}" in html
    r = client.get(f"/evaluation/rounds/{w['r1'].id}", headers=en)
    assert r.status_code == 200 and "95% interval" in r.get_data(True)
    assert client.get("/evaluation/rounds/999999").status_code == 404


def test_csv_has_bom_and_follows_filters(app, client, login_as):
    w = scores_world()
    login_as(UserFactory(role="evaluator"))
    r = client.get(f"/evaluation/export/departments.csv?department={w['dept_b'].id}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    body = r.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] in (w["dept_b"].name, w["dept_b"].name_en)
    all_rows = list(csv.reader(io.StringIO(
        client.get("/evaluation/export/departments.csv").get_data().decode("utf-8-sig"))))
    assert len(all_rows) == 3
    assert client.get("/evaluation/export/nothing.csv").status_code == 404


def test_report_states_date_and_filters(app, client, login_as):
    w = scores_world()
    login_as(UserFactory(role="evaluator"))
    html = client.get("/evaluation/report?from=2020-01&to=2099-12",
                      headers={"Accept-Language": "en"}).get_data(True)
    assert "Generated" in html and "2020-01" in html and "2099-12" in html
    assert html.count('class="eval-report__page"') == 2
    assert w["ca"].title in html


def test_bad_filters_are_ignored_with_a_message(app, client, login_as):
    scores_world()
    login_as(UserFactory(role="evaluator"))
    r = client.get("/evaluation/?from=yesterday&department=abc&sort=nope",
                   headers={"Accept-Language": "en"})
    assert r.status_code == 200 and "were not understood" in r.get_data(True)


def test_dashboard_query_budget_constant(app, client, login_as, count_queries):
    scores_world()
    login_as(UserFactory(role="evaluator"))
    with count_queries() as small:
        assert client.get("/evaluation/").status_code == 200
    for _ in range(3):
        scores_world(extra_answers=20)
    with count_queries() as big:
        assert client.get("/evaluation/").status_code == 200
    assert len(small) == len(big) <= 30, "\n".join(big)


@pytest.mark.parametrize("query", ["from=9999-12&to=9999-12", "department=99999999999999999999",
                                   "tag=-1", "from=2026-13", "dir=sideways&sort=<b>"])
def test_odd_filters_never_fail(app, client, login_as, query):
    login_as(UserFactory(role="evaluator"))
    assert client.get(f"/evaluation/?{query}").status_code == 200
    assert client.get(f"/evaluation/export/departments.csv?{query}").status_code == 200
