"""Drafts with chapters (章) and sections (节): the officials set them (pasting, or by
hand in the working copy), the consultation page nests its contents by them, a clause's
permalink says where it stands, the downloads print them, and the diff shows a clause
that changed chapter, or its number, as whole labels (zh_CN and English)."""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import select

from consult.consultations import services
from consult.consultations.models import DraftVersion, WorkingClause
from consult.db import atomic, db
from tests.factories import (
    ConsultationFactory,
    DraftVersionFactory,
    RoundFactory,
    chaptered_draft,
    rechaptered_version,
)
from tests.files import docx_text, pdf_text


@pytest.fixture
def draft(app):
    """A published consultation whose version 1 has two chapters, the second with two
    sections; and its official."""
    return chaptered_draft()


def soup(resp):
    assert resp.status_code == 200, resp.text[:500]
    return lxml.html.fromstring(resp.text)


def cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def text(el) -> str:
    return el.text_content().strip()


def find(el, path: str) -> list:
    """XPath with ``.name`` for "has class name": ``find(page, "//details[.toc]")``."""
    return el.xpath(re.sub(r"(?<=[\[ ])\.([a-z][\w-]*)", lambda m: cls(m[1]), path))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_contents_nest_chapters_and_sections(client, draft, locale):
    client.set_cookie("locale", locale)
    c, _official = draft
    for url in (f"/consultations/{c.id}", f"/consultations/{c.id}/versions/1"):
        page = soup(client.get(url))
        chapters = find(page, "//details[.toc]/details[.toc__group--chapter]")
        assert [text(find(ch, "./summary/span[.toc__title]")[0]) for ch in chapters] == [
            "第一章 总则", "第二章 服务"]
        assert [text(s) for s in find(chapters[1], "./details[.toc__group--section]/summary")] \
            == ["第一节 基本服务", "第二节 收费"]
        assert [" ".join(text(a).split()) for a in find(chapters[0], ".//ol[.toc__list]//a")] \
            == ["第一条 目的", "第二条 本办法适用于本市行政区域。"]
        # the text has the headings between its clauses, each with an anchor
        headings = [text(h) for h in find(page, "//*[.draft-chapter or .draft-section]")]
        assert headings == ["第一章 总则", "第二章 服务", "第一节 基本服务", "第二节 收费"]
        assert text(page.get_element_by_id("chapter-2")) == "第二章 服务"
        assert not find(page, "//summary//a")  # no control inside a control
        # a clause reached by its permalink says where it stands
        third = find(page, "//div[.reading]//article[.clause]")[2]
        assert text(find(third, ".//p[.clause__place]")[0]) == "第二章 服务 · 第一节 基本服务"
        assert "第二章 服务 · 第一节 基本服务 · 第三条" in find(
            third, ".//a[.clause__permalink]")[0].get("aria-label")
        # clauses of a chapter are headed one level below it
        assert find(third, "./*[.clause__head]")[0].tag == "h5"


def test_a_draft_without_chapters_keeps_its_flat_contents(client):
    c = ConsultationFactory()
    DraftVersionFactory(consultation=c)
    page = soup(client.get(f"/consultations/{c.id}"))
    assert not find(page, "//*[.toc__group or .draft-chapter or .clause__place]")
    assert len(find(page, "//details[.toc]//ol[.toc__list]/li")) == 3
    assert find(page, "//div[.reading]//*[.clause__head]")[0].tag == "h3"


