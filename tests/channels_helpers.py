"""Shared helpers of the channels tests: a round with an official, files, spreadsheets."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.clock import now
from consult.db import db
from consult.rounds.services import get_round
from consult.workdays import local_day

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"


def load(r, actor):
    db.session.expire_all()
    return get_round(actor, r.id)


def today() -> str:
    return local_day(now()).isoformat()


def yesterday() -> str:
    return (local_day(now()) - timedelta(days=1)).isoformat()


def file(data: bytes, name: str) -> FileStorage:
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
