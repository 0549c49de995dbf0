"""Triage: one adoption status per opinion, themes, progress kept in SQL counters.

The triage of a round starts the first time an official opens it after the close
(``start_triage``): one ``Triage`` row per opinion and the ``RoundResponse`` row that
holds the counters are written once, race-free (insert-or-ignore on the unique round).
Every change afterwards moves the counters with SQL increments in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, literal, or_, select, update
from sqlalchemy.orm import joinedload

from consult import audit, pagecache
from consult.accounts.models import Actor, User
from consult.clock import now
from consult.consultations.models import Clause, ClauseLineage, DraftVersion
from consult.db import db, insert_ignore
from consult.errors import InvalidState, NotFound, ValidationFailed
from consult.participation.models import Comment, ContentStatus, Question
from consult.responses.models import COUNTER_OF, Adoption, RoundResponse, Theme, Triage
from consult.responses.services._common import clean, response_of
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.params import id_arg, int_arg, parse_int
from consult.security.permissions import authorize
from consult.web import Page, paginate

REASON_MAX = 2000
THEME_MAX = 120
PER_PAGE = 25
STATUS_FILTERS = ("untriaged", *[a.value for a in Adoption])
AFTER_CLOSE = (RoundState.CLOSED, RoundState.RESPONDED, RoundState.EVALUATED)


# ---------------------------------------------------------------- starting

def start_triage(round_: Round) -> RoundResponse:
    """The round's response row, creating it and one triage row per opinion the first
    time (idempotent; only once the round has closed)."""
    existing = response_of(round_.id)
    if existing is not None:
        return existing
    lifecycle.require(round_, *AFTER_CLOSE)
    created = insert_ignore(
        RoundResponse, round_id=round_.id, consultation_id=round_.consultation_id,
        department_id=round_.consultation.department_id,
        from_version_number=round_.version.number, summary="", changes_note="",
        created_at=now())
    if created:
        comments = select(
            Comment.round_id, Comment.id, literal(None).label("q"), Comment.author_id,
            Comment.clause_id, Comment.support_count,
        ).where(Comment.round_id == round_.id, Comment.depth == 0,
                Comment.status == ContentStatus.PUBLISHED).order_by(Comment.id)
        questions = select(
            Question.round_id, literal(None).label("c"), Question.id, Question.author_id,
            literal(None).label("cl"), Question.support_count,
        ).where(Question.round_id == round_.id, Question.status == ContentStatus.PUBLISHED
                ).order_by(Question.id)
        # (in the order received: the triage's rows, and the statement's numbers, follow
        # their ids; without ORDER BY PostgreSQL numbered them in whatever order its plan read)
        cols = ["round_id", "comment_id", "question_id", "author_id", "clause_id",
                "support_count"]
        for source in (comments, questions):
            db.session.execute(Triage.__table__.insert().from_select(cols, source))
        count = (select(func.count()).select_from(Triage)
                 .where(Triage.round_id == round_.id).scalar_subquery())
        db.session.execute(update(RoundResponse).where(RoundResponse.round_id == round_.id)
                           .values(opinion_count=count))
    response = response_of(round_.id)
    assert response is not None
    return response


def add_to_triage(round_: Round, comment: Comment) -> None:
    """An opinion recorded after the triage started (a letter that came late by post)
    joins it, untriaged; before the start, ``start_triage`` will pick it up itself."""
    response = response_of(round_.id)
    if response is None:
        return
    if response.is_published:
        raise InvalidState(_l("The response to this round is published: it takes no more "
                              "opinions."))
    db.session.add(Triage(round_id=round_.id, comment_id=comment.id, author_id=comment.author_id,
                          clause_id=comment.clause_id, support_count=comment.support_count))
    db.session.execute(update(RoundResponse).where(RoundResponse.round_id == round_.id)
                       .values(opinion_count=RoundResponse.opinion_count + 1))


# ---------------------------------------------------------------- reads

@dataclass
class TriageFilters:
    clause: str = ""       # "", "draft" (whole draft), "questions" or a clause id
    status: str = ""       # "", "untriaged" or an Adoption value
    theme: str = ""        # "", "none" or a theme id
    min_support: int = 0
    mine: bool = False     # "assigned to me": the view fills ``only`` from the workspace
    only: tuple[list[int], list[int]] | None = None  # (comment ids, question ids)

    @classmethod
    def from_args(cls, args) -> TriageFilters:
        clause = args.get("clause", "")
        if clause not in ("", "draft", "questions") and id_arg("clause", args=args) is None:
            clause = ""
        status = args.get("status", "")
        status = status if status in STATUS_FILTERS else ""
        theme = args.get("theme", "")
        if theme not in ("", "none") and id_arg("theme", args=args) is None:
            theme = ""
        min_support = int_arg("min_support", default=0, high=999_999, args=args) or 0
        return cls(clause=clause[:12], status=status, theme=theme[:12], min_support=min_support,
                   mine=args.get("mine") == "1")

    def as_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in (("clause", self.clause), ("status", self.status),
                                                 ("theme", self.theme)) if v}
        if self.min_support:
            out["min_support"] = self.min_support
        if self.mine:
            out["mine"] = 1
        return out


def _filtered(round_id: int, f: TriageFilters):
    stmt = select(Triage).where(Triage.round_id == round_id)
    if f.clause == "draft":
        stmt = stmt.where(Triage.comment_id.is_not(None), Triage.clause_id.is_(None))
    elif f.clause == "questions":
        stmt = stmt.where(Triage.question_id.is_not(None))
    elif f.clause:
        stmt = stmt.where(Triage.clause_id == int(f.clause))
    if f.status == "untriaged":
        stmt = stmt.where(Triage.status.is_(None))
    elif f.status:
        stmt = stmt.where(Triage.status == Adoption(f.status))
    if f.theme == "none":
        stmt = stmt.where(Triage.theme_id.is_(None))
    elif f.theme:
        stmt = stmt.where(Triage.theme_id == int(f.theme))
    if f.min_support:
        stmt = stmt.where(Triage.support_count >= f.min_support)
    if f.only is not None:
        comment_ids, question_ids = f.only
        stmt = stmt.where(or_(Triage.comment_id.in_(comment_ids or [-1]),
                              Triage.question_id.in_(question_ids or [-1])))
    return stmt


def opinion_options():
    # Authors' roles are not needed here (their selectin load would add queries that
    # depend on which kinds of opinion the page shows).
    return (joinedload(Triage.comment).joinedload(Comment.author).lazyload(User.roles),
            joinedload(Triage.question).joinedload(Question.author).lazyload(User.roles),
            joinedload(Triage.clause), joinedload(Triage.theme))


def list_triage(round_: Round, filters: TriageFilters, *, page: int = 1,
                per_page: int = PER_PAGE) -> Page:
    """A page of the round's opinions, most supported first (two queries)."""
    stmt = (_filtered(round_.id, filters).options(*opinion_options())
            .order_by(Triage.support_count.desc(), Triage.id))
    return paginate(stmt, page=page, per_page=per_page)


