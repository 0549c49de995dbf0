"""The clause diff: alignment by lineage, statuses, inline marks, escaping."""

from markupsafe import Markup

from consult.consultations.diff import (
    ClauseText,
    diff_versions,
    inline_diff,
    same_text,
    tokens,
)


def C(lineage, body, number=None, heading="", chapter="", section=""):
    return ClauseText(lineage_id=lineage, number=number or f"第{lineage}条", heading=heading,
                      body=body, chapter=chapter, section=section)


def test_tokens_are_characters_for_chinese_and_words_for_english():
    assert tokens("养老服务") == ["养", "老", "服", "务"]
    assert tokens("the quick fox") == ["the", " ", "quick", " ", "fox"]
    assert tokens("每日 8 hours 服务") == ["每", "日", " ", "8", " ", "hours", " ", "服", "务"]


def test_inline_diff_marks_single_chinese_characters():
    out = inline_diff("社区养老服务机构应当提供日间照料服务。", "社区养老服务机构可以提供日间照料服务。")
    assert out == Markup("社区养老服务机构<del>应当</del><ins>可以</ins>提供日间照料服务。")


def test_inline_diff_marks_whole_english_words():
    out = inline_diff("Residents may park on the street.", "Residents must park in the garage.")
    assert "<del>may</del><ins>must</ins>" in out
    assert "<del>street</del><ins>garage</ins>" in out
    assert "<del>m" not in out.replace("<del>may", "")  # never half a word


def test_inline_diff_escapes_everything():
    out = inline_diff("<b>a</b> & b", "<script>alert(1)</script> & b")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;" in out and "&gt;" in out and "&amp; b" in out
    assert "alert(1)" in out
    # the raw text survives in the markup, escaped: removing the marks gives it back
    assert inline_diff("x", "<i>") == Markup("<del>x</del><ins>&lt;i&gt;</ins>")
    assert isinstance(out, Markup)


def test_rewritten_text_reads_as_removed_then_added():
    out = inline_diff("完全不同的一段话", "Something else entirely")
    assert out == Markup("<del>完全不同的一段话</del><ins>Something else entirely</ins>")


def test_unchanged_text_has_no_marks():
    assert inline_diff("相同", "相同") == Markup("相同")


def test_statuses_aligned_by_lineage():
    old = [C(1, "一"), C(2, "二"), C(3, "三"), C(4, "四")]
    new = [C(1, "一"), C(3, "三改"), C(5, "五"), C(4, "四")]
    result = diff_versions(old, new)
    by = {r.lineage_id: r for r in result.rows}
    assert by[1].status == "unchanged" and not by[1].moved
    assert by[2].status == "removed" and by[2].new is None
    assert by[3].status == "changed" and "<ins>改</ins>" in by[3].body
    assert by[5].status == "added"
    assert by[4].status == "unchanged"
    # the removed clause stays where it was: after clause 1
    assert [r.lineage_id for r in result.rows] == [1, 2, 3, 5, 4]
    assert result.counts == {"added": 1, "removed": 1, "changed": 1, "moved": 0,
                             "unchanged": 2, "renumbered": 0, "regrouped": 0}


def test_moved_is_relative_order_not_shifted_positions():
    old = [C(1, "a"), C(2, "b"), C(3, "c"), C(4, "d")]
    # inserting a clause at the top shifts every position but moves nothing
    shifted = diff_versions(old, [C(9, "new"), *old])
    assert shifted.counts["moved"] == 0
    # taking clause 4 to the top moves exactly one clause
    moved = diff_versions(old, [C(4, "d"), C(1, "a"), C(2, "b"), C(3, "c")])
    assert [r.lineage_id for r in moved.rows if r.moved] == [4]
    row = next(r for r in moved.rows if r.lineage_id == 4)
    assert (row.old_position, row.new_position) == (4, 1)
    assert row.status == "unchanged" and row.statuses == ["moved"]


def test_moved_and_changed_counts_both():
    result = diff_versions([C(1, "甲"), C(2, "乙")], [C(2, "乙乙"), C(1, "甲")])
    counts = result.counts
    assert counts["changed"] == 1 and counts["moved"] == 1


