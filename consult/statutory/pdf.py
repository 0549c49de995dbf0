"""Blocks as PDF, with Typst (the ``typst`` package: the Typst engine compiled into a
wheel, so PDF generation needs no system library; only a CJK font, which the README's
install commands provide, fonts-noto-cjk on Debian).

Why Typst: a maintained typesetter with proper CJK line breaking that embeds subset fonts
with their text mapping (the text can be copied or extracted back, which the tests do),
and is fast enough for a statement of thousands of rows. The document comes from one
template (``typst/document.typ``) fed with the blocks as JSON: participants' text is
data, never markup, so it needs no escaping and cannot inject anything.

Each document is typeset in a short-lived process of its own (``typeset.py``). The engine
keeps what it laid out in a process-wide memo that the Python binding offers no way to
empty: in a web worker, every statement of 5,000 opinions added about 500 MB that stayed.
A child process gives all of it back when it exits, costs about 0.1 s of CPU to start
(interpreter, engine and fonts), and is stopped if it runs past ``TIMEOUT``. Documents
are typeset one at a time per app process, which bounds the memory a burst can take.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - our own script, with arguments we choose
import sys
import threading

from consult.statutory.blocks import Document

HERE = os.path.dirname(__file__)
TEMPLATE = os.path.join(HERE, "typst", "document.typ")
TYPESET = os.path.join(HERE, "typeset.py")
TIMEOUT = 120  # seconds
_lock = threading.Lock()


class TypesetFailed(RuntimeError):
    """The engine refused the document or did not finish in time."""


def to_pdf(document: Document, *, lang: str = "zh") -> bytes:
    data = json.dumps({**document.data(), "lang": lang}, ensure_ascii=False).encode("utf-8")
    with _lock:
        try:
            done = subprocess.run(  # nosec B603 - fixed argv, no shell
                [sys.executable, TYPESET, TEMPLATE], input=data, capture_output=True,
                timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise TypesetFailed(f"typesetting took more than {TIMEOUT} s") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise TypesetFailed(done.stderr.decode("utf-8", "replace")[:2000])
    return done.stdout