def themes_of(round_id: int) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.round_id == round_id)
                                   .order_by(Theme.position, Theme.id)))


def clauses_of(version_id: int) -> list[Clause]:
    return list(db.session.scalars(select(Clause).where(Clause.version_id == version_id)
                                   .order_by(Clause.position)))


def lineage_choices(round_: Round, response: RoundResponse | None) -> list[Clause]:
    """Clauses an adopted opinion may have changed: those of the round's version and of
    the version chosen as "what changed" (or the newest), one per lineage (one query)."""
    target = (response.to_version_number if response and response.to_version_number
              else round_.consultation.latest_version_number)
    rows = db.session.execute(
        select(Clause, DraftVersion.number).join(DraftVersion, Clause.version_id == DraftVersion.id)
        .where(DraftVersion.consultation_id == round_.consultation_id,
               DraftVersion.number.in_({round_.version.number, target}))
        .order_by(DraftVersion.number.desc(), Clause.position)).all()
    seen: dict[int, Clause] = {}
    for clause, _number in rows:
        seen.setdefault(clause.lineage_id, clause)
    return sorted(seen.values(), key=lambda c: (c.version_id != round_.version_id, c.position))


def top_proposals(round_id: int, per_clause: int = 3) -> list[Comment]:
    """The most supported proposed wordings of each clause (one query, window function)."""
    ranked = (select(Comment.id, func.row_number().over(
        partition_by=Comment.clause_id,
        order_by=(Comment.support_count.desc(), Comment.id)).label("rank"))
        .where(Comment.round_id == round_id, Comment.depth == 0,
               Comment.status == ContentStatus.PUBLISHED, Comment.clause_id.is_not(None),
               Comment.proposed_text.is_not(None), Comment.proposed_text != "")
        .subquery())
    stmt = (select(Comment).join(ranked, ranked.c.id == Comment.id)
            .where(ranked.c.rank <= per_clause)
            .options(joinedload(Comment.clause))
            .order_by(Comment.clause_id, Comment.support_count.desc(), Comment.id))
    return list(db.session.scalars(stmt))


def get_triage(round_: Round, triage_id: int, *, lock: bool = False) -> Triage:
    stmt = (select(Triage).where(Triage.id == triage_id, Triage.round_id == round_.id)
            .options(*opinion_options()))
    if lock:
        stmt = stmt.with_for_update(of=Triage)
    triage = db.session.scalar(stmt)
    if triage is None:
        raise NotFound(_l("This opinion is not part of the round."))
    return triage


