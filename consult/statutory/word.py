"""Blocks as a Word (.docx) file, with python-docx.

Chinese text gets an East Asian font (宋体 for text, 黑体 for headings) set on the
``w:eastAsia`` attribute, which python-docx does not expose, so Word on a Chinese system
shows the official look; the file carries text, not glyphs, so any CJK font renders it.

python-docx (with lxml) is imported by the first Word file, not by every worker's start
(tests/unit/test_lean_start.py).
"""

from __future__ import annotations

import io
from copy import deepcopy

from consult.statutory.blocks import Document

BODY_FONT, HEADING_FONT = "SimSun", "SimHei"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _east_asian(style_or_run, name: str) -> None:
    from docx.oxml.ns import qn  # noqa: PLC0415 - heavy (python-docx): Word files only

    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def to_docx(document: Document) -> bytes:
    # heavy (python-docx, lxml): imported by the first Word file, see the docstring above
    from docx import Document as new_docx  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    doc = new_docx()
    doc.core_properties.title = document.title
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    _east_asian(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _east_asian(doc.styles[name], HEADING_FONT)

    title = doc.add_heading(document.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in document.blocks:
        kind = block["t"]
        if kind == "meta":
            p = doc.add_paragraph(block["text"])
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "h":
            doc.add_heading(block["text"], level=block["level"])
        elif kind == "p":
            doc.add_paragraph(block["text"])
        elif kind == "clause":
            p = doc.add_paragraph()
            p.add_run(f"{block['number']} ").bold = True
            if block["heading"]:
                p.add_run(f"{block['heading']} ").bold = True
            lines = block["body"].split("\n")
            p.add_run(lines[0])
            for line in lines[1:]:
                if line.strip():
                    doc.add_paragraph(line)
        elif kind == "table":
            _table(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc, block) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: PLC0415 - heavy (python-docx)
    from docx.oxml.ns import qn  # noqa: PLC0415

    head, rows = block["head"], block["rows"]
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    if not rows:
        return
    # python-docx's add_row() re-reads the whole table for each row (quadratic: minutes
    # for a statement of 5,000 opinions), so the first data row is made by the library
    # and the others are copies of its XML with their text replaced.
    first = table.add_row()
    for cell, text in zip(first.cells, rows[0], strict=True):
        cell.text = text
    template = first._tr
    parent = template.getparent()
    for row in rows[1:]:
        tr = deepcopy(template)
        for tc, text in zip(tr.iterchildren(qn("w:tc")), row, strict=True):
            _set_cell_text(tc, text)
        parent.append(tr)


def _set_cell_text(tc, text: str) -> None:
    """The cell's one paragraph's one run gets ``text`` (lines as breaks), as
    ``cell.text = text`` would."""
    from docx.oxml.ns import qn  # noqa: PLC0415 - heavy (python-docx): Word files only

    paragraph = tc.find(qn("w:p"))
    run = paragraph.find(qn("w:r"))
    if run is None:  # the first row's cell was empty
        run = paragraph.makeelement(qn("w:r"), {})
        paragraph.append(run)
    for child in list(run):
        if child.tag != qn("w:rPr"):
            run.remove(child)
    for i, line in enumerate(text.split("\n")):
        if i:
            run.append(run.makeelement(qn("w:br"), {}))
        t = run.makeelement(qn("w:t"), {})
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
