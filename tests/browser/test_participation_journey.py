"""Commenting, replying, supporting and asking in Chromium, with and without JavaScript.

A citizen comments on a clause with new wording, another supports and replies (htmx
swaps in place, the aria-live region announces); the same without JavaScript works
as form posts and redirects; an official answers a question and sees the inbox.
Screenshots at 1280 and 390 px go to test-artifacts/.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from consult.accounts.models import Department
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.participation.models import Comment, CommentSupport
from tests.browser.journey import log_in, log_out, shooter
from tests.factories import DraftVersionFactory, RoundFactory, UserFactory

CLAUSES = ["社区养老服务机构应当提供日间照料服务。",
           "服务收费标准由区民政部门会同发展改革部门制定。",
           "街道办事处负责监督本辖区的社区养老服务。"]


shoot = shooter("participation-")


def setup(live):
    with live.app.app_context():
        r = RoundFactory(version=DraftVersionFactory(clauses=CLAUSES))
        department = db.session.get(
            Department, db.session.get(Consultation, r.consultation_id).department_id)
        people = {
            "mei": UserFactory(email="mei@example.org", display_name="王小梅"),
            "li": UserFactory(email="li@example.org", display_name="李建华"),
            "official": UserFactory(email="wang@example.org", display_name="王科长",
                                    role="official", role__department=department),
        }
        return r.id, {k: u.email for k, u in people.items()}


def test_comment_reply_support_with_javascript(page: Page, live, artifacts):
    zh = live.zh
    round_id, emails = setup(live)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/rounds/{round_id}/comments")
    expect(page.get_by_text(zh("No comments yet."))).to_be_visible()
    shoot(page, artifacts, "01-empty-visitor")

    log_in(page, live.zh, emails["mei"])
    page.goto(f"/rounds/{round_id}/comments")
    page.get_by_label(zh("Which part is your comment about?")).select_option(label="第2条 条款2")
    page.get_by_label(zh("Your comment"), exact=True).fill(
        "收费标准应当公开，见 https://example.org/fees 。<b>不是粗体</b>")
    page.get_by_text(zh("Propose new wording for the clause")).click()
    page.get_by_label(zh("Proposed wording for the clause (optional)")).fill(
        "服务收费标准由区民政部门会同发展改革部门制定，并向社会公开。")
    url_before = page.url
    page.get_by_role("button", name=zh("Post comment")).click()
    # htmx: inserted in place, the form cleared, the result announced; no page load.
    comment = page.locator("#comment-list > li").first
    expect(comment).to_contain_text("收费标准应当公开")
    expect(comment.locator("a[rel='nofollow ugc noopener']")).to_have_attribute(
        "href", "https://example.org/fees")
    expect(comment).to_contain_text("<b>不是粗体</b>")
    expect(comment.locator(".proposal__diff ins")).to_contain_text("并向社会公开")
    expect(page.get_by_label(zh("Your comment"), exact=True)).to_have_value("")
    expect(page.locator("#live")).to_have_text(zh("Your comment was posted."))
    assert page.url == url_before
    shoot(page, artifacts, "02-posted-js")
    log_out(page, live.zh)

    log_in(page, live.zh, emails["li"])
    page.goto(f"/rounds/{round_id}/comments")
    button = page.locator("#comment-list .support-button").first
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    button = page.locator("#comment-list .support-button").first
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".support-button__count")).to_have_text("1")
    expect(page.locator("#live")).to_have_text(zh("You support this comment."))
    expect(button).to_be_focused()
    # Reply in place.
    page.locator("#comment-list .comment__action", has_text=zh("Reply")).first.click()
    reply_box = page.locator("textarea[id^='reply-body-']")
    expect(reply_box).to_be_focused()
    reply_box.fill("同意，建议在社区公告栏也公示。")
    page.get_by_role("button", name=zh("Post reply")).click()
    expect(page.locator("ol.replies").first).to_contain_text("同意，建议在社区公告栏也公示。")
    expect(page.locator("#live")).to_have_text(zh("Your reply was posted."))
    shoot(page, artifacts, "03-supported-replied-js")
    # Errors swap in place too: an empty comment is refused beside the field.
    page.get_by_role("button", name=zh("Post comment")).click()
    expect(page.locator("#body-error")).to_contain_text(
        zh("Write your comment before you send it."))
    shoot(page, artifacts, "04-error-js")
    with live.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 2
        assert db.session.scalar(select(func.count()).select_from(CommentSupport)) == 1


def test_comment_reply_support_without_javascript(new_context, live, artifacts):
    zh = live.zh
    round_id, emails = setup(live)
    context = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live.zh, emails["mei"])
    page.goto(f"/rounds/{round_id}/comments")
    page.get_by_label(zh("Your comment"), exact=True).fill("没有脚本也能发表意见。")
    page.get_by_role("button", name=zh("Post comment")).click()
    expect(page.get_by_text(zh("Your comment was posted."))).to_be_visible()
    expect(page.locator("#comment-list")).to_contain_text("没有脚本也能发表意见。")
    log_out(page, live.zh)

    log_in(page, live.zh, emails["li"])
    page.goto(f"/rounds/{round_id}/comments")
    page.locator("#comment-list .support-button").first.click()
    expect(page.get_by_text(zh("You support this comment."))).to_be_visible()
    expect(page.locator("#comment-list .support-button").first).to_have_attribute(
        "aria-pressed", "true")
    page.locator("#comment-list .comment__action", has_text=zh("Reply")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Reply to a comment"))
    page.locator("textarea[id^='reply-body-']").fill("无脚本回复。")
    page.get_by_role("button", name=zh("Post reply")).click()
    expect(page.get_by_text(zh("Your reply was posted."))).to_be_visible()
    expect(page.locator("ol.replies").first).to_contain_text("无脚本回复。")
    shoot(page, artifacts, "05-nojs")
    # Sorting and the clause filter are plain GET forms.
    page.get_by_label(zh("Sort by")).select_option("supported")
    page.get_by_role("button", name=zh("Show"), exact=True).click()
    assert "sort=supported" in page.url
    context.close()


def test_question_answered_by_the_official(page: Page, live, artifacts):
    zh = live.zh
    round_id, emails = setup(live)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live.zh, emails["mei"])
    page.goto(f"/rounds/{round_id}/questions")
    page.get_by_label(zh("Your question to the department")).fill("补贴从什么时候开始发放？")
    page.get_by_role("button", name=zh("Send question")).click()
    expect(page.locator("#question-list")).to_contain_text("补贴从什么时候开始发放？")
    expect(page.locator("#live")).to_have_text(zh("Your question was sent to the department."))
    log_out(page, live.zh)

    log_in(page, live.zh, emails["official"])
    page.goto("/manage/questions")
    expect(page.locator(".inbox-item")).to_contain_text("补贴从什么时候开始发放？")
    shoot(page, artifacts, "06-inbox-official")
    page.goto(f"/rounds/{round_id}/questions")
    page.get_by_text(zh("Answer this question")).click()
    page.locator("textarea[id^='answer-body-']").fill("预计明年一月起按月发放。")
    page.get_by_role("button", name=zh("Publish answer")).click()
    expect(page.locator(".answer")).to_contain_text("预计明年一月起按月发放。")
    expect(page.locator("#live")).to_have_text(zh("Your answer is published."))
    shoot(page, artifacts, "07-answered-official")
