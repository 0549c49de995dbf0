"""Every table consult hands out as a file (CSV today, any later XLSX or Word table)
is written through this module, so no cell reaches a spreadsheet as a formula.

OWASP's CSV-injection guidance: a text cell a spreadsheet would read as a formula
(first character ``=`` ``+`` ``-`` ``@``, a tab or a carriage return) is prefixed with a
single quote, and the cell is quoted by the CSV writer. Spreadsheets also skip leading
spaces and fold full-width forms (``＝``, ``＋``) before they decide, so the first
visible character is looked at after removing whitespace and invisible characters
and after NFKC folding. ``|`` and ``%`` (old DDE forms) are treated the same.
Numbers stay numbers: only text is ever prefixed. A true/false cell is written as the
reader's word for yes or no (是/否), never as ``True`` or ``yes``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response, stream_with_context
from flask_babel import gettext as _

BOM = "\ufeff"  # spreadsheet programs then read UTF-8 (Chinese) correctly
_TRIGGERS = frozenset("=+-@|%")
_CONTROL_TRIGGERS = frozenset("\t\r\n")


def _first_visible(text: str) -> str:
    for ch in text:
        if ch in _CONTROL_TRIGGERS:
            return ch
        if ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Mn"):
            continue
        return unicodedata.normalize("NFKC", ch)[:1]
    return ""


def yes_no(flag: bool) -> str:
    """A true/false cell in the reader's language."""
    return _("Yes") if flag else _("No")


def neutralise(value: Any) -> Any:
    """A cell value safe for a spreadsheet: text that could start a formula gets ``'``;
    true/false in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if not isinstance(value, str):
        return value
    first = _first_visible(value)
    if first and (first in _TRIGGERS or first in _CONTROL_TRIGGERS):
        return "'" + value
    return value


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The BOM and header, then one chunk per row, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(str(h)) for h in header])
    yield BOM + take()
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        yield take()


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    return "".join(csv_lines(header, rows))


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *,
                 lazy: bool = False) -> Response:
    """A streamed CSV download; ``lazy`` when ``rows`` reads the database as it goes
    (the request context then stays open until the last row is sent)."""
    lines = csv_lines(header, rows)
    return Response(stream_with_context(lines) if lazy else lines, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
