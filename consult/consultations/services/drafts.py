"""The working copy of the draft and publishing it as immutable numbered versions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from consult import audit
from consult.accounts.models import Actor
from consult.clock import now as clock_now
from consult.consultations.diff import VersionDiff, diff_versions, same_text
from consult.consultations.models import (
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
    WorkingClause,
)
from consult.consultations.services import common
from consult.consultations.services.common import LIMITS, _clean
from consult.consultations.structure import heading_kind
from consult.db import db
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.security.params import parse_int
from consult.security.permissions import authorize


def working_copy(actor: Actor, consultation: Consultation) -> list[WorkingClause]:
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


def _clause_fields(number: str, heading: str, body: str, chapter: str = "",
                   section: str = "") -> dict[str, str]:
    return {
        "number": _clean(number, "number", required=True,
                         message=_l("Enter the clause number, for example 第一条 or 3.1.")),
        "heading": _clean(heading, "heading"),
        "body": _clean_body(body),
        "chapter": _clean(chapter, "chapter"),
        "section": _clean(section, "section"),
    }


def _clean_body(body: str, field: str = "body") -> str:
    text = unicodedata.normalize("NFC", (body or "").replace("\r\n", "\n")).strip()
    if not text:
        raise ValidationFailed(_l("Enter the text of the clause."), field=field)
    if len(text) > common.MAX_CLAUSE_BODY:
        raise ValidationFailed(
            _l("A clause can have at most %(limit)d characters (this one has %(count)d). "
               "Split it into several clauses.", limit=common.MAX_CLAUSE_BODY, count=len(text)),
            field=field)
    return _clean(text, field) if field in LIMITS else text


def _too_many(count: int, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(
        _l("A draft can have at most %(limit)d clauses; this would make %(count)d.",
           limit=common.MAX_CLAUSES, count=count), field=field)


def add_clause(actor: Actor, consultation: Consultation, *, number: str, heading: str = "",
               body: str, chapter: str = "", section: str = "") -> WorkingClause:
    """Append a clause; ``chapter`` and ``section`` are the headings it stands under
    ("第一章 总则"), empty when the draft has none."""
    authorize(actor, "consultation.manage", consultation)
    fields = _clause_fields(number, heading, body, chapter, section)
    _lock(consultation)
    count = _working_count(consultation)
    if count + 1 > common.MAX_CLAUSES:
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
    if parse_int(last, high=10**6) is not None:
        return str(int(last) + 1)
    if re.fullmatch(r"第[零〇一二三四五六七八九十百]+条", last) or re.fullmatch(r"第\d+条", last):
        n = len(working) + 1
        return f"第{n}条" if re.fullmatch(r"第\d+条", last) else article(n)
    return ""


def get_working_clause(consultation: Consultation, clause_id: int) -> WorkingClause:
    clause = db.session.get(WorkingClause, clause_id)
    if clause is None or clause.consultation_id != consultation.id:
        raise NotFound(_l("There is no such clause in the working copy."))
    return clause


def update_clause(actor: Actor, consultation: Consultation, clause_id: int, *, number: str,
                  heading: str = "", body: str, chapter: str | None = None,
                  section: str | None = None) -> WorkingClause:
    """Change a clause; a chapter or section left as None stays as it was."""
    authorize(actor, "consultation.manage", consultation)
    clause = get_working_clause(consultation, clause_id)
    fields = _clause_fields(number, heading, body,
                            clause.chapter if chapter is None else chapter,
                            clause.section if section is None else section)
    changed = [k for k, v in fields.items() if getattr(clause, k) != v]
    for key in changed:
        setattr(clause, key, fields[key])
    if changed:
        audit.record(actor, "draft.clause_edited", consultation, clause=clause.id,
                     fields=changed)
    return clause


def delete_clause(actor: Actor, consultation: Consultation, clause_id: int) -> None:
    authorize(actor, "consultation.manage", consultation)
    _lock(consultation)
    clause = get_working_clause(consultation, clause_id)
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


def move_clause(actor: Actor, consultation: Consultation, clause_id: int, *,
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
@dataclass(frozen=True)
class ParsedClause:
    number: str
    heading: str
    body: str
    chapter: str = ""
    section: str = ""


def parse_draft(text: str) -> list[ParsedClause]:
    """Split a pasted (or Word-imported) draft into clauses with their chapter and section.

    Lines starting "第…条" begin a clause ("第三条【标题】正文" gives a heading); a
    chapter line ("第一章 总则") starts a chapter, a section line ("第一节 …") a section
    of it, and the clauses after them stand in them. Text without clause lines is split
    into clauses at blank lines and numbered 1, 2, 3…
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if any(_ARTICLE.match(line) for line in lines):
        clauses: list[list] = []
        chapter = section = ""
        for line in lines:
            match = _ARTICLE.match(line)
            kind = None if match else heading_kind(line)
            if match:
                clauses.append([match[1], (match[2] or "").strip(),
                                [match[3].strip()] if match[3].strip() else [],
                                chapter, section])
            elif kind == "chapter":
                chapter, section = _heading_line(line), ""
            elif kind == "section":
                section = _heading_line(line)
            elif clauses and line.strip():
                clauses[-1][2].append(line.strip())
        return [ParsedClause(n, h, "\n".join(b), ch, se) for n, h, b, ch, se in clauses]
    paragraphs = [p.strip() for p in re.split(r"\n[\s\u3000]*\n", "\n".join(lines)) if p.strip()]
    return [ParsedClause(str(i), "", p) for i, p in enumerate(paragraphs, start=1)]


