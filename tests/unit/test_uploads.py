"""One set of rules for every upload: type by content, size, packages, storage, serving."""

from __future__ import annotations

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.db import atomic, db
from consult.errors import ValidationFailed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"
OLE = uploads.OLE_MAGIC + b"\x00" * 504


def upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def docx_bytes() -> bytes:
    """The smallest Word package: content types, the relationship and the document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application'
            '/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>第一条"
                                              "</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def test_the_kind_comes_from_the_content_not_the_name(app):
    got = uploads.receive(upload(PDF, "信件扫描件.pdf"), allowed=("pdf", "png"))
    assert (got.kind, got.filename, got.content_type) == ("pdf", "信件扫描件.pdf", "application/pdf")
    png = uploads.receive(upload(PNG, "photo.pdf"), allowed=("pdf", "png"))
    assert (png.kind, png.filename) == ("png", "photo.png")  # renamed to what it is
    for data, name in ((EXE, "scan.pdf"), (EXE, "scan.exe"), (b"<script>x</script>", "a.pdf"),
                       (PNG, "photo.png")):
        with pytest.raises(ValidationFailed) as refused:
            uploads.receive(upload(data, name), allowed=("pdf",), field="scan")
        assert refused.value.field == "scan" and refused.value.status == 422
        assert "Accepted: PDF" in str(refused.value.message)


def test_size_empty_and_missing_files_are_refused_beside_the_field(app):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    with pytest.raises(ValidationFailed, match="larger than 0 MB"):
        uploads.receive(upload(PDF + b"0" * 2000, "big.pdf"), allowed=("pdf",))
    with pytest.raises(ValidationFailed, match="empty"):
        uploads.receive(upload(b"", "empty.pdf"), allowed=("pdf",))
    with pytest.raises(ValidationFailed, match="Choose a file"):
        uploads.receive(None, allowed=("pdf",))
    assert uploads.receive(None, allowed=("pdf",), required=False) is None


def test_office_files_must_be_real_unprotected_packages(app):
    assert uploads.receive(upload(docx_bytes(), "草案.docx"), allowed=("docx",)).kind == "docx"
    with pytest.raises(ValidationFailed, match="password-protected"):
        uploads.receive(upload(OLE, "草案.docx"), allowed=("docx",))
    broken = docx_bytes()[:-200]
    with pytest.raises(ValidationFailed):
        uploads.receive(upload(broken, "草案.docx"), allowed=("docx",))


def test_a_package_that_unpacks_into_too_much_is_refused(app, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED", 10_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "0" * 50_000)
    with pytest.raises(ValidationFailed, match="unpacks to more than"):
        uploads.check_package(buffer.getvalue(), field="file")


def test_csv_may_be_utf8_or_gb18030_text_but_not_binary(app):
    for encoded in ("渠道,意见\n来信,同意\n".encode("utf-8-sig"),
                    "渠道,意见\n来信,同意\n".encode("gb18030")):
        got = uploads.receive(upload(encoded, "意见.csv"), allowed=("csv", "xlsx"))
        assert got.kind == "csv" and got.text().startswith("渠道,意见")
    with pytest.raises(ValidationFailed):
        uploads.receive(upload(b"a,b\x00\x01\n", "x.csv"), allowed=("csv",))


def test_file_names_lose_paths_and_control_characters(app):
    assert uploads.clean_filename("C:\\Users\\王\\..\\来信\u202e.pdf", "pdf") == "来信.pdf"
    assert uploads.clean_filename("../../etc/passwd", "txt") == "passwd.txt"
    assert uploads.clean_filename("...", "pdf") == "file.pdf"


def test_stored_files_are_served_only_as_downloads(app):
    with atomic():
        stored = uploads.store(uploads.receive(upload(PDF, "来信.pdf"), allowed=("pdf",)),
                               by_id=None)
    assert len(stored.key) >= 40 and stored.sha256
    row = db.session.get(uploads.Upload, stored.id)
    with app.test_request_context():
        response = uploads.send(row)
        response.direct_passthrough = False
        assert response.get_data() == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "application/pdf"
