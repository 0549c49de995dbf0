"""Import of a draft from Word: upload, preview (structure and what could not be placed,
nothing saved), then the corrected text goes to the working copy. Bad files are refused
beside the field with a fitting status."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from consult.consultations.models import WorkingClause
from consult.db import db
from consult.uploads import OLE_MAGIC
from tests.factories import ConsultationFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def setup(app):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    return ConsultationFactory(department=dept), official


def word(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DRAFT = word(
    "社区养老服务管理办法",
    "（征求意见稿）",
    "第一章 总则",
    "第一条 为了规范社区养老服务，制定本办法。",
    "第二条 本办法适用于本市行政区域内的社区养老服务。",
    "第二章 服务内容",
    "第一节 基本服务",
    "第三条 社区养老服务包括：",
    "（一）助餐服务；",
    "（二）助浴服务。",
    "街道应当统筹安排服务网点。",
)


def upload(client, consultation, data: bytes, name="draft.docx"):
    return client.post(f"/manage/consultations/{consultation.id}/draft/word",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def working_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkingClause))


def test_preview_then_import(client, login_as, setup):
    consultation, official = setup
    login_as(official)
    page = client.get(f"/manage/consultations/{consultation.id}/draft")
    assert f"/manage/consultations/{consultation.id}/draft/word" in page.text
    assert client.get(f"/manage/consultations/{consultation.id}/draft/word").status_code == 200
    resp = upload(client, consultation, DRAFT)
    assert resp.status_code == 200
    text = resp.text
    assert "Nothing has been added yet." in text
    assert "社区养老服务管理办法" in text  # the title
    assert "1 paragraph could not be placed" in text and "（征求意见稿）" in text
    assert "第一章 总则" in text and "第一节 基本服务" in text
    assert "第三条 · 4 paragraphs · 2 items" in text
    assert working_count() == 0  # nothing saved by the preview
    # the preview's form sends the text to the ordinary import
    textarea = text.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert "第三条 社区养老服务包括：" in textarea
    resp = client.post(f"/manage/consultations/{consultation.id}/draft/import",
                       data={"text": textarea.replace("&#34;", '"')})
    assert resp.status_code == 303
    clauses = list(db.session.scalars(select(WorkingClause).order_by(WorkingClause.position)))
    assert [c.number for c in clauses] == ["第一条", "第二条", "第三条"]
    assert clauses[2].body == ("社区养老服务包括：\n（一）助餐服务；\n（二）助浴服务。\n"
                               "街道应当统筹安排服务网点。")
    # the chapters and sections the preview showed are stored with the clauses
    assert [(c.chapter, c.section) for c in clauses] == [
        ("第一章 总则", ""), ("第一章 总则", ""), ("第二章 服务内容", "第一节 基本服务")]


@pytest.mark.parametrize("data, status, message", [
    (word("会议通知", "请各单位于周五前报送材料。"), 422, "No clauses were found"),
    (DRAFT[:len(DRAFT) // 2], 422, "The file is damaged and cannot be opened."),
    (OLE_MAGIC + b"\x00" * 600, 422, "password-protected"),
    ("第一条 纯文本。".encode(), 422, "This kind of file is not accepted here."),
])
def test_bad_files_are_refused_beside_the_field(client, login_as, setup, data, status,
                                                message):
    consultation, official = setup
    login_as(official)
    resp = upload(client, consultation, data)
    assert resp.status_code == status
    assert message in resp.text
    assert 'id="file-error"' in resp.text
    assert working_count() == 0


def test_a_20_mb_upload_is_too_large(client, login_as, setup):
    consultation, official = setup
    login_as(official)
    # the multipart body written by hand: the test client would spool it to a temporary
    # file that the refused request never closes
    boundary = "consult-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.docx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + DRAFT + b"\x00" * (20 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    resp = client.post(f"/manage/consultations/{consultation.id}/draft/word", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
    assert resp.status_code == 413
    assert working_count() == 0


def test_only_the_department_imports(client, login_as, setup):
    consultation, _official = setup
    url = f"/manage/consultations/{consultation.id}/draft/word"
    assert client.get(url).status_code == 302
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(url).status_code == 403
    assert upload(client, consultation, DRAFT).status_code == 403
    assert working_count() == 0