def test_removed_first_clause_and_identical_versions():
    result = diff_versions([C(1, "a"), C(2, "b")], [C(2, "b")])
    assert [r.status for r in result.rows] == ["removed", "unchanged"]
    same = diff_versions([C(1, "a")], [C(1, "a")])
    assert same.identical
    assert not result.identical


def test_heading_and_number_changes_are_marked():
    result = diff_versions([C(1, "x", number="第三条", heading="适用范围")],
                           [C(1, "x", number="第四条", heading="适用对象")])
    row = result.rows[0]
    assert row.status == "changed" and row.renumbered
    assert row.statuses == ["changed", "renumbered"]
    # The number is a label: shown whole, never marked inside (第<del>三</del>条 would read
    # as another clause); the old and the new number are both on the row.
    assert row.number == Markup("第四条")
    assert (row.old.number, row.new.number) == ("第三条", "第四条")
    assert "<del>范围</del><ins>对象</ins>" in row.heading


def test_same_text_ignores_lineage_but_not_order():
    assert same_text([C(1, "a"), C(2, "b")], [C(7, "a", number="第1条"), C(8, "b", number="第2条")])
    assert not same_text([C(1, "a"), C(2, "b")], [C(2, "b"), C(1, "a")])


def test_three_hundred_clauses_diff_is_complete():
    old = [C(i, f"第{i}条：本市社区养老服务机构应当为老年人提供日间照料、助餐、助浴服务。")
           for i in range(1, 301)]
    new = [C(i, c.body.replace("助浴", "助洁") if i % 10 == 0 else c.body)
           for i, c in ((c.lineage_id, c) for c in old)]
    result = diff_versions(old, new)
    assert result.counts["changed"] == 30 and result.counts["unchanged"] == 270


def test_renumbering_alone_is_not_a_change_of_text():
    old = [C(1, "甲", number="第一条"), C(2, "乙", number="第二条"), C(3, "丙", number="第三条")]
    new = [C(1, "甲", number="第一条"), C(3, "丙", number="第二条")]
    result = diff_versions(old, new)
    row = result.rows[-1]
    assert (row.status, row.renumbered, row.moved) == ("unchanged", True, False)
    assert row.statuses == ["renumbered"]
    assert result.counts["changed"] == 0 and result.counts["renumbered"] == 1
    assert not result.identical


def test_a_renumbered_clause_keeps_both_numbers_whole():
    old = [C(1, "甲", number="第十三条"), C(2, "乙", number="第十四条")]
    new = [C(9, "新", number="第十三条"), C(1, "甲", number="第十四条"), C(2, "乙", number="第十五条")]
    row = next(r for r in diff_versions(old, new).rows if r.lineage_id == 2)
    assert row.renumbered and row.number == Markup("第十五条")
    assert "<ins>" not in row.number and "<del>" not in row.number
    assert (row.old.number, row.new.number) == ("第十四条", "第十五条")
    # an added or removed clause's number is marked whole
    added = next(r for r in diff_versions(old, new).rows if r.lineage_id == 9)
    assert added.number == Markup("<ins>第十三条</ins>")


def test_a_clause_in_another_chapter_is_regrouped_not_changed():
    old = [C(1, "甲", chapter="第一章 总则"), C(2, "乙", chapter="第一章 总则"),
           C(3, "丙", chapter="第二章 管理", section="第一节 一般规定")]
    new = [C(1, "甲", chapter="第一章 总则"),
           C(2, "乙", chapter="第二章 管理", section="第一节 一般规定"),
           C(3, "丙", chapter="第二章 管理", section="第一节 一般规定")]
    result = diff_versions(old, new)
    row = next(r for r in result.rows if r.lineage_id == 2)
    assert (row.status, row.regrouped, row.moved) == ("unchanged", True, False)
    assert row.statuses == ["regrouped"]
    assert (row.old_place, row.place) == ("第一章 总则", "第二章 管理 · 第一节 一般规定")
    assert result.counts["regrouped"] == 1 and not result.identical
    assert not same_text(old, new)
    assert same_text(old, list(old))
