"""The officials' workspace in Chromium (issue 18's "done when"), in zh_CN and English,
with and without JavaScript: an official who has never seen consult logs in and lands on
the workspace, sees the closed round waiting for triage, assigns half of its opinions to
a colleague and the other half to himself, triages his half at once with one reason
inserted from the department's reply template; the colleague finds her half under
"assigned to me" and triages it; the official writes the response, adds a follow-up
action without losing the summary, previews and publishes it, and the public round page
shows it. Bad input (a colleague of another department, another department's template,
ids of two rounds in one bulk action, a publication confirmed twice) gets a clear message
and changes nothing. Only the world is seeded; every step goes through the pages.
Screenshots at 1280 and 390 px go to test-artifacts/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.responses.models import Triage
from consult.workspace.models import Assignment, TemplatePurpose
from tests.browser.journey import LOCALES, Journey, log_out
from tests.factories import (
    PASSWORD,
    ConsultationFactory,
    DepartmentFactory,
    ReplyTemplateFactory,
    RoundFactory,
    UserFactory,
    comment,
    question,
)

pytestmark = pytest.mark.browser

TITLE = "城市绿化条例（征求意见稿）"
REASON = "该意见涉及的事项已由《城市绿化管理办法》规定，本条例不再重复。"
SUMMARY = "感谢市民的意见。我们采纳了增加口袋公园的建议，其余意见已逐条说明理由。"
# Most supported first on the triage page: the supports give the order.
OPINIONS = [("comment", "建议每个街道至少建设一个口袋公园。", 9),
            ("comment", "行道树应当优先选用本地树种。", 8),
            ("question", "古树名木的保护经费由谁承担？", 7),
            ("comment", "绿地率指标应当向社会公开。", 6),
            ("comment", "建议设立市民认养绿地的制度。", 5),
            ("question", "施工占用绿地的补偿标准是什么？", 4),
            ("comment", "屋顶绿化应当给予财政补贴。", 3),
            ("comment", "公园开放时间应当延长到晚上十点。", 2)]
HALF = len(OPINIONS) // 2


@dataclass
class World:
    round_id: int
    other_round_id: int
    wang: str
    li: str
    li_name: str
    stranger_id: int
    foreign_template_id: int


def seed(live) -> World:
    """The world only: a department with two officials, a closed round with comments and
    questions, a second closed round of the same department, the department's reply
    template; another department with its own official and template."""
    with live.app.app_context():
        dept = DepartmentFactory(name="市园林绿化局", name_en="Landscaping Bureau",
                                 slug="green")
        wang = UserFactory(email="wang@example.org", display_name="王科长",
                           role="official", role__department=dept)
        li = UserFactory(email="li@example.org", display_name="李科员",
                         role="official", role__department=dept)
        consultation = ConsultationFactory(department=dept, title=TITLE)
        r = RoundFactory(closed=True, version__consultation=consultation)
        other = RoundFactory(closed=True, version__consultation=ConsultationFactory(
            department=dept, title="古树名木保护办法（征求意见稿）"))
        for kind, body, supports in OPINIONS:
            (comment if kind == "comment" else question)(r, body=body, supports=supports)
        comment(other, body="古树周边应当划定保护范围。")
        elsewhere = DepartmentFactory(name="市交通委", name_en="Transport Commission",
                                      slug="transport")
        stranger = UserFactory(email="zhao@example.org", display_name="赵专员",
                               role="official", role__department=elsewhere)
        ReplyTemplateFactory(department_id=dept.id, purpose=TemplatePurpose.TRIAGE,
                             title="已有规定", body=REASON, created_by_id=wang.id)
        foreign = ReplyTemplateFactory(department_id=elsewhere.id,
                                       purpose=TemplatePurpose.TRIAGE, title="交通另行规定",
                                       body="交通事项由交通部门另行规定。",
                                       created_by_id=stranger.id)
        db.session.commit()
        return World(r.id, other.id, wang.email, li.email, li.display_name, stranger.id,
                     foreign.id)


def row(page: Page, text: str):
    return page.locator(".triage-row", has_text=text)


def tick(page: Page, bodies) -> None:
    for body in bodies:
        row(page, body).locator(".triage-row__check").check()


def open_bulk(page: Page, journey: Journey) -> None:
    details = page.locator("details.bulk-form")
    if details.get_attribute("open") is None:
        details.get_by_text(journey._("Decide for several at once")).click()


def triage_mine(page: Page, journey: Journey, round_id: int, bodies, status: str,
                template: str | None = None) -> None:
    """Show only the opinions assigned to me, tick them all and give them one outcome
    (the reason from ``template`` if given)."""
    _ = journey._
    page.goto(f"/manage/rounds/{round_id}/triage")
    page.get_by_label(_("Assigned to me")).check()
    page.get_by_role("button", name=_("Show")).click()
    expect(page.locator(".triage-row")).to_have_count(len(bodies))
    for body in bodies:
        expect(row(page, body)).to_be_visible()
    open_bulk(page, journey)
    bulk = page.locator("details.bulk-form")
    if template is not None:
        bulk.locator("#bulk-reason-template").select_option(label=template)
        if not journey.javascript:  # the server fills the field in; the ticks come after
            bulk.get_by_role("button", name=_("Insert")).click()
        expect(page.locator("#bulk-reason")).to_have_value(REASON)
    tick(page, bodies)
    page.get_by_label(_("Outcome for all selected")).select_option(status)
    page.get_by_role("button", name=_("Apply to the selected opinions")).click()
    expect(page.get_by_text(journey.n_("%(num)d opinion updated.", "%(num)d opinions updated.",
                                       len(bodies)))).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_an_official_triages_with_a_colleague_and_publishes_the_response(
        browser, live, artifacts, locale, javascript, request):
    world = seed(live)
    journey = Journey(browser, live, artifacts, "workspace", locale, javascript)
    request.addfinalizer(journey.close)
    page, _ = journey.page, journey._
    total = len(OPINIONS)
    bodies = [body for _kind, body, _s in OPINIONS]
    theirs, mine = bodies[:HALF], bodies[HALF:]

    # Logged in, the official lands on the workspace, which the menu links.
    journey.log_in(world.wang, PASSWORD)
    assert page.url.endswith("/manage/"), page.url
    expect(page.get_by_role("heading", name=_("Workspace"), exact=True)).to_be_visible()
    expect(page.locator("nav").get_by_role("link", name=_("Workspace"))).to_be_visible()
    waiting = page.locator("#ws-triage")
    expect(waiting.get_by_role("heading", name=_("Closed rounds to triage"))).to_be_visible()
    item = waiting.locator(".workspace-item", has_text=TITLE)
    expect(item).to_contain_text(_("%(done)d of %(total)d triaged", done=0, total=len(OPINIONS)))
    journey.shoot("workspace")

    # Open the triage: nothing triaged yet.
    item.get_by_role("link", name=_("Triage")).click()
    expect(page.get_by_role("heading", name=_("Triage the opinions"))).to_be_visible()
    progress = page.locator("#triage-progress")
    expect(progress).to_contain_text(_("%(done)d of %(total)d triaged", done=0, total=total))
    journey.shoot("triage")

    # Half to the colleague, the other half to himself.
    open_bulk(page, journey)
    tick(page, theirs)
    page.locator("#bulk-assignee_id").select_option(label=world.li_name)
    page.get_by_role("button", name=_("Assign the selected")).click()
    expect(page.get_by_text(journey.n_("%(num)d opinion assigned.", "%(num)d opinions assigned.",
                                       HALF))).to_be_visible()
    open_bulk(page, journey)
    tick(page, mine)
    page.locator("#bulk-assignee_id").select_option(label="王科长")
    page.get_by_role("button", name=_("Assign the selected")).click()
    expect(page.get_by_text(journey.n_("%(num)d opinion assigned.", "%(num)d opinions assigned.",
                                       total - HALF))).to_be_visible()
    people = page.locator("section[aria-labelledby=people-title]")
    expect(people).to_contain_text(_("%(label)s: %(value)s", label=world.li_name, value=_(
        "%(done)d of %(total)d triaged", done=0, total=HALF)))
    expect(row(page, theirs[0])).to_contain_text(_("Assigned to %(name)s", name=world.li_name))
    expect(row(page, mine[0])).to_contain_text(_("Assigned to %(name)s", name="王科长"))
    journey.shoot("assigned")

    # His half: "assigned to me", one reason from the department's template, in bulk.
    triage_mine(page, journey, world.round_id, mine, "not_adopted", template="已有规定")
    expect(page.locator("#triage-progress")).to_contain_text(
        _("%(done)d of %(total)d triaged", done=total - HALF, total=total))
    expect(people).to_contain_text(_("%(label)s: %(value)s", label="王科长", value=_(
        "%(done)d of %(total)d triaged", done=total - HALF, total=total - HALF)))
    expect(row(page, mine[0]).locator(".triage-row__meta")).to_contain_text(_("Not adopted"))
    journey.shoot("triaged-mine")

    # The colleague finds her half waiting for her and triages it.
    log_out(page, _)
    journey.log_in(world.li, PASSWORD)
    page.get_by_role("link", name=_("Assigned to me (%(num)d)", num=HALF)).click()
    for body in theirs:
        expect(page.locator("main")).to_contain_text(body)
    triage_mine(page, journey, world.round_id, theirs, "adopted")
    expect(page.locator("#triage-progress")).to_contain_text(
        _("%(done)d of %(total)d triaged", done=total, total=total))
    log_out(page, _)

    # The response: the summary survives adding a follow-up action.
    journey.log_in(world.wang, PASSWORD)
    page.goto(f"/manage/rounds/{world.round_id}/response")
    page.get_by_label(_("Summary")).fill(SUMMARY)
    page.get_by_label(_("What will be done")).fill("年内新建二十个口袋公园")
    page.get_by_label(_("Responsible unit")).fill("公园管理处")
    page.get_by_label(_("Due date")).fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name=_("Add the action")).click()
    expect(page.get_by_text(_("Follow-up action added to the draft."))).to_be_visible()
    expect(page.get_by_label(_("Summary"))).to_have_value(SUMMARY)
    expect(page.locator("#actions")).to_contain_text("年内新建二十个口袋公园")
    journey.shoot("response-draft")

    # Preview, then confirm.
    page.get_by_role("link", name=_("Preview and publish")).click()
    expect(page.get_by_role("heading", name=_("Check and publish the response"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(SUMMARY)
    expect(page.locator("main")).to_contain_text("年内新建二十个口袋公园")
    journey.shoot("preview")
    page.get_by_role("button", name=_("Publish the response")).click()
    expect(page.get_by_text(_("The response is published. Participants and followers are "
                              "told, and the satisfaction survey is open."))).to_be_visible()

    # The public round page shows it, to a visitor too.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    page.goto(f"/rounds/{world.round_id}")
    page.get_by_role("link", name=_("Response"), exact=True).click()
    expect(page.locator("main")).to_contain_text(SUMMARY)
    expect(page.locator("main")).to_contain_text("年内新建二十个口袋公园")
    journey.shoot("public")


def csrf_token(page: Page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


@pytest.mark.parametrize("locale", list(LOCALES))
def test_bad_input_gets_a_clear_message_and_changes_nothing(
        browser, live, artifacts, locale, request):
    world = seed(live)
    journey = Journey(browser, live, artifacts, "workspace-refusals", locale)
    request.addfinalizer(journey.close)
    page, _ = journey.page, journey._
    journey.log_in(world.wang, PASSWORD)
    page.goto(f"/manage/rounds/{world.other_round_id}/triage")  # its triage starts
    foreign_row = page.locator(".triage-row__check").first.get_attribute("value")
    page.goto(f"/manage/rounds/{world.round_id}/triage")
    ids = [c.get_attribute("value") for c in page.locator(".triage-row__check").all()]
    assert len(ids) == len(OPINIONS)
    token = csrf_token(page)
    post = page.request.post

    def assignments() -> int:
        with live.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Assignment))

    # An official of another department cannot be assigned (he is not even offered).
    assert page.locator("#bulk-assignee_id option", has_text="赵专员").count() == 0
    answer = post(f"/manage/rounds/{world.round_id}/assign", form={
        "csrf_token": token, "bulk-ids": ids[0], "bulk-assignee_id": str(world.stranger_id),
        "next": f"/manage/rounds/{world.round_id}/triage"})
    assert answer.status == 422
    assert _("Only an official of the department that owns the opinion can be assigned "
             "to it.") in answer.text()
    assert assignments() == 0

    # Another department's template is never inserted.
    shown = page.goto(f"/manage/rounds/{world.round_id}/triage"
                      f"?template={world.foreign_template_id}")
    assert shown.status == 404
    expect(page.locator("main")).to_contain_text(
        _("There is no such reply template for this department."))
    expect(page.locator("main")).not_to_contain_text("交通事项由交通部门另行规定。")

    # One bulk action with opinions of two rounds: refused, nothing changed.
    mixed = f"{ids[0]}&bulk-ids={foreign_row}"
    answer = post(f"/manage/rounds/{world.round_id}/triage/bulk",
                  headers={"Content-Type": "application/x-www-form-urlencoded"},
                  data=f"csrf_token={token}&bulk-ids={mixed}&bulk-status=adopted")
    assert answer.status == 422
    assert _("Some selected opinions are not part of this round.") in answer.text()
    answer = post(f"/manage/rounds/{world.round_id}/assign",
                  headers={"Content-Type": "application/x-www-form-urlencoded"},
                  data=f"csrf_token={token}&bulk-ids={mixed}&bulk-assignee_id=")
    assert answer.status == 422
    assert _("Some of the ticked opinions are not opinions of this round. Nothing was "
             "changed.") in answer.text()
    with live.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Triage).where(
            Triage.status.is_not(None))) == 0
    assert assignments() == 0

    # Everything triaged and a summary written, the confirmation is posted twice (a
    # double click, a replayed request): one publication, the second is a 409.
    page.goto(f"/manage/rounds/{world.round_id}/triage")
    open_bulk(page, journey)
    for check in page.locator(".triage-row__check").all():
        check.check()
    page.get_by_label(_("Outcome for all selected")).select_option("adopted")
    page.get_by_role("button", name=_("Apply to the selected opinions")).click()
    expect(page.locator("#triage-progress")).to_contain_text(
        _("%(done)d of %(total)d triaged", done=len(OPINIONS), total=len(OPINIONS)))
    page.goto(f"/manage/rounds/{world.round_id}/response")
    page.get_by_label(_("Summary")).fill(SUMMARY)
    page.get_by_role("button", name=_("Save the draft")).click()
    page.get_by_role("link", name=_("Preview and publish")).click()
    seen = page.locator("#p-seen").get_attribute("value")
    confirmation = {"csrf_token": csrf_token(page), "p-seen": seen}
    url = f"/manage/rounds/{world.round_id}/response/publish"
    first = post(url, form=confirmation, max_redirects=0)
    assert first.status == 303
    again = post(url, form=confirmation, max_redirects=0)
    assert again.status == 409
    assert _("The response to this round has already been published.") in again.text()
    page.goto(url)  # the preview of a published response leads to the response itself
    expect(page.locator("main")).to_contain_text(SUMMARY)
    with live.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "response.published")) == 1
