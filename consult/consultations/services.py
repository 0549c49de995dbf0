"""Consultation rules: authoring (officials of the owning department), the working copy of
the draft, publishing immutable versions, and the public reads (lists, search, records).

Services authorize, validate and flush; the caller's transaction (``atomic()``) commits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.accounts.models import Department
from consult.clock import now as clock_now
from consult.consultations.diff import VersionDiff, diff_versions, same_text
from consult.consultations.models import (
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
    Tag,
    WorkingClause,
)
from consult.db import db
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.security.permissions import authorize, check
from consult.web import Page, paginate

MAX_CLAUSES = 500
MAX_CLAUSE_BODY = 20_000
MAX_TAGS = 10
LIMITS = {
    "title": 200, "summary": 2_000, "background": 10_000, "goals": 10_000, "contact": 500,
    "number": 30, "heading": 200, "body": MAX_CLAUSE_BODY, "change_note": 2_000, "tag": 40,
}
PER_PAGE = 20


# ---------------------------------------------------------------- cleaning

def _clean(value: str | None, field: str, *, required: bool = False,
           message: str | None = None) -> str:
    text = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n")).strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValidationFailed(_l("Remove the control characters from this text."), field=field)
    if required and not text:
        raise ValidationFailed(message or _l("This field is required."), field=field)
    limit = LIMITS[field]
    if len(text) > limit:
        raise ValidationFailed(
            _l("Use at most %(limit)d characters (you entered %(count)d).",
               limit=limit, count=len(text)), field=field)
    return text


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


def _tags(names: list[str]) -> list[Tag]:
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    out = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        out.append(tag)
    return out


def _department(actor, department_id) -> Department:
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


# ---------------------------------------------------------------- authoring

def managed_departments(actor) -> list[Department]:
    ids = sorted(getattr(actor, "official_department_ids", ()) or ())
    if not ids:
        return []
    return list(db.session.scalars(
        select(Department).where(Department.id.in_(ids), Department.active.is_(True))
        .order_by(Department.name)))


def list_managed(actor, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The consultations of the actor's departments, unpublished ones included."""
    authorize(actor, "consultation.create")
    stmt = (select(Consultation)
            .where(Consultation.department_id.in_(sorted(actor.official_department_ids)))
            .options(joinedload(Consultation.department))
            .order_by(Consultation.updated_at.desc(), Consultation.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)


def create_consultation(actor, *, department_id, title: str, summary: str = "",
                        background: str = "", goals: str = "", tags="",
                        contact: str = "") -> Consultation:
    authorize(actor, "consultation.create")
    dept = _department(actor, department_id)
    fields = _consultation_fields(title=title, summary=summary, background=background,
                                  goals=goals, contact=contact)
    tag_names = normalize_tags(tags)
    consultation = Consultation(department_id=dept.id, created_by_id=actor.id,
                                latest_version_number=0, **fields)
    consultation.tags = _tags(tag_names)
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


def update_consultation(actor, consultation: Consultation, *, department_id, title: str,
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
        consultation.tags = _tags(tag_names)
        changes["tags"] = [sorted(old_names), sorted(tag_names)]
    if changes:
        consultation.updated_at = clock_now()
        audit.record(actor, "consultation.updated", consultation, changes=changes)
    return consultation


def publish_consultation(actor, consultation: Consultation) -> Consultation:
    authorize(actor, "consultation.manage", consultation)
    if consultation.published_at is not None:
        raise Conflict(_l("This consultation is already published."))
    if consultation.latest_version_number < 1:
        raise ValidationFailed(
            _l("Publish a first version of the draft before publishing the consultation."))
    consultation.published_at = clock_now()
    audit.record(actor, "consultation.published", consultation)
    return consultation


def get_for_manage(actor, consultation_id: int) -> Consultation:
    """A consultation the actor manages: 404 if they may not even see it, else 403."""
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.department), selectinload(Consultation.tags)))
    if consultation is None or not check(actor, "consultation.view", consultation):
        raise NotFound(_l("There is no such consultation."))
    authorize(actor, "consultation.manage", consultation)
    return consultation


get_consultation_for_manage = get_for_manage  # the name other domains were told


# ---------------------------------------------------------------- the working copy

