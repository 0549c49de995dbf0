"""Round pages: the public round page and the officials' round management."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.db import db
from consult.rounds.models import Round, RoundExtension
from tests.confirm_helpers import confirmed_post
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    RoundExtensionFactory,
    RoundFactory,
    RoundParticipantFactory,
    UserFactory,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller




@pytest.fixture
def consultation(dept):
    c = ConsultationFactory(department=dept, title="居民住宅小区停车管理规定")
    DraftVersionFactory(consultation=c)
    DraftVersionFactory(consultation=c)
    return c


def local(days: float = 0, hours: float = 0) -> str:
    """A datetime-local value in Asia/Shanghai, relative to T0."""
    at = T0 + timedelta(days=days, hours=hours) + timedelta(hours=8)
    return at.strftime("%Y-%m-%dT%H:%M")


def round_form(**over) -> dict:
    data = dict(kind="comments", version_number="2", title="第一轮意见征集",
                opens_at=local(1), closes_at=local(15), response_due_at=local(30),
                survey_days="14")
    data.update(over)
    return data


def count_rounds() -> int:
    return db.session.scalar(select(func.count()).select_from(Round))


# ---------------------------------------------------------------- add

def test_official_adds_round_in_local_time(client, login_as, official, consultation):
    login_as(official)
    page = client.get(f"/manage/consultations/{consultation.id}/rounds")
    assert page.status_code == 200
    assert 'type="datetime-local"' in page.text
    assert "Asia/Shanghai" in page.text
    response = client.post(f"/manage/consultations/{consultation.id}/rounds", data=round_form())
    assert response.status_code == 303
    r = db.session.scalar(select(Round))
    # 2026-03-03 10:00 in Shanghai is 02:00 UTC.
    assert r.opens_at == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    assert r.recorded_state == "scheduled"
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "round")) == "round.added"
    # Shown back in the user's zone.
    edit = client.get(response.headers["Location"])
    assert 'value="2026-03-03T10:00"' in edit.text


def test_time_zone_of_the_user_is_used(client, login_as, dept, consultation):
    user = UserFactory(role="official", role__department=dept, timezone="Europe/London")
    login_as(user)
    response = client.post(f"/manage/consultations/{consultation.id}/rounds", data=round_form())
    assert response.status_code == 303
    r = db.session.scalar(select(Round))
    assert r.opens_at == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # London is UTC in March


@pytest.mark.parametrize("over, field, message", [
    (dict(closes_at=local(0.5)), "closes_at", "The closing date must be after the opening date."),
    (dict(response_due_at=local(10)), "response_due_at",
     "The response cannot be due before the round closes."),
    (dict(opens_at=local(-2)), "opens_at", "The opening date must not be in the past."),
    (dict(version_number="7"), "version_number",
     "Choose a published version of this consultation's draft."),
    (dict(opens_at="not a date"), "opens_at", "Enter a date and time, like 2026-12-01 09:00."),
    (dict(closes_at=""), "closes_at", "Enter when the round closes."),
    (dict(kind="everything"), "kind", "Choose what the round is for."),
    (dict(survey_days="900"), "survey_days", "Enter a number between 1 and 90."),
    (dict(opens_at="9999-12-31T10:00", closes_at="9999-12-31T11:00",
          response_due_at="9999-12-31T12:00"), "opens_at",
     "Schedule the round at most three years ahead."),
])
def test_bad_dates_are_shown_beside_the_field(client, login_as, official, consultation,
                                              over, field, message):
    client.set_cookie("locale", "en")
    login_as(official)
    response = client.post(f"/manage/consultations/{consultation.id}/rounds",
                           data=round_form(**over))
    assert response.status_code == 422
    assert f'<p class="field__error" id="{field}-error">' in response.text
    error = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message.replace("'", "&#39;") in error
    assert 'class="error-summary"' in response.text
    assert count_rounds() == 0


def test_overlapping_rounds_of_the_same_kind(client, login_as, official, consultation):
    client.set_cookie("locale", "en")
    login_as(official)
    assert client.post(f"/manage/consultations/{consultation.id}/rounds",
                       data=round_form()).status_code == 303
    # A "both" round overlaps a comments round.
    response = client.post(f"/manage/consultations/{consultation.id}/rounds",
                           data=round_form(kind="both", opens_at=local(10), closes_at=local(20)))
    assert response.status_code == 422
    assert "Rounds of the same kind must not overlap." in response.text.split(
        'id="opens_at-error"', 1)[1]
    # A vote at the same time is fine; so is a comments round after the first one.
    assert client.post(f"/manage/consultations/{consultation.id}/rounds",
                       data=round_form(kind="vote")).status_code == 303
    assert client.post(f"/manage/consultations/{consultation.id}/rounds",
                       data=round_form(opens_at=local(15), closes_at=local(20))).status_code == 303
    assert count_rounds() == 3


def test_official_of_another_department_is_refused(client, login_as, consultation):
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(f"/manage/consultations/{consultation.id}/rounds").status_code == 403
    response = client.post(f"/manage/consultations/{consultation.id}/rounds", data=round_form())
    assert response.status_code == 403
    assert count_rounds() == 0


def test_visitor_is_sent_to_login_and_citizen_refused(client, login_as, consultation):
    r = RoundFactory(version=DraftVersionFactory(consultation=consultation), scheduled=True)
    for url in (f"/manage/consultations/{consultation.id}/rounds", f"/manage/rounds/{r.id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]
    for url in (f"/manage/rounds/{r.id}/close", f"/manage/rounds/{r.id}/extend"):
        assert client.post(url, data={}).status_code == 302
    login_as(UserFactory())
    for url in (f"/manage/consultations/{consultation.id}/rounds", f"/manage/rounds/{r.id}"):
        assert client.get(url).status_code == 403
    assert confirmed_post(client, f"/manage/rounds/{r.id}/close",
                       data={"close-reason": "x"}).status_code == 403


# ---------------------------------------------------------------- edit, close, extend

@pytest.fixture
def scheduled(consultation):
    version = DraftVersionFactory(consultation=consultation)
    return RoundFactory(version=version, consultation=consultation, scheduled=True,
                        kind="comments", title="第二轮")


@pytest.fixture
def open_round(consultation):
    version = DraftVersionFactory(consultation=consultation)
    return RoundFactory(version=version, consultation=consultation, kind="vote",
                        title="表决")


def test_edit_scheduled_round(client, login_as, official, scheduled):
    login_as(official)
    page = client.get(f"/manage/rounds/{scheduled.id}")
    assert page.status_code == 200 and "<form" in page.text
    response = client.post(f"/manage/rounds/{scheduled.id}", data=round_form(
        title="第二轮（修改）", opens_at=local(3), closes_at=local(17), response_due_at=local(40),
        version_number="1"))
    assert response.status_code == 303
    db.session.expire_all()
    r = db.session.get(Round, scheduled.id)
    assert r.title == "第二轮（修改）" and r.opens_at == T0 + timedelta(days=3)
    assert db.session.scalar(select(AuditEntry.data).where(
        AuditEntry.action == "round.edited"))["changes"]["title"][1] == "第二轮（修改）"


def test_edit_open_round_is_409_and_changes_nothing(client, login_as, official, open_round):
    client.set_cookie("locale", "en")
    login_as(official)
    page = client.get(f"/manage/rounds/{open_round.id}")
    assert f'action="/manage/rounds/{open_round.id}"' not in page.text  # no edit form
    response = client.post(f"/manage/rounds/{open_round.id}", data=round_form(
        kind="vote", title="changed", opens_at=local(-1), closes_at=local(20),
        response_due_at=local(30), version_number="1"))
    assert response.status_code == 409
    assert "This round is not open yet." not in response.text
    assert "This round is still open." in response.text
    db.session.expire_all()
    assert db.session.get(Round, open_round.id).title == "表决"


def test_a_closed_rounds_manage_page_leads_to_triage_and_the_response(
        client, login_as, official, open_round):
    client.set_cookie("locale", "en")
    login_as(official)
    page = client.get(f"/manage/rounds/{open_round.id}")
    assert f'href="/manage/rounds/{open_round.id}/triage"' not in page.text
    confirmed_post(client, f"/manage/rounds/{open_round.id}/close", data={"close-reason": "够了"})
    page = client.get(f"/manage/rounds/{open_round.id}")
    assert f'href="/manage/rounds/{open_round.id}/triage"' in page.text
    assert f'href="/manage/rounds/{open_round.id}/response"' in page.text


def test_close_early_needs_a_reason(client, login_as, official, open_round):
    client.set_cookie("locale", "en")
    login_as(official)
    response = confirmed_post(client, f"/manage/rounds/{open_round.id}/close", data={"close-reason": " "})
    assert response.status_code == 422
    assert "Give the reason; it is shown publicly." in response.text.split(
        'id="close-reason-error"', 1)[1]
    response = confirmed_post(client, f"/manage/rounds/{open_round.id}/close",
                           data={"close-reason": "意见已充分收集"})
    assert response.status_code == 303
    page = client.get(f"/rounds/{open_round.id}")
    assert "意见已充分收集" in page.text and "round-state--closed" in page.text
    # Closing again: 409, the page says why.
    again = confirmed_post(client, f"/manage/rounds/{open_round.id}/close", data={"close-reason": "x"})
    assert again.status_code == 409
    assert "This round is closed." in again.text


def test_close_scheduled_round_is_409(client, login_as, official, scheduled):
    login_as(official)
    response = confirmed_post(client, f"/manage/rounds/{scheduled.id}/close", data={"close-reason": "x"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Round, scheduled.id).closed_at is None


def test_extend_is_public(client, login_as, official, open_round):
    client.set_cookie("locale", "en")
    login_as(official)
    old = open_round.closes_at
    too_early = client.post(f"/manage/rounds/{open_round.id}/extend", data={
        "extend-new_closes_at": local(5), "extend-reason": "x"})
    assert too_early.status_code == 422
    assert "The new closing date must be later than the current one." in too_early.text.split(
        'id="extend-new_closes_at-error"', 1)[1]
    response = client.post(f"/manage/rounds/{open_round.id}/extend", data={
        "extend-new_closes_at": local(20), "extend-reason": "应居民要求延长一周"})
    assert response.status_code == 303
    client.post("/auth/logout")
    page = client.get(f"/rounds/{open_round.id}")
    assert "应居民要求延长一周" in page.text
    assert "Closing date changes" in page.text
    assert db.session.scalar(select(RoundExtension.old_closes_at)) == old


def test_extend_closed_round_is_409(client, login_as, official, consultation):
    r = RoundFactory(version=DraftVersionFactory(consultation=consultation), closed=True)
    login_as(official)
    response = client.post(f"/manage/rounds/{r.id}/extend", data={
        "extend-new_closes_at": local(20), "extend-reason": "x"})
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(RoundExtension)) == 0


def test_other_department_cannot_close_or_extend(client, login_as, open_round):
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert confirmed_post(client, f"/manage/rounds/{open_round.id}/close",
                       data={"close-reason": "x"}).status_code == 403
    assert client.post(f"/manage/rounds/{open_round.id}/extend", data={
        "extend-new_closes_at": local(20), "extend-reason": "x"}).status_code == 403
    assert client.post(f"/manage/rounds/{open_round.id}", data=round_form()).status_code == 403
    db.session.expire_all()
    r = db.session.get(Round, open_round.id)
    assert r.closed_at is None and r.closes_at == open_round.closes_at
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


# ---------------------------------------------------------------- public page

def test_public_round_page(client, consultation, open_round):
    client.set_cookie("locale", "en")
    page = client.get(f"/rounds/{open_round.id}")
    assert page.status_code == 200
    assert consultation.title in page.text
    assert consultation.department.name_en in page.text  # English page: English name
    assert "Open for comments" in page.text and "tag--green" in page.text
    assert "Closes in 2 weeks" in page.text
    soon = RoundFactory(version=DraftVersionFactory(consultation=consultation), kind="comments",
                        closes_at=T0 + timedelta(days=3))
    assert "Closes in 3 days" in client.get(f"/rounds/{soon.id}").text
    assert f'href="/consultations/{consultation.id}/versions/3"' in page.text
    assert "Manage this round" not in page.text


def test_overdue_shown_publicly(client, consultation):
    r = RoundFactory(version=DraftVersionFactory(consultation=consultation), overdue=True)
    client.set_cookie("locale", "en")
    page = client.get(f"/rounds/{r.id}")
    assert "Response overdue" in page.text and "tag--red" in page.text


def test_unpublished_consultations_round_is_404_for_the_public(client, login_as, dept, official):
    c = ConsultationFactory(department=dept, unpublished=True)
    r = RoundFactory(version=DraftVersionFactory(consultation=c))
    assert client.get(f"/rounds/{r.id}").status_code == 404
    assert client.get(f"/manage/consultations/{c.id}/rounds").status_code == 302
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(f"/rounds/{r.id}").status_code == 404
    assert client.get(f"/manage/rounds/{r.id}").status_code == 404
    assert client.get(f"/manage/consultations/{c.id}/rounds").status_code == 404
    login_as(official)
    assert client.get(f"/rounds/{r.id}").status_code == 200
    assert client.get(f"/manage/consultations/{c.id}/rounds").status_code == 200


def test_missing_round_is_404(client, login_as, official):
    assert client.get("/rounds/999").status_code == 404
    assert client.get("/rounds/99999999999999999999").status_code == 404  # no overflow 500
    login_as(official)
    for url in ("/manage/rounds/99999999999999999999",
                "/manage/consultations/99999999999999999999/rounds", "/manage/rounds/999"):
        assert client.get(url).status_code == 404


def test_round_page_query_budget(client, login_as, official, consultation, count_queries):
    small = RoundFactory(version=DraftVersionFactory(consultation=consultation))
    big = RoundFactory(version=DraftVersionFactory(consultation=consultation), kind="vote")
    for i in range(12):
        RoundExtensionFactory(round_id=big.id, old_closes_at=T0, new_closes_at=T0,
                              reason=f"第{i}次延期")
    RoundParticipantFactory.create_batch(30, round_id=big.id, first_at=T0)
    login_as(official)
    for _role in ("official", "visitor"):  # logged in, then logged out
        with count_queries() as few:
            assert client.get(f"/rounds/{small.id}").status_code == 200
        with count_queries() as many:
            assert client.get(f"/rounds/{big.id}").status_code == 200
        assert len(many) == len(few) <= 6, "\n".join(many)
        client.post("/auth/logout")


def test_manage_pages_query_budget(client, login_as, official, consultation, count_queries):
    login_as(official)
    with count_queries() as few:
        assert client.get(f"/manage/consultations/{consultation.id}/rounds").status_code == 200
    for i in range(8):
        version = DraftVersionFactory(consultation=consultation)
        RoundFactory(version=version, consultation=consultation,
                     opens_at=T0 + timedelta(days=30 * i + 1),
                     closes_at=T0 + timedelta(days=30 * i + 20), recorded_state="scheduled")
    with count_queries() as many:
        page = client.get(f"/manage/consultations/{consultation.id}/rounds")
        assert page.status_code == 200
    assert page.text.count("round-state--") == 8
    assert len(many) == len(few) <= 8, "\n".join(many)
    r = db.session.scalar(select(Round).limit(1))
    with count_queries() as one:
        assert client.get(f"/manage/rounds/{r.id}").status_code == 200
    assert len(one) <= 8, "\n".join(one)


def test_state_tag_partial_as_macro_and_include(app, consultation):
    from flask import render_template_string

    r = RoundFactory(version=DraftVersionFactory(consultation=consultation), overdue=True)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        r = db.session.get(Round, r.id)
        macro = render_template_string(
            '{% from "rounds/_state_tag.html" import state_tag %}{{ state_tag(r, now) }}',
            r=r, now=T0)
        included = render_template_string('{% include "rounds/_state_tag.html" %}', round=r)
        later = render_template_string(
            '{% from "rounds/_state_tag.html" import state_tag %}{{ state_tag(r, now) }}',
            r=r, now=r.opens_at)
    assert "Response overdue" in macro and "tag--red" in macro
    assert included.strip() == macro.strip()
    assert "Open for comments" in later and "tag--green" in later


def test_rounds_on_the_consultation_manage_page(client, login_as, official, consultation,
                                                scheduled):
    login_as(official)
    page = client.get(f"/manage/consultations/{consultation.id}")
    assert page.status_code == 200
    assert f'href="/manage/rounds/{scheduled.id}"' in page.text
    assert f'href="/manage/consultations/{consultation.id}/rounds"' in page.text
    assert "round-state--scheduled" in page.text
