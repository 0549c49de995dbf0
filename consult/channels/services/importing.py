"""Many opinions at once, from one hearing or one spreadsheet (CSV or Excel): every row is
checked first and shown with its errors; nothing is saved until the whole file is
accepted, and then all of it is saved in one transaction."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import uploads
from consult.accounts.models import Actor
from consult.channels.models import Hearing, OpinionRecord
from consult.channels.services._common import require_recordable
from consult.channels.services.recording import (
    CheckedOpinion,
    OpinionInput,
    check_opinion,
    clause_index,
    save_opinion,
)
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, NotFound, ServiceError, ValidationFailed
from consult.participation.models import Channel
from consult.rounds.models import Round
from consult.security.params import parse_int
from consult.security.permissions import authorize
from consult.workdays import local_day

SHEET_KINDS = ("csv", "xlsx")
MAX_ROWS = 1000
# The columns a spreadsheet may have, by any of these headings (case does not matter).
HEADINGS = {
    "channel": ("channel", "渠道"),
    "received_on": ("received_on", "received", "date received", "date", "收到日期", "日期"),
    "sender_name": ("sender_name", "sender", "name", "姓名", "来信人", "发言人"),
    "sender_contact": ("sender_contact", "contact", "联系方式"),
    "clause": ("clause", "条款"),
    "body": ("body", "opinion", "text", "意见", "意见内容"),
    "confidential": ("confidential", "仅供部门", "保密"),
}


@dataclass
class RowCheck:
    number: int  # the row's number in the spreadsheet (the heading is row 1)
    opinion: CheckedOpinion | None
    field: str | None = None
    error: str | None = None
    text: str = ""  # the opinion as written in the row, so a wrong row can be found


@dataclass
class ImportPreview:
    rows: list[RowCheck] = field(default_factory=list)
    upload_id: int | None = None  # set once the whole file is accepted

    @property
    def errors(self) -> list[RowCheck]:
        return [r for r in self.rows if r.error]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _column_of(heading: Any) -> str | None:
    text = str(heading or "").strip().lower()
    for column, names in HEADINGS.items():
        if text in names:
            return column
    return None


def read_table(received: uploads.Received) -> list[list[Any]]:
    """The rows of the file's first sheet, heading first (422 beside ``file`` when it
    cannot be read)."""
    # openpyxl imports numpy when it is installed (it is, for the analysis): loaded on the
    # first spreadsheet, not by every worker at start.
    from openpyxl import load_workbook  # noqa: PLC0415 - heavy (numpy through openpyxl)
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415 - as above

    try:
        if received.kind == "csv":
            return [row for row in csv.reader(io.StringIO(received.text()))]
        book = load_workbook(io.BytesIO(received.data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [list(row) for _i, row in zip(range(MAX_ROWS + 2),
                                                 sheet.iter_rows(values_only=True), strict=False)]
        finally:
            book.close()
    except (ValueError, KeyError, IndexError, csv.Error, OSError, zipfile.BadZipFile,
            InvalidFileException) as exc:
        raise ValidationFailed(_l("The spreadsheet cannot be read. Save it as CSV (UTF-8) "
                                  "or .xlsx and try again."), field="file") from exc


def parse_rows(received: uploads.Received, *, default_channel: Channel | None
               ) -> list[tuple[int, OpinionInput]]:
    table = [row for row in read_table(received)]
    while table and not any(str(v or "").strip() for v in table[-1]):
        table.pop()
    if not table:
        raise ValidationFailed(_l("The spreadsheet is empty."), field="file")
    columns = [_column_of(h) for h in table[0]]
    if "body" not in columns:
        raise ValidationFailed(_l(
            "The first row must name the columns; one of them must be “opinion” (意见). "
            "Accepted columns: channel, received_on, sender_name, sender_contact, clause, "
            "opinion, confidential."), field="file")
    if len(table) - 1 > MAX_ROWS:
        raise ValidationFailed(_l("Import at most %(num)d opinions at a time.", num=MAX_ROWS),
                               field="file")
    out: list[tuple[int, OpinionInput]] = []
    for number, row in enumerate(table[1:], start=2):
        if not any(str(v or "").strip() for v in row):
            continue  # blank lines between hearings' sections
        values: dict[str, Any] = {}
        for column, value in zip(columns, row, strict=False):
            if column:
                values[column] = value
        if default_channel is not None and not str(values.get("channel") or "").strip():
            values["channel"] = default_channel.value
        out.append((number, OpinionInput(**values)))
    return out


def check_rows(round_: Round, rows: list[tuple[int, OpinionInput]]) -> list[RowCheck]:
    clauses = clause_index(round_)
    today = local_day(now())
    checked = []
    for number, data in rows:
        try:
            checked.append(RowCheck(number, check_opinion(round_, data, clauses, today=today)))
        except ServiceError as exc:
            checked.append(RowCheck(number, None, field=exc.field, error=str(exc.message),
                                    text=str(data.body or "").strip()[:200]))
    return checked


def _default_channel(value: Any, hearing: Hearing | None) -> Channel | None:
    if hearing is not None:
        return Channel.HEARING
    try:
        channel = Channel(str(value or ""))
    except ValueError:
        return None
    return None if channel is Channel.ONLINE else channel


def preview_import(actor: Actor, round_: Round, received: uploads.Received, *,
                   default_channel: Any = "", hearing: Hearing | None = None) -> ImportPreview:
    """Check every row. When every row is right the file is kept (for the confirmation,
    which imports exactly it); otherwise nothing at all is stored."""
    authorize(actor, "channels.manage", round_)
    require_recordable(round_)
    rows = parse_rows(received, default_channel=_default_channel(default_channel, hearing))
    preview = ImportPreview(rows=check_rows(round_, rows))
    if not preview.rows:
        raise ValidationFailed(_l("The spreadsheet has no opinions under its first row."),
                               field="file")
    if preview.ok:
        preview.upload_id = uploads.store(received, by_id=actor.id).id
    return preview


def confirm_import(actor: Actor, round_: Round, *, upload_id: Any, default_channel: Any = "",
                   hearing: Hearing | None = None) -> list[OpinionRecord]:
    """Import the previewed file: all its opinions in this one transaction, or none."""
    authorize(actor, "channels.manage", round_)
    require_recordable(round_)
    number = parse_int(upload_id, low=1) or 0
    upload = db.session.scalar(select(uploads.Upload).where(
        uploads.Upload.id == number, uploads.Upload.created_by_id == actor.id,
        uploads.Upload.kind.in_(SHEET_KINDS)))
    if upload is None:
        raise NotFound(_l("This spreadsheet was not checked here; upload it again."))
    if db.session.scalar(select(OpinionRecord.id).where(OpinionRecord.upload_id == upload.id)
                         .limit(1)) is not None:
        raise Conflict(_l("This spreadsheet has already been imported."))
    received = uploads.Received(data=upload.data, filename=upload.filename, kind=upload.kind)
    checked = check_rows(round_, parse_rows(
        received, default_channel=_default_channel(default_channel, hearing)))
    bad = [r for r in checked if r.error]
    if bad or not checked:
        raise ValidationFailed(_l("The spreadsheet has errors; nothing was imported."),
                               field="file")
    batch = upload.key[:12]
    return [save_opinion(actor, round_, row.opinion, upload_id=upload.id, hearing=hearing,
                         batch=batch) for row in checked if row.opinion is not None]
