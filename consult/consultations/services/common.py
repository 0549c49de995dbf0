"""Limits and cleaning shared by the consultation services."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import Actor, Department
from consult.consultations.models import Tag
from consult.db import db
from consult.errors import ValidationFailed
from consult.security.input import clean_text
from consult.security.permissions import check

MAX_CLAUSES = 500
MAX_CLAUSE_BODY = 20_000
MAX_TAGS = 10
LIMITS = {
    "title": 200, "summary": 2_000, "background": 10_000, "goals": 10_000, "contact": 500,
    "number": 30, "heading": 200, "body": MAX_CLAUSE_BODY, "change_note": 2_000, "tag": 40,
    "explanation": 20_000, "chapter": 200, "section": 200,
}
PER_PAGE = 20


# ---------------------------------------------------------------- cleaning

def _clean(value: str | None, field: str, *, required: bool = False,
           message: str | None = None) -> str:
    """``clean_text`` with this domain's limits by field name, and "" for empty text."""
    return clean_text(value, field=field, limit=LIMITS[field], required=required,
                      empty=message or _l("This field is required.")) or ""


def normalize_tags(raw: str | list[str] | None) -> list[str]:
    """Split on commas (ASCII or Chinese), 、 and semicolons; trim, collapse spaces,
    lower-case Latin letters, drop duplicates, keep order."""
    if isinstance(raw, list):
        raw = ",".join(raw)
    parts = re.split(r"[,，、;；\n]+", unicodedata.normalize("NFKC", raw or ""))
    seen: list[str] = []
    for part in parts:
        name = re.sub(r"\s+", " ", part).strip().lower().lstrip("#")
        if not name:
            continue
        if len(name) > LIMITS["tag"]:
            raise ValidationFailed(
                _l("A topic tag can have at most %(limit)d characters.", limit=LIMITS["tag"]),
                field="tags")
        if name not in seen:
            seen.append(name)
    if len(seen) > MAX_TAGS:
        raise ValidationFailed(_l("Use at most %(n)d topic tags.", n=MAX_TAGS), field="tags")
    return seen


def tags_named(names: list[str]) -> list[Tag]:
    """The topic tags of these names, created when new (consultations and suggestions share
    one vocabulary); a tag created meanwhile by someone else is read, not duplicated."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    out = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            try:
                with db.session.begin_nested():
                    tag = Tag(name=name)
                    db.session.add(tag)
            except IntegrityError:  # created meanwhile by someone else
                tag = db.session.scalar(select(Tag).where(Tag.name == name))
        out.append(tag)
    return out


def _department(actor: Actor, department_id) -> Department:
    try:
        dept_id = int(department_id)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("Choose one of your departments."),
                               field="department_id") from None
    if not check(actor, "consultation.create", dept_id):
        raise ValidationFailed(_l("Choose one of your departments."), field="department_id")
    dept = db.session.get(Department, dept_id)
    if dept is None or not dept.active:
        raise ValidationFailed(_l("Choose one of your departments."), field="department_id")
    return dept
