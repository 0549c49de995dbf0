"""A consultation's background documents: officials of the owning department upload and
remove them (the upload rules: type sniffed from the content, size limit answered 413
beside the field, nothing half-saved; removal after publication needs a reason, audited);
the public downloads them as attachments (never inline); the draft's Word and PDF list
them."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from consult import uploads
from consult.audit.models import AuditEntry
from consult.db import db
from consult.statutory.models import Attachment
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    UserFactory,
)
from tests.files import EXE, PDF, docx_text, pdf_text, post_big

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000"
                    "000049454e44ae426082")


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("locale", "en")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def world(published: bool = True):
    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept, unpublished=not published)
    DraftVersionFactory(consultation=consultation)
    official = UserFactory(role="official", role__department=dept)
    return consultation, official


def upload(client, consultation, data: bytes, name: str, title: str = ""):
    return client.post(f"/manage/consultations/{consultation.id}/attachments",
                       data={"title": title, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_an_official_uploads_and_the_public_downloads(client, login_as):
    consultation, official = world()
    login_as(official)
    page = client.get(f"/manage/consultations/{consultation.id}/attachments")
    assert page.status_code == 200 and "No documents yet." in page.text
    resp = upload(client, consultation, PDF, "../../etc/影响评估.pdf", title="  影响 评估报告 ")
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"])
    assert "影响 评估报告" in page.text and "影响评估.pdf" in page.text
    assert upload(client, consultation, PNG, "数据.png").status_code == 303
    stored = db.session.scalar(select(uploads.Upload).where(uploads.Upload.kind == "pdf"))
    assert stored.filename == "影响评估.pdf" and len(stored.key) >= 40  # a random key
    # The public page lists them; the download is an attachment, typed, never inline.
    client.delete_cookie("session")
    public = client.get(f"/consultations/{consultation.id}")
    assert public.status_code == 200 and "影响 评估报告" in public.text
    url = re.search(r'href="(/consultations/\d+/attachments/\d+)"[^>]*>影响 评估报告',
                    public.text).group(1)
    got = client.get(url)
    assert got.status_code == 200 and got.data == PDF
    assert got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "inline" not in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    # Another consultation's id with this attachment's: 404.
    other, _ = world()
    assert client.get(f"/consultations/{other.id}/attachments/"
                      f"{url.rsplit('/', 1)[1]}").status_code == 404
    # The draft's Word and PDF name the documents and where to find them.
    word = client.get(f"/consultations/{consultation.id}/versions/1/draft.docx")
    text = docx_text(word.data)
    assert "Background documents" in text and "影响 评估报告" in text and url in text
    pdf = client.get(f"/consultations/{consultation.id}/versions/1/draft.pdf")
    assert "影响 评估报告" in pdf_text(pdf.data).replace("\n", "")


def test_an_unpublished_consultations_documents_are_not_public(client, login_as):
    consultation, official = world(published=False)
    login_as(official)
    assert upload(client, consultation, PDF, "a.pdf").status_code == 303
    attachment_id = db.session.scalar(select(Attachment.id))
    url = f"/consultations/{consultation.id}/attachments/{attachment_id}"
    assert client.get(url).status_code == 200  # its officials preview it
    login_as(UserFactory())
    assert client.get(url).status_code == 404
    client.delete_cookie("session")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("data", "name", "message"), [
    (EXE, "report.pdf", "This kind of file is not accepted here."),
    (b"plain words", "notes.txt", "This kind of file is not accepted here."),
    (bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600, "old.doc",
     "This is an old-format or password-protected Office file."),
    (b"", "empty.pdf", "The file is empty."),
])
def test_refused_files_say_why_beside_the_field_and_nothing_is_kept(client, login_as, data,
                                                                     name, message):
    consultation, official = world()
    login_as(official)
    resp = upload(client, consultation, data, name, title="标题")
    assert resp.status_code == 422
    assert message in resp.text and 'id="file-error"' in resp.text
    assert count(Attachment) == 0 and count(uploads.Upload) == 0


def test_a_20_mb_upload_is_413_and_nothing_is_kept(client, login_as):
    consultation, official = world()
    login_as(official)
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)
    resp = post_big(client, f"/manage/consultations/{consultation.id}/attachments",
                    {"title": "", "file": (io.BytesIO(big), "big.pdf")})
    assert resp.status_code == 413  # the app's 413 page (tests/web/test_upload_limits.py)
    assert count(Attachment) == 0 and count(uploads.Upload) == 0


def test_removing_after_publication_needs_a_reason_and_is_audited(client, login_as):
    consultation, official = world()
    login_as(official)
    assert upload(client, consultation, PDF, "a.pdf", title="旧数据").status_code == 303
    attachment_id = db.session.scalar(select(Attachment.id))
    url = f"/manage/consultations/{consultation.id}/attachments/{attachment_id}/delete"
    resp = client.post(url, data={"reason": ""})
    assert resp.status_code == 422
    assert "say why the document is removed" in resp.text
    assert count(Attachment) == 1
    resp = client.post(url, data={"reason": "数据已更新"})
    assert resp.status_code == 303
    assert count(Attachment) == 0 and count(uploads.Upload) == 0
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("attachment.%")).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["attachment.added", "attachment.deleted"]
    assert entries[1].data["reason"] == "数据已更新"
    assert client.post(url, data={"reason": "again"}).status_code == 404


def test_before_publication_a_document_is_removed_without_a_reason(client, login_as):
    consultation, official = world(published=False)
    login_as(official)
    assert upload(client, consultation, PDF, "a.pdf").status_code == 303
    attachment_id = db.session.scalar(select(Attachment.id))
    resp = client.post(f"/manage/consultations/{consultation.id}/attachments/"
                       f"{attachment_id}/delete", data={})
    assert resp.status_code == 303 and count(Attachment) == 0


def test_only_the_owning_departments_officials_manage_documents(client, login_as):
    consultation, official = world()
    login_as(official)
    assert upload(client, consultation, PDF, "a.pdf").status_code == 303
    attachment_id = db.session.scalar(select(Attachment.id))
    manage = f"/manage/consultations/{consultation.id}/attachments"
    delete = f"{manage}/{attachment_id}/delete"
    for who in (UserFactory(), UserFactory(role="official", role__department=DepartmentFactory()),
                UserFactory(role="moderator"), UserFactory(role="evaluator")):
        login_as(who)
        assert client.get(manage).status_code == 403
        assert upload(client, consultation, PDF, "b.pdf").status_code == 403
        assert client.post(delete, data={"reason": "x"}).status_code == 403
    client.delete_cookie("session")
    assert client.get(manage).status_code == 302
    assert upload(client, consultation, PDF, "b.pdf").status_code == 302
    assert client.post(delete, data={"reason": "x"}).status_code == 302
    assert count(Attachment) == 1 and count(uploads.Upload) == 1


def test_pages_with_documents_keep_their_query_budget(client, login_as, count_queries):
    consultation, official = world()
    login_as(official)
    manage = f"/manage/consultations/{consultation.id}/attachments"
    client.get(f"/consultations/{consultation.id}")  # the draft's fragment is cached
    with count_queries() as small:
        assert client.get(manage).status_code == 200
        assert client.get(f"/consultations/{consultation.id}").status_code == 200
    small = list(small)
    for i in range(5):
        assert upload(client, consultation, PDF, f"{i}.pdf").status_code == 303
    with count_queries() as big:
        assert client.get(manage).status_code == 200
        assert client.get(f"/consultations/{consultation.id}").status_code == 200
    import difflib
    assert len(big) == len(small), "\n".join(difflib.unified_diff(small, list(big), lineterm=""))
