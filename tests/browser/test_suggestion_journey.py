"""A suggestion's journey in Chromium, in both languages: a citizen suggests (seeing
similar ones while typing), another supports it without JavaScript, the department's
official answers "taken onto the agenda" linking a consultation, and the suggestion page
links to that consultation. Screenshots go to test-artifacts/suggestions/.

Self-contained (live server and Chromium launch arguments here) until the shared
tests/browser/conftest.py exists.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/lib/chromium/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "suggestions"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"]}


@pytest.fixture
def journey_server(pytestconfig, tmp_path):
    """The app on a file database behind a real HTTP server, with CSRF on."""
    from consult.extensions import db
    from tests.conftest import make_app

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    url = pytestconfig.consult_db_url or f"sqlite:///{tmp_path / 'journey.sqlite3'}"
    app = make_app(pytestconfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={},
                   WTF_CSRF_ENABLED=True, SERVER_NAME=None)
    with app.app_context():
        db.drop_all() if pytestconfig.consult_db_url else None
        db.create_all()
        world = _world()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, world
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _world() -> dict:
    from tests.factories import ConsultationFactory, DepartmentFactory, UserFactory

    dept = DepartmentFactory(name="市民政局", name_en="Civil Affairs Bureau", slug="civil")
    DepartmentFactory(name="市交通运输局", name_en="Transport Bureau", slug="transport")
    official = UserFactory(role="official", role__department=dept, display_name="王科长")
    consultation = ConsultationFactory(department=dept, title="社区养老服务管理办法（征求意见稿）")
    citizen = UserFactory(display_name="张晓明")
    fan = UserFactory(display_name="陈丽华")
    return {"dept": dept.id, "official": official.email, "citizen": citizen.email,
            "fan": fan.email, "consultation": consultation.id}


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


TEXTS = {
    "zh_CN": dict(title="社区老年食堂太少，老人吃饭难", header="zh-CN"),
    "en": dict(title="Too few community canteens for older people", header="en"),
}


def test_suggestion_to_agenda_to_consultation(journey_server, browser):
    base, app, world = journey_server
    created: dict[str, str] = {}
    for locale, text in TEXTS.items():
        headers = {"Accept-Language": text["header"]}
        # A citizen suggests, seeing similar suggestions while typing (htmx).
        ctx = browser.new_context(viewport={"width": 390, "height": 860},
                                  extra_http_headers=headers)
        page = ctx.new_page()
        _login(page, base, world["citizen"])
        page.goto(f"{base}/suggestions/new")
        assert page.locator("html").get_attribute("lang") == (
            "zh-Hans-CN" if locale == "zh_CN" else "en")
        page.select_option("#department_id", str(world["dept"]))
        page.fill("#title", "社区食堂")
        if created:  # the first language's suggestion is similar to this one
            page.wait_for_selector("#similar a")
            assert "社区老年食堂太少" in page.inner_text("#similar")
        page.fill("#title", text["title"])
        page.fill("#problem", "我们街道只有一家老年食堂。" if locale == "zh_CN"
                  else "Our district has one canteen for older people.")
        page.fill("#proposal", "每个社区设一个助餐点。" if locale == "zh_CN"
                  else "Open a meal point in every neighbourhood.")
        page.fill("#links", "https://example.org/canteens")
        _shot(page, f"1-new-{locale}")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url("**/suggestions/*")
        suggestion_url = page.url
        created[locale] = suggestion_url
        assert text["title"] in page.inner_text("h1")
        link = page.locator('a[href="https://example.org/canteens"]')
        assert link.get_attribute("rel") == "nofollow ugc noopener"
        # Commenting swaps the comments in place with htmx (the page does not reload).
        page.fill("#body", "补充：周末也需要。")
        page.locator("#comments button[type=submit]").click()
        page.wait_for_selector("#comments .flat-comment")
        assert "补充：周末也需要。" in page.inner_text("#comments")
        assert page.url == suggestion_url and page.input_value("#body") == ""
        _shot(page, f"2-submitted-{locale}")
        ctx.close()

        # Another citizen supports it without JavaScript (form + 303).
        ctx = browser.new_context(java_script_enabled=False, extra_http_headers=headers)
        page = ctx.new_page()
        _login(page, base, world["fan"])
        page.goto(suggestion_url)
        page.locator("#support button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#support strong").inner_text() == "1"
        assert page.locator('#support button[aria-pressed="true"]').count() == 1
        ctx.close()

        # The department's official answers: taken onto the agenda, linking the consultation.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900},
                                  extra_http_headers=headers)
        page = ctx.new_page()
        _login(page, base, world["official"])
        page.goto(f"{base}/manage/suggestions")
        _shot(page, f"3-desk-{locale}")
        sid = suggestion_url.rstrip("/").rsplit("/", 1)[1]
        page.locator(f'a[href="/manage/suggestions/{sid}/answer"]').click()
        page.wait_for_load_state()
        page.check('input[name="status"][value="on_agenda"]')
        page.select_option("#consultation_id", str(world["consultation"]))
        page.fill("#body", "已纳入社区养老服务管理办法的制定工作。" if locale == "zh_CN"
                  else "We took it up in the draft on community elderly care.")
        _shot(page, f"4-answer-{locale}")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(f"**/suggestions/{sid}**")
        answer = page.locator("#answer")
        assert answer.count() == 1
        consultation_link = answer.locator(f'a[href="/consultations/{world["consultation"]}"]')
        assert consultation_link.inner_text() == "社区养老服务管理办法（征求意见稿）"
        _shot(page, f"5-answered-{locale}")
        ctx.close()

        # Anyone follows the link from the suggestion to the consultation it became.
        ctx = browser.new_context(viewport={"width": 390, "height": 860},
                                  extra_http_headers=headers)
        page = ctx.new_page()
        page.goto(suggestion_url)
        page.locator(f'#answer a[href="/consultations/{world["consultation"]}"]').click()
        page.wait_for_url(f"**/consultations/{world['consultation']}")
        assert "社区养老服务管理办法" in page.inner_text("h1")
        _shot(page, f"6-consultation-{locale}")
        ctx.close()
