"""Flags and the moderation queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult import audit
from consult.accounts.models import Actor, User
from consult.db import db
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.moderation.models import (
    Flag,
    FlagReason,
    ItemKind,
    ModerationCase,
)
from consult.moderation.services._common import (
    MODELS,
    NOTE_MAX,
    _case,
    kind_for,
)
from consult.participation.models import Answer, ContentStatus
from consult.security.permissions import authorize
from consult.web import Page, paginate

# ---------------------------------------------------------------- flags

def flag_item(actor: Actor, item: Any, *, reason: str | None, note: str | None = None) -> Flag:
    """Report an item to the moderators; one open flag per user per item."""
    authorize(actor, "moderation.flag")
    if item.author_id == actor.id:
        raise PermissionDenied(_l("You cannot flag your own post."))
    if item.status != ContentStatus.PUBLISHED:
        raise InvalidState(_l("This post is not public, so there is nothing to flag."))
    try:
        reason_value = FlagReason(reason or "")
    except ValueError:
        raise ValidationFailed(_l("Choose why you are flagging this."), field="reason") from None
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise ValidationFailed(_l("Keep it to %(limit)d characters or fewer (you wrote "
                                  "%(count)d).", limit=NOTE_MAX, count=len(note)), field="note")
    kind = kind_for(item)
    already = _l("You have already flagged this; a moderator will look at it.")
    if db.session.scalar(select(Flag.id).where(
            Flag.kind == kind, Flag.item_id == item.id, Flag.reporter_id == actor.id,
            Flag.resolved_at.is_(None)).limit(1)) is not None:
        raise Conflict(already)
    flag = Flag(kind=kind, item_id=item.id, reporter_id=actor.id, reason=reason_value,
                note=note)
    try:
        with db.session.begin_nested():
            db.session.add(flag)
            db.session.flush()
    except IntegrityError as exc:  # two tabs at once: the partial unique index decides
        raise Conflict(already) from exc
    case = _case(item)
    db.session.execute(update(ModerationCase).where(ModerationCase.id == case.id)
                       .values(open_flags=ModerationCase.open_flags + 1, needs_review=True))
    audit.record(actor, "moderation.flag", item, reason=reason_value.value)
    return flag


# ---------------------------------------------------------------- queue

QUEUE_SHOW = ("all", "flags", "held", "appeals")


@dataclass
class QueueEntry:
    case: ModerationCase
    item: Any
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Queue:
    page: Page
    entries: list[QueueEntry]
    kind: str
    reason: str
    show: str


def moderation_queue(actor: Actor, *, kind: str = "", reason: str = "", show: str = "all",
                     page: int = 1, per_page: int = 20) -> Queue:
    """Items needing a decision, most open flags first, then oldest; a constant number
    of queries whatever the number of flags (count, page, one per kind, reasons)."""
    authorize(actor, "moderation.review")
    kind = kind if kind in {k.value for k in ItemKind} else ""
    reason = reason if reason in {r.value for r in FlagReason} else ""
    show = show if show in QUEUE_SHOW else "all"
    stmt = select(ModerationCase).where(ModerationCase.needs_review.is_(True))
    if kind:
        stmt = stmt.where(ModerationCase.kind == ItemKind(kind))
    if reason:
        stmt = stmt.where(exists().where(
            Flag.kind == ModerationCase.kind, Flag.item_id == ModerationCase.item_id,
            Flag.resolved_at.is_(None), Flag.reason == FlagReason(reason)))
    if show == "flags":
        stmt = stmt.where(ModerationCase.open_flags > 0)
    elif show == "held":
        stmt = stmt.where(ModerationCase.held.is_(True))
    elif show == "appeals":
        stmt = stmt.where(ModerationCase.appealed_at.is_not(None),
                          ModerationCase.appeal_outcome.is_(None))
    stmt = stmt.order_by(ModerationCase.open_flags.desc(), ModerationCase.created_at,
                         ModerationCase.id)
    result = paginate(stmt, page=page, per_page=per_page)
    items: dict[tuple[ItemKind, int], Any] = {}
    for k, model in MODELS.items():  # one query per kind, always: a constant count
        ids = [c.item_id for c in result.items if c.kind is k]
        if not result.items:
            break
        # Authors without their roles (User.roles is selectin: a query per batch).
        options = [joinedload(model.author).lazyload(User.roles)]
        if k is ItemKind.ANSWER:
            options.append(joinedload(Answer.question))
        for item in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options)):
            items[(k, item.id)] = item
    reasons: dict[tuple[ItemKind, int], dict[str, int]] = {}
    ids = [c.item_id for c in result.items]
    if ids:
        rows = db.session.execute(
            select(Flag.kind, Flag.item_id, Flag.reason, func.count())
            .where(Flag.item_id.in_(ids), Flag.resolved_at.is_(None))
            .group_by(Flag.kind, Flag.item_id, Flag.reason))
        for k, item_id, r, n in rows:
            reasons.setdefault((k, item_id), {})[r.value] = n
    entries = [QueueEntry(case=c, item=items.get((c.kind, c.item_id)),
                          reasons=reasons.get((c.kind, c.item_id), {}))
               for c in result.items]
    return Queue(page=result, entries=[e for e in entries if e.item is not None], kind=kind,
                 reason=reason, show=show)


def case_of(item: Any) -> ModerationCase | None:
    return db.session.scalar(select(ModerationCase).where(
        ModerationCase.kind == kind_for(item), ModerationCase.item_id == item.id))


def case_detail(actor: Actor, item: Any) -> tuple[ModerationCase | None, list[Flag]]:
    authorize(actor, "moderation.review")
    case = db.session.scalar(select(ModerationCase).where(
        ModerationCase.kind == kind_for(item), ModerationCase.item_id == item.id))
    flags = list(db.session.scalars(
        select(Flag).where(Flag.kind == kind_for(item), Flag.item_id == item.id)
        .options(joinedload(Flag.reporter)).order_by(Flag.id.desc()).limit(100)))
    return case, flags
