"""A suggestion's journey in Chromium, in both languages: a citizen suggests (seeing
similar ones while typing, then commenting with htmx), another supports it without
JavaScript, the department's official answers "taken onto the agenda" linking a
consultation, and the suggestion page links to that consultation. Screenshots go to
test-artifacts/suggestions/. Uses the shared live server of tests/browser/conftest.py.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def journey(live):
    with live.app.app_context():
        world = _world()
    return live.url, world


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


def _shot(page, artifacts, name: str) -> None:
    folder = artifacts / "suggestions"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


TEXTS = {
    "zh_CN": dict(title="社区老年食堂太少，老人吃饭难", header="zh-CN", locale="zh-CN"),
    "en": dict(title="Too few community canteens for older people", header="en",
               locale="en-US"),
}


def test_suggestion_to_agenda_to_consultation(journey, browser, browser_context_args,
                                              artifacts):
    base, world = journey
    created: dict[str, str] = {}
    for locale, text in TEXTS.items():
        headers = {"Accept-Language": text["header"]}
        args = {**browser_context_args, "locale": text["locale"],
                "extra_http_headers": headers}
        # A citizen suggests, seeing similar suggestions while typing (htmx).
        ctx = browser.new_context(**args, viewport={"width": 390, "height": 860})
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
        _shot(page, artifacts, f"1-new-{locale}")
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
        _shot(page, artifacts, f"2-submitted-{locale}")
        ctx.close()

        # Another citizen supports it without JavaScript (form + 303).
        ctx = browser.new_context(**args, java_script_enabled=False)
        page = ctx.new_page()
        _login(page, base, world["fan"])
        page.goto(suggestion_url)
        page.locator("#support button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#support strong").inner_text() == "1"
        assert page.locator('#support button[aria-pressed="true"]').count() == 1
        ctx.close()

        # The department's official answers: taken onto the agenda, linking the consultation.
        ctx = browser.new_context(**args, viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        _login(page, base, world["official"])
        page.goto(f"{base}/manage/suggestions")
        _shot(page, artifacts, f"3-desk-{locale}")
        sid = suggestion_url.rstrip("/").rsplit("/", 1)[1]
        page.locator(f'a[href="/manage/suggestions/{sid}/answer"]').click()
        page.wait_for_load_state()
        page.check('input[name="status"][value="on_agenda"]')
        page.select_option("#consultation_id", str(world["consultation"]))
        page.fill("#body", "已纳入社区养老服务管理办法的制定工作。" if locale == "zh_CN"
                  else "We took it up in the draft on community elderly care.")
        _shot(page, artifacts, f"4-answer-{locale}")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(f"**/suggestions/{sid}**")
        answer = page.locator("#answer")
        assert answer.count() == 1
        consultation_link = answer.locator(f'a[href="/consultations/{world["consultation"]}"]')
        assert consultation_link.inner_text() == "社区养老服务管理办法（征求意见稿）"
        _shot(page, artifacts, f"5-answered-{locale}")
        ctx.close()

        # Anyone follows the link from the suggestion to the consultation it became.
        ctx = browser.new_context(**args, viewport={"width": 390, "height": 860})
        page = ctx.new_page()
        page.goto(suggestion_url)
        page.locator(f'#answer a[href="/consultations/{world["consultation"]}"]').click()
        page.wait_for_url(f"**/consultations/{world['consultation']}")
        assert "社区养老服务管理办法" in page.inner_text("h1")
        _shot(page, artifacts, f"6-consultation-{locale}")
        ctx.close()
