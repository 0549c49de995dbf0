"""PDF rendering of the statutory tables: every row's text comes back out of the PDF, in
order, including a row too long for one page (it breaks across pages instead of running
off the bottom) and cells with line breaks."""

from __future__ import annotations

import re

from consult.statutory import pdf
from consult.statutory.blocks import Document
from tests.files import pdf_pages, pdf_text


def _flat(data: bytes) -> str:
    """The text without white space and without the page footers ("2 / 9"), which the
    extraction may put in the middle of a row that runs on to the next page."""
    text = re.sub(r"\s", "", pdf_text(data))
    total = re.search(r"(\d+)/(\d+)$", text)[2]
    for page in range(int(total), 0, -1):
        text = text.replace(f"{page}/{total}", "", 1)
    return text


def test_table_rows_come_back_in_order_with_a_row_longer_than_a_page():
    long_opinion = "".join(f"长意见第{i}句。" for i in range(1, 401))  # about 3,000 characters
    document = Document(title="意见采纳情况说明", filename="x")
    rows = [[i, f"第{i}条", f"意见{i}\n第二段{i}", "采纳", f"理由{i}"] for i in range(1, 61)]
    rows[29][2] = long_opinion
    document.table(["序号", "条款", "意见", "是否采纳", "理由"], rows, widths=[4, 6, 18, 6, 14])
    document.para("表后的段落。")
    data = pdf.to_pdf(document)
    text = _flat(data)
    assert text.startswith("意见采纳情况说明序号条款意见是否采纳理由")
    positions = [text.index(f"意见{i}第二段{i}") for i in (1, 29, 31, 60)]
    assert positions == sorted(positions)
    assert text.count("长意见第") == 400 and "长意见第400句。" in text
    assert text.index("理由29") < text.index("长意见第1句。") < text.index("理由30")
    assert text.index("理由60") < text.index("表后的段落。")
    # The long row runs on over pages instead of off the bottom of one.
    pages = [re.sub(r"\s", "", page) for page in pdf_pages(data)]
    first = next(i for i, page in enumerate(pages) if "长意见第1句。" in page)
    last = next(i for i, page in enumerate(pages) if "长意见第400句。" in page)
    assert last > first
