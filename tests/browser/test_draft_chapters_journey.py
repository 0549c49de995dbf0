"""A draft with chapters in Chromium, zh_CN and English, at 1280 and 390 px: the contents
nest chapters and sections that fold (with and without JavaScript), a clause opened by
its permalink says where it stands, and the diff shows a renumbered clause and one that
changed chapter as whole labels in one badge style."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import test_journeys_official as official_journey
from tests.browser.test_journeys_official import LOCALES, Journey
from tests.factories import chaptered_draft, rechaptered_version

journey_page = official_journey.journey_page  # zh_CN and English

def two_versions() -> tuple[int, int]:
    """Version 2 puts a new clause first (every clause renumbered) and moves 第二条 into
    the second chapter. Returns the consultation's id and the moved clause's lineage."""
    c, official = chaptered_draft()
    return c.id, rechaptered_version(c, official)


def test_chapters_on_the_page_and_in_the_diff(journey_page, live, artifacts, browser):
    locale, page = journey_page
    with live.app.app_context():
        consultation_id, lineage = two_versions()
    j = Journey(live, page, locale, artifacts, "chapters")
    _ = j._

    page.goto(f"/consultations/{consultation_id}")
    toc = page.locator("details.toc")
    chapter = toc.locator("details.toc__group--chapter").nth(1)
    expect(chapter.locator("summary .toc__title")).to_have_text("第二章 服务")
    expect(chapter.get_by_text("第一节 基本服务")).to_be_visible()
    first_clause = chapter.locator(".toc__list a").first
    expect(first_clause).to_be_visible()
    # the chapter folds: clicking its summary hides its clauses
    chapter.locator("> summary").click()
    expect(first_clause).to_be_hidden()
    chapter.locator("> summary").click()
    expect(first_clause).to_be_visible()
    expect(page.locator(".draft-chapter")).to_have_text(["第一章 总则", "第二章 服务"])
    j.shoot("contents")

    # the permalink of the clause now in chapter two, section one
    page.goto(f"/consultations/{consultation_id}#clause-{lineage}")
    clause = page.locator(f"#clause-{lineage}")
    expect(clause.locator(".clause__place")).to_have_text("第二章 服务 · 第一节 基本服务")
    expect(page.locator(".clause__place:visible")).to_have_count(1)  # only the target's
    j.shoot("permalink")

    # the diff: whole labels in one badge style
    page.goto(f"/consultations/{consultation_id}/diff?from=1&to=2")
    row = page.locator(f"#clause-{lineage}")
    renumbered = row.locator('.diff-badge[data-change="renumbered"]')
    expect(renumbered).to_contain_text("第二条")
    expect(renumbered).to_contain_text("第三条")
    expect(renumbered.locator(".diff-badge__label")).to_have_text(_("Renumbered"))
    regrouped = row.locator('.diff-badge[data-change="regrouped"]')
    expect(regrouped.locator(".diff-badge__to")).to_have_text("第二章 服务 · 第一节 基本服务")
    expect(regrouped.locator(".diff-badge__label")).to_have_text(_("Chapter changed"))
    expect(row.locator(".clause__number ins, .clause__number del")).to_have_count(0)
    styles = page.locator(".diff-badge").evaluate_all(
        "els => [...new Set(els.map(e => getComputedStyle(e).backgroundColor))]")
    assert len(styles) == 1, styles
    j.shoot("diff")

    # without JavaScript the chapters fold all the same
    context = browser.new_context(base_url=live.url, locale=LOCALES[locale],
                                  java_script_enabled=False)
    context.add_cookies([{"name": "locale", "value": locale, "url": live.url}])
    plain = context.new_page()
    plain.goto(f"/consultations/{consultation_id}")
    chapter = plain.locator("details.toc__group--chapter").first
    link = chapter.locator(".toc__list a").first
    expect(link).to_be_visible()
    chapter.locator("> summary").click()
    expect(link).to_be_hidden()
    context.close()
