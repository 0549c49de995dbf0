"""axe-core on every page type, both languages, every role that sees the page.

The live server is filled with the demo data (``consult.seed.seed``, through the
services), so each page shows real content: lists, threads, results, responses.
axe-core comes from the npm registry (devDependency in package.json, installed by
scripts/install-browser) and is injected into each page (an init script); a page fails on any
serious or critical violation. The same visit checks that the page has a non-empty
<title> that names where you are (its <h1>, or the h1 is part of the title).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import func, select

from consult.accounts.models import Department
from consult.consultations.models import Consultation, DraftVersion
from consult.extensions import db
from consult.rounds.models import Round, RoundKind
from consult.seed import DEMO_PASSWORD, seed
from consult.suggestions.models import Suggestion, Visibility
from tests.browser.journey import LOCALES

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def demo(live_server):
    """The demo data and the URL of one page of every type, per role."""
    if not AXE.exists():
        pytest.fail("axe-core missing: run scripts/install-browser (npm ci)")
    live_server.clear()
    with live_server.app.app_context():
        seed()
        urls = _page_urls()
    yield urls
    live_server.clear()


def _first(stmt):
    value = db.session.scalar(stmt.limit(1))
    assert value is not None, f"the demo data has nothing for {stmt}"
    return value


def _page_urls() -> dict[str, list[str]]:
    multi = _first(select(DraftVersion.consultation_id).group_by(DraftVersion.consultation_id)
                   .having(func.count() >= 2).order_by(DraftVersion.consultation_id))
    talk = _first(select(Round.id).where(Round.kind.in_([RoundKind.COMMENTS, RoundKind.BOTH]))
                  .order_by(Round.comment_count.desc(), Round.id))
    asked = _first(select(Round.id).order_by(Round.question_count.desc(), Round.id))
    vote = _first(select(Round.id).where(Round.kind.in_([RoundKind.VOTE, RoundKind.BOTH]))
                  .order_by(Round.ballot_count.desc(), Round.id))
    responded = _first(select(Round.id).where(Round.response_published_at.is_not(None))
                       .order_by(Round.id))
    open_vote = db.session.scalar(
        select(Round.id).where(Round.kind.in_([RoundKind.VOTE, RoundKind.BOTH]),
                               Round.closed_at.is_(None), Round.response_published_at.is_(None))
        .order_by(Round.closes_at.desc()).limit(1)) or vote
    suggestion = _first(select(Suggestion.id).where(Suggestion.status == Visibility.PUBLISHED)
                        .order_by(Suggestion.id))
    dept = db.session.get(Department, db.session.get(Consultation, multi).department_id)
    # The official of the demo (civil affairs) manages only that department's rounds.
    own = select(Round.id).join(Consultation).join(Department).where(
        Department.slug == "civil-affairs").order_by(Round.id)
    own_vote = _first(own.where(Round.kind.in_([RoundKind.VOTE, RoundKind.BOTH])))
    own_responded = _first(own.where(Round.response_published_at.is_not(None)))
    own_round = _first(own)
    own_consultation = db.session.scalar(select(Round.consultation_id).where(Round.id == own_round))
    return {
        "visitor": [
            "/", "/consultations/", "/consultations/?q=养老", f"/consultations/{multi}",
            f"/consultations/{multi}/versions/1", f"/consultations/{multi}/diff",
            f"/rounds/{talk}", f"/rounds/{talk}/comments", f"/rounds/{asked}/questions",
            f"/rounds/{vote}/results", f"/rounds/{responded}/response", "/accountability/",
            f"/departments/{dept.slug}", "/suggestions/", f"/suggestions/{suggestion}",
            "/auth/login", "/auth/register", "/auth/reset",
            "/about/contact", "/about/privacy", "/about/accessibility",
        ],
        "citizen@example.org": [
            "/me/", "/me/notifications", "/me/profile", "/suggestions/new",
            f"/rounds/{open_vote}/vote", f"/rounds/{talk}/comments",
            f"/rounds/{responded}/survey",
        ],
        "official@example.org": [
            "/manage/consultations/", "/manage/consultations/new",
            f"/manage/consultations/{own_consultation}",
            f"/manage/consultations/{own_consultation}/draft",
            f"/manage/consultations/{own_consultation}/rounds", f"/manage/rounds/{own_round}",
            f"/manage/rounds/{own_vote}/poll", f"/manage/rounds/{own_responded}/triage",
            f"/manage/rounds/{own_responded}/response", f"/manage/rounds/{own_responded}/survey",
            "/manage/questions", "/manage/suggestions", "/manage/", "/manage/assigned",
        ],
        "admin@example.org": ["/admin/", "/admin/users", "/admin/departments", "/admin/audit"],
    }


def _context(browser: Browser, base_url: str, locale: str, email: str | None, *,
             elder: bool = False, width: int = 1280):
    context = browser.new_context(base_url=base_url, locale=LOCALES[locale],
                                  timezone_id="Asia/Shanghai", bypass_csp=True,
                                  viewport={"width": width, "height": 900})
    # The language cookie the header switch sets (for visitors; accounts keep theirs),
    # and the elder-friendly mode's.
    context.add_cookies([{"name": "locale", "value": locale, "url": base_url}]
                        + ([{"name": "display", "value": "elder", "url": base_url}]
                           if elder else []))
    context.add_init_script(path=str(AXE))  # in every page before its own scripts
    if email:
        page = context.new_page()
        page.goto("/auth/login")
        page.locator("input[type=email], input[name=email]").first.fill(email)
        page.locator("input[type=password]").first.fill(DEMO_PASSWORD)
        page.locator("form:has(input[type=password]) [type=submit]").first.click()
        page.wait_for_load_state()
        assert "/auth/login" not in page.url, f"could not log in as {email}"
        page.close()
    return context


def _violations(page) -> list[str]:
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations'], runOnly: {
                type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                      'best-practice']}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
              .map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: '
                                 + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 160))}));
        }""")
    return [json.dumps(v, ensure_ascii=False) for v in result]


