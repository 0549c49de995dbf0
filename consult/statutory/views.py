"""The statutory record's downloads.

/rounds/<id>/record/statement.docx|pdf     意见采纳情况说明 (adoption statement)
/rounds/<id>/record/report.docx|pdf        征求意见情况通报 (participation report)
/consultations/<id>/versions/<n>/draft.docx|pdf   a published version with its 起草说明
/manage/consultations/<id>/draft/word       import a draft from Word: upload, then preview

Public once the round's response is published; officials of the department can download a
draft of both while they triage (marked as a draft in the document).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, request, send_file
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import uploads
from consult.consultations import services as consultations
from consult.consultations.forms import ImportForm
from consult.errors import NotFound, ServiceError
from consult.rounds.services import get_round
from consult.statutory import documents, pdf, word, wordimport
from consult.statutory.blocks import Document
from consult.statutory.forms import WordImportForm
from consult.statutory.record import get_record
from consult.web import render

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


def _round_document(round_id: int, fmt: str, build, *, with_rows: bool) -> Response:
    if fmt not in MIMETYPES:
        raise NotFound(_("There is no such document."))
    round_ = get_round(current_user, round_id)
    return download(build(get_record(current_user, round_, with_rows=with_rows)), fmt)


@bp.get("/rounds/<int:round_id>/record/statement.<fmt>")
def statement(round_id: int, fmt: str):
    return _round_document(round_id, fmt, documents.statement, with_rows=True)


@bp.get("/rounds/<int:round_id>/record/report.<fmt>")
def report(round_id: int, fmt: str):
    return _round_document(round_id, fmt, documents.report, with_rows=False)


@bp.get("/consultations/<int:consultation_id>/versions/<int:number>/draft.<fmt>")
def draft(consultation_id: int, number: int, fmt: str):
    """A published version of a draft, with its 起草说明, as Word or PDF."""
    if fmt not in MIMETYPES:
        raise NotFound(_("There is no such document."))
    consultation = consultations.get_public_consultation(current_user, consultation_id)
    version = consultations.get_version(consultation, number)
    clauses = consultations.version_clauses(version)
    return download(documents.draft(consultation, version, clauses), fmt)


# ---------------------------------------------------------------- import from Word

@bp.get("/manage/consultations/<int:consultation_id>/draft/word")
@login_required
def word_import(consultation_id: int):
    consultation = consultations.get_for_manage(current_user, consultation_id)
    return render("statutory/word_import.html", consultation=consultation,
                  form=WordImportForm(formdata=None))


@bp.post("/manage/consultations/<int:consultation_id>/draft/word")
@uploads.takes_files
@login_required
def word_preview(consultation_id: int):
    """Read the uploaded file and show its structure; nothing is saved. The preview's form
    sends the (corrected) text to the working copy's ordinary import."""
    consultation = consultations.get_for_manage(current_user, consultation_id)
    form = WordImportForm()
    try:
        received = uploads.receive(request.files.get("file"), allowed=("docx",))
        assert received is not None
        result = wordimport.preview(wordimport.paragraphs_of(received.data))
    except ServiceError as exc:
        form.add_service_error(exc)
        return render("statutory/word_import.html", consultation=consultation, form=form,
                      status=exc.status)
    import_form = ImportForm(formdata=None, data={"text": result.text})
    return render("statutory/word_preview.html", consultation=consultation, preview=result,
                  import_form=import_form, filename=received.filename)
