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
import logging
import threading
from collections.abc import Callable

from flask import Blueprint, Response, current_app, flash, redirect, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import pagecache, uploads
from consult.consultations import services as consultations
from consult.consultations.forms import ImportForm
from consult.db import atomic
from consult.errors import NotFound, ServiceError
from consult.rounds.services import get_round
from consult.statutory import attachments, documents, pdf, word, wordimport
from consult.statutory.blocks import Document
from consult.statutory.forms import AttachmentForm, DeleteAttachmentForm, WordImportForm
from consult.statutory.record import get_record, record_access
from consult.web import render

bp = Blueprint("statutory", __name__, template_folder="templates")

MIMETYPES = {"docx": word.DOCX_MIMETYPE, "pdf": "application/pdf"}
DOCUMENT_SECONDS = 3600  # how long a generated document is kept (its key changes with it)
BACKGROUND_CHARS = 100_000  # a PDF with more text is typeset in the background (~1,000 rows)
REFRESH_SECONDS = 3
PREPARING, FAILED = "preparing", "failed"  # what the cache holds until the file is there
_background: dict[str, threading.Thread] = {}  # typesetting under way in this process
log = logging.getLogger(__name__)


def _render(document: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        lang = "zh" if str(get_locale() or "zh").startswith("zh") else "en"
        return pdf.to_pdf(document, lang=lang)
    return word.to_docx(document)


def download(name: str, key: tuple, fmt: str, build: Callable[[], Document]) -> Response:
    """The document as a Word or PDF download (never shown inline).

    Generating a statement of thousands of opinions takes seconds, so the file is kept in
    the page cache under ``key``, which names everything the document shows (a round's
    content version moves with every triage, response or opinion change): a second
    download of the same content is served from the cache, a changed one is generated
    again. A PDF with more than ``BACKGROUND_CHARS`` of text is typeset in the background:
    the reader gets at once a page saying it is being prepared, which reloads itself
    (the ``Refresh`` header, no script) until the file is ready. The caller has checked
    that the reader may have the document."""
    if not current_app.config.get("PAGE_CACHE"):
        return _send(*_generate(build(), fmt), fmt)
    digest = pagecache.fragment_key(f"statutory-{name}", (*key, fmt))
    found = pagecache.kept(digest)
    if found is None:  # the store is out of reach: generate, keep nothing
        return _send(*_generate(build(), fmt), fmt)
    value = found[0]
    if isinstance(value, tuple):
        return _send(*value, fmt)
    if value == PREPARING:
        return _preparing()
    document = build()
    if fmt == "pdf" and value != FAILED and document.characters() > BACKGROUND_CHARS:
        pagecache.keep({digest: PREPARING}, timeout=pdf.TIMEOUT + 30)
        _start(digest, document)
        return _preparing()
    value = _generate(document, fmt)
    pagecache.keep({digest: value}, timeout=DOCUMENT_SECONDS)
    return _send(*value, fmt)


def _generate(document: Document, fmt: str) -> tuple[str, bytes]:
    return f"{document.filename}.{fmt}", _render(document, fmt)


def _send(filename: str, data: bytes, fmt: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


def _preparing() -> Response:
    response = render("statutory/preparing.html", status=202)
    response.headers["Refresh"] = str(REFRESH_SECONDS)
    response.cache_control.no_store = True
    return response


def _start(digest: str, document: Document) -> None:
    lang = "zh" if str(get_locale() or "zh").startswith("zh") else "en"
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_typeset_in_background, args=(app, digest, document, lang),
                              daemon=True, name="statutory-pdf")
    _background[digest] = thread
    thread.start()


def _typeset_in_background(app, digest: str, document: Document, lang: str) -> None:
    """Typeset and keep the file (a failure is logged and kept briefly: the next request
    then generates the file itself and shows the error)."""
    try:
        value: object = (f"{document.filename}.pdf", pdf.to_pdf(document, lang=lang))
        timeout = DOCUMENT_SECONDS
    except Exception:
        log.exception("typesetting %s in the background failed", document.filename)
        value, timeout = FAILED, 60
    with app.app_context():
        pagecache.keep({digest: value}, timeout=timeout)
    _background.pop(digest, None)


def _round_document(round_id: int, fmt: str, name: str, build, *,
                    with_rows: bool) -> Response:
    if fmt not in MIMETYPES:
        raise NotFound(_("There is no such document."))
    round_ = get_round(current_user, round_id)
    response = record_access(current_user, round_)  # 404 unless the reader may have it
    key = (*pagecache.round_key(round_), round_.consultation.title,
           round_.consultation.department_id, response.is_published)
    return download(name, key, fmt, lambda: build(
        get_record(current_user, round_, with_rows=with_rows)))


@bp.get("/rounds/<int:round_id>/record/statement.<fmt>")
def statement(round_id: int, fmt: str):
    return _round_document(round_id, fmt, "statement", documents.statement, with_rows=True)


@bp.get("/rounds/<int:round_id>/record/report.<fmt>")
def report(round_id: int, fmt: str):
    return _round_document(round_id, fmt, "report", documents.report, with_rows=False)


@bp.get("/consultations/<int:consultation_id>/versions/<int:number>/draft.<fmt>")
def draft(consultation_id: int, number: int, fmt: str):
    """A published version of a draft, with its 起草说明 and the consultation's
    background documents, as Word or PDF."""
    if fmt not in MIMETYPES:
        raise NotFound(_("There is no such document."))
    consultation = consultations.get_public_consultation(current_user, consultation_id)
    version = consultations.get_version(consultation, number)
    files = attachments.list_attachments(consultation.id)
    # A published version never changes; what else the document shows is in the key.
    key = (version.id, version.published_at.timestamp(), consultation.title,
           consultation.department.name, consultation.department.name_en,
           tuple((a.id, a.title) for a in files))
    return download("draft", key, fmt, lambda: documents.draft(
        consultation, version, consultations.version_clauses(version), files))


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


# ---------------------------------------------------------------- attachments

@bp.get("/consultations/<int:consultation_id>/attachments/<int:attachment_id>")
def attachment(consultation_id: int, attachment_id: int):
    """A background document, for everyone who may see the consultation; always a download
    (never shown inline), typed by its content."""
    consultation = consultations.get_public_consultation(current_user, consultation_id)
    return uploads.send(attachments.get_attachment(consultation, attachment_id).upload)


def _attachments_page(consultation, *, form=None, delete_form=None, status: int = 200,
                      failed: int | None = None):
    return render("statutory/attachments.html", status=status, consultation=consultation,
                  attachments=attachments.list_attachments(consultation.id),
                  form=form or AttachmentForm(formdata=None),
                  delete_form=delete_form or DeleteAttachmentForm(formdata=None),
                  failed=failed, max_mb=uploads.max_bytes() // (1024 * 1024))


@bp.get("/manage/consultations/<int:consultation_id>/attachments")
@login_required
def attachments_page(consultation_id: int):
    consultation = consultations.get_for_manage(current_user, consultation_id)
    return _attachments_page(consultation)


@bp.post("/manage/consultations/<int:consultation_id>/attachments")
@uploads.takes_files
@login_required
def attachment_upload(consultation_id: int):
    """Add a document (a file over the size limit is a 413 before anything is read)."""
    consultation = consultations.get_for_manage(current_user, consultation_id)
    form = AttachmentForm()
    try:
        with atomic():
            received = uploads.receive(request.files.get("file"), allowed=attachments.KINDS)
            assert received is not None
            added = attachments.add_attachment(current_user, consultation, received,
                                               title=form.title.data)
            title = added.title
    except ServiceError as exc:
        form.add_service_error(exc)
        consultation = consultations.get_for_manage(current_user, consultation_id)
        return _attachments_page(consultation, form=form, status=exc.status)
    flash(_("“%(title)s” is added to the consultation's documents.", title=title), "success")
    return redirect(url_for(".attachments_page", consultation_id=consultation_id), code=303)


@bp.post("/manage/consultations/<int:consultation_id>/attachments/<int:attachment_id>/delete")
@login_required
def attachment_delete(consultation_id: int, attachment_id: int):
    consultation = consultations.get_for_manage(current_user, consultation_id)
    form = DeleteAttachmentForm()
    try:
        with atomic():
            attachments.delete_attachment(current_user, consultation, attachment_id,
                                          reason=form.reason.data)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        form.add_service_error(exc)
        consultation = consultations.get_for_manage(current_user, consultation_id)
        return _attachments_page(consultation, delete_form=form, status=exc.status,
                                 failed=attachment_id)
    flash(_("The document is removed."), "success")
    return redirect(url_for(".attachments_page", consultation_id=consultation_id), code=303)
