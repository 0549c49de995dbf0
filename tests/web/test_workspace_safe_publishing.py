"""Safe publishing: publishing a version or a consultation, closing a round early and
publishing an erratum show what the public will see and ask for confirmation (a page
without JavaScript, a <dialog> with it); the confirmation is signed for the state shown,
so a replay, a tampered token or a change since the preview is a 409 and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.consultations.models import Consultation, DraftVersion
from consult.db import db
from consult.responses.models import Erratum
from consult.rounds.models import Round
from tests.confirm_helpers import confirmation_of
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    closed_round,
)


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("locale", "en")


@pytest.fixture
def dept():
    return DepartmentFactory()


@pytest.fixture
def official(dept, login_as):
    user = UserFactory(role="official", role__department=dept)
    login_as(user)
    return user


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def two_steps(client, url, data):
    """The first post (the confirmation page) and the token it carries."""
    page = client.post(url, data=data)
    assert page.status_code == 200, page.text
    assert "What the public will see" in page.text and "This cannot be undone." in page.text
    token = confirmation_of(page)
    assert token
    return page, token


def draft_with_a_clause(client, dept):
    client.post("/manage/consultations/new", data={
        "title": "生活垃圾分类管理条例", "department_id": str(dept.id), "summary": "推进分类。",
        "background": "", "goals": "", "tags": "", "contact": "市城管局"})
    cid = db.session.scalar(select(Consultation.id))
    client.post(f"/manage/consultations/{cid}/draft/clauses",
                data={"number": "第一条", "heading": "目的", "body": "为了推进生活垃圾分类。"})
    return cid


def test_publishing_a_version_previews_and_a_replay_is_409(client, dept, official):
    cid = draft_with_a_clause(client, dept)
    draft = client.get(f"/manage/consultations/{cid}/draft")
    assert '<dialog id="confirm-version"' in draft.text and 'data-confirm="confirm-version"' in draft.text
    url = f"/manage/consultations/{cid}/versions"
    page, token = two_steps(client, url, {"change_note": "首次征求意见"})
    assert "Version 1" in page.text and "首次征求意见" in page.text and "第一条 目的" in page.text
    assert count(DraftVersion) == 0  # the preview publishes nothing
    done = client.post(url, data={"change_note": "首次征求意见", "confirm": token})
    assert done.status_code == 303 and count(DraftVersion) == 1
    again = client.post(url, data={"change_note": "首次征求意见", "confirm": token})
    assert again.status_code == 409 and count(DraftVersion) == 1
    # an empty note is refused before any confirmation
    refused = client.post(url, data={"change_note": " "})
    assert refused.status_code == 422 and confirmation_of(refused) is None


def test_a_draft_changed_after_the_preview_is_not_published(client, dept, official):
    cid = draft_with_a_clause(client, dept)
    url = f"/manage/consultations/{cid}/versions"
    _page, token = two_steps(client, url, {"change_note": "v1"})
    client.post(f"/manage/consultations/{cid}/draft/clauses",
                data={"number": "第二条", "body": "预览之后加的条文。"})
    stale = client.post(url, data={"change_note": "v1", "confirm": token})
    assert stale.status_code == 409 and count(DraftVersion) == 0


def test_publishing_a_consultation_previews_and_a_replay_is_409(client, dept, official):
    c = ConsultationFactory(department=dept, title="养老服务条例", published_at=None)
    DraftVersionFactory(consultation=c)
    detail = client.get(f"/manage/consultations/{c.id}")
    assert '<dialog id="confirm-publish"' in detail.text
    url = f"/manage/consultations/{c.id}/publish"
    page, token = two_steps(client, url, {})
    assert "养老服务条例" in page.text
    assert db.session.scalar(select(Consultation.published_at).where(
        Consultation.id == c.id)) is None
    assert client.post(url, data={"confirm": token}).status_code == 303
    db.session.expire_all()
    published = db.session.get(Consultation, c.id).published_at
    assert published is not None
    assert client.post(url, data={"confirm": token}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).published_at == published
    forged = client.post(url, data={"confirm": token[:-3] + "abc"})
    assert forged.status_code == 409


def test_closing_early_previews_the_public_notice_and_a_replay_is_409(client, dept, official):
    c = ConsultationFactory(department=dept)
    r = RoundFactory(version=DraftVersionFactory(consultation=c), consultation=c)
    manage = client.get(f"/manage/rounds/{r.id}")
    assert '<dialog id="confirm-close"' in manage.text
    url = f"/manage/rounds/{r.id}/close"
    page, token = two_steps(client, url, {"close-reason": "意见已充分收集"})
    assert "Closed early" in page.text and "意见已充分收集" in page.text
    db.session.expire_all()
    assert db.session.get(Round, r.id).closed_at is None
    assert client.post(url, data={"close-reason": "意见已充分收集",
                                  "confirm": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Round, r.id).closed_at is not None
    replay = client.post(url, data={"close-reason": "意见已充分收集", "confirm": token})
    assert replay.status_code == 409


def test_a_token_for_one_round_does_not_close_another(client, dept, official):
    c = ConsultationFactory(department=dept)
    one = RoundFactory(version=DraftVersionFactory(consultation=c), consultation=c)
    two = RoundFactory(version=DraftVersionFactory(consultation=c, number=2), consultation=c)
    _page, token = two_steps(client, f"/manage/rounds/{one.id}/close", {"close-reason": "够了"})
    wrong = client.post(f"/manage/rounds/{two.id}/close",
                        data={"close-reason": "够了", "confirm": token})
    assert wrong.status_code == 409
    db.session.expire_all()
    assert db.session.get(Round, two.id).closed_at is None


def test_an_erratum_previews_and_a_replay_is_409(client, login_as):
    r, _dept, official = closed_round()
    login_as(official)
    assert client.post(f"/manage/rounds/{r.id}/response",
                       data={"r-summary": "我们没有收到意见。"}).status_code == 303
    preview = client.get(f"/manage/rounds/{r.id}/response/publish").text
    seen = re.search(r'name="p-seen"[^>]*value="([0-9a-f]+)"', preview) or \
        re.search(r'value="([0-9a-f]+)"[^>]*name="p-seen"', preview)
    assert client.post(f"/manage/rounds/{r.id}/response/publish",
                       data={"p-seen": seen.group(1)}).status_code == 303
    manage = client.get(f"/manage/rounds/{r.id}/response")
    assert '<dialog id="confirm-erratum"' in manage.text
    url = f"/manage/rounds/{r.id}/response/errata"
    page, token = two_steps(client, url, {"e-body": "第二段的日期应为6月1日。"})
    assert "第二段的日期应为6月1日。" in page.text and count(Erratum) == 0
    assert client.post(url, data={"e-body": "第二段的日期应为6月1日。",
                                  "confirm": token}).status_code == 303
    assert count(Erratum) == 1
    replay = client.post(url, data={"e-body": "第二段的日期应为6月1日。", "confirm": token})
    assert replay.status_code == 409 and count(Erratum) == 1
