"""Every channel in Chromium, through the pages only (the world is seeded; nothing else goes
around the interface), in zh_CN and English, with and without JavaScript.

The journey: an official records three letters (one with its scanned PDF, one the sender
wants kept within the department), checks a hearing's spreadsheet (a broken one first: the
errors by row, nothing saved), imports it, triages everything with the online opinions,
writes and publishes the response; the public sees the letters in the statistics by
channel, the letter writer's receipt code shows the outcome on the lookup page, and the
confidential texts (one online, one by letter) are counted but shown nowhere public.

Bad input: a 20 MB and an executable upload, a wrong and then brute-forced receipt code
(429), an official of another department recording into the round (404, nothing saved), a
hearing's attendees chosen beyond its seats."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from consult.accounts.models import Department
from consult.channels.models import Hearing, HearingKind, Selection
from consult.clock import now
from consult.consultations.models import Consultation
from consult.extensions import db, limiter
from consult.participation.models import Comment
from tests.browser.conftest import LiveServer, serving
from tests.browser.journey import Journey
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    HearingApplicationFactory,
    HearingFactory,
    RoundFactory,
    UserFactory,
    comment,
    today,
)
from tests.files import EXE, PDF, csv_bytes, xlsx_bytes

VARIANTS = [("zh_CN", True), ("zh_CN", False), ("en", True), ("en", False)]
CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")
ONLINE_SECRET = "仅供部门：我家楼下的养老院有虐待老人的情况，请核实。"
LETTER_SECRET = "来信（请勿公开）：本人是护理员，单位拖欠加班费。"
REASON = "已在修改稿第三条中采纳。"


def seed(live) -> dict:
    """A closed round of one department with two online opinions (one confidential) and a
    past symposium, its official, and an official of another department."""
    with live.app.app_context():
        r = RoundFactory(closed=True)
        consultation = db.session.get(Consultation, r.consultation_id)
        department = db.session.get(Department, consultation.department_id)
        official = UserFactory(email="wang@example.org", display_name="王科长",
                               role="official", role__department=department)
        other = UserFactory(email="li@example.org", display_name="李处长", role="official",
                            role__department=DepartmentFactory())
        comment(r, UserFactory(), body="网上意见：建议公开收费标准。")
        secret = comment(r, UserFactory(), body=ONLINE_SECRET)
        secret.confidential = True
        hearing = HearingFactory(round_id=r.id, place="市民中心三楼",
                                 starts_at=now() - timedelta(days=5), capacity=20,
                                 apply_until=(now() - timedelta(days=8)).date(),
                                 selected_at=now() - timedelta(days=7))
        db.session.commit()
        return {"round": r.id, "official": official.email, "other": other.email,
                "hearing": hearing.id}


def comments_in(live, round_id: int) -> int:
    with live.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment)
                                 .where(Comment.round_id == round_id))


def record_letter(journey, round_id, body, *, sender="", scan=None, confidential=False):
    """Fill the form for one letter and submit it; the receipt code from the notice."""
    _, page = journey._, journey.page
    page.goto(f"/manage/rounds/{round_id}/ledger/new")
    page.get_by_label(_("Received by")).select_option("letter")
    page.get_by_label(_("Day received")).fill(today())
    if sender:
        page.get_by_label(_("Sender's name (optional)")).fill(sender)
        page.get_by_label(_("Sender's address, telephone or e-mail (optional)")).fill(
            "北京市东城区某街1号 13800000000")
    page.get_by_label(_("Text of the opinion"), exact=True).fill(body)
    if confidential:
        page.get_by_label(_("The sender asked that the text be seen only by the department")
                          ).check()
    if scan is not None:
        page.get_by_label(_("Scan or file (optional)")).set_input_files(scan)
    if scan is not None:
        journey.shoot("record-letter")
    page.get_by_role("button", name=_("Record the opinion")).click()
    notice = page.get_by_text(re.compile(re.escape(
        _("The opinion is recorded. Receipt code: %(code)s.", code="XXXX")).replace("XXXX", ".+")))
    expect(notice).to_be_visible()
    return CODE.search(notice.inner_text()).group(0)


def sheet(locale: str, rows: list[list[str]]) -> dict:
    """The hearing's spreadsheet: XLSX from the Chinese office, CSV from the English one."""
    if locale == "zh_CN":
        return {"name": "座谈会发言.xlsx", "buffer": xlsx_bytes([["意见", "姓名", "收到日期"],
                                                               *rows]),
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    return {"name": "hearing.csv", "buffer": csv_bytes([["opinion", "sender_name",
                                                          "received_on"], *rows]),
            "mimeType": "text/csv"}


def import_sheet(journey, round_id, upload):
    _, page = journey._, journey.page
    page.get_by_label(_("Spreadsheet"), exact=True).set_input_files(upload)
    page.get_by_label(_("Channel of rows that name none")).select_option("hearing")
    page.get_by_label(_("Opinions voiced at the hearing")).select_option(index=1)
    page.get_by_role("button", name=_("Check the spreadsheet")).click()


@pytest.mark.parametrize("locale, javascript", VARIANTS)
def test_letters_and_a_hearing_are_answered_like_online_opinions(
        browser, live, artifacts, tmp_path, locale, javascript, request):
    world = seed(live)
    round_id = world["round"]
    journey = Journey(browser, live, artifacts, "channels", locale, javascript=javascript)
    request.addfinalizer(journey.close)
    _, n_, page = journey._, journey.n_, journey.page
    journey.log_in(world["official"], PASSWORD)

    # Three letters: one with its scan, one plain, one only for the department.
    scan = tmp_path / "来信扫描件.pdf"
    scan.write_bytes(PDF + b"0" * (3 * 1024 * 1024))  # a real scan is a few megabytes
    code = record_letter(journey, round_id, "来信：建议延长日间照料中心开放时间。",
                         sender="王大爷", scan=str(scan))
    expect(page.get_by_role("link", name="来信扫描件.pdf")).to_be_visible()
    expect(page.get_by_text("王大爷")).to_be_visible()
    journey.shoot("recorded-letter")
    page.get_by_role("link", name=_("Print the receipt")).click()
    expect(page.get_by_role("heading", name=_("Receipt for an opinion"))).to_be_visible()
    expect(page.locator(".receipt__code")).to_have_text(code)
    expect(page.get_by_text(_("Day received"))).to_be_visible()
    journey.shoot("receipt")
    page.emulate_media(media="print")  # what the letter writer is handed
    journey.shoot("receipt-printed")
    page.emulate_media(media="screen")
    record_letter(journey, round_id, "来信：建议社区食堂对八十岁以上老人免费。")
    record_letter(journey, round_id, LETTER_SECRET, sender="赵女士", confidential=True)

    # The hearing's spreadsheet: broken rows first (each named, nothing saved), then whole.
    page.goto(f"/manage/rounds/{round_id}/ledger/import")
    import_sheet(journey, round_id, sheet(locale, [
        ["座谈会发言一：建议增加护理员培训。", "李四", today()],
        ["", "张三", today()],
        ["座谈会发言三：建议公开服务标准。", "", "上周三"]]))
    expect(page.get_by_role("heading", name=n_(
        "%(num)d row has an error. Nothing was saved.",
        "%(num)d rows have errors. Nothing was saved.", 2))).to_be_visible()
    expect(page.get_by_text(_("Enter the text of the opinion."))).to_be_visible()
    expect(page.get_by_text(_("Enter the date as YYYY-MM-DD."))).to_be_visible()
    journey.shoot("import-errors")
    assert comments_in(live, round_id) == 5  # two online opinions and three letters
    import_sheet(journey, round_id, sheet(locale, [
        ["座谈会发言一：建议增加护理员培训。", "李四", today()],
        ["座谈会发言二：建议公开服务标准。", "", today()]]))
    journey.shoot("import-preview")
    page.get_by_role("button", name=n_("Import %(num)d opinion", "Import %(num)d opinions",
                                       2)).click()
    expect(page.get_by_text(_("%(num)d opinions imported. Each has its receipt code in the "
                              "ledger.", num=2))).to_be_visible()
    expect(page.get_by_text("座谈会发言二：建议公开服务标准。")).to_be_visible()
    journey.shoot("ledger")

    # Triage everything at once with the online opinions, then publish the response.
    page.goto(f"/manage/rounds/{round_id}/triage")
    progress = page.locator("#triage-progress")
    expect(progress).to_contain_text(_("%(done)d of %(total)d triaged", done=0, total=7))
    page.get_by_text(_("Decide for several at once")).click()
    checks = page.locator(".triage-row__check")
    expect(checks).to_have_count(7)
    for i in range(7):
        checks.nth(i).check()
    page.get_by_label(_("Outcome for all selected")).select_option("adopted")
    page.locator("#bulk-reason").fill(REASON)
    page.get_by_role("button", name=_("Apply to the selected opinions")).click()
    expect(page.locator("#triage-progress")).to_contain_text(
        _("%(done)d of %(total)d triaged", done=7, total=7))
    journey.shoot("triaged")
    page.goto(f"/manage/rounds/{round_id}/response")
    page.get_by_label(_("Summary")).fill("感谢来信、座谈会和网上提出的意见。")
    page.get_by_role("button", name=_("Save the draft")).click()
    expect(page.get_by_text(_("The draft response is saved. Nothing is public until you "
                               "publish it."))).to_be_visible()
    page.get_by_role("link", name=_("Preview and publish")).click()
    page.get_by_role("button", name=_("Publish the response")).click()
    expect(page.get_by_role("heading", name=_("The department's response"))).to_be_visible()

    # The public: letters in the statistics by channel, confidential texts nowhere.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    page.goto(f"/rounds/{round_id}/response")
    expect(page.get_by_role("heading", name=_("By channel"))).to_be_visible()
    by_channel = page.locator("table", has=page.get_by_role("columnheader",
                                                            name=_("Channel"), exact=True))
    for label, count in ((_("Letter"), 3), (_("Hearing"), 2), (_("Online"), 2)):
        # Playwright reads the pattern's source between slashes: a slash must be escaped.
        pattern = re.escape(label).replace("/", "\\/") + rf" {count}\b"
        expect(by_channel.get_by_role("row", name=re.compile("^" + pattern))).to_be_visible()
    journey.shoot("response")
    for path in (f"/rounds/{round_id}/response", f"/rounds/{round_id}/comments",
                 f"/api/v1/rounds/{round_id}/comments", f"/api/v1/rounds/{round_id}/response",
                 f"/api/v1/consultations/{_consultation(live, round_id)}/opinions.csv",
                 f"/api/v1/consultations/{_consultation(live, round_id)}/comments.csv"):
        answer = page.request.get(path)
        assert answer.status == 200, path
        body = answer.text()
        for secret in (ONLINE_SECRET, LETTER_SECRET, "王大爷", "赵女士", "13800000000"):
            assert secret not in body, (path, secret)
    # The statutory documents too: the adoption statement lists the letter, not the secrets.
    for kind in ("statement", "report"):
        answer = page.request.get(f"/rounds/{round_id}/record/{kind}.docx")
        assert answer.status == 200
        with zipfile.ZipFile(io.BytesIO(answer.body())) as docx:
            text = docx.read("word/document.xml").decode()
        if kind == "statement":
            assert "来信：建议延长日间照料中心开放时间。" in text
        for secret in (ONLINE_SECRET, LETTER_SECRET, "王大爷", "赵女士"):
            assert secret not in text, (kind, secret)

    # The letter writer's receipt code: a wrong one learns nothing, theirs the outcome.
    page.goto("/receipt")
    page.get_by_label(_("Receipt code")).fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name=_("Look up")).click()
    expect(page.get_by_text(_("No opinion has this receipt code. Check the code and try "
                              "again.")).first).to_be_visible()
    page.get_by_label(_("Receipt code")).fill(code.lower().replace("-", " "))
    page.get_by_role("button", name=_("Look up")).click()
    expect(page.get_by_text(_("Answered: the department has published its response."))
           ).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    journey.shoot("lookup")
    page.get_by_role("link", name=_("Read the department's response")).click()
    expect(page.get_by_role("heading", name=_("By channel"))).to_be_visible()