def _heading_line(line: str) -> str:
    """A chapter or section heading as stored: spaces collapsed (full-width ones too)."""
    return re.sub(r"[\s\u3000]+", " ", line).strip()[:LIMITS["chapter"]]


def parse_clauses(text: str) -> list[tuple[str, str, str]]:
    """(number, heading, body) of each clause of a pasted draft (see ``parse_draft``)."""
    return [(c.number, c.heading, c.body) for c in parse_draft(text)]


def import_clauses(actor: Actor, consultation: Consultation, *, text: str) -> list[WorkingClause]:
    """Append the clauses of a pasted text to the working copy."""
    authorize(actor, "consultation.manage", consultation)
    parsed = parse_draft(text)
    if not parsed:
        raise ValidationFailed(_l("Paste the text of the draft."), field="text")
    _lock(consultation)
    count = _working_count(consultation)
    if count + len(parsed) > common.MAX_CLAUSES:
        raise _too_many(count + len(parsed), field="text")
    added = []
    for i, c in enumerate(parsed, start=1):
        try:
            fields = _clause_fields(c.number, c.heading, c.body, c.chapter, c.section)
        except ValidationFailed as exc:
            raise ValidationFailed(
                _l("Clause %(number)s: %(problem)s", number=c.number or i, problem=exc.message),
                field="text") from None
        added.append(WorkingClause(consultation_id=consultation.id, position=count + i,
                                   **fields))
    db.session.add_all(added)
    db.session.flush()
    audit.record(actor, "draft.clauses_imported", consultation, count=len(added))
    return added


def restore_working_copy(actor: Actor, consultation: Consultation) -> list[WorkingClause]:
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
                           body=c.body, chapter=c.chapter, section=c.section)
             for c in latest]
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


def pending_changes(actor: Actor, consultation: Consultation,
                    working: list[WorkingClause]) -> VersionDiff | None:
    """What publishing the working copy would change, against the latest version."""
    authorize(actor, "consultation.manage", consultation)
    latest = _latest_clauses(consultation)
    if latest is None:
        return None
    # New working clauses have no lineage yet: give them ids no clause can have.
    aligned = [_Aligned(c.lineage_id or -c.id, c.number, c.heading, c.body, c.chapter,
                        c.section) for c in working]
    return diff_versions(latest, aligned)


@dataclass(frozen=True)
class _Aligned:
    lineage_id: int
    number: str
    heading: str
    body: str
    chapter: str = ""
    section: str = ""


@dataclass(frozen=True)
class VersionPreview:
    """What publishing the working copy would make: shown before it is confirmed."""
    number: int
    change_note: str
    explanation: str | None
    clauses: list[WorkingClause]
    changes: VersionDiff | None


def _publishable(consultation: Consultation, working: list[WorkingClause], change_note: Any,
                 explanation: Any) -> tuple[str, str | None, Any]:
    """The checks of publishing (the same for the preview): the cleaned note and
    explanation and the latest version's clauses; 422 for anything not publishable."""
    if not working:
        raise ValidationFailed(_l("The working copy is empty. Add at least one clause first."))
    if len(working) > common.MAX_CLAUSES:
        raise _too_many(len(working))
    for clause in working:
        if len(clause.body) > common.MAX_CLAUSE_BODY:
            raise ValidationFailed(_l("Clause %(number)s is longer than %(limit)d characters.",
                                      number=clause.number, limit=common.MAX_CLAUSE_BODY))
    note = _clean(change_note, "change_note", required=True,
                  message=_l("Say in a sentence what this version changes."))
    explanation = _clean(explanation, "explanation", required=False)
    latest = _latest_clauses(consultation)
    if latest is not None and same_text(latest, working):
        raise ValidationFailed(
            _l("The working copy is identical to version %(n)d. Change something first.",
               n=consultation.latest_version_number))
    return note, explanation, latest


def preview_version(actor: Actor, consultation: Consultation, *, change_note: Any,
                    explanation: Any = None) -> VersionPreview:
    """The version publishing would make, checked as publishing checks it (nothing is
    written): the confirmation page shows it."""
    authorize(actor, "consultation.manage", consultation)
    working = working_copy(actor, consultation)
    note, explanation, _latest = _publishable(consultation, working, change_note, explanation)
    return VersionPreview(consultation.latest_version_number + 1, note, explanation, working,
                          pending_changes(actor, consultation, working))


def publish_version(actor: Actor, consultation: Consultation, *, change_note: str,
                    explanation: str | None = None) -> DraftVersion:
    """Freeze the working copy as version N+1, with its 起草说明 (``explanation``, optional).
    Earlier versions are never touched."""
    authorize(actor, "consultation.manage", consultation)
    _lock(consultation)
    db.session.refresh(consultation, ["latest_version_number"])
    working = working_copy(actor, consultation)
    note, explanation, latest = _publishable(consultation, working, change_note, explanation)
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
                           explanation=explanation, published_at=clock_now(),
                           published_by_id=actor.id, clause_count=len(working))
    version.clauses = [Clause(lineage_id=c.lineage_id, position=i, number=c.number,
                              heading=c.heading, body=c.body, chapter=c.chapter,
                              section=c.section)
                       for i, c in enumerate(working, start=1)]
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        # Roll back first: building the message asks the locale, which may read the user.
        db.session.rollback()
        raise Conflict(_l("Someone else published a version at the same time. "
                          "Reload the page.")) from None
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(latest_version_number=number, updated_at=clock_now()))
    db.session.expire(consultation, ["latest_version_number", "updated_at"])
    audit.record(actor, "draft.version_published", version, consultation=consultation.id,
                 number=number, clauses=len(working))
    return version
