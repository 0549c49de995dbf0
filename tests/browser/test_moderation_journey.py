"""Moderation in Chromium: a citizen flags an abusive comment (htmx swaps a thank-you in
place), a moderator hides it from the queue with a public reason, and the public page
shows the reason, never the text; the flag also works without JavaScript.
Screenshots at 1280 and 390 px go to test-artifacts/."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from consult.accounts.models import User
from consult.db import atomic
from consult.extensions import db
from consult.participation import services as participation
from consult.rounds.services import get_round
from tests.browser.journey import log_in, log_out, shooter
from tests.factories import RoundFactory, UserFactory

ABUSE = "楼上的都是蠢货，闭嘴吧 ABUSE-MARKER-91"
REASON = "含有针对他人的侮辱性言论"


shoot = shooter("moderation-")


def setup(live):
    with live.app.app_context():
        r = RoundFactory()
        author = UserFactory(email="rude@example.org", display_name="赵某")
        calm = UserFactory(email="calm@example.org", display_name="孙女士")
        UserFactory(email="flagger@example.org", display_name="钱先生")
        UserFactory(email="mod@example.org", display_name="审核员", role="moderator")
        round_ = get_round(db.session.get(User, author.id), r.id)
        with atomic():
            fine = participation.post_comment(db.session.get(User, calm.id), round_,
                                              body="建议延长社区食堂的营业时间。")
            rude = participation.post_comment(db.session.get(User, author.id), round_,
                                              body=ABUSE)
        return r.id, rude.id, fine.id


def test_flag_then_hide_from_the_queue(page: Page, live, artifacts):
    zh = live.zh
    round_id, rude_id, _ = setup(live)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live.zh, "flagger@example.org")
    page.goto(f"/rounds/{round_id}/comments")
    box = page.locator(f"#flag-comment-{rude_id}")
    box.locator("summary").click()
    box.get_by_label(zh("Why are you flagging this?")).select_option("abuse")
    box.get_by_label(zh("Anything the moderators should know (optional)")).fill("人身攻击")
    url_before = page.url
    box.get_by_role("button", name=zh("Send to the moderators")).click()
    done = page.locator(f"#flag-comment-{rude_id}")
    expect(done).to_have_text(zh("Flagged, thank you"))
    assert page.url == url_before  # swapped in place, no page load
    shoot(page, artifacts, "01-flagged")
    log_out(page, live.zh)

    log_in(page, live.zh, "mod@example.org")
    page.get_by_role("link", name=zh("Moderation")).first.click()
    card = page.locator(f"#case-comment-{rude_id}")
    expect(card).to_contain_text(ABUSE)  # moderators read what they decide on
    expect(card).to_contain_text(zh("Abuse or harassment"))
    shoot(page, artifacts, "02-queue")
    card.get_by_label(zh("Public reason")).fill(REASON)
    card.get_by_role("button", name=zh("Hide")).click()
    expect(page.get_by_text(zh("Hidden. The author is notified."))).to_be_visible()
    expect(page.locator(f"#case-comment-{rude_id}")).to_have_count(0)
    shoot(page, artifacts, "03-queue-after")
    log_out(page, live.zh)

    page.goto(f"/rounds/{round_id}/comments")
    hidden = page.locator(f"#comment-{rude_id}")
    expect(hidden).to_contain_text(REASON)
    expect(hidden).to_contain_text(zh("Hidden by a moderator"))
    assert "ABUSE-MARKER-91" not in page.content()
    shoot(page, artifacts, "04-public-hidden")

    # The author sees the reason and the way to appeal.
    log_in(page, live.zh, "rude@example.org")
    page.goto(f"/rounds/{round_id}/comments")
    page.locator(f"#comment-{rude_id}").get_by_role("link", name=zh("Appeal")).click()
    page.get_by_label(zh("Why should it be shown again?")).fill("我只是表达不满，请复核。")
    page.get_by_role("button", name=zh("Send the appeal")).click()
    expect(page.get_by_text(zh("Your appeal is sent. A moderator will decide and tell you."))
           ).to_be_visible()
    shoot(page, artifacts, "05-appealed")


def test_flag_without_javascript(browser: Browser, live, artifacts, base_url):
    zh = live.zh
    round_id, _, fine_id = setup(live)
    context = browser.new_context(java_script_enabled=False, base_url=base_url,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    try:
        log_in(page, live.zh, "flagger@example.org")
        page.goto(f"/rounds/{round_id}/comments")
        box = page.locator(f"#flag-comment-{fine_id}")
        box.locator("summary").click()
        box.get_by_role("button", name=zh("Send to the moderators")).click()
        # No reason: the full page comes back with the error beside the field.
        expect(page.get_by_text(zh("Choose why you are flagging this.")).first).to_be_visible()
        page.get_by_label(zh("Why are you flagging this?")).select_option("off_topic")
        page.get_by_role("button", name=zh("Send to the moderators")).click()
        expect(page.get_by_text(zh("Flagged, thank you. A moderator will look at it."))
               ).to_be_visible()
        assert f"/rounds/{round_id}/comments" in page.url
        shoot(page, artifacts, "06-flagged-nojs")
    finally:
        context.close()