def test_official_sets_and_changes_chapter_in_the_working_copy(client, login_as, draft):
    c, official = draft
    login_as(official)
    client.set_cookie("locale", "en")
    page = soup(client.get(f"/manage/consultations/{c.id}/draft"))
    # a new clause continues the last one's chapter and section
    assert find(page, '//*[@id="add"]//input[@name="chapter"]')[0].get("value") == "第二章 服务"
    assert find(page, '//*[@id="add"]//input[@name="section"]')[0].get("value") == "第二节 收费"
    places = [text(p) for p in find(page, "//p[.wc-item__place]")]
    assert places == ["第一章 总则", "第二章 服务 · 第一节 基本服务", "第二章 服务 · 第二节 收费"]
    resp = client.post(f"/manage/consultations/{c.id}/draft/clauses", data={
        "number": "第五条", "heading": "", "body": "本办法自发布之日起施行。",
        "chapter": "第三章 附则", "section": ""})
    assert resp.status_code == 303
    added = db.session.query(WorkingClause).filter_by(number="第五条").one()
    assert (added.chapter, added.section) == ("第三章 附则", "")
    # too long a chapter heading: refused beside the field, nothing saved
    first = db.session.query(WorkingClause).filter_by(number="第一条").one()
    resp = client.post(f"/manage/consultations/{c.id}/draft/clauses/{first.id}", data={
        "number": "第一条", "heading": "目的", "body": "为了规范社区养老服务，制定本办法。",
        "chapter": "章" * 201, "section": ""})
    assert resp.status_code == 422 and 'id="chapter-error"' in resp.text
    db.session.expire_all()
    assert db.session.get(WorkingClause, first.id).chapter == "第一章 总则"
    resp = client.post(f"/manage/consultations/{c.id}/draft/clauses/{first.id}", data={
        "number": "第一条", "heading": "目的", "body": "为了规范社区养老服务，制定本办法。",
        "chapter": "第一章 总则", "section": "第一节 目的"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(WorkingClause, first.id).section == "第一节 目的"
    page = soup(client.get(f"/manage/consultations/{c.id}/draft"))
    assert "Chapter changed 1" in " ".join(text(find(page, "//p[.notice]")[0]).split())


def badges(page) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for b in find(page, "//span[.diff-badge]"):
        out.setdefault(b.get("data-change"), []).append(
            f'{text(find(b, "./*[.diff-badge__from]")[0])} → '
            f'{text(find(b, "./*[.diff-badge__to]")[0])}')
    return out


@pytest.mark.parametrize("locale, renumbered, regrouped", [
    ("zh_CN", "重新编号", "所属章节变更"), ("en", "Renumbered", "Chapter changed")])
def test_diff_shows_new_numbers_and_chapters_as_whole_labels(client, draft, locale,
                                                             renumbered, regrouped):
    client.set_cookie("locale", locale)
    c, official = draft
    rechaptered_version(c, official)
    page = soup(client.get(f"/consultations/{c.id}/diff?from=1&to=2"))
    found = badges(page)
    assert found["renumbered"] == ["第一条 → 第二条", "第二条 → 第三条", "第三条 → 第四条",
                                   "第四条 → 第五条"]
    assert found["regrouped"] == ["第一章 总则 → 第二章 服务 · 第一节 基本服务"]
    assert "moved" not in found  # a renumbered clause is not a moved one
    labels = {b.get("data-change"): text(find(b, "./*[.diff-badge__label]")[0])
              for b in find(page, "//span[.diff-badge]")}
    assert labels == {"renumbered": renumbered, "regrouped": regrouped}
    # one style for every badge; numbers never marked inside
    assert {b.get("class") for b in find(page, "//span[.diff-badge]")} == {"diff-badge"}
    numbers = find(page, "//article[.diff-row]//span[.clause__number]")
    assert [lxml.html.tostring(n, encoding="unicode").split(">", 1)[1].rsplit("<", 1)[0]
            for n in numbers] == ["<ins>第一条</ins>", "第二条", "第三条", "第四条", "第五条"]
    # the rows stand under the chapter they are in now
    assert [text(h) for h in find(page, "//h2[.diff-chapter]")] == [
        "第一章 总则", "第二章 服务 · 第一节 基本服务", "第二章 服务 · 第二节 收费"]
    # "only the changes" keeps the clause that changed chapter
    only = soup(client.get(f"/consultations/{c.id}/diff?from=1&to=2&show=changes"))
    assert "regrouped" in badges(only)


def test_moved_badge_has_the_same_style(client, draft):
    client.set_cookie("locale", "zh_CN")
    c, official = draft
    with atomic():
        last = services.working_copy(official, c)[-1]
        for _ in range(3):
            services.move_clause(official, c, last.id, direction="up")
    with atomic():
        services.publish_version(official, c, change_note="调整顺序。")
    page = soup(client.get(f"/consultations/{c.id}/diff?from=1&to=2"))
    moved = find(page, '//span[.diff-badge][@data-change="moved"]')
    assert len(moved) == 1 and moved[0].get("class") == "diff-badge"
    assert badges(page)["moved"] == ["第 4 位 → 第 1 位"]
    assert text(find(moved[0], "./*[.diff-badge__label]")[0]) == "移动"


def test_downloads_print_chapter_and_section_headings(client, draft):
    client.set_cookie("locale", "zh_CN")
    c, _official = draft
    url = f"/consultations/{c.id}/versions/1/draft"
    text = docx_text(client.get(f"{url}.docx").data)
    assert re.search(r"第一章 总则.*第一条.*第二章 服务.*第一节 基本服务.*第三条.*"
                     r"第二节 收费.*第四条", text, re.S), text
    flat = re.sub(r"\s", "", pdf_text(client.get(f"{url}.pdf").data))
    assert re.search("第一章总则.*第一条.*第二章服务.*第一节基本服务.*第三条.*第二节收费", flat)


def test_the_api_gives_each_clause_its_chapter_and_section(client, draft):
    c, _official = draft
    clauses = client.get(f"/api/v1/consultations/{c.id}/versions/1").get_json()["clauses"]
    assert [(cl["number"], cl["chapter"], cl["section"]) for cl in clauses] == [
        ("第一条", "第一章 总则", ""), ("第二条", "第一章 总则", ""),
        ("第三条", "第二章 服务", "第一节 基本服务"), ("第四条", "第二章 服务", "第二节 收费")]


def test_a_clause_discussion_says_where_the_clause_stands(client, draft):
    client.set_cookie("locale", "zh_CN")
    c, _official = draft
    version = db.session.scalar(select(DraftVersion).where(DraftVersion.consultation_id == c.id))
    r = RoundFactory(version=version, consultation=c)
    third = services.version_clauses(version)[2]
    page = soup(client.get(f"/rounds/{r.id}/comments?clause={third.id}"))
    assert text(find(page, "//p[.clause-quote__place]")[0]) == "第二章 服务 · 第一节 基本服务"