def _consultation(live, round_id: int) -> int:
    with live.app.app_context():
        from consult.rounds.models import Round
        return db.session.get(Round, round_id).consultation_id


@pytest.fixture(scope="module")
def limited_server(pytestconfig, tmp_path_factory) -> Iterator[LiveServer]:
    """A second live server, like the shared one but with the lookup's rate limit on (the
    shared one runs without: the other journeys post forms faster than people do)."""
    try:
        with serving(pytestconfig, tmp_path_factory, "limited", RATELIMIT_ENABLED=True,
                     RECEIPT_RATE_LIMIT="3 per minute") as live:
            yield live
    finally:
        limiter.enabled = False  # as the shared server's app has it


@pytest.fixture
def limited(limited_server) -> Iterator[LiveServer]:
    limited_server.clear()
    limiter.reset()
    yield limited_server
    limited_server.clear()


@pytest.mark.parametrize("locale, javascript", VARIANTS)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
        browser, limited, artifacts, tmp_path, locale, javascript, request):
    live = limited
    world = seed(live)
    round_id = world["round"]
    journey = Journey(browser, live, artifacts, "channels-bad", locale, javascript=javascript)
    request.addfinalizer(journey.close)
    _, page = journey._, journey.page

    # Another department's official: the round's ledger is not theirs, by link or by post.
    journey.log_in(world["other"], PASSWORD)
    page.goto("/receipt")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.goto(f"/manage/rounds/{round_id}/ledger/new")
    assert answer.status in (403, 404)
    expect(page.get_by_role("heading", name=re.compile(
        f"{_('You do not have access to this page')}|{_('Page not found')}"))).to_be_visible()
    posted = page.request.post(f"/manage/rounds/{round_id}/ledger/new", form={
        "csrf_token": token, "channel": "letter", "received_on": today(), "body": "冒名来信。"})
    assert posted.status in (403, 404)
    assert comments_in(live, round_id) == 2
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])

    # The department's official: a file too large, then a program.
    journey.log_in(world["official"], PASSWORD)
    page.goto(f"/manage/rounds/{round_id}/ledger/new")
    page.get_by_label(_("Received by")).select_option("letter")
    page.get_by_label(_("Day received")).fill(today())
    page.get_by_label(_("Text of the opinion"), exact=True).fill("来信：附件很大。")
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(PDF + b"0" * (20 * 1024 * 1024))
    page.get_by_label(_("Scan or file (optional)")).set_input_files(str(big))
    page.get_by_role("button", name=_("Record the opinion")).click()
    expect(page.get_by_text(_("What you sent is too large")).first).to_be_visible()
    expect(page.get_by_text(_(
        "A file may be at most %(mb)d MB. Go back and choose a smaller file, or scan at a "
        "lower resolution.", mb=live.app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)))
    ).to_be_visible()
    journey.shoot("too-large")
    assert comments_in(live, round_id) == 2
    page.goto(f"/manage/rounds/{round_id}/ledger/new")
    page.get_by_label(_("Received by")).select_option("letter")
    page.get_by_label(_("Day received")).fill(today())
    page.get_by_label(_("Text of the opinion"), exact=True).fill("来信：附件是程序。")
    page.get_by_label(_("Scan or file (optional)")).set_input_files(
        {"name": "scan.pdf.exe", "mimeType": "application/octet-stream", "buffer": EXE})
    page.get_by_role("button", name=_("Record the opinion")).click()
    expect(page.locator(".field__error", has_text=_(
        "This kind of file is not accepted here. Accepted: %(kinds)s.", kinds=".+")
        .split(".+")[0])).to_be_visible()
    # The text typed is kept for the next try.
    expect(page.get_by_label(_("Text of the opinion"), exact=True)).to_have_value("来信：附件是程序。")
    journey.shoot("executable")
    assert comments_in(live, round_id) == 2

    # A hearing's attendees chosen beyond its seats: refused, nobody selected.
    with live.app.app_context():
        from consult.accounts.models import User
        official = db.session.scalar(select(User).where(User.email == world["official"]))
        hearing = HearingFactory(round_id=round_id, kind=HearingKind.HEARING,
                                 topic="收费标准听证会", place="区政府礼堂",
                                 starts_at=now() + timedelta(days=10), capacity=1,
                                 apply_until=(now() + timedelta(days=3)).date(),
                                 selection=Selection.CHOICE, created_by_id=official.id)
        for name in ("张三", "李四"):
            HearingApplicationFactory(hearing_id=hearing.id,
                                      user_id=UserFactory(display_name=name).id,
                                      statement=f"{name}：我想谈谈收费标准。")
        db.session.commit()
        hearing_id = hearing.id
    page.goto(f"/manage/rounds/{round_id}/hearings/{hearing_id}")
    for name in ("张三", "李四"):
        page.get_by_role("checkbox", name=re.compile(name)).check()
    page.get_by_label(_("Reason for the choice")).fill("两位都代表养老机构。")
    page.get_by_role("button", name=_("Select the attendees and tell the applicants")).click()
    expect(page.get_by_text(_("The hearing has %(capacity)d seats; you chose %(chosen)d.",
                              capacity=1, chosen=2)).first).to_be_visible()
    for name in ("张三", "李四"):  # the choice is kept for the next try
        expect(page.get_by_role("checkbox", name=re.compile(name))).to_be_checked()
    journey.shoot("over-capacity")
    with live.app.app_context():
        assert db.session.get(Hearing, hearing_id).selected_at is None

    # The lookup: a wrong code learns nothing; trying many is stopped (429).
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    page.goto("/receipt")
    for attempt in range(3):
        page.get_by_label(_("Receipt code")).fill(f"ABCD-EFGH-JKM{attempt + 2}")
        page.get_by_role("button", name=_("Look up")).click()
        expect(page.get_by_text(_("No opinion has this receipt code. Check the code and try "
                                  "again.")).first).to_be_visible()
    page.get_by_label(_("Receipt code")).fill("ABCD-EFGH-JKM9")
    with page.expect_response(lambda r: r.url.endswith("/receipt")
                              and r.request.method == "POST") as caught:
        page.get_by_role("button", name=_("Look up")).click()
    assert caught.value.status == 429
    expect(page.get_by_text(_("Too many requests")).first).to_be_visible()
    journey.shoot("rate-limited")