def working_copy(actor, consultation: Consultation) -> list[WorkingClause]:
    authorize(actor, "consultation.manage", consultation)
    return list(db.session.scalars(
        select(WorkingClause).where(WorkingClause.consultation_id == consultation.id)
        .order_by(WorkingClause.position, WorkingClause.id)))


def _working_count(consultation: Consultation) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkingClause).where(
        WorkingClause.consultation_id == consultation.id)) or 0


def _lock(consultation: Consultation) -> None:
    """Serialise writers of one consultation's draft (a row lock on PostgreSQL)."""
    db.session.execute(select(Consultation.id).where(Consultation.id == consultation.id)
                       .with_for_update())


def _clause_fields(number: str, heading: str, body: str) -> dict[str, str]:
    return {
        "number": _clean(number, "number", required=True,
                         message=_l("Enter the clause number, for example 第一条 or 3.1.")),
        "heading": _clean(heading, "heading"),
        "body": _clean_body(body),
    }


def _clean_body(body: str, field: str = "body") -> str:
    text = unicodedata.normalize("NFC", (body or "").replace("\r\n", "\n")).strip()
    if not text:
        raise ValidationFailed(_l("Enter the text of the clause."), field=field)
    if len(text) > MAX_CLAUSE_BODY:
        raise ValidationFailed(
            _l("A clause can have at most %(limit)d characters (this one has %(count)d). "
               "Split it into several clauses.", limit=MAX_CLAUSE_BODY, count=len(text)),
            field=field)
    return _clean(text, field) if field in LIMITS else text


