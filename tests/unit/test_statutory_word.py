"""Word rendering of the statutory blocks: a large table keeps every row and its text
(the rows after the first are copied XML, not python-docx's slow add_row)."""

from __future__ import annotations

from consult.statutory import word
from consult.statutory.blocks import Document
from tests.files import docx_tables, docx_text


def test_large_table_keeps_every_row_and_line():
    document = Document(title="意见采纳情况说明", filename="x")
    document.table(["序号", "意见"], [[i, f"第{i}条意见\n第二段"] for i in range(1, 3001)],
                   widths=[1, 4])
    data = word.to_docx(document)
    [table] = docx_tables(data)
    assert len(table) == 3001
    assert table[0] == ["序号", "意见"]
    assert table[1] == ["1", "第1条意见\n第二段"]
    assert table[3000] == ["3000", "第3000条意见\n第二段"]


def test_empty_cells_and_clauses():
    document = Document(title="草案", filename="x")
    document.table(["a", "b"], [["", "x"], ["y", ""]], widths=[1, 1])
    document.clause("第一条", "【目的】", "为了规范服务，制定本办法。\n（一）助餐；")
    data = word.to_docx(document)
    assert docx_tables(data)[0] == [["a", "b"], ["", "x"], ["y", ""]]
    text = docx_text(data)
    assert "第一条 【目的】 为了规范服务，制定本办法。" in text and "（一）助餐；" in text
