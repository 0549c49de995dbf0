"""Every channel in Chromium (zh_CN with JavaScript, English without): an official records
a letter with its scanned PDF and imports a hearing's opinions from a spreadsheet (preview,
then import); once the response is published, the letter appears in the statistics by
channel, and the letter writer's receipt code shows the outcome on the public lookup page,
while a wrong code shows nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.accounts.models import Department
from consult.consultations.models import Consultation
from consult.db import atomic
from consult.extensions import db
from consult.responses import services as responses
from consult.responses.models import Triage
from consult.rounds.services import get_round
from tests.browser.journey import Journey
from tests.factories import PASSWORD, RoundFactory, UserFactory, comment, today
from tests.files import PDF


def setup(live):
    with live.app.app_context():
        r = RoundFactory(closed=True)
        consultation = db.session.get(Consultation, r.consultation_id)
        department = db.session.get(Department, consultation.department_id)
        official = UserFactory(email=f"official-{r.id}@example.org", display_name="王科长",
                               role="official", role__department=department)
        comment(r, UserFactory(), body="网上意见：建议公开收费标准。")
        db.session.commit()
        return r.id, official.email


def publish(live, round_id, email):
    with live.app.app_context():
        from consult.accounts.models import User
        official = db.session.scalar(select(User).where(User.email == email))
        with atomic():
            responses.start_triage(get_round(official, round_id))
        ids = list(db.session.scalars(select(Triage.id).where(Triage.round_id == round_id)))
        with atomic():
            responses.bulk_triage(official, get_round(official, round_id), triage_ids=ids,
                                  status="adopted", reason="已在修改稿中采纳。")
        with atomic():
            responses.save_response(official, get_round(official, round_id), summary="感谢。")
        with atomic():
            responses.publish_response(official, get_round(official, round_id))


@pytest.mark.parametrize("locale, javascript", [("zh_CN", True), ("en", False)])
def test_letters_and_a_hearing_are_answered_like_online_opinions(
        browser, live, artifacts, tmp_path, locale, javascript, request):
    round_id, email = setup(live)
    journey = Journey(browser, live, artifacts, "channels", locale, javascript=javascript)
    request.addfinalizer(journey.close)
    _, page = journey._, journey.page
    journey.log_in(email, PASSWORD)

    scan = tmp_path / "来信扫描件.pdf"
    scan.write_bytes(PDF)
    page.goto(f"/manage/rounds/{round_id}/ledger/new")
    page.get_by_label(_("Received by")).select_option("letter")
    page.get_by_label(_("Day received")).fill(today())
    page.get_by_label(_("Sender's name (optional)")).fill("王大爷")
    page.get_by_label(_("Text of the opinion"), exact=True).fill("来信：建议延长开放时间。")
    page.get_by_label(_("Scan or file (optional)")).set_input_files(str(scan))
    journey.shoot("record-letter")
    page.get_by_role("button", name=_("Record the opinion")).click()
    notice = page.get_by_text(re.compile(re.escape(_("The opinion is recorded. Receipt code: %(code)s.",
                                                     code="XXXX")).replace("XXXX", ".+")))
    expect(notice).to_be_visible()
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", notice.inner_text()).group(0)
    expect(page.get_by_role("link", name="来信扫描件.pdf")).to_be_visible()

    sheet = tmp_path / "座谈会.csv"
    sheet.write_text(f"意见,姓名,收到日期\n座谈会发言一,李四,{today()}\n座谈会发言二,,坏日期\n",
                     encoding="utf-8")
    page.goto(f"/manage/rounds/{round_id}/ledger/import")
    page.get_by_label(_("Spreadsheet"), exact=True).set_input_files(str(sheet))
    page.get_by_label(_("Channel of rows that name none")).select_option("hearing")
    page.get_by_role("button", name=_("Check the spreadsheet")).click()
    expect(page.get_by_text(journey.n_("%(num)d row has an error. Nothing was saved.",
                                       "%(num)d rows have errors. Nothing was saved.", 1)))\
        .to_be_visible()
    sheet.write_text(f"意见,姓名,收到日期\n座谈会发言一,李四,{today()}\n座谈会发言二,,{today()}\n",
                     encoding="utf-8")
    page.get_by_label(_("Spreadsheet"), exact=True).set_input_files(str(sheet))
    page.get_by_label(_("Channel of rows that name none")).select_option("hearing")
    page.get_by_role("button", name=_("Check the spreadsheet")).click()
    journey.shoot("import-preview")
    page.get_by_role("button", name=journey.n_("Import %(num)d opinion",
                                               "Import %(num)d opinions", 2)).click()
    expect(page.get_by_text(_("%(num)d opinions imported. Each has its receipt code in the "
                              "ledger.", num=2))).to_be_visible()
    expect(page.get_by_text("座谈会发言二")).to_be_visible()
    journey.shoot("ledger")

    publish(live, round_id, email)
    page.goto(f"/rounds/{round_id}/response")
    expect(page.get_by_role("heading", name=_("By channel"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(_("Letter")))).to_be_visible()

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    page.goto("/receipt")
    page.get_by_label(_("Receipt code")).fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name=_("Look up")).click()
    expect(page.get_by_text(_("No opinion has this receipt code. Check the code and try "
                              "again.")).first).to_be_visible()
    page.get_by_label(_("Receipt code")).fill(code)
    page.get_by_role("button", name=_("Look up")).click()
    expect(page.get_by_text(_("Answered: the department has published its response."))
           ).to_be_visible()
    expect(page.get_by_text("已在修改稿中采纳。")).to_be_visible()
    journey.shoot("lookup")