# ---------------------------------------------------------------- validation

def _status(value: Any, *, field: str = "status") -> Adoption:
    try:
        return Adoption(value)
    except ValueError:
        raise ValidationFailed(_l("Choose what happened to this opinion."), field=field) from None


def _theme(round_: Round, value: Any, *, field: str = "theme_id") -> Theme | None:
    if value in (None, "", "none", 0):
        return None
    theme_id = parse_int(value, low=1)
    theme = db.session.get(Theme, theme_id) if theme_id is not None else None
    if theme is None or theme.round_id != round_.id:
        raise ValidationFailed(_l("Choose one of this round's themes."), field=field)
    return theme


def _lineage(round_: Round, value: Any) -> int | None:
    if value in (None, "", 0):
        return None
    lineage_id = parse_int(value, low=1)
    lineage = db.session.get(ClauseLineage, lineage_id) if lineage_id is not None else None
    if lineage is None or lineage.consultation_id != round_.consultation_id:
        raise ValidationFailed(_l("Choose a clause of this consultation's draft."),
                               field="changed_lineage_id")
    return lineage.id


def _reason(status: Adoption | None, value: str | None, *, field: str = "reason") -> str | None:
    reason = clean(value, field=field, limit=REASON_MAX)
    if status is Adoption.NOT_ADOPTED and not reason:
        raise ValidationFailed(
            _l("Say why this opinion is not adopted; the reason is shown publicly."),
            field=field)
    return reason or None


def _writable(actor: Actor, round_: Round) -> RoundResponse:
    authorize(actor, "response.manage", round_)
    state = lifecycle.state_of(round_)
    if state in (RoundState.RESPONDED, RoundState.EVALUATED):
        raise InvalidState(_l("The response is published: the triage can only be corrected "
                              "by an erratum on the response."))
    lifecycle.require(round_, RoundState.CLOSED)
    return start_triage(round_)


def _move_counters(round_id: int, moves: Counter) -> None:
    """Apply counter deltas ({"triaged_count": +1, "adopted_count": -1 ...}) in SQL."""
    values = {name: getattr(RoundResponse, name) + delta
              for name, delta in moves.items() if delta}
    if values:
        db.session.execute(update(RoundResponse).where(RoundResponse.round_id == round_id)
                           .values(**values))


def _move_members(moves: Counter) -> None:
    for theme_id, delta in moves.items():
        if theme_id is not None and delta:
            db.session.execute(update(Theme).where(Theme.id == theme_id)
                               .values(member_count=Theme.member_count + delta))


# ---------------------------------------------------------------- writes

def triage_opinion(actor: Actor, round_: Round, triage: Triage, *, status: Any,
                   reason: str | None = None, theme_id: Any = None,
                   changed_lineage_id: Any = None) -> Triage:
    """Give one opinion its adoption status (a reason is required for "not adopted")."""
    _writable(actor, round_)
    new_status = _status(status)
    new_reason = _reason(new_status, reason)
    theme = _theme(round_, theme_id)
    lineage_id = (_lineage(round_, changed_lineage_id)
                  if new_status in (Adoption.ADOPTED, Adoption.PARTLY) else None)
    triage = get_triage(round_, triage.id, lock=True)
    counters: Counter = Counter()
    if triage.status is None:
        counters["triaged_count"] += 1
    else:
        counters[COUNTER_OF[triage.status]] -= 1
    counters[COUNTER_OF[new_status]] += 1
    members: Counter = Counter()
    new_theme_id = theme.id if theme else None
    if triage.theme_id != new_theme_id:
        members[triage.theme_id] -= 1
        members[new_theme_id] += 1
    previous = triage.status.value if triage.status else None
    triage.status, triage.reason, triage.theme_id = new_status, new_reason, new_theme_id
    triage.theme = theme
    triage.changed_lineage_id = lineage_id
    triage.triaged_by_id, triage.triaged_at = actor.id, now()
    _move_counters(round_.id, counters)
    _move_members(members)
    audit.record(actor, "triage.set", triage, status=new_status.value, previous=previous,
                 theme_id=new_theme_id)
    return triage


KEEP = "keep"


