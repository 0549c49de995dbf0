"""The ledger of a round: every opinion (online and recorded offline) in one list, with
its channel, receipt and private record; and the counts per channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import Actor
from consult.channels.models import OpinionRecord
from consult.db import db
from consult.participation.models import Channel, Comment
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.web import Page, paginate

PER_PAGE = 25


@dataclass
class Ledger:
    page: Page
    channel: Channel | None
    counts: dict[Channel, int]
    records: dict[int, OpinionRecord] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def parse_channel_filter(value: Any) -> Channel | None:
    try:
        return Channel(str(value or ""))
    except ValueError:
        return None


def channel_counts(round_id: int) -> dict[Channel, int]:
    """{channel: top-level opinions of the round}, withdrawn ones included (one query)."""
    rows = db.session.execute(
        select(Comment.channel, func.count()).where(Comment.round_id == round_id,
                                                    Comment.parent_id.is_(None))
        .group_by(Comment.channel))
    found = dict(rows.all())
    return {c: found[c] for c in Channel if found.get(c)}


def list_ledger(actor: Actor, round_: Round, *, channel: Channel | None = None,
                page: int = 1, per_page: int = PER_PAGE) -> Ledger:
    """A page of the round's opinions, newest first, for its department's officials
    (four queries: counts, total, the page, the records of the page)."""
    authorize(actor, "channels.manage", round_)
    stmt = (select(Comment).where(Comment.round_id == round_.id, Comment.parent_id.is_(None))
            .options(joinedload(Comment.author), joinedload(Comment.clause))
            .order_by(Comment.created_at.desc(), Comment.id.desc()))
    if channel is not None:
        stmt = stmt.where(Comment.channel == channel)
    result = paginate(stmt, page=page, per_page=per_page)
    ledger = Ledger(page=result, channel=channel, counts=channel_counts(round_.id))
    recorded = [c.id for c in result.items if c.is_recorded]
    if recorded:
        ledger.records = {r.comment_id: r for r in db.session.scalars(
            select(OpinionRecord).where(OpinionRecord.comment_id.in_(recorded)))}
    return ledger
