"""Reply templates (常用答复): a department's reusable texts for triage reasons, answers to
questions and answers to suggestions. Inserted into a form, then edited there; only
officials of the department keep them, and only its own templates are offered."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from consult import audit
from consult.accounts.models import Actor
from consult.db import db
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.security.input import clean_text
from consult.security.params import parse_int
from consult.security.permissions import authorize
from consult.workspace.models import (
    TEMPLATE_BODY_MAX,
    TEMPLATE_TITLE_MAX,
    ReplyTemplate,
    TemplatePurpose,
)

PER_DEPARTMENT_MAX = 200


def _purpose(value: Any) -> TemplatePurpose:
    try:
        return TemplatePurpose(str(value or ""))
    except ValueError:
        raise ValidationFailed(_l("Choose what the template is for."), field="purpose") from None


def _department(actor: Actor, value: Any) -> int:
    department_id = parse_int(value, low=1)
    if department_id is None or department_id not in actor.official_department_ids:
        raise ValidationFailed(_l("Choose one of your departments."), field="department_id")
    return department_id


def templates_for(department_id: int | None, purpose: TemplatePurpose) -> list[ReplyTemplate]:
    """The department's templates for one purpose, by title (one query; none without a
    department)."""
    if department_id is None:
        return []
    return list(db.session.scalars(select(ReplyTemplate).where(
        ReplyTemplate.department_id == department_id, ReplyTemplate.purpose == purpose)
        .order_by(ReplyTemplate.title, ReplyTemplate.id)))


def templates_of(actor: Actor) -> list[ReplyTemplate]:
    authorize(actor, "workspace.view")
    return list(db.session.scalars(select(ReplyTemplate).where(
        ReplyTemplate.department_id.in_(sorted(actor.official_department_ids)))
        .order_by(ReplyTemplate.department_id, ReplyTemplate.purpose, ReplyTemplate.title)))


def templates_of_purpose(actor: Actor, purpose: TemplatePurpose) -> list[ReplyTemplate]:
    """The templates of all the actor's departments for one purpose (a list spanning
    departments, as the question inbox), by title; one query."""
    return list(db.session.scalars(select(ReplyTemplate).where(
        ReplyTemplate.department_id.in_(sorted(actor.official_department_ids) or [-1]),
        ReplyTemplate.purpose == purpose).order_by(ReplyTemplate.title, ReplyTemplate.id)))


def own_template(actor: Actor, purpose: TemplatePurpose, template_id: Any) -> str:
    """The text of one of the actor's departments' templates for ``purpose``; 404 for any
    other (another department's is never inserted)."""
    row_id = parse_int(template_id, low=1)
    row = db.session.get(ReplyTemplate, row_id) if row_id is not None else None
    if row is None or row.department_id not in actor.official_department_ids \
            or row.purpose != purpose:
        raise NotFound(_l("There is no such reply template for this department."))
    return row.body


def template_for(department_id: int, purpose: TemplatePurpose, template_id: Any) -> str:
    """The text of a template to insert, refused unless it is the department's own and for
    this purpose (a template of another department is never inserted)."""
    row_id = parse_int(template_id, low=1)
    row = db.session.get(ReplyTemplate, row_id) if row_id is not None else None
    if row is None or row.department_id != department_id or row.purpose != purpose:
        raise NotFound(_l("There is no such reply template for this department."))
    return row.body


def _fields(title: Any, body: Any) -> tuple[str, str]:
    return (clean_text(title, field="title", limit=TEMPLATE_TITLE_MAX),
            clean_text(body, field="body", limit=TEMPLATE_BODY_MAX))


def create_template(actor: Actor, *, department_id: Any, purpose: Any, title: Any,
                    body: Any) -> ReplyTemplate:
    authorize(actor, "workspace.view")
    dept = _department(actor, department_id)
    kind = _purpose(purpose)
    title, body = _fields(title, body)
    existing = templates_for(dept, kind)
    if any(t.title == title for t in existing):
        raise ValidationFailed(_l("The department already has a template with this title."),
                               field="title")
    if len(existing) >= PER_DEPARTMENT_MAX:
        raise Conflict(_l("A department can keep at most %(max)d templates of a kind.",
                          max=PER_DEPARTMENT_MAX))
    row = ReplyTemplate(department_id=dept, purpose=kind, title=title, body=body,
                        created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "reply_template.created", row, department_id=dept,
                 purpose=kind.value, title=title)
    return row


def get_template(actor: Actor, template_id: int) -> ReplyTemplate:
    row = db.session.get(ReplyTemplate, template_id)
    if row is None:
        raise NotFound(_l("There is no such reply template for this department."))
    authorize(actor, "workspace.department", row.department_id)
    return row


def update_template(actor: Actor, template_id: int, *, title: Any, body: Any) -> ReplyTemplate:
    row = get_template(actor, template_id)
    title, body = _fields(title, body)
    if title != row.title and any(t.title == title for t in
                                  templates_for(row.department_id, row.purpose)):
        raise ValidationFailed(_l("The department already has a template with this title."),
                               field="title")
    row.title, row.body = title, body
    db.session.flush()
    audit.record(actor, "reply_template.updated", row, department_id=row.department_id)
    return row


def delete_template(actor: Actor, template_id: int) -> None:
    row = get_template(actor, template_id)
    audit.record(actor, "reply_template.deleted", row, department_id=row.department_id,
                 title=row.title)
    db.session.execute(delete(ReplyTemplate).where(ReplyTemplate.id == row.id))