@pytest.mark.parametrize("locale", list(LOCALES))
@pytest.mark.parametrize("role", ["visitor", "citizen@example.org", "official@example.org",
                                  "admin@example.org"])
def test_every_page_type_passes_axe_and_names_itself(browser, base_url, demo, role, locale):
    context = _context(browser, base_url, locale, None if role == "visitor" else role)
    problems: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        for url in demo[role]:
            response = page.goto(url)
            assert response is not None and response.status == 200, (url, response and response.status)
            lang = page.locator("html").get_attribute("lang") or ""
            assert lang.lower().startswith(locale[:2]), (url, lang)
            title = page.title().strip()
            h1 = page.locator("h1").first.inner_text().strip() if page.locator("h1").count() else ""
            found = _violations(page)
            if not title:
                found.append("empty <title>")
            if not h1:
                found.append("no <h1>")
            elif url != "/" and h1 not in title and not any(part.strip() and part.strip() in h1
                                              for part in title.split("·")[:1]):
                found.append(f"<title> {title!r} does not name the page's <h1> {h1!r}")
            if page.locator("[id]").evaluate_all(
                    "els => els.map(e => e.id).filter((id, i, all) => all.indexOf(id) !== i)"):
                found.append("duplicate ids")
            if found:
                problems[url] = found
    finally:
        context.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("locale", list(LOCALES))
@pytest.mark.parametrize("role", ["visitor", "citizen@example.org"])
def test_the_elder_friendly_mode_passes_axe_too(browser, base_url, demo, role, locale):
    """The public's pages in the elder-friendly mode (larger text, higher contrast, one
    column), at desktop and phone widths: no serious or critical violation, and the
    larger type really applies."""
    problems: dict[str, list[str]] = {}
    for width in (1280, 390):
        context = _context(browser, base_url, locale, None if role == "visitor" else role,
                           elder=True, width=width)
        try:
            page = context.new_page()
            for url in demo[role]:
                response = page.goto(url)
                assert response is not None and response.status == 200, url
                assert page.locator("html").get_attribute("class") == "elder", url
                assert page.evaluate(
                    "parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 20
                found = _violations(page)
                if found:
                    problems[f"{url} @{width}"] = found
        finally:
            context.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
