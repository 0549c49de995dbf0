"""Internal notes on an opinion: written and read only by the officials of the department
that owns it. The audit log records that a note was written (not its text, which stays
with the department)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult import audit
from consult.accounts.models import Actor
from consult.db import db
from consult.security.input import clean_text
from consult.security.permissions import authorize
from consult.workspace.models import NOTE_MAX, InternalNote
from consult.workspace.services.opinions import Opinion, get_opinion


def add_note(actor: Actor, kind: Any, item_id: int, *, body: str | None) -> InternalNote:
    opinion = get_opinion(kind, item_id)
    authorize(actor, "workspace.department", opinion.department_id)
    text = clean_text(body, field="body", limit=NOTE_MAX)
    note = InternalNote(kind=opinion.kind, item_id=opinion.id,
                        department_id=opinion.department_id, author_id=actor.id, body=text)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "opinion.note_added", None, note_id=note.id, kind=opinion.kind.value,
                 item_id=opinion.id, department_id=opinion.department_id, length=len(text))
    return note


def notes_of(actor: Actor, opinion: Opinion) -> list[InternalNote]:
    """The opinion's notes, oldest first, for an official of its department only."""
    authorize(actor, "workspace.department", opinion.department_id)
    return list(db.session.scalars(
        select(InternalNote).where(InternalNote.kind == opinion.kind,
                                   InternalNote.item_id == opinion.id)
        .options(joinedload(InternalNote.author)).order_by(InternalNote.id)))
