"""Creating and editing consultations, publishing them (officials of the department)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.accounts.models import Actor, Department
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, DraftVersion
from consult.consultations.services.common import (
    PER_PAGE,
    _clean,
    _department,
    normalize_tags,
    tags_named,
)
from consult.db import db
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.security.permissions import authorize, check
from consult.web import Page, paginate


def managed_departments(actor: Actor) -> list[Department]:
    ids = sorted(getattr(actor, "official_department_ids", ()) or ())
    if not ids:
        return []
    return list(db.session.scalars(
        select(Department).where(Department.id.in_(ids), Department.active.is_(True))
        .order_by(Department.name)))


def list_managed(actor: Actor, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The consultations of the actor's departments, unpublished ones included."""
    authorize(actor, "consultation.create")
    stmt = (select(Consultation)
            .where(Consultation.department_id.in_(sorted(actor.official_department_ids)))
            .options(joinedload(Consultation.department))
            .order_by(Consultation.updated_at.desc(), Consultation.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)


def create_consultation(actor: Actor, *, department_id, title: str, summary: str = "",
                        background: str = "", goals: str = "", tags="",
                        contact: str = "") -> Consultation:
    authorize(actor, "consultation.create")
    dept = _department(actor, department_id)
    fields = _consultation_fields(title=title, summary=summary, background=background,
                                  goals=goals, contact=contact)
    tag_names = normalize_tags(tags)
    consultation = Consultation(department_id=dept.id, created_by_id=actor.id,
                                latest_version_number=0, **fields)
    consultation.tags = tags_named(tag_names)
    db.session.add(consultation)
    db.session.flush()
    audit.record(actor, "consultation.created", consultation, title=consultation.title,
                 department=dept.slug)
    return consultation


def _consultation_fields(**values: str) -> dict[str, str]:
    out = {}
    for name, value in values.items():
        out[name] = _clean(value, name, required=name == "title",
                           message=_l("Enter a title.") if name == "title" else None)
    return out


def update_consultation(actor: Actor, consultation: Consultation, *, department_id, title: str,
                        summary: str = "", background: str = "", goals: str = "", tags="",
                        contact: str = "") -> Consultation:
    authorize(actor, "consultation.manage", consultation)
    fields = _consultation_fields(title=title, summary=summary, background=background,
                                  goals=goals, contact=contact)
    changes: dict[str, list] = {}
    try:
        wanted_department = int(department_id or 0)
    except (TypeError, ValueError):
        wanted_department = -1
    if wanted_department != consultation.department_id:
        dept = _department(actor, department_id)
        changes["department_id"] = [consultation.department_id, dept.id]
        consultation.department_id = dept.id
    for name, value in fields.items():
        if getattr(consultation, name) != value:
            changes[name] = [len(getattr(consultation, name) or ""), len(value)] \
                if name in ("summary", "background", "goals") else [
                    getattr(consultation, name), value]
            setattr(consultation, name, value)
    tag_names = normalize_tags(tags)
    old_names = [t.name for t in consultation.tags]
    if sorted(old_names) != sorted(tag_names):
        consultation.tags = tags_named(tag_names)
        changes["tags"] = [sorted(old_names), sorted(tag_names)]
    if changes:
        consultation.updated_at = clock_now()
        audit.record(actor, "consultation.updated", consultation, changes=changes)
    return consultation


def publish_consultation(actor: Actor, consultation: Consultation) -> Consultation:
    authorize(actor, "consultation.manage", consultation)
    if consultation.published_at is not None:
        raise Conflict(_l("This consultation is already published."))
    if consultation.latest_version_number < 1:
        raise ValidationFailed(
            _l("Publish a first version of the draft before publishing the consultation."))
    consultation.published_at = clock_now()
    audit.record(actor, "consultation.published", consultation)
    return consultation


def get_for_manage(actor: Actor, consultation_id: int) -> Consultation:
    """A consultation the actor manages: 404 if they may not even see it, else 403."""
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.department), selectinload(Consultation.tags)))
    if consultation is None or not check(actor, "consultation.view", consultation):
        raise NotFound(_l("There is no such consultation."))
    authorize(actor, "consultation.manage", consultation)
    return consultation


def versions_of(actor: Actor, consultation: Consultation) -> list[DraftVersion]:
    """The published versions (without their clauses), for the official's overview."""
    authorize(actor, "consultation.manage", consultation)
    return list(db.session.scalars(select(DraftVersion).where(
        DraftVersion.consultation_id == consultation.id).order_by(DraftVersion.number)))


get_consultation_for_manage = get_for_manage  # the name other domains were told
