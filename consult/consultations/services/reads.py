"""Public reads: a consultation, its versions and diffs, lists and search, department records."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import Actor, Department
from consult.accounts.services import get_department_by_slug
from consult.consultations.diff import VersionDiff, diff_versions
from consult.consultations.models import (
    Clause,
    Consultation,
    DraftVersion,
    Tag,
    consultation_tag,
)
from consult.db import db
from consult.errors import NotFound
from consult.security.permissions import check


def get_public_consultation(actor: Actor, consultation_id: int) -> Consultation:
    """A consultation page: department, tags, rounds and versions (without clauses), in
    one statement: a consultation has a few of each, so their product is a few rows,
    where a statement per collection cost more (each about as much as this one)."""
    consultation = db.session.execute(
        select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.department), joinedload(Consultation.tags),
                 joinedload(Consultation.rounds), joinedload(Consultation.versions))
    ).unique().scalar_one_or_none()
    if consultation is None or not check(actor, "consultation.view", consultation):
        raise NotFound(_l("There is no such consultation."))
    return consultation


def version_clauses(version: DraftVersion | None) -> list[Clause]:
    if version is None:
        return []
    return list(db.session.scalars(
        select(Clause).where(Clause.version_id == version.id).order_by(Clause.position)))


def get_version(consultation: Consultation, number: int) -> DraftVersion:
    """A version of an already visible consultation (its ``versions`` loaded)."""
    for version in consultation.versions:
        if version.number == number:
            return version
    raise NotFound(_l("This consultation has no version %(n)d.", n=number))


def compare(consultation: Consultation, old_number: int, new_number: int) -> VersionDiff:
    old = get_version(consultation, old_number)
    new = get_version(consultation, new_number)
    clauses = list(db.session.scalars(
        select(Clause).where(Clause.version_id.in_([old.id, new.id]))
        .order_by(Clause.position)))
    return diff_versions([c for c in clauses if c.version_id == old.id],
                         [c for c in clauses if c.version_id == new.id])


def search_terms(q: str) -> list[str]:
    return [t for t in unicodedata.normalize("NFKC", q or "").split() if t][:8]


def filter_choices() -> tuple[list[Department], list[Tag]]:
    """Departments and the topic tags used by published consultations (for the filters)."""
    departments = list(db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)))
    tags = list(db.session.scalars(
        select(Tag).join(consultation_tag, consultation_tag.c.tag_id == Tag.id)
        .join(Consultation, Consultation.id == consultation_tag.c.consultation_id)
        .where(Consultation.published_at.is_not(None))
        .group_by(Tag.id, Tag.name).order_by(func.count().desc(), Tag.name).limit(40)))
    return departments, tags


def get_department(slug: str) -> Department:
    """A department's public record page: active departments only, as in the API."""
    return get_department_by_slug(slug, active_only=True)
