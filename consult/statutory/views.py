"""The statutory record's downloads.

/rounds/<id>/record/statement.docx|pdf     意见采纳情况说明 (adoption statement)
/rounds/<id>/record/report.docx|pdf        征求意见情况通报 (participation report)

Public once the round's response is published; officials of the department can download a
draft of both while they triage (marked as a draft in the document).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, send_file
from flask_babel import get_locale
from flask_login import current_user

from consult.rounds.services import get_round
from consult.statutory import documents, pdf, word
from consult.statutory.blocks import Document
from consult.statutory.record import get_record

bp = Blueprint("statutory", __name__, template_folder="templates")

MIMETYPES = {"docx": word.DOCX_MIMETYPE, "pdf": "application/pdf"}


def download(document: Document, fmt: str) -> Response:
    """The document as a Word or PDF download (never shown inline)."""
    if fmt == "pdf":
        lang = "zh" if str(get_locale() or "zh").startswith("zh") else "en"
        data = pdf.to_pdf(document, lang=lang)
    else:
        data = word.to_docx(document)
    response = send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"{document.filename}.{fmt}", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


@bp.get("/rounds/<int:round_id>/record/<any(statement, report):doc>.<any(docx, pdf):fmt>")
def round_record(round_id: int, doc: str, fmt: str):
    round_ = get_round(current_user, round_id)
    record = get_record(current_user, round_, with_rows=doc == "statement")
    build = documents.statement if doc == "statement" else documents.report
    return download(build(record), fmt)
