"""Issue 22 in Chromium: the call to take part, live counts after in-page posts, the
stance on comments and its filter, the elder-friendly mode; in Chinese and English,
with and without JavaScript. Screenshots at 1280 and 390 px go to test-artifacts/."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from tests.browser.journey import log_in, shooter
from tests.factories import DraftVersionFactory, RoundFactory, UserFactory

CLAUSES = ["社区养老服务机构应当提供日间照料服务。",
           "服务收费标准由区民政部门会同发展改革部门制定。",
           "街道办事处负责监督本辖区的社区养老服务。"]


shoot = shooter("finish-")


def setup(live):
    with live.app.app_context():
        r = RoundFactory(version=DraftVersionFactory(clauses=CLAUSES))
        user = UserFactory(email="mei@example.org", display_name="王小梅")
        return r.id, r.consultation_id, user.email


def text(live, locale: str):
    def say(message: str, **values) -> str:
        with live.app.app_context(), force_locale(locale):
            return gettext(message, **values)
    return say


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_take_part_post_with_stance_and_every_count_follows(new_context, live, artifacts,
                                                             locale):
    say = text(live, locale)
    round_id, consultation_id, email = setup(live)
    context = new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    page = context.new_page()
    log_in(page, say, email)
    # The call to action at the top of the consultation, leading to the comment form.
    page.goto(f"/consultations/{consultation_id}")
    cta = page.locator(".take-part")
    expect(cta).to_be_visible()
    expect(cta.get_by_role("link", name=say("Vote"))).to_be_visible()
    shoot(page, artifacts, f"01-cta-{locale}")
    cta.get_by_role("link", name=say("Comment on the draft")).click()
    expect(page).to_have_url(f"{live.url}/rounds/{round_id}/comments#comment-form-title")

    # Post on clause 2 with a stance: the counts follow without a page load.
    clause_label = "第2条 条款2"
    page.get_by_label(say("Which part is your comment about?")).select_option(label=clause_label)
    page.get_by_label(say("Your comment"), exact=True).fill("收费标准应当公开。")
    page.get_by_label(say("Against"), exact=True).check()
    url_before = page.url
    page.get_by_role("button", name=say("Post comment")).click()
    first = page.locator("#comment-list > li").first
    expect(first).to_contain_text("收费标准应当公开。")
    expect(first.locator(".comment__stance")).to_have_text(say("Against"))
    expect(page.locator("#tab-count-comments")).to_have_text("1")
    expect(page.locator("#clause-count-all")).to_have_text("1")
    expect(page.locator("#comments-total")).to_have_text(
        say("%(num)d comment", num=1) if locale == "en" else "1 条意见")
    index = page.locator("#clause-index li", has_text=clause_label)
    expect(index.locator(".clause-index__count [aria-hidden=true]")).to_have_text("1")
    # The form stays on the clause for the next comment.
    expect(page.get_by_label(say("Which part is your comment about?"))).to_have_value(
        page.locator("#clause_id option", has_text=clause_label).get_attribute("value"))
    assert page.url == url_before
    page.get_by_label(say("Your comment"), exact=True).fill("第二条写得很好。")
    page.get_by_label(say("In favour"), exact=True).check()
    page.get_by_role("button", name=say("Post comment")).click()
    expect(page.locator("#tab-count-comments")).to_have_text("2")
    expect(index.locator(".clause-index__count [aria-hidden=true]")).to_have_text("2")
    shoot(page, artifacts, f"02-counts-stance-{locale}")

    # A question: the tab and heading counts follow too.
    page.locator(".round-tabs a[href$='/questions']").click()
    page.locator("textarea[name=body]").fill("何时开始实施？")
    page.locator("form[action$='/questions'] [type=submit]").click()
    expect(page.locator("#tab-count-questions")).to_have_text("1")
    expect(page.locator("#questions-total")).to_contain_text("1")

    # The stance filter (a plain GET form, enhanced).
    page.goto(f"/rounds/{round_id}/comments")
    page.get_by_label(say("Stance"), exact=True).select_option("support")
    page.get_by_role("button", name=say("Show"), exact=True).click()
    expect(page.locator("#comment-list")).to_contain_text("第二条写得很好。")
    expect(page.locator("#comment-list")).not_to_contain_text("收费标准应当公开。")
    assert "stance=support" in page.url
    shoot(page, artifacts, f"03-stance-filter-{locale}")
    context.close()


def test_without_javascript_stance_and_counts(new_context, live, artifacts):
    say = text(live, "zh_CN")
    round_id, _consultation_id, email = setup(live)
    context = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, say, email)
    page.goto(f"/rounds/{round_id}/comments")
    page.get_by_label(say("Your comment"), exact=True).fill("无脚本也能表明态度。")
    page.get_by_label(say("Neutral"), exact=True).check()
    page.get_by_role("button", name=say("Post comment")).click()
    expect(page.get_by_text(say("Your comment was posted."))).to_be_visible()
    expect(page.locator("#tab-count-comments")).to_have_text("1")
    expect(page.locator("#comment-list .comment__stance").first).to_have_text("中立")
    page.get_by_label(say("Stance"), exact=True).select_option("oppose")
    page.get_by_role("button", name=say("Show"), exact=True).click()
    expect(page.locator("#comment-list")).not_to_contain_text("无脚本也能表明态度。")
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_elder_friendly_mode_switch_persists(new_context, live, artifacts, javascript):
    say = text(live, "zh_CN")
    _round_id, consultation_id, _email = setup(live)
    context = new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/consultations/{consultation_id}")
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    switch = page.get_by_role("button", name=say("Elder-friendly mode"))
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(page.locator("html")).to_have_class("elder")
    assert page.url.endswith(f"/consultations/{consultation_id}")
    after = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= before * 1.2
    # The call to action and the draft are all still there.
    expect(page.locator(".take-part")).to_be_visible()
    expect(page.locator("#draft")).to_contain_text("服务收费标准")
    if javascript:
        shoot(page, artifacts, "04-elder-mode")
    page.goto("/consultations/")
    expect(page.locator("html")).to_have_class("elder")  # remembered
    page.get_by_role("button", name=say("Elder-friendly mode")).click()
    expect(page.locator("html")).not_to_have_class("elder")
    context.close()
