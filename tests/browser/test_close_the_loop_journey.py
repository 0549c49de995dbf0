"""Closing the loop in Chromium (journey 3, in zh_CN and English): an official closes
the round, triages every opinion (htmx swaps the row and the progress; the bulk form and
themes), writes and publishes the response; the public sees the statistics, and each
opinion's outcome with a link straight to the changed clause in the diff. The same
triage and publication work without JavaScript. Screenshots at 1280 and 390 px go to
test-artifacts/.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.models import Department
from consult.consultations.models import Clause, Consultation
from consult.extensions import db
from consult.notifications.models import Notification
from consult.responses.models import RoundResponse
from consult.rounds import participants
from tests.browser.journey import LOCALES, Journey, log_in, shooter
from tests.factories import (
    DraftVersionFactory,
    RoundFactory,
    UserFactory,
    comment,
    question,
)

CLAUSES = ["社区养老服务机构应当提供日间照料服务。",
           "服务收费标准由区民政部门会同发展改革部门制定。",
           "街道办事处负责监督本辖区的社区养老服务。"]


shoot = shooter("responses-")


def setup(live):
    with live.app.app_context():
        r = RoundFactory(version=DraftVersionFactory(clauses=CLAUSES))
        consultation = db.session.get(Consultation, r.consultation_id)
        DraftVersionFactory(consultation=consultation, clauses=CLAUSES)  # version 2 answers it
        department = db.session.get(Department, consultation.department_id)
        official = UserFactory(email="wang@example.org", display_name="王科长",
                               role="official", role__department=department)
        mei = UserFactory(email="mei@example.org", display_name="王小梅")
        li = UserFactory(email="li@example.org", display_name="李建华")
        clause = db.session.scalar(select(Clause).where(Clause.version_id == r.version_id,
                                                        Clause.position == 2))
        comment(r, mei, clause_id=clause.id, supports=3, body="收费标准应当向社会公开。",
                proposed="服务收费标准由区民政部门会同发展改革部门制定，并向社会公开。")
        comment(r, li, body="建议把养老服务纳入社区网格化管理。", supports=1)
        question(r, mei, body="日间照料服务什么时候开始？")
        for user in (mei, li):
            participants.mark(r.id, user.id)
        db.session.commit()
        return r.id, r.consultation_id, clause.lineage_id, official.email, mei.id


def close_round(page: Page, _, round_id: int) -> None:
    page.goto(f"/manage/rounds/{round_id}")
    page.get_by_label(_("Why is the round closing early?")).fill("意见已经充分，提前结束。")
    page.get_by_role("button", name=_("Close the round now")).click()
    page.get_by_role("button", name=_("Yes: %(action)s",
                                      action=_("Close the round now"))).click()
    expect(page.get_by_text(_("The round is closed. The reason is shown on its public page."))
           ).to_be_visible()


def row(page: Page, text: str):
    return page.locator(".triage-row", has_text=text)


@pytest.mark.parametrize("locale", list(LOCALES))
def test_official_closes_triages_publishes_and_the_public_sees_it(
        browser, live, artifacts, locale, request):
    round_id, consultation_id, lineage, official, mei_id = setup(live)
    journey = Journey(browser, live, artifacts, "close-the-loop", locale)
    request.addfinalizer(journey.close)
    _, page = journey._, journey.page
    log_in(page, _, official)
    close_round(page, _, round_id)

    page.goto(f"/manage/rounds/{round_id}/triage")
    progress = page.locator("#triage-progress")
    expect(progress).to_contain_text(_("%(done)d of %(total)d triaged", done=0, total=3))
    journey.shoot("triage-start")

    # One row with htmx: adopted, the changed clause defaults to the comment's clause.
    first = row(page, "收费标准应当向社会公开。")
    first.get_by_label(_("Outcome")).select_option("adopted")
    url = page.url
    first.get_by_role("button", name=_("Save decision")).click()
    expect(progress).to_contain_text(_("%(done)d of %(total)d triaged", done=1, total=3))
    expect(page.locator("#live")).to_have_text(_("Saved: %(status)s.", status=_("Adopted")))
    assert page.url == url

    # Not adopted without a reason: the message appears beside the field, in place.
    second = row(page, "网格化管理")
    second.get_by_label(_("Outcome")).select_option("not_adopted")
    second.get_by_role("button", name=_("Save decision")).click()
    expect(row(page, "网格化管理").locator(".field__error")).to_contain_text(
        _("Say why this opinion is not adopted; the reason is shown publicly."))
    journey.shoot("triage-error")
    second = row(page, "网格化管理")
    second.get_by_label(_("Reason, shown publicly (required if not adopted)")).fill(
        "网格化管理由另一部门的办法规定，本办法不作调整。")
    second.get_by_role("button", name=_("Save decision")).click()
    expect(progress).to_contain_text(_("%(done)d of %(total)d triaged", done=2, total=3))

    # A theme, then the bulk form for the rest (a plain form: the page reloads).
    page.get_by_label(_("Theme name")).fill("服务时间")
    page.get_by_role("button", name=_("Add theme")).click()
    expect(page.get_by_text(_("Theme “%(name)s” created.", name="服务时间"))).to_be_visible()
    page.get_by_text(_("Decide for several at once")).click()
    row(page, "日间照料服务什么时候开始").locator(".triage-row__check").check()
    page.get_by_label(_("Outcome for all selected")).select_option("partly_adopted")
    page.get_by_label(_("Theme for all selected")).select_option(label="服务时间")
    page.get_by_role("button", name=_("Apply to the selected opinions")).click()
    expect(page.locator("#triage-progress")).to_contain_text(
        _("%(done)d of %(total)d triaged", done=3, total=3))
    journey.shoot("triage-done")

    # The response: draft, a follow-up action, publish.
    page.get_by_role("link", name=_("2. Write and publish the response")).click()
    page.get_by_label(_("Summary")).fill("感谢大家的意见。我们采纳了公开收费标准的建议。")
    page.get_by_label(_("Version that answers this round")).select_option("2")
    page.locator("textarea[name^='reply-']").fill("服务时间将在实施细则中明确。")
    page.get_by_role("button", name=_("Save the draft")).click()
    expect(page.get_by_text(_("The draft response is saved. Nothing is public until you "
                               "publish it."))).to_be_visible()
    page.get_by_label(_("What will be done")).fill("在区政府网站公布收费标准")
    page.get_by_label(_("Responsible unit")).fill("养老服务处")
    page.get_by_label(_("Due date")).fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name=_("Add the action")).click()
    expect(page.get_by_text(_("Follow-up action added to the draft."))).to_be_visible()
    journey.shoot("response-draft")
    page.get_by_role("link", name=_("Preview and publish")).click()
    expect(page.get_by_role("heading", name=_("Check and publish the response"))).to_be_visible()
    expect(page.locator(".publish-preview")).to_contain_text("在区政府网站公布收费标准")
    journey.shoot("response-preview")
    page.get_by_role("button", name=_("Publish the response")).click()
    expect(page.get_by_role("heading", name=_("The department's response"))).to_be_visible()

    # The public side, as a visitor.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "locale", "value": journey.locale,
                               "url": journey.live.url}])
    page.goto(f"/rounds/{round_id}/response")
    stats = page.locator(".response-stats")
    expect(stats).to_contain_text(_("%(percent)d%% · %(part)d / %(total)d",
                                     percent=67, part=2, total=3))
    expect(page.locator(".theme-reply")).to_contain_text("服务时间将在实施细则中明确。")
    expect(page.locator(".action-item")).to_contain_text("在区政府网站公布收费标准")
    compare = page.get_by_role("link", name=_(
        "Compare version %(old)d with version %(new)d, clause by clause", old=1, new=2))
    expect(compare).to_have_attribute("href", f"/consultations/{consultation_id}/diff?from=1&to=2")
    journey.shoot("public-response")

    page.goto(f"/rounds/{round_id}/comments")
    badge = page.locator(".adoption-badge--adopted")
    expect(badge).to_contain_text(_("Adopted"))
    link = badge.get_by_role("link", name=_("See the change in the draft"))
    expect(link).to_have_attribute(
        "href", f"/consultations/{consultation_id}/diff?from=1&to=2#clause-{lineage}")
    expect(page.locator(".adoption-badge--not_adopted")).to_contain_text(
        "网格化管理由另一部门的办法规定")
    journey.shoot("comments-with-outcomes")
    link.click()
    expect(page.locator(f"#clause-{lineage}")).to_be_attached()

    with live.app.app_context():
        response = db.session.scalar(select(RoundResponse).where(RoundResponse.round_id == round_id))
        assert response.published_at is not None
        assert response.frozen_stats["totals"]["adopted_or_partly"] == 2
        # Mei took part: she hears of the response once, through the survey invitation
        # (which links to the response and the survey), not twice.
        kinds = set(db.session.scalars(select(Notification.kind).where(
            Notification.user_id == mei_id)))
        assert "survey_invitation" in kinds and "response_published" not in kinds


def test_triage_and_publish_without_javascript(new_context, live, artifacts):
    zh = live.zh
    round_id, _consultation_id, _lineage, official, _mei = setup(live)
    context = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, zh, official)
    close_round(page, zh, round_id)
    page.goto(f"/manage/rounds/{round_id}/response")
    page.get_by_label(zh("Summary")).fill("答复摘要。")
    page.get_by_role("button", name=zh("Save the draft")).click()
    page.get_by_role("link", name=zh("Preview and publish")).click()
    with live.app.app_context(), force_locale("zh_CN"):
        left = ngettext("%(num)d opinion is not triaged yet. Every opinion needs an outcome "
                        "before the response can be published.",
                        "%(num)d opinions are not triaged yet. Every opinion needs an outcome "
                        "before the response can be published.", 3)
    expect(page.locator(".notice--error")).to_contain_text(left)
    expect(page.get_by_role("button", name=zh("Publish the response"))).to_have_count(0)
    for text in ("收费标准应当向社会公开。", "网格化管理", "日间照料服务什么时候开始"):
        page.goto(f"/manage/rounds/{round_id}/triage")
        target = row(page, text)
        target.get_by_label(zh("Outcome")).select_option("out_of_scope")
        target.get_by_role("button", name=zh("Save decision")).click()
        expect(page.get_by_text(zh("Saved: %(status)s.", status=zh("Out of scope")))
               ).to_be_visible()
    expect(page.locator("#triage-progress")).to_contain_text(
        zh("%(done)d of %(total)d triaged", done=3, total=3))
    shoot(page, artifacts, "07-triage-nojs")
    page.goto(f"/manage/rounds/{round_id}/response")
    page.get_by_role("link", name=zh("Preview and publish")).click()
    shoot(page, artifacts, "08-publish-preview-nojs")
    page.get_by_role("button", name=zh("Publish the response")).click()
    expect(page.locator(".response-stats")).to_contain_text(
        zh("%(percent)d%% · %(part)d / %(total)d", percent=100, part=3, total=3))
    context.close()
