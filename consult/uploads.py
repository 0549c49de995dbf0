"""Files people upload (scans of letters, spreadsheets to import, Word drafts, background
documents): one set of rules for every upload.

- **Allowed types** are named per use (``receive(file, allowed=("pdf", "jpg", "png"))``)
  and decided by the file's content, sniffed by the ``filetype`` package, never by its name
  or the browser's claim: an executable called ``scan.pdf`` is refused. Word and Excel
  files must be real OOXML packages (an old ``.doc``/``.xls`` or a password-protected file,
  which is an OLE container, is refused with a message that says so) and may not unpack to
  more than ``MAX_UNPACKED`` bytes (no zip bombs). CSV and text must be UTF-8 (with or
  without BOM) or GB18030 text without control characters.
- **Size**: at most ``UPLOAD_MAX_BYTES`` (``CONSULT_UPLOAD_MAX_BYTES``, 10 MB) per file.
  The app's request limit (``MAX_CONTENT_LENGTH``, 2 MB) is raised to that only for the
  views that take files (``accept_files()``); anything larger is a 413.
- **Storage** is the database (table ``upload``), under a random key, so the files are
  outside the web root, shared by every app server, and in the backups; nothing uploaded
  is ever written where the web server could serve or execute it.
- **Serving** (``send``) happens only after the owning domain's view has checked who may
  see the file; it is always a download (``Content-Disposition: attachment``) with its
  sniffed type, ``nosniff`` and a sandboxing CSP, never shown inline.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime

import filetype
from flask import Response, current_app, g, request, send_file
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from consult.clock import now
from consult.db import db
from consult.errors import ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024  # what a Word or Excel package may unpack to
FILENAME_MAX = 200

# kind: (MIME type, file extension, label for messages)
KINDS = {
    "pdf": ("application/pdf", "pdf", "PDF"),
    "jpg": ("image/jpeg", "jpg", "JPEG"),
    "png": ("image/png", "png", "PNG"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "docx", _l("Word (.docx)")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "xlsx", _l("Excel (.xlsx)")),
    "csv": ("text/csv", "csv", "CSV"),
    "txt": ("text/plain", "txt", _l("plain text")),
}
TEXT_KINDS = ("csv", "txt")
# OLE compound files: old Office formats and every password-protected Office file.
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class Upload(db.Model):
    """One stored file; the domain that owns it keeps its id."""

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(43), unique=True)
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX))
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


@dataclass(frozen=True)
class Received:
    """A checked upload, not yet stored."""

    data: bytes
    filename: str
    kind: str

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][0]

    def text(self) -> str:
        """The content of a CSV or text upload, decoded (see ``decode_text``)."""
        return decode_text(self.data)


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def accept_files() -> None:
    """Call first in a view that takes files: its request may be as large as one upload
    (plus the form around it) instead of the app's small default."""
    request.max_content_length = max_bytes() + 64 * 1024
    # What the 413 page says if the file is larger still (the form cannot be read then).
    g.too_large_message = _l("A file may be at most %(mb)d MB. Go back and choose a smaller "
                             "file, or scan at a lower resolution.",
                             mb=max_bytes() // (1024 * 1024))


def allowed_label(allowed: tuple[str, ...]) -> LazyString:
    """The kinds' labels joined in the reader's language (、 in Chinese), read when shown:
    form field descriptions are built at import, before any request has a language."""
    return LazyString(lambda: str(_l(", ")).join(str(KINDS[k][2]) for k in allowed))


def receive(file: FileStorage | None, *, allowed: tuple[str, ...], field: str = "file",
            required: bool = True) -> Received | None:
    """Read and check one uploaded file (422 beside ``field`` when it is refused)."""
    if file is None or not file.filename:
        if required:
            raise ValidationFailed(_l("Choose a file to upload."), field=field)
        return None
    limit = max_bytes()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(_l("The file is larger than %(mb)d MB.",
                                  mb=limit // (1024 * 1024)), field=field)
    if not data:
        raise ValidationFailed(_l("The file is empty."), field=field)
    kind = sniff(data, allowed)
    if kind is None:
        if data.startswith(OLE_MAGIC) and ({"docx", "xlsx"} & set(allowed)):
            raise ValidationFailed(_l(
                "This is an old-format or password-protected Office file. Save it as an "
                "unprotected .docx or .xlsx and upload it again."), field=field)
        raise ValidationFailed(_l("This kind of file is not accepted here. Accepted: "
                                  "%(kinds)s.", kinds=allowed_label(allowed)), field=field)
    if kind in ("docx", "xlsx"):
        check_package(data, field=field)
    return Received(data=data, filename=clean_filename(file.filename, kind), kind=kind)


def sniff(data: bytes, allowed: tuple[str, ...]) -> str | None:
    """The allowed kind the content really is, or None."""
    guessed = filetype.guess(data)
    if guessed is not None:
        for kind in allowed:
            if KINDS[kind][0] == guessed.mime:
                return kind
        return None
    for kind in allowed:
        if kind in TEXT_KINDS and is_text(data):
            return kind
    return None


def is_text(data: bytes) -> bool:
    try:
        text = decode_text(data)
    except ValueError:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" for ch in text)


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else GB18030 (what Excel saves CSV as on Chinese
    Windows); ValueError when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("not text")


def check_package(data: bytes, *, field: str) -> None:
    """A Word or Excel package that opens and does not unpack into something huge."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            broken = package.testzip()
    except (zipfile.BadZipFile, OSError, ValueError):
        broken, unpacked = "?", 0
    if broken is not None:
        raise ValidationFailed(_l("The file is damaged and cannot be opened."), field=field)
    if unpacked > MAX_UNPACKED:
        raise ValidationFailed(_l("The file unpacks to more than %(mb)d MB.",
                                  mb=MAX_UNPACKED // (1024 * 1024)), field=field)


def clean_filename(name: str, kind: str) -> str:
    """The name people see when they download it: no path, no control characters, the
    extension of what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    ext = KINDS[kind][1]
    return f"{(stem or 'file')[:FILENAME_MAX - len(ext) - 1]}.{ext}"


def store(received: Received, *, by_id: int | None) -> Upload:
    """Keep a checked file (in the caller's transaction)."""
    upload = Upload(key=secrets.token_urlsafe(32), filename=received.filename,
                    kind=received.kind, content_type=received.content_type,
                    size=len(received.data), sha256=hashlib.sha256(received.data).hexdigest(),
                    data=received.data, created_by_id=by_id)
    db.session.add(upload)
    db.session.flush()
    return upload


def send(upload: Upload) -> Response:
    """The file as a download; the caller has checked that the reader may have it."""
    response = send_file(io.BytesIO(upload.data), mimetype=upload.content_type,
                         as_attachment=True, download_name=upload.filename,
                         etag=upload.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.cache_control.private = True
    return response
