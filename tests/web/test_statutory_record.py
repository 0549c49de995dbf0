"""The statutory record of a round: the adoption statement and the participation report,
downloaded as Word and PDF and read back (numbers equal to the response page's; hidden
opinions only counted; Chinese text in the PDF with a CJK font)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from consult.consultations import services as consultations
from consult.db import atomic, db
from consult.participation.models import Comment, ContentStatus
from consult.responses import services
from consult.statutory import pdf, views
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    UserFactory,
    clause_ids,
    closed_round,
    comment,
    question,
)
from tests.files import docx_tables, docx_text, pdf_fonts, pdf_text
from tests.web.test_responses_pages import load, publish, rows

STATEMENT = "/rounds/{id}/record/statement.{fmt}"
REPORT = "/rounds/{id}/record/report.{fmt}"


def triaged_round():
    """A closed round with 2 clause comments, 1 whole-draft comment, 1 question and one
    hidden comment, triaged with every status."""
    r, dept, official = closed_round()
    first, second = clause_ids(r)[:2]
    comment(r, clause_id=first, body="建议第一条明确适用范围。")
    comment(r, clause_id=first, body="第一条应包括农村地区。")
    comment(r, clause_id=second, body="建议删除第二条。")
    comment(r, body="整体支持本办法。")
    question(r, body="补贴何时发放？")
    hidden = comment(r, clause_id=second, body="一条被隐藏的意见<script>")
    with atomic():
        services.start_triage(load(r, official))
    # hidden by a moderator after the triage began: still an opinion, its text withheld
    db.session.get(Comment, hidden.id).status = ContentStatus.HIDDEN
    db.session.commit()
    statuses = ["adopted", "partly_adopted", "not_adopted", "adopted", "out_of_scope",
                "not_adopted"]
    for t, status in zip(rows(r.id), statuses, strict=True):
        with atomic():
            services.triage_opinion(official, load(r, official), t, status=status,
                                    reason=f"理由{t.id}")
    return r, dept, official


@pytest.fixture(autouse=True)
def chinese(client):
    client.set_cookie("locale", "zh_CN")


def test_statement_word_matches_the_response_page(client, login_as):
    r, _dept, official = triaged_round()
    publish(r, official)
    page = client.get(f"/rounds/{r.id}/response")
    assert page.status_code == 200
    assert STATEMENT.format(id=r.id, fmt="docx") in page.text
    assert REPORT.format(id=r.id, fmt="pdf") in page.text

    resp = client.get(STATEMENT.format(id=r.id, fmt="docx"))
    assert resp.status_code == 200
    assert resp.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in resp.headers["Content-Disposition"]
    text = docx_text(resp.data)
    assert "意见采纳情况说明" in text
    # 6 opinions (the hidden one counted), from 6 people: as on the response page
    assert re.search(r"共收到\s*6\s*条意见", text), text
    table = docx_tables(resp.data)[0]
    assert table[0] == ["序号", "条款", "意见", "是否采纳", "理由"]
    bodies = [row[2] for row in table[1:]]
    assert len(bodies) == 5  # the hidden opinion only counted
    assert "一条被隐藏的意见<script>" not in text
    assert "建议第一条明确适用范围。" in bodies and "补贴何时发放？" in bodies
    statuses = [row[3] for row in table[1:]]
    assert statuses.count("采纳") == 2 and statuses.count("部分采纳") == 1
    assert "1条意见未列出" in text.replace(" ", "")


def test_a_confidential_opinion_is_counted_never_quoted(client):
    """An opinion sent only to the department is counted in the statement, never quoted,
    in Word and PDF."""
    r, _dept, official = triaged_round()
    secret = db.session.scalar(select(Comment).where(Comment.body == "建议删除第二条。"))
    db.session.execute(update(Comment).where(Comment.id == secret.id).values(confidential=True))
    db.session.commit()
    publish(r, official)
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        text = re.sub(r"\s", "", read(client.get(STATEMENT.format(id=r.id, fmt=fmt)).data))
        assert "建议删除第二条" not in text, fmt
        assert "2条意见未列出" in text, fmt  # the hidden one and the confidential one


def test_statement_pdf_has_chinese_text_in_a_cjk_font(client):
    r, _dept, official = triaged_round()
    publish(r, official)
    resp = client.get(STATEMENT.format(id=r.id, fmt="pdf"))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    text = re.sub(r"\s", "", pdf_text(resp.data))
    assert "意见采纳情况说明" in text
    assert "建议第一条明确适用范围。" in text
    assert "一条被隐藏的意见" not in text
    assert any("CJK" in font for font in pdf_fonts(resp.data)), pdf_fonts(resp.data)


def test_report_counts_by_channel_and_clause(client):
    r, _dept, official = triaged_round()
    publish(r, official)
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        resp = client.get(REPORT.format(id=r.id, fmt=fmt))
        assert resp.status_code == 200
        text = re.sub(r"\s", "", read(resp.data))
        assert "征求意见情况通报" in text
        assert "按条款统计" in text
    tables = docx_tables(client.get(REPORT.format(id=r.id, fmt="docx")).data)
    measures = {row[0]: row[1] for row in tables[0][1:]}
    assert measures["意见"] == "6" and measures["提问"] == "1"
    assert measures["对草案的意见"] == "5"
    by_clause = tables[1]
    assert by_clause[-1][:2] == ["合计", "6"]
    assert by_clause[1][1] == "2"  # the first clause: two opinions


def test_record_is_public_only_once_published(client, login_as):
    r, _dept, official = triaged_round()
    url = STATEMENT.format(id=r.id, fmt="docx")
    assert client.get(url).status_code == 404
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(url).status_code == 404
    login_as(official)
    resp = client.get(url)
    assert resp.status_code == 200
    assert "草稿" in docx_text(resp.data)
    manage = client.get(f"/manage/rounds/{r.id}/response")
    assert url in manage.text


def test_record_of_unknown_round_or_format(client):
    assert client.get(STATEMENT.format(id=999999, fmt="pdf")).status_code == 404
    r, _dept, official = triaged_round()
    publish(r, official)
    assert client.get(f"/rounds/{r.id}/record/statement.odt").status_code == 404
    assert client.get(f"/rounds/{r.id}/record/secret.pdf").status_code == 404


def test_english_statement(client):
    r, _dept, official = triaged_round()
    publish(r, official)
    client.set_cookie("locale", "en")
    text = docx_text(client.get(STATEMENT.format(id=r.id, fmt="docx")).data)
    assert "Statement on the adoption of opinions" in text
    assert "6 opinions were received from 6 people" in text


def test_a_generated_document_is_kept_until_the_triage_changes(client, login_as,
                                                                monkeypatch):
    """The file is kept under the round's content version: a second download is not
    generated again; a triage change (one opinion, or many at once in SQL) or a theme's
    new reply is in the next download; a reader who may not have the draft never gets the
    kept file."""
    r, _dept, official = triaged_round()
    login_as(official)
    made = []
    real = pdf.to_pdf
    monkeypatch.setattr(pdf, "to_pdf", lambda document, **kw: made.append(1) or real(
        document, **kw))
    url = STATEMENT.format(id=r.id, fmt="pdf")

    def text() -> str:
        resp = client.get(url)
        assert resp.status_code == 200
        return re.sub(r"\s", "", pdf_text(resp.data))

    first = text()
    assert text() == first and len(made) == 1
    opinion = rows(r.id)[0]
    with atomic():
        services.triage_opinion(official, load(r, official), opinion, status="adopted",
                                reason="逐条修改的理由")
    assert "逐条修改的理由" in text() and len(made) == 2
    with atomic():
        services.bulk_triage(official, load(r, official), triage_ids=[opinion.id],
                             status="not_adopted", reason="批量修改的理由")
    assert "批量修改的理由" in text() and len(made) == 3
    assert text() and len(made) == 3
    client.delete_cookie("session")
    assert client.get(url).status_code == 404  # the draft stays the department's


def test_a_long_pdf_is_typeset_in_the_background_behind_a_202_page(client, login_as,
                                                                    monkeypatch):
    """Past the size limit, the first request answers at once (202, a page that reloads
    itself without script) and the file comes from the cache once typeset; Word stays
    immediate."""
    r, _dept, official = triaged_round()
    publish(r, official)
    monkeypatch.setattr(views, "BACKGROUND_CHARS", 10)
    url = STATEMENT.format(id=r.id, fmt="pdf")
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert waiting.headers["Refresh"] == str(views.REFRESH_SECONDS)
    assert "正在生成" in waiting.text and waiting.mimetype == "text/html"
    assert "no-store" in waiting.headers["Cache-Control"]
    for thread in list(views._background.values()):
        thread.join(timeout=120)
    ready = client.get(url)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert "意见采纳情况说明" in re.sub(r"\s", "", pdf_text(ready.data))
    assert client.get(STATEMENT.format(id=r.id, fmt="docx")).status_code == 200


# ---------------------------------------------------------------- drafts as documents

def test_version_downloads_with_its_explanation(client, login_as):
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    c = ConsultationFactory(department=dept)
    with atomic():
        consultations.import_clauses(official, c, text=(
            "第一条 为了规范社区养老服务，制定本办法。\n第二条 本办法适用于本市行政区域。"))
    with atomic():
        consultations.publish_version(official, c, change_note="首次公开。",
                                      explanation="一、起草背景\n\n二、主要内容")
    page = client.get(f"/consultations/{c.id}/versions/1")
    assert page.status_code == 200
    assert "一、起草背景" in page.text
    url = f"/consultations/{c.id}/versions/1/draft"
    assert f"{url}.docx" in page.text and f"{url}.pdf" in page.text
    text = docx_text(client.get(f"{url}.docx").data)
    assert "起草说明" in text and "二、主要内容" in text
    assert "第一条" in text and "为了规范社区养老服务，制定本办法。" in text
    resp = client.get(f"{url}.pdf")
    assert resp.status_code == 200
    flat = re.sub(r"\s", "", pdf_text(resp.data))
    assert "起草说明" in flat and "第二条" in flat and "本办法适用于本市行政区域。" in flat
    assert client.get(f"{url}.exe").status_code == 404
    assert client.get(f"/consultations/{c.id}/versions/2/draft.pdf").status_code == 404


def test_unpublished_consultation_draft_is_not_public(client):
    c = ConsultationFactory(published_at=None)
    DraftVersionFactory(consultation=c)
    assert client.get(f"/consultations/{c.id}/versions/1/draft.docx").status_code == 404
