"""A consultation's attachments: background documents officials of the owning department
publish beside the draft, downloaded by everyone who may see the consultation.

Files follow the one set of upload rules (``consult.uploads``: type sniffed from the
content, size limit, stored in the database under a random key, served only as a
download). Adding and removing are audited; once the consultation is published, removing
a document the public may have read needs a reason, kept in the audit log.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consult import audit, uploads
from consult.accounts.models import Actor
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.security.permissions import authorize
from consult.statutory.models import TITLE_MAX, Attachment

KINDS = ("pdf", "docx", "xlsx", "jpg", "png")
MAX_PER_CONSULTATION = 20
REASON_MAX = 500


def list_attachments(consultation_id: int) -> list[Attachment]:
    """The consultation's attachments in the order they were added, with their files'
    names and sizes (never their content): one query. The caller has checked that the
    reader may see the consultation."""
    return list(db.session.scalars(
        select(Attachment).where(Attachment.consultation_id == consultation_id)
        .options(joinedload(Attachment.upload)).order_by(Attachment.id)))


def get_attachment(consultation: Consultation, attachment_id: int) -> Attachment:
    """One attachment of ``consultation`` (already read with the reader's rights), with its
    file's content, for the download (404 when it is not this consultation's)."""
    attachment = db.session.scalar(
        select(Attachment).where(Attachment.id == attachment_id,
                                 Attachment.consultation_id == consultation.id)
        .options(joinedload(Attachment.upload).undefer(uploads.Upload.data)))
    if attachment is None:
        raise NotFound(_l("There is no such document."))
    return attachment


def add_attachment(actor: Actor, consultation: Consultation, file: uploads.Received, *,
                   title: str | None = None) -> Attachment:
    """Keep a checked file (``uploads.receive``) as a document of the consultation; its
    title is the one given, else the file's name."""
    authorize(actor, "consultation.manage", consultation)
    count = db.session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.consultation_id == consultation.id)) or 0
    if count >= MAX_PER_CONSULTATION:
        raise ValidationFailed(_l("A consultation has at most %(n)d documents. Remove one "
                                  "first.", n=MAX_PER_CONSULTATION), field="file")
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_l("Keep the title under %(n)d characters.", n=TITLE_MAX),
                               field="title")
    upload = uploads.store(file, by_id=actor.id)
    attachment = Attachment(consultation_id=consultation.id, upload_id=upload.id,
                            title=title or file.filename.rsplit(".", 1)[0],
                            created_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    audit.record(actor, "attachment.added", consultation, attachment_id=attachment.id,
                 title=attachment.title, filename=upload.filename, size=upload.size,
                 sha256=upload.sha256)
    return attachment


def delete_attachment(actor: Actor, consultation: Consultation, attachment_id: int, *,
                      reason: str | None = None) -> None:
    """Remove a document and its file. Before the consultation is published it simply
    goes; afterwards the public may have read it, so a reason is required (audit log)."""
    authorize(actor, "consultation.manage", consultation)
    attachment = db.session.scalar(
        select(Attachment).where(Attachment.id == attachment_id,
                                 Attachment.consultation_id == consultation.id)
        .options(joinedload(Attachment.upload)))
    if attachment is None:
        raise NotFound(_l("There is no such document."))
    reason = (reason or "").strip()
    if consultation.published_at is not None and not reason:
        raise ValidationFailed(_l("The consultation is published: say why the document is "
                                  "removed (kept in the audit log)."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_l("Keep the reason under %(n)d characters.", n=REASON_MAX),
                               field="reason")
    audit.record(actor, "attachment.deleted", consultation, attachment_id=attachment.id,
                 title=attachment.title, filename=attachment.upload.filename,
                 sha256=attachment.upload.sha256, reason=reason or None,
                 published=consultation.published_at is not None)
    upload = attachment.upload
    db.session.delete(attachment)
    db.session.delete(upload)
    db.session.flush()
