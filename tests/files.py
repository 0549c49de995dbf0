"""Files in tests: byte samples, uploads and spreadsheets to send, and the text of
generated Word and PDF files read back; a body too large for the app, posted."""

from __future__ import annotations

import io

import docx
import pypdf
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder

from consult import uploads

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"


def file(data: bytes, name: str) -> FileStorage:
    """An uploaded file as a form receives it."""
    return FileStorage(stream=io.BytesIO(data), filename=name)


def received(data: bytes, kind: str, name: str = "sheet") -> uploads.Received:
    return uploads.Received(data=data, filename=f"{name}.{kind}", kind=kind)


def csv_bytes(rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(row) for row in rows) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def pdf_fonts(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def post_big(client, url: str, data: dict):
    """A multipart POST of a body larger than the app takes (``data`` holds the files)."""
    # The builder spools a large body to a temporary file: close it ourselves.
    builder = EnvironBuilder(path=url, method="POST", data=data,
                             content_type="multipart/form-data")
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
