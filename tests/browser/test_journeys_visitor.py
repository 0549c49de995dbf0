"""Journey 7, in zh_CN and English, with and without JavaScript: a visitor who never
logs in browses the consultations, searches in Chinese, opens a consultation, compares
its versions, and reads a department's published record and the accountability
page. Runs on the demo data (``consult.seed.seed``, through the services).
Screenshots at 1280 and 390 px go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import func, select

from consult.consultations.models import Consultation, DraftVersion
from consult.extensions import db
from consult.seed import seed
from tests.browser.journey import LOCALES
from tests.browser.journey import shoot as shoot_page


@pytest.fixture(scope="module")
def demo(live_server):
    live_server.clear()
    with live_server.app.app_context():
        seed()
        # A published consultation about elderly care with at least two versions.
        title = db.session.scalar(
            select(Consultation.title).join(DraftVersion)
            .where(Consultation.published_at.is_not(None), Consultation.title.contains("养老"))
            .group_by(Consultation.id, Consultation.title).having(func.count() >= 2).limit(1))
        assert title, "the demo data has no elderly-care consultation with two versions"
    yield title
    live_server.clear()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_visitor_browses_searches_compares_and_reads_the_record(
        browser, live_server, demo, artifacts, locale, javascript):
    def _(message, **values):
        with live_server.app.app_context(), force_locale(locale):
            return gettext(message, **values)

    context = browser.new_context(base_url=live_server.url, locale=LOCALES[locale],
                                  timezone_id="Asia/Shanghai", java_script_enabled=javascript,
                                  viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "locale", "value": locale, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    step = 0

    def shoot(what):
        nonlocal step
        step += 1
        if not javascript:  # the same pages; keep the suite fast
            return
        shoot_page(page, artifacts, f"journey-visitor-{locale}-{'js' if javascript else 'nojs'}-"
                                    f"{step:02d}-{what}")

    try:
        page.goto("/")
        expect(page.get_by_role("button", name=_("Log out"))).to_have_count(0)
        shoot("home")
        page.get_by_role("navigation").get_by_role(
            "link", name=_("Consultations"), exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

        # Search in Chinese: the results name the elderly-care consultation only.
        search = page.get_by_role("search")
        search.get_by_label(_("Search in titles and summaries")).fill("养老")
        search.get_by_label(_("Search in titles and summaries")).press("Enter")
        result = page.get_by_role("link", name=demo)
        expect(result).to_be_visible()
        expect(page.get_by_role("link", name="公共交通票价调整方案")).to_have_count(0)
        shoot("search")

        # The consultation, then what changed between its versions.
        result.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(demo)
        page.get_by_role("link", name=_("See what changed")).first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert _("Compare versions") in page.title() or demo in page.title()
        changes = page.locator("ins, del")
        assert changes.count() > 0, "the diff shows no insertion or deletion"
        shoot("diff")

        # A department's published record, then the accountability page.
        page.goto("/consultations/")
        page.get_by_role("link", name=demo).click()
        department = page.get_by_role("link", name="市民政局" if locale == "zh_CN"
                                      else "Civil Affairs Bureau").first
        department.click()
        expect(page.get_by_role("heading", name=_("Record"))).to_be_visible()
        shoot("department")
        page.get_by_role("navigation").get_by_role(
            "link", name=_("Accountability"), exact=True).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(_("Accountability"))
        shoot("accountability")
    finally:
        context.close()
