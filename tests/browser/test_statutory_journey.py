"""The statutory record in Chromium, zh_CN and English: an official imports a Word draft
with chapters, sees the preview flag what could not be placed, fixes it, publishes the
version with its 起草说明, schedules a round shorter than the 30-day minimum (refused,
then accepted with a public reason), and, on a round whose response is published,
downloads the 意见采纳情况说明 as Word and PDF with the right counts."""

from __future__ import annotations

import re
from datetime import timedelta

import docx
from playwright.sync_api import expect
from sqlalchemy import select

from consult.clock import now
from consult.db import atomic, db
from consult.responses import services as responses
from consult.responses.models import Triage
from consult.rounds.services import get_round
from tests.browser import test_journeys_official as official_journey
from tests.browser.test_journeys_official import Journey, local
from tests.factories import DepartmentFactory, UserFactory, closed_round, comment, question
from tests.files import docx_text, pdf_text

journey_page = official_journey.journey_page  # the same fixture: zh_CN and English


def word_draft(path) -> None:
    document = docx.Document()
    for text in ("社区养老服务管理办法", "（征求意见稿）", "第一章 总则",
                 "第一条 为了规范社区养老服务，制定本办法。", "第二章 服务",
                 "第二条 社区养老服务包括：", "（一）助餐服务；", "（二）助浴服务。"):
        document.add_paragraph(text)
    document.save(path)


def test_import_publish_and_short_round(journey_page, live, artifacts, tmp_path):
    locale, page = journey_page
    with live.app.app_context():
        dept = DepartmentFactory(min_period_days=30)
        email = UserFactory(locale=locale, role="official", role__department=dept).email
    j = Journey(live, page, locale, artifacts, "statutory")
    _ = j._
    j.log_in(email)
    page.get_by_role("navigation").get_by_role("link", name=_("Manage consultations")).first.click()
    page.get_by_role("link", name=_("New consultation")).click()
    page.get_by_label(_("Title")).fill("社区养老服务管理办法（征求意见稿）")
    page.get_by_label(_("Summary")).fill("规范社区养老服务。")
    page.get_by_role("button", name=_("Create consultation")).click()

    # Import from Word: a preview first, nothing saved.
    page.get_by_text(_("Paste a whole draft"), exact=True).click()
    page.get_by_role("link", name=_("Import the draft from Word")).click()
    path = tmp_path / "draft.docx"
    word_draft(path)
    page.get_by_label(_("Word file of the draft (.docx)")).set_input_files(str(path))
    page.get_by_role("button", name=_("Read the file")).click()
    expect(page.get_by_role("heading", name=_("Preview of the import"))).to_be_visible()
    expect(page.get_by_text("（征求意见稿）", exact=True)).to_be_visible()  # flagged: not placed
    expect(page.get_by_text("第一章 总则").first).to_be_visible()
    j.shoot("preview")
    text = page.get_by_label(_("Paste the draft"))
    text.fill(text.input_value().replace("（二）助浴服务。", "（二）助浴服务；\n（三）助洁服务。"))
    page.get_by_role("button", name=_("Add these clauses")).click()
    expect(page.get_by_text("（三）助洁服务。")).to_be_visible()

    # Publish version 1 with its explanation, then the consultation.
    page.get_by_label(_("Change note")).fill("首次公开征求意见。")
    page.get_by_label(_("Explanation of the draft")).fill("一、制定的必要性\n\n二、主要内容")
    page.get_by_role("button", name=_("Publish version %(n)d", n=1)).click()
    page.get_by_role("button", name=_("Yes: %(action)s",
                                      action=_("Publish version %(n)d", n=1))).click()
    page.get_by_role("button", name=_("Publish consultation")).click()
    page.get_by_role("button", name=_("Yes: %(action)s",
                                      action=_("Publish consultation"))).click()

    # A 15-day round: refused without a reason, accepted with one, shown publicly.
    start = now() + timedelta(days=1)
    page.get_by_role("link", name=_("Rounds"), exact=True).first.click()
    page.get_by_label(_("What the public is asked to do")).select_option(
        label=_("Questions and comments"))
    page.get_by_label(_("Opens"), exact=True).fill(local(start))
    page.get_by_label(_("Closes"), exact=True).fill(local(start + timedelta(days=14)))
    page.get_by_label(_("Response due")).fill(local(start + timedelta(days=30)))
    page.get_by_role("button", name=_("Schedule the round")).click()
    expect(page.locator("#short_period_reason-error")).to_be_visible()
    j.shoot("short-refused")
    page.get_by_label(_("Reason for a shorter comment period")).fill("须在年底前完成修订。")
    page.get_by_role("button", name=_("Schedule the round")).click()
    expect(page.get_by_text(_("Why: %(reason)s", reason="须在年底前完成修订。"))).to_be_visible()
    j.shoot("round")


def test_adoption_statement_downloads(journey_page, live, artifacts):
    locale, page = journey_page
    with live.app.app_context():
        r, _dept, official = closed_round()
        comment(r, body="建议扩大助餐服务范围。")
        comment(r, body="建议公开收费标准。")
        question(r, body="补贴何时发放？")
        with atomic():
            responses.start_triage(_load(r, official))
        for t in db.session.scalars(select(Triage).where(Triage.round_id == r.id)).all():
            with atomic():
                responses.triage_opinion(official, _load(r, official), t, status="adopted",
                                         reason="采纳")
        with atomic():
            responses.save_response(official, _load(r, official), summary="感谢。")
        with atomic():
            responses.publish_response(official, _load(r, official))
        round_id = r.id
    j = Journey(live, page, locale, artifacts, "statement")
    _ = j._
    page.goto(f"/rounds/{round_id}/response")
    expect(page.get_by_role("heading", name=_("The statutory record"))).to_be_visible()
    j.shoot("response")
    links = page.get_by_role("listitem").filter(
        has_text=_("Statement on the adoption of opinions"))
    with page.expect_download() as got:
        links.get_by_role("link", name=_("Word document")).click()
    text = docx_text(got.value.path().read_bytes())
    assert "建议扩大助餐服务范围。" in text and "补贴何时发放？" in text
    with page.expect_download() as got:
        links.get_by_role("link", name="PDF").click()
    flat = re.sub(r"\s", "", pdf_text(got.value.path().read_bytes()))
    assert "建议公开收费标准。" in flat
    assert ("共收到3条意见" in flat) if locale == "zh_CN" else ("3opinionswerereceived" in flat), flat


def _load(r, actor):
    db.session.expire_all()
    return get_round(actor, r.id)
