"""Chapters (章) and sections (节) of a draft: parsing pasted text, grouping for display."""

from consult.consultations.diff import ClauseText
from consult.consultations.services import parse_clauses, parse_draft
from consult.consultations.structure import has_structure, heading_kind, outline, place

DRAFT = """某某办法（征求意见稿）
第一章　总则
第一条【目的】为了规范管理，制定本办法。
第二条　本办法适用于本市。
第二章 申请
第一节 条件
第三条 申请人应当具备下列条件：
（一）年满十八周岁；
（二）在本市居住。
第二节 程序
第四条 申请人提交材料。
第 三 章 附则
第五条 本办法自发布之日起施行。
"""


def C(n, chapter="", section=""):
    return ClauseText(lineage_id=n, number=f"第{n}条", heading="", body="x",
                      chapter=chapter, section=section)


def test_heading_kinds():
    assert heading_kind("第一章 总则") == "chapter"
    assert heading_kind("　第十二章　附则") == "chapter"
    assert heading_kind("第 三 章 附则") == "chapter"
    assert heading_kind("第二节 程序") == "section"
    assert heading_kind("第三条 申请") is None
    assert heading_kind("本章所称") is None


def test_pasted_draft_keeps_chapters_and_sections():
    parsed = parse_draft(DRAFT)
    assert [(c.number, c.chapter, c.section) for c in parsed] == [
        ("第一条", "第一章 总则", ""),
        ("第二条", "第一章 总则", ""),
        ("第三条", "第二章 申请", "第一节 条件"),
        ("第四条", "第二章 申请", "第二节 程序"),
        ("第五条", "第 三 章 附则", ""),
    ]
    assert parsed[0].heading == "目的"
    assert parsed[2].body == "申请人应当具备下列条件：\n（一）年满十八周岁；\n（二）在本市居住。"
    # the headings are not part of any clause's text
    assert all("章" not in c.body and "节" not in c.body for c in parsed)
    # the three-field reading is unchanged
    assert parse_clauses(DRAFT)[1] == ("第二条", "", "本办法适用于本市。")


def test_a_draft_without_chapters_has_no_structure():
    parsed = parse_draft("第一条 甲\n第二条 乙")
    assert all(c.chapter == c.section == "" for c in parsed)
    assert not has_structure(parsed)
    assert has_structure(parse_draft(DRAFT))


def test_outline_groups_consecutive_clauses():
    clauses = [C(1), C(2, "第一章 总则"), C(3, "第一章 总则"),
               C(4, "第二章 申请", "第一节 条件"), C(5, "第二章 申请", "第二节 程序"),
               C(6, "第二章 申请", "第二节 程序"), C(7, "第一章 总则")]
    chapters = outline(clauses)
    assert [ch.title for ch in chapters] == ["", "第一章 总则", "第二章 申请", "第一章 总则"]
    assert [[c.lineage_id for c in ch.clauses] for ch in chapters] == [[1], [2, 3], [4, 5, 6], [7]]
    assert [s.title for s in chapters[2].sections] == ["第一节 条件", "第二节 程序"]
    assert outline([]) == []


def test_place_names_chapter_and_section():
    assert place(C(1, "第二章 申请", "第一节 条件")) == "第二章 申请 · 第一节 条件"
    assert place(C(1, "第二章 申请")) == "第二章 申请"
    assert place(C(1)) == ""
