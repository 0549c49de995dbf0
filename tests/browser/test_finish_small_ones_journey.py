"""Issue 22, the rest in Chromium: the sign-up form's messages (all at once without
JavaScript, field by field with it), "what happened to my opinions" grouped and paged on
/me/, the survey page's dates and the department's officials kept out, the proposed
wording starting from the clause, the footer's pages, the phone menu and the evaluation
table at 1280 px; in Chinese and English. Screenshots at 1280 and 390 px go to
test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.consultations.models import Clause
from consult.db import db
from tests.browser.test_finish_journey import log_in, text
from tests.factories import (
    DepartmentFactory,
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    closed_round,
    comment,
    responded_round,
)
from tests.web.test_responses_pages import publish, triage_all

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def shoot(page: Page, artifacts, name: str) -> None:
    size = page.viewport_size
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts / f"finish2-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def context_for(new_context, live, locale: str, *, javascript: bool = True,
                width: int = 1280):
    context = new_context(java_script_enabled=javascript,
                          viewport={"width": width, "height": 900 if width > 500 else 844})
    context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    return context


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_sign_up_says_every_problem(new_context, live, artifacts, locale):
    say = text(live, locale)
    # Without JavaScript: one submit, every message at once.
    context = context_for(new_context, live, locale, javascript=False, width=390)
    page = context.new_page()
    page.goto("/auth/register")
    page.get_by_label(say("E-mail address")).fill("not-an-address")
    page.get_by_label(say("Password"), exact=True).fill("short")
    page.get_by_label(say("Repeat the password")).fill("other")
    page.get_by_role("button", name=say("Create account")).click()
    summary = page.locator(".error-summary")
    expect(summary.locator("li")).to_have_count(4)
    expect(page.locator("#display_name-error")).to_contain_text(say("Enter a display name."))
    expect(page.locator("#password-error")).to_contain_text(
        say("Use at least %(n)d characters.", n=live.app.config["PASSWORD_MIN_LENGTH"]))
    shoot(page, artifacts, f"01-register-all-errors-{locale}")
    context.close()

    # With JavaScript: each field is checked as the user leaves it.
    context = context_for(new_context, live, locale)
    page = context.new_page()
    page.goto("/auth/register")
    password = page.get_by_label(say("Password"), exact=True)
    password.fill("1234567890")
    password.blur()
    expect(page.locator("#password-feedback")).to_contain_text(
        say("This password is too easy to guess. Mix letters, numbers or words."))
    email = page.get_by_label(say("E-mail address"))
    email.fill("nobody")
    email.blur()
    expect(page.locator("#email-feedback")).to_contain_text(
        say("Enter an e-mail address like name@example.com."))
    email.fill("mei@example.org")
    email.blur()
    expect(page.locator("#email-feedback")).to_be_empty()
    expect(page.locator(".error-summary")).to_have_count(0)  # nothing was submitted
    password.fill("plum blossom 2026")
    password.blur()
    expect(page.locator("#password-feedback")).to_be_empty()
    shoot(page, artifacts, f"02-register-checks-{locale}")
    context.close()


def _my_answered_opinions(live) -> str:
    with live.app.app_context():
        author = UserFactory(email="mei@example.org", display_name="王小梅")
        for title, n in (("养老服务条例（征求意见稿）", 3), ("生活垃圾分类管理办法", 22)):
            r, _dept, official = closed_round()
            r.consultation.title = title
            db.session.commit()
            for i in range(n):
                comment(r, author, body=f"关于《{title}》的第{i + 1}条意见：建议写得更具体。")
            triage_all(r, official, status="partly_adopted", reason="部分采纳，已在第二稿中修改。")
            publish(r, official)
        return author.email


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_my_opinions_take_the_main_column_grouped_and_paged(new_context, live, artifacts,
                                                             locale):
    say = text(live, locale)
    email = _my_answered_opinions(live)
    context = context_for(new_context, live, locale)
    page = context.new_page()
    log_in(page, say, email)
    page.goto("/me/")
    main = page.locator(".me-layout__main")
    expect(main.get_by_role("heading", name=say("What happened to my opinions"))).to_be_visible()
    groups = main.locator(".my-opinions__group h3")
    # 20 a page: the consultation answered last fills the first one...
    expect(groups).to_have_count(1)
    expect(groups.first).to_have_text("生活垃圾分类管理办法")
    box = main.bounding_box()
    assert box["width"] > 700, box  # the main column, not a third of the page
    shoot(page, artifacts, f"03-me-{locale}")
    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(f"{live.url}/me/?page=2")
    # ... and runs on to the second, under its title again, before the other one.
    expect(groups).to_have_count(2)
    expect(groups.first).to_have_text("生活垃圾分类管理办法")
    shoot(page, artifacts, f"03b-me-page2-{locale}")
    groups.last.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("养老服务条例")
    context.close()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_survey_dates_and_the_departments_officials(new_context, live, artifacts, locale):
    say = text(live, locale)
    with live.app.app_context():
        r, _dept, official = responded_round()
        official.email = "official@example.org"
        db.session.commit()
        round_id = r.id
    context = context_for(new_context, live, locale, width=390)
    page = context.new_page()
    page.goto(f"/rounds/{round_id}/survey")
    when = page.locator(".round-head__when")
    expect(when).not_to_contain_text(say("Closed %(when)s", when="").strip() or "已于")
    if locale == "zh_CN":
        expect(when).to_contain_text("问卷于")
    else:
        expect(when).to_contain_text("The survey closes in")
    shoot(page, artifacts, f"04-survey-head-{locale}")
    log_in(page, say, "official@example.org")
    page.goto(f"/rounds/{round_id}/survey")
    expect(page.get_by_text(say(
        "You work for the department that wrote this response, so you cannot rate it: "
        "the survey asks the people who took part."))).to_be_visible()
    expect(page.locator("input[name=satisfaction]")).to_have_count(0)
    context.close()


def test_the_proposed_wording_starts_from_the_clause(new_context, live, artifacts):
    say = text(live, "zh_CN")
    with live.app.app_context():
        r = RoundFactory(version=DraftVersionFactory(clauses=["社区养老服务机构应当提供日间照料服务。"]))
        user = UserFactory(email="lan@example.org")
        clause_id = db.session.scalar(select(Clause.id).where(Clause.version_id == r.version_id))
        round_id, email = r.id, user.email
    context = context_for(new_context, live, "zh_CN")
    page = context.new_page()
    log_in(page, say, email)
    page.goto(f"/rounds/{round_id}/comments?clause={clause_id}")
    page.get_by_text(say("Propose new wording for the clause")).click()
    box = page.locator("textarea[name=proposed_text]")
    expect(box).to_have_value("社区养老服务机构应当提供日间照料服务。")
    box.fill("社区养老服务机构应当提供日间和夜间照料服务。")
    page.get_by_label(say("Your comment"), exact=True).fill("建议增加夜间照料。")
    page.get_by_role("button", name=say("Post comment")).click()
    expect(page.locator("#comment-list")).to_contain_text("和夜间")
    # The fresh form is still on the clause, its box back at the clause's text.
    expect(page.locator("textarea[name=proposed_text]")).to_have_value(
        "社区养老服务机构应当提供日间照料服务。")
    shoot(page, artifacts, "05-proposal")
    context.close()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("javascript", [True, False])
def test_footer_pages_and_the_phone_menu(new_context, live, artifacts, locale, javascript):
    say = text(live, locale)
    live.app.config.update(SITE_OWNER="某市人民政府办公厅", SITE_CONTACT_EMAIL="yijian@example.gov.cn")
    try:
        with live.app.app_context():
            email = UserFactory(role="admin", email="admin@example.org").email
        context = context_for(new_context, live, locale, javascript=javascript, width=390)
        page = context.new_page()
        log_in(page, say, email)  # staff: the longest menu
        page.goto("/")
        footer = page.locator(".site-footer")
        expect(footer).to_contain_text("某市人民政府办公厅")
        for name in ("Contact us", "Privacy", "Accessibility statement"):
            expect(footer.get_by_role("link", name=say(name))).to_be_visible()
        # The phone menu: one row that scrolls, and it says so (a shade at its edge).
        nav = page.locator(".site-nav")
        assert nav.evaluate("n => n.scrollWidth > n.clientWidth")
        assert "linear-gradient" in nav.evaluate("n => getComputedStyle(n).backgroundImage")
        page.screenshot(path=str(artifacts / f"finish2-06-phone-menu-{locale}.png"))
        footer.get_by_role("link", name=say("Accessibility statement")).click()
        expect(page.locator("h1")).to_have_text(say("Accessibility statement"))
        expect(page.locator("main")).to_contain_text("yijian@example.gov.cn")
        if javascript:
            shoot(page, artifacts, f"07-accessibility-{locale}")
        context.close()
    finally:
        live.app.config.update(SITE_OWNER="", SITE_CONTACT_EMAIL="")


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_evaluation_table_keeps_department_names_short(new_context, live, artifacts, locale):
    say = text(live, locale)
    with live.app.app_context():
        for name, name_en in (("某市人力资源和社会保障局",
                               "Human Resources and Social Security Bureau"),
                              ("某市住房和城乡建设委员会",
                               "Housing and Urban-Rural Development Commission")):
            DepartmentFactory(name=name, name_en=name_en)
        evaluator = UserFactory(role="evaluator", email="eval@example.org")
        email = evaluator.email
    context = context_for(new_context, live, locale)
    page = context.new_page()
    log_in(page, say, email)
    page.goto("/evaluation/")
    names = page.locator(".eval-table tbody th[scope=row] a")
    expect(names.first).to_be_visible()
    page.screenshot(path=str(artifacts / f"finish2-08-evaluation-{locale}-desktop.png"),
                    full_page=True)
    for i in range(names.count()):
        lines = names.nth(i).evaluate("a => a.getClientRects().length")  # its line boxes
        assert lines <= 2, (names.nth(i).inner_text(), lines)
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_just_posted_says_just_now_and_the_stance_can_change(new_context, live, artifacts,
                                                             javascript):
    say = text(live, "zh_CN")
    with live.app.app_context():
        r = RoundFactory(version=DraftVersionFactory(clauses=["第一条的文字。", "第二条的文字。"]))
        round_id, email = r.id, UserFactory(email="zhang@example.org").email
    context = context_for(new_context, live, "zh_CN", javascript=javascript, width=390)
    page = context.new_page()
    log_in(page, say, email)
    page.goto(f"/rounds/{round_id}/comments")
    page.get_by_label(say("Your comment"), exact=True).fill("我赞成这个办法。")
    page.get_by_label(say("In favour"), exact=True).check()
    page.get_by_role("button", name=say("Post comment")).click()
    mine = page.locator("#comment-list > li").first
    expect(mine.locator(".comment__time")).to_have_text("刚刚")
    expect(mine.locator(".comment__stance")).to_have_text("赞成")
    page.goto(f"/rounds/{round_id}/comments")
    mine.get_by_role("link", name=say("Edit")).click()
    page.get_by_label(say("Against"), exact=True).check()
    page.get_by_role("button", name=say("Save changes")).click()
    expect(mine.locator(".comment__stance")).to_have_text("反对")
    expect(page.locator("#stance-counts")).to_contain_text("反对：1")
    expect(page.locator("#stance-counts")).not_to_contain_text("赞成")
    shoot(page, artifacts, f"09-stance-changed-{'js' if javascript else 'nojs'}")
    context.close()
