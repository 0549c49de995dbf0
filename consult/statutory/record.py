"""The statutory record of a round: what the 意见采纳情况说明 (adoption statement) and the
征求意见情况通报 (participation report) say, built from the round's triage and response.

The counts are the response's own statistics (``responses.services.compute_stats``, frozen
at publication), so the documents say exactly what the response page says. Hidden,
held or withdrawn opinions appear only as counted: their text is never put in a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from consult.accounts.models import Actor
from consult.consultations.models import Clause
from consult.db import db
from consult.errors import NotFound
from consult.participation.models import Channel, Comment, ContentStatus, Question
from consult.responses import services as responses
from consult.responses.models import Adoption, RoundResponse, Triage
from consult.rounds.models import Round
from consult.security.permissions import check

STATUS_KEYS = [a.value for a in Adoption]


@dataclass(frozen=True)
class StatementRow:
    """One opinion in the adoption statement's table."""

    number: int
    clause: str          # "第三条 服务时间", or "" for the whole draft / a question
    kind: str            # "comment" | "question"
    body: str
    status: Adoption | None
    reason: str
    theme: str


@dataclass
class Record:
    """Everything the two documents of a round show."""

    round: Round
    response: RoundResponse
    stats: dict[str, Any]
    draft: bool                      # the response is not published yet (officials only)
    rows: list[StatementRow] = field(default_factory=list)
    withheld: int = 0                # opinions counted whose text is not shown
    participants: int = 0            # people who took part in the round
    authors: int = 0                 # people who gave at least one opinion
    comments: int = 0
    questions: int = 0
    themes: list[tuple[str, int, str]] = field(default_factory=list)  # name, count, reply
    generated_at: datetime | None = None

    @property
    def title(self) -> str:
        return self.round.consultation.title

    @property
    def department(self) -> str:
        return self.round.consultation.department.name


def record_access(actor: Actor, round_: Round) -> RoundResponse:
    """The round's response when ``actor`` may have its record (see ``get_record``), else
    404: the check alone, which a cached document needs before it is served."""
    response = responses.response_for_page(round_.id)
    manager = check(actor, "response.manage", round_)
    if response is None or (not response.is_published and not manager):
        raise NotFound(_l("This round has no published response yet."))
    return response


def get_record(actor: Actor, round_: Round, *, with_rows: bool = True) -> Record:
    """The record of ``round_`` (loaded by ``rounds.services.get_round``): public once the
    response is published; before that, officials of the department see a draft of it
    (after the round has closed and triage has begun). 404 otherwise."""
    response = record_access(actor, round_)
    draft = not response.is_published
    stats = response.frozen_stats if not draft else responses.compute_stats(round_)
    record = Record(round=round_, response=response, stats=stats, draft=draft,
                    participants=round_.participant_count)
    record.themes = [(t.name, t.member_count, t.reply) for t in response.themes]
    _count_people(record)
    if with_rows:
        _fill_rows(record)
    return record


def _count_people(record: Record) -> None:
    """Authors of opinions and opinions by channel (two grouped queries)."""
    round_id = record.round.id
    per_kind = db.session.execute(
        select(Triage.question_id.is_not(None), func.count(),
               func.count(func.distinct(Triage.author_id)))
        .where(Triage.round_id == round_id)
        .group_by(Triage.question_id.is_not(None))).all()
    for is_question, n, _authors in per_kind:
        if is_question:
            record.questions = n
        else:
            record.comments = n
    # People with an account counted once each; an opinion received offline has no author
    # (its sender is private and unmatched), so each counts as one person.
    named, recorded = db.session.execute(
        select(func.count(func.distinct(Triage.author_id)),
               func.coalesce(func.sum(case((Comment.channel != Channel.ONLINE, 1), else_=0)), 0))
        .outerjoin(Comment, Comment.id == Triage.comment_id)
        .where(Triage.round_id == round_id)).one()
    record.authors = (named or 0) + (recorded or 0)


def clause_label(clause: Clause | None) -> str:
    if clause is None:
        return ""
    return f"{clause.number} {clause.heading}".strip()


def _fill_rows(record: Record) -> None:
    """The table: every opinion whose text may be shown, by clause then by date (one
    query). The others (hidden by a moderator, or confidential: only for the department)
    are only counted in ``withheld``."""
    result = db.session.execute(
        select(Triage, Comment.body, Comment.status, Comment.confidential, Question.body,
               Question.status,
               Clause.position, Clause.number, Clause.heading)
        .outerjoin(Comment, Comment.id == Triage.comment_id)
        .outerjoin(Question, Question.id == Triage.question_id)
        .outerjoin(Clause, Clause.id == Triage.clause_id)
        .where(Triage.round_id == record.round.id)
        .order_by(Triage.question_id.is_not(None), Clause.position.is_(None),
                  Clause.position, Triage.id)).all()
    themes = {t.id: t.name for t in record.response.themes}
    rows, withheld = [], 0
    for triage, c_body, c_status, secret, q_body, q_status, _pos, number, heading in result:
        body, status = (c_body, c_status) if triage.comment_id is not None else (q_body, q_status)
        if status is not ContentStatus.PUBLISHED or (triage.comment_id is not None and secret):
            withheld += 1
            continue
        rows.append(StatementRow(
            number=len(rows) + 1, clause=f"{number or ''} {heading or ''}".strip(),
            kind=triage.kind, body=body, status=triage.status, reason=triage.reason or "",
            theme=themes.get(triage.theme_id, "")))
    record.rows, record.withheld = rows, withheld
