"""Legal comment periods on the round pages: a round shorter than the department's minimum
is refused without a public reason (message beside the field, nothing saved), and the
round page shows its period and the reason."""

from __future__ import annotations

import pytest

from consult.db import db
from tests.factories import ConsultationFactory, DepartmentFactory, DraftVersionFactory
from tests.web.test_rounds import clock, count_rounds, local, round_form  # noqa: F401


@pytest.fixture
def dept(app):
    return DepartmentFactory(min_period_days=30)


@pytest.fixture
def consultation(dept):
    c = ConsultationFactory(department=dept)
    DraftVersionFactory(consultation=c)
    DraftVersionFactory(consultation=c)
    return c


@pytest.mark.parametrize("locale, message, why", [
    ("en", "This round is open for 15 days, less than the 30 days", "Why: "),
    ("zh_CN", "本轮征求意见期为15天，少于本部门默认的30天", "缩短理由："),
])
def test_short_round_needs_a_public_reason(client, login_as, official, consultation,
                                           locale, message, why):
    client.set_cookie("locale", locale)
    login_as(official)
    url = f"/manage/consultations/{consultation.id}/rounds"
    resp = client.post(url, data=round_form())
    assert resp.status_code == 422
    assert message in resp.text
    assert 'id="short_period_reason-error"' in resp.text
    assert count_rounds() == 0
    resp = client.post(url, data=round_form(short_period_reason="春节前须完成修订。"))
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"].replace("/manage/rounds/", "/rounds/"))
    assert page.status_code == 200
    assert why + "春节前须完成修订。" in page.text


def test_round_of_the_minimum_needs_no_reason(client, login_as, official, consultation):
    client.set_cookie("locale", "en")
    login_as(official)
    resp = client.post(f"/manage/consultations/{consultation.id}/rounds",
                       data=round_form(closes_at=local(30), response_due_at=local(40)))
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"])
    assert "30 days" in page.text and "Shorter than the usual" not in page.text


def test_working_day_minimum(client, login_as, official, consultation, dept):
    dept.min_period_workdays, dept.min_period_days = True, 7
    db.session.commit()
    client.set_cookie("locale", "en")
    login_as(official)
    # T0 is Monday 2 March 2026: from Tuesday 3 to Wednesday 11 March, 7 working days
    resp = client.post(f"/manage/consultations/{consultation.id}/rounds",
                       data=round_form(closes_at=local(9)))
    assert resp.status_code == 303
    resp = client.post(f"/manage/consultations/{consultation.id}/rounds",
                       data=round_form(kind="vote", closes_at=local(7)))
    assert resp.status_code == 422
    assert "This round is open for 5 working days, less than the 7 working days" in resp.text