def bulk_triage(actor: Actor, round_: Round, *, triage_ids: list[int], status: Any = "",
                reason: str | None = None, theme_id: Any = KEEP) -> int:
    """Set the status (and reason) and/or the theme of many opinions at once.

    ``status=""`` keeps each opinion's status; ``theme_id="keep"`` keeps its theme,
    ``""``/``"none"`` removes it. Returns how many opinions were changed.
    """
    _writable(actor, round_)
    ids = sorted({n for n in (parse_int(i, low=1) for i in triage_ids) if n is not None})
    if not ids:
        raise ValidationFailed(_l("Select at least one opinion."), field="ids")
    new_status = _status(status) if status else None
    keep_theme = theme_id == KEEP
    if new_status is None and keep_theme:
        raise ValidationFailed(_l("Choose a status or a theme to give the selected opinions."),
                               field="status")
    new_reason = _reason(new_status, reason) if new_status else None
    theme = None if keep_theme else _theme(round_, theme_id)
    rows = db.session.execute(
        select(Triage.id, Triage.status, Triage.theme_id)
        .where(Triage.round_id == round_.id, Triage.id.in_(ids)).with_for_update()).all()
    if len(rows) != len(ids):
        raise ValidationFailed(_l("Some selected opinions are not part of this round."),
                               field="ids")
    counters: Counter = Counter()
    members: Counter = Counter()
    values: dict[str, Any] = {}
    if new_status is not None:
        values.update(status=new_status, reason=new_reason, triaged_by_id=actor.id,
                      triaged_at=now())
        if new_status not in (Adoption.ADOPTED, Adoption.PARTLY):
            values["changed_lineage_id"] = None
        for _id, old, _theme_id in rows:
            if old is None:
                counters["triaged_count"] += 1
            else:
                counters[COUNTER_OF[old]] -= 1
            counters[COUNTER_OF[new_status]] += 1
    if not keep_theme:
        new_theme_id = theme.id if theme else None
        values["theme_id"] = new_theme_id
        for _id, _old, old_theme in rows:
            if old_theme != new_theme_id:
                members[old_theme] -= 1
                members[new_theme_id] += 1
    db.session.execute(update(Triage).where(Triage.id.in_(ids)).values(**values)
                       .execution_options(synchronize_session=False))
    pagecache.touch_rounds(db.session, [round_.id])  # an UPDATE the ORM does not see
    _move_counters(round_.id, counters)
    _move_members(members)
    audit.record(actor, "triage.bulk", round_, ids=ids,
                 status=new_status.value if new_status else None,
                 theme_id=None if keep_theme else (theme.id if theme else 0))
    return len(ids)


def _theme_name(round_: Round, name: str | None, *, exclude_id: int | None = None,
                field: str = "name") -> str:
    name = clean(name, field=field, limit=THEME_MAX, required=True,
                 empty=_l("Give the theme a name."))
    stmt = select(Theme.id).where(Theme.round_id == round_.id, Theme.name == name)
    if exclude_id is not None:
        stmt = stmt.where(Theme.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ValidationFailed(_l("This round already has a theme with that name."),
                               field=field)
    return name


def create_theme(actor: Actor, round_: Round, *, name: str | None) -> Theme:
    _writable(actor, round_)
    name = _theme_name(round_, name)
    position = db.session.scalar(select(func.coalesce(func.max(Theme.position), 0))
                                 .where(Theme.round_id == round_.id)) + 1
    theme = Theme(round_id=round_.id, name=name, position=position, reply="")
    db.session.add(theme)
    db.session.flush()
    audit.record(actor, "theme.created", theme, name=name)
    return theme


def get_theme(round_: Round, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.round_id != round_.id:
        raise NotFound(_l("This theme does not exist."))
    return theme


def rename_theme(actor: Actor, round_: Round, theme: Theme, *, name: str | None) -> Theme:
    _writable(actor, round_)
    old = theme.name
    theme.name = _theme_name(round_, name, exclude_id=theme.id)
    audit.record(actor, "theme.renamed", theme, old=old, new=theme.name)
    return theme


def merge_themes(actor: Actor, round_: Round, theme: Theme, *, into_id: Any) -> Theme:
    """Move every opinion of ``theme`` into another theme and delete ``theme``."""
    _writable(actor, round_)
    target = _theme(round_, into_id, field="into_id")
    if target is None or target.id == theme.id:
        raise ValidationFailed(_l("Choose another theme to merge this one into."),
                               field="into_id")
    moved = db.session.execute(update(Triage).where(Triage.theme_id == theme.id)
                               .values(theme_id=target.id)
                               .execution_options(synchronize_session=False)).rowcount
    pagecache.touch_rounds(db.session, [round_.id])  # an UPDATE the ORM does not see
    db.session.execute(update(Theme).where(Theme.id == target.id)
                       .values(member_count=Theme.member_count + moved))
    if not target.reply and theme.reply:
        target.reply = theme.reply
    audit.record(actor, "theme.merged", target, merged=theme.id, merged_name=theme.name,
                 moved=moved)
    db.session.execute(delete(Theme).where(Theme.id == theme.id))
    db.session.expunge(theme)
    db.session.refresh(target)
    return target


def progress_of(response: RoundResponse | None) -> dict[str, int]:
    if response is None:
        return {"done": 0, "total": 0, "left": 0}
    return {"done": response.triaged_count, "total": response.opinion_count,
            "left": response.untriaged_count}

