"""Bulk answers of agenda suggestions in Chromium, in Chinese and English, with and
without JavaScript: the department's official ticks two suggestions awaiting an answer,
inserts a reply template, chooses "not taken up", first forgets the text (the message
beside the field, the boxes still ticked), previews what the public will see and
confirms; both suggestions then show the answer. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.journey import Journey
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    ReplyTemplateFactory,
    UserFactory,
    make_suggestion,
)

pytestmark = pytest.mark.browser

REASON = "现行《养老服务条例》已有规定，暂不另行立法。"


@pytest.mark.parametrize(("locale", "javascript"),
                         [("zh_CN", True), ("en", True), ("zh_CN", False)])
def test_answer_two_suggestions_at_once(browser, live, artifacts, locale, javascript):
    with live.app.app_context():
        dept = DepartmentFactory(name="市民政局", name_en="Civil Affairs Bureau", slug="civil")
        official = UserFactory(role="official", role__department=dept)
        chosen = [make_suggestion(UserFactory(), dept, title=title) for title in
                  ("社区老年食堂太少", "老旧小区加装电梯审批太慢", "公园夜间照明不足")]
        ReplyTemplateFactory(department_id=dept.id, purpose="suggestion", title="已有规定",
                             body=REASON, created_by_id=official.id)
        ids = [s.id for s in chosen]
        email = official.email
    journey = Journey(browser, live, artifacts, "suggestion-bulk", locale, javascript)
    page, _ = journey.page, journey._
    try:
        journey.log_in(email, PASSWORD)
        page.goto("/manage/suggestions")
        page.get_by_text(_("Answer several at once")).click()
        page.check(f"#pick-s{ids[0]}")
        page.check(f"#pick-s{ids[1]}")
        page.get_by_label(_("Not taken up")).check()
        page.get_by_role("button", name=_("Preview the answers")).click()
        # the text was forgotten: the message beside the field, the ticks kept
        expect(page.locator("#many-body-error")).to_contain_text(
            _("Write the answer before you publish it."))
        expect(page.locator(f"#pick-s{ids[0]}")).to_be_checked()
        expect(page.locator(f"#pick-s{ids[2]}")).not_to_be_checked()
        journey.shoot("text-missing")
        if javascript:  # the template fills the field at once; ticks stay
            page.select_option("#many-body-template", label="已有规定")
            expect(page.locator("#many-body")).to_have_value(REASON)
        else:  # without JavaScript the page comes back with the text (ticks again)
            page.select_option("#many-body-template", label="已有规定")
            page.get_by_role("button", name=_("Insert")).click()
            expect(page.locator("#many-body")).to_have_value(REASON)
            page.check(f"#pick-s{ids[0]}")
            page.check(f"#pick-s{ids[1]}")
            page.get_by_label(_("Not taken up")).check()
        page.get_by_role("button", name=_("Preview the answers")).click()
        expect(page.get_by_role("heading", name=_("What the public will see"))).to_be_visible()
        expect(page.locator("main")).to_contain_text("社区老年食堂太少")
        expect(page.locator("main")).not_to_contain_text("公园夜间照明不足")
        journey.shoot("preview")
        action = journey.n_("publish %(num)d answer", "publish %(num)d answers", 2)
        page.get_by_role("button", name=_("Yes: %(action)s", action=action)).click()
        expect(page.get_by_text(journey.n_(
            "%(num)d answer published. Each author and supporter is notified.",
            "%(num)d answers published. Each author and supporter is notified.", 2))
        ).to_be_visible()
        journey.shoot("published")
        page.goto(f"/suggestions/{ids[1]}")
        expect(page.locator("main")).to_contain_text(REASON)
        expect(page.locator("main")).to_contain_text(_("Not taken up"))
        journey.shoot("suggestion-answered")
    finally:
        journey.close()
