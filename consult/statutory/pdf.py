"""Blocks as PDF, with Typst (the ``typst`` package: the Typst engine compiled into a
wheel, so PDF generation needs no system library; only a CJK font, which the README's
install commands provide, fonts-noto-cjk on Debian).

Why Typst: a maintained typesetter with proper CJK line breaking that embeds subset fonts
with their text mapping (the text can be copied or extracted back, which the tests do),
and is fast enough for a statement of thousands of rows. The document comes from one
template (``typst/document.typ``) fed with the blocks as JSON: participants' text is
data, never markup, so it needs no escaping and cannot inject anything.

One compiler per process keeps the system fonts loaded between documents (finding and
reading them is most of the time of a small document); compiles are serialised by a lock.
"""

from __future__ import annotations

import json
import os
import threading

import typst

from consult.statutory.blocks import Document

TEMPLATE = os.path.join(os.path.dirname(__file__), "typst", "document.typ")
_lock = threading.Lock()
_compiler: typst.Compiler | None = None


def _get_compiler() -> typst.Compiler:
    global _compiler
    if _compiler is None:
        _compiler = typst.Compiler(TEMPLATE)
    return _compiler


def to_pdf(document: Document, *, lang: str = "zh") -> bytes:
    data = {**document.data(), "lang": lang}
    with _lock:
        pdf = _get_compiler().compile(sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
    assert isinstance(pdf, bytes)
    return pdf