def _too_many(count: int, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(
        _l("A draft can have at most %(limit)d clauses; this would make %(count)d.",
           limit=MAX_CLAUSES, count=count), field=field)


def add_clause(actor, consultation: Consultation, *, number: str, heading: str = "",
               body: str) -> WorkingClause:
    authorize(actor, "consultation.manage", consultation)
    fields = _clause_fields(number, heading, body)
    _lock(consultation)
    count = _working_count(consultation)
    if count + 1 > MAX_CLAUSES:
        raise _too_many(count + 1)
    clause = WorkingClause(consultation_id=consultation.id, position=count + 1, **fields)
    db.session.add(clause)
    db.session.flush()
    audit.record(actor, "draft.clause_added", consultation, clause=clause.id,
                 number=clause.number)
    return clause


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 23 -> 二十三 (enough for clause numbers)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def article(n: int) -> str:
    return f"第{chinese_number(n)}条"


def suggest_number(working: list[WorkingClause]) -> str:
    """The number the next clause probably gets, following the style of the last one."""
    if not working:
        return article(1)
    last = working[-1].number.strip()
    if last.isdigit():
        return str(int(last) + 1)
    if re.fullmatch(r"第[零〇一二三四五六七八九十百]+条", last) or re.fullmatch(r"第\d+条", last):
        n = len(working) + 1
        return f"第{n}条" if re.fullmatch(r"第\d+条", last) else article(n)
    return ""


def _working_clause(consultation: Consultation, clause_id: int) -> WorkingClause:
    clause = db.session.get(WorkingClause, clause_id)
    if clause is None or clause.consultation_id != consultation.id:
        raise NotFound(_l("There is no such clause in the working copy."))
    return clause


def update_clause(actor, consultation: Consultation, clause_id: int, *, number: str,
                  heading: str = "", body: str) -> WorkingClause:
    authorize(actor, "consultation.manage", consultation)
    clause = _working_clause(consultation, clause_id)
    fields = _clause_fields(number, heading, body)
    changed = [k for k, v in fields.items() if getattr(clause, k) != v]
    for key in changed:
        setattr(clause, key, fields[key])
    if changed:
        audit.record(actor, "draft.clause_edited", consultation, clause=clause.id,
                     fields=changed)
    return clause


def delete_clause(actor, consultation: Consultation, clause_id: int) -> None:
    authorize(actor, "consultation.manage", consultation)
    _lock(consultation)
    clause = _working_clause(consultation, clause_id)
    db.session.delete(clause)
    db.session.flush()
    _renumber(consultation)
    audit.record(actor, "draft.clause_deleted", consultation, clause=clause_id,
                 number=clause.number)


def _renumber(consultation: Consultation) -> list[WorkingClause]:
    clauses = list(db.session.scalars(
        select(WorkingClause).where(WorkingClause.consultation_id == consultation.id)
        .order_by(WorkingClause.position, WorkingClause.id)))
    for i, c in enumerate(clauses, start=1):
        if c.position != i:
            c.position = i
    return clauses


def move_clause(actor, consultation: Consultation, clause_id: int, *,
                direction: str) -> WorkingClause:
    authorize(actor, "consultation.manage", consultation)
    if direction not in ("up", "down"):
        raise ValidationFailed(_l("Choose up or down."), field="direction")
    _lock(consultation)
    clauses = _renumber(consultation)
    index = next((i for i, c in enumerate(clauses) if c.id == clause_id), None)
    if index is None:
        raise NotFound(_l("There is no such clause in the working copy."))
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(clauses):
        a, b = clauses[index], clauses[other]
        a.position, b.position = b.position, a.position
        audit.record(actor, "draft.clause_moved", consultation, clause=a.id,
                     direction=direction)
    return clauses[index]


_ARTICLE = re.compile(
    r"^[\s\u3000]*(第[零〇一二三四五六七八九十百千两\d]+条)[\s\u3000]*"
    r"(?:[【\[]([^】\]]{1,200})[】\]])?[\s\u3000]*(.*)$")
_CHAPTER = re.compile(r"^[\s\u3000]*第[零〇一二三四五六七八九十百千两\d]+[章节编]")


def parse_clauses(text: str) -> list[tuple[str, str, str]]:
    """Split a pasted draft into (number, heading, body).

    Lines starting "第…条" begin a clause ("第三条【标题】正文" gives a heading);
    chapter lines ("第一章 总则") are skipped. Text without such lines is split into
    clauses at blank lines and numbered 1, 2, 3…
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(_ARTICLE.match(line) for line in lines):
        clauses: list[list] = []
        for line in lines:
            match = _ARTICLE.match(line)
            if match:
                clauses.append([match[1], (match[2] or "").strip(),
                                [match[3].strip()] if match[3].strip() else []])
            elif clauses and line.strip() and not _CHAPTER.match(line):
                clauses[-1][2].append(line.strip())
        return [(n, h, "\n".join(b)) for n, h, b in clauses]
    paragraphs = [p.strip() for p in re.split(r"\n[\s\u3000]*\n", "\n".join(lines)) if p.strip()]
    return [(str(i), "", p) for i, p in enumerate(paragraphs, start=1)]


def import_clauses(actor, consultation: Consultation, *, text: str) -> list[WorkingClause]:
    """Append the clauses of a pasted text to the working copy."""
    authorize(actor, "consultation.manage", consultation)
    parsed = parse_clauses(text)
    if not parsed:
        raise ValidationFailed(_l("Paste the text of the draft."), field="text")
    _lock(consultation)
    count = _working_count(consultation)
    if count + len(parsed) > MAX_CLAUSES:
        raise _too_many(count + len(parsed), field="text")
    added = []
    for i, (number, heading, body) in enumerate(parsed, start=1):
        try:
            fields = _clause_fields(number, heading, body)
        except ValidationFailed as exc:
            raise ValidationFailed(
                _l("Clause %(number)s: %(problem)s", number=number or i, problem=exc.message),
                field="text") from None
        added.append(WorkingClause(consultation_id=consultation.id, position=count + i,
                                   **fields))
    db.session.add_all(added)
    db.session.flush()
    audit.record(actor, "draft.clauses_imported", consultation, count=len(added))
    return added


def restore_working_copy(actor, consultation: Consultation) -> list[WorkingClause]:
    """Throw away unpublished changes: the working copy becomes the latest version again."""
    authorize(actor, "consultation.manage", consultation)
    _lock(consultation)
    latest = _latest_clauses(consultation)
    if latest is None:
        raise ValidationFailed(_l("There is no published version to start from."))
    for old in working_copy(actor, consultation):
        db.session.delete(old)
    db.session.flush()
    fresh = [WorkingClause(consultation_id=consultation.id, lineage_id=c.lineage_id,
                           position=c.position, number=c.number, heading=c.heading,
                           body=c.body) for c in latest]
    db.session.add_all(fresh)
    db.session.flush()
    audit.record(actor, "draft.working_copy_restored", consultation,
                 version=consultation.latest_version_number)
    return fresh


def _latest_clauses(consultation: Consultation) -> list[Clause] | None:
    if consultation.latest_version_number < 1:
        return None
    return list(db.session.scalars(
        select(Clause).join(DraftVersion).where(
            DraftVersion.consultation_id == consultation.id,
            DraftVersion.number == consultation.latest_version_number)
        .order_by(Clause.position)))


def pending_changes(actor, consultation: Consultation,
                    working: list[WorkingClause]) -> VersionDiff | None:
    """What publishing the working copy would change, against the latest version."""
    authorize(actor, "consultation.manage", consultation)
    latest = _latest_clauses(consultation)
    if latest is None:
        return None
    # New working clauses have no lineage yet: give them ids no clause can have.
    aligned = [_Aligned(c.lineage_id or -c.id, c.number, c.heading, c.body) for c in working]
    return diff_versions(latest, aligned)


@dataclass(frozen=True)
class _Aligned:
    lineage_id: int
    number: str
    heading: str
    body: str


def publish_version(actor, consultation: Consultation, *, change_note: str) -> DraftVersion:
    """Freeze the working copy as version N+1. Earlier versions are never touched."""
    authorize(actor, "consultation.manage", consultation)
    _lock(consultation)
    db.session.refresh(consultation, ["latest_version_number"])
    working = working_copy(actor, consultation)
    if not working:
        raise ValidationFailed(_l("The working copy is empty. Add at least one clause first."))
    if len(working) > MAX_CLAUSES:
        raise _too_many(len(working))
    for clause in working:
        if len(clause.body) > MAX_CLAUSE_BODY:
            raise ValidationFailed(_l("Clause %(number)s is longer than %(limit)d characters.",
                                      number=clause.number, limit=MAX_CLAUSE_BODY))
    note = _clean(change_note, "change_note", required=True,
                  message=_l("Say in a sentence what this version changes."))
    latest = _latest_clauses(consultation)
    if latest is not None and same_text(latest, working):
        raise ValidationFailed(
            _l("The working copy is identical to version %(n)d. Change something first.",
               n=consultation.latest_version_number))
    new_lineages = [ClauseLineage(consultation_id=consultation.id)
                    for c in working if c.lineage_id is None]
    db.session.add_all(new_lineages)
    db.session.flush()
    fresh = iter(new_lineages)
    for clause in working:
        if clause.lineage_id is None:
            clause.lineage_id = next(fresh).id
    number = consultation.latest_version_number + 1
    version = DraftVersion(consultation_id=consultation.id, number=number, change_note=note,
                           published_at=clock_now(), published_by_id=actor.id,
                           clause_count=len(working))
    version.clauses = [Clause(lineage_id=c.lineage_id, position=i, number=c.number,
                              heading=c.heading, body=c.body)
                       for i, c in enumerate(working, start=1)]
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(_l("Someone else published a version at the same time. "
                          "Reload the page.")) from None
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(latest_version_number=number, updated_at=clock_now()))
    db.session.expire(consultation, ["latest_version_number", "updated_at"])
    audit.record(actor, "draft.version_published", version, consultation=consultation.id,
                 number=number, clauses=len(working))
    return version


# ---------------------------------------------------------------- public reads

def get_public_consultation(actor, consultation_id: int) -> Consultation:
    """A consultation page: department, tags, rounds and versions (without clauses)."""
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id)
        .options(joinedload(Consultation.department), selectinload(Consultation.tags),
                 selectinload(Consultation.rounds), selectinload(Consultation.versions)))
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


# Public state filters: how a consultation's rounds stand now.
STATE_FILTERS = ("open", "upcoming", "awaiting", "responded", "evaluated", "overdue")
SORTS = ("newest", "closing", "title")


def _round_state_exists(value: str, at: datetime):
    from consult.rounds.lifecycle import overdue_sql, state_sql
    from consult.rounds.models import Round

    sql_state = {"open": "open", "upcoming": "scheduled", "awaiting": "closed",
                 "responded": "responded", "evaluated": "evaluated"}
    condition = overdue_sql(at) if value == "overdue" else state_sql(at) == sql_state[value]
    return exists(select(Round.id).where(Round.consultation_id == Consultation.id, condition))


def _closing_soonest(at: datetime):
    from consult.rounds.lifecycle import state_sql
    from consult.rounds.models import Round

    return (select(func.min(Round.closes_at))
            .where(Round.consultation_id == Consultation.id, state_sql(at) == "open")
            .correlate(Consultation).scalar_subquery())


def search_terms(q: str) -> list[str]:
    return [t for t in unicodedata.normalize("NFKC", q or "").split() if t][:8]


def search_consultations(*, q: str = "", department: str = "", tag: str = "",
                         state: str = "", sort: str = "newest", page: int = 1,
                         per_page: int = PER_PAGE) -> Page:
    """Published consultations matching the filters. Each term of ``q`` must appear in the
    title or summary (substring match, so it works for Chinese without a tokenizer)."""
    at = clock_now()
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if department:
        stmt = stmt.where(Consultation.department_id == select(Department.id).where(
            Department.slug == department).scalar_subquery())
    if tag:
        stmt = stmt.where(Consultation.tags.any(Tag.name == tag.strip().lower()))
    if state in STATE_FILTERS:
        stmt = stmt.where(_round_state_exists(state, at))
    for term in search_terms(q):
        term = term.lower()
        stmt = stmt.where(or_(func.lower(Consultation.title).contains(term, autoescape=True),
                              func.lower(Consultation.summary).contains(term, autoescape=True)))
    if sort == "closing":
        stmt = stmt.order_by(_closing_soonest(at).asc().nulls_last(),
                             Consultation.published_at.desc(), Consultation.id.desc())
    elif sort == "title":
        stmt = stmt.order_by(Consultation.title, Consultation.id)
    else:
        stmt = stmt.order_by(Consultation.published_at.desc(), Consultation.id.desc())
    stmt = stmt.options(joinedload(Consultation.department), selectinload(Consultation.tags),
                        selectinload(Consultation.rounds))
    return paginate(stmt, page=page, per_page=per_page)


def open_now(limit: int = 5) -> list[Consultation]:
    """Published consultations with an open round, the soonest closing first (bounded)."""
    at = clock_now()
    stmt = (select(Consultation)
            .where(Consultation.published_at.is_not(None), _round_state_exists("open", at))
            .order_by(_closing_soonest(at).asc(), Consultation.id.desc())
            .options(joinedload(Consultation.department), selectinload(Consultation.rounds))
            .limit(limit))
    return list(db.session.scalars(stmt))


def filter_choices() -> tuple[list[Department], list[Tag]]:
    """Departments and the topic tags used by published consultations (for the filters)."""
    departments = list(db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)))
    from consult.consultations.models import consultation_tag
    tags = list(db.session.scalars(
        select(Tag).join(consultation_tag, consultation_tag.c.tag_id == Tag.id)
        .join(Consultation, Consultation.id == consultation_tag.c.consultation_id)
        .where(Consultation.published_at.is_not(None))
        .group_by(Tag.id, Tag.name).order_by(func.count().desc(), Tag.name).limit(40)))
    return departments, tags


@dataclass
class DepartmentRecord:
    consultations: int
    rounds_by_state: dict[str, int]
    overdue: int
    responses: int
    responses_on_time: int

    @property
    def rounds(self) -> int:
        return sum(self.rounds_by_state.values())


def get_department(slug: str) -> Department:
    dept = db.session.scalar(select(Department).where(Department.slug == slug))
    if dept is None:
        raise NotFound(_l("There is no such department."))
    return dept


def department_record(dept: Department) -> DepartmentRecord:
    """What the department has done in public: three queries whatever its size."""
    from consult.rounds.lifecycle import overdue_sql, state_sql
    from consult.rounds.models import Round

    at = clock_now()
    published = and_(Consultation.department_id == dept.id,
                     Consultation.published_at.is_not(None))
    consultations = db.session.scalar(
        select(func.count()).select_from(Consultation).where(published)) or 0
    state = state_sql(at).label("state")
    by_state = {row.state: row.n for row in db.session.execute(
        select(state, func.count().label("n")).select_from(Round)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(published).group_by(state))}
    row = db.session.execute(
        select(func.count().filter(overdue_sql(at)).label("overdue"),
               func.count(Round.response_published_at).label("responses"),
               func.sum(case((Round.response_published_at <= Round.response_due_at, 1),
                             else_=0)).label("on_time"))
        .select_from(Round).join(Consultation, Consultation.id == Round.consultation_id)
        .where(published)).one()
    return DepartmentRecord(consultations=consultations, rounds_by_state=by_state,
                            overdue=row.overdue or 0, responses=row.responses or 0,
                            responses_on_time=row.on_time or 0)
