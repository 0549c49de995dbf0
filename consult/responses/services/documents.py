"""The response document: draft, statistics, publication, errata.

Statistics are computed by consult from the triage (never typed in) and frozen into the
response row when it is published, so nothing done later can alter a published response;
a published response changes only by a visible, dated erratum.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, literal_column, select, update
from sqlalchemy.orm import selectinload

from consult import audit, signals
from consult.accounts.models import Actor
from consult.clock import now
from consult.consultations.models import Clause, DraftVersion
from consult.db import db
from consult.errors import Conflict, InvalidState, ValidationFailed
from consult.participation.models import Channel, Comment
from consult.responses.models import (
    ActionUpdate,
    Adoption,
    Erratum,
    FollowUpAction,
    RoundResponse,
    Theme,
    Triage,
)
from consult.responses.services._common import clean, response_of
from consult.responses.services.triage import _writable, start_triage, themes_of
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.security.params import parse_int
from consult.security.permissions import authorize

SUMMARY_MAX = 10000
REPLY_MAX = 5000
ERRATUM_MAX = 5000
STATUS_KEYS = [a.value for a in Adoption]


# ---------------------------------------------------------------- statistics

def share(part: int, total: int) -> int:
    """A whole percentage, rounded half up (0 when there is nothing to share)."""
    return (200 * part + total) // (2 * total) if total else 0


def compute_stats(round_: Round) -> dict[str, Any]:
    """Adoption statistics of the round from its triage: totals and one row per clause
    (whole-draft comments and questions get their own rows). Two queries."""
    grouped = db.session.execute(
        select(Triage.clause_id, Triage.question_id.is_not(None).label("is_q"), Triage.status,
               func.count())
        .where(Triage.round_id == round_.id)
        .group_by(Triage.clause_id, Triage.question_id.is_not(None), Triage.status)).all()
    clause_ids = {c for c, _q, _s, _n in grouped if c is not None}
    clauses = {c.id: c for c in db.session.scalars(
        select(Clause).where(Clause.id.in_(clause_ids)))} if clause_ids else {}

    def empty_row(**extra) -> dict[str, Any]:
        return {"total": 0, "untriaged": 0, **{k: 0 for k in STATUS_KEYS}, **extra}

    totals = empty_row()
    rows: dict[str, dict[str, Any]] = {}
    for clause_id, is_q, status, n in grouped:
        if is_q:
            key, extra = "questions", {"kind": "questions", "position": 10**6 + 1}
        elif clause_id is None:
            key, extra = "draft", {"kind": "draft", "position": 10**6}
        else:
            clause = clauses[clause_id]
            key, extra = f"clause-{clause_id}", {
                "kind": "clause", "position": clause.position, "number": clause.number,
                "heading": clause.heading, "lineage_id": clause.lineage_id}
        row = rows.setdefault(key, empty_row(**extra))
        status_key = status.value if status is not None else "untriaged"
        for target in (row, totals):
            target["total"] += n
            target[status_key] += n
    ordered = sorted(rows.values(), key=lambda r: r["position"])
    channels = channel_rows(round_.id, empty_row)
    for row in (*ordered, *channels, totals):
        row["adopted_or_partly"] = row[Adoption.ADOPTED.value] + row[Adoption.PARTLY.value]
        row["share"] = share(row["adopted_or_partly"], row["total"])
    return {"totals": totals, "rows": ordered, "channels": channels}


def channel_rows(round_id: int, empty_row) -> list[dict[str, Any]]:
    """One statistics row per channel the round's opinions came by (questions are
    online), in the channels' order. One query."""
    # One literal, rendered the same in SELECT and GROUP BY (two bound parameters would
    # be two different expressions to PostgreSQL).
    channel = func.coalesce(Comment.channel, literal_column(f"'{Channel.ONLINE.value}'"))
    grouped = db.session.execute(
        select(channel, Triage.status, func.count())
        .select_from(Triage).outerjoin(Comment, Comment.id == Triage.comment_id)
        .where(Triage.round_id == round_id)
        .group_by(channel, Triage.status)).all()
    rows: dict[str, dict[str, Any]] = {}
    for channel, status, n in grouped:
        row = rows.setdefault(channel, empty_row(channel=channel))
        row["total"] += n
        row[status.value if status is not None else "untriaged"] += n
    return [rows[c.value] for c in Channel if c.value in rows]


# ---------------------------------------------------------------- reads

def get_response(actor: Actor, round_: Round) -> RoundResponse:
    """The response being written (created with the triage on first use), for officials."""
    authorize(actor, "response.manage", round_)
    start_triage(round_)

    response = response_of(round_.id,
                           selectinload(RoundResponse.actions).selectinload(
                               FollowUpAction.updates).joinedload(ActionUpdate.by),
                           selectinload(RoundResponse.errata).joinedload(Erratum.by))
    assert response is not None
    return response


def later_versions(round_: Round) -> list[int]:
    return list(db.session.scalars(
        select(DraftVersion.number).where(DraftVersion.consultation_id == round_.consultation_id,
                                          DraftVersion.number > round_.version.number)
        .order_by(DraftVersion.number)))


# ---------------------------------------------------------------- writing the draft

def save_response(actor: Actor, round_: Round, *, summary: str | None,
                  changes_note: str | None = None, to_version_number: Any = None,
                  theme_replies: dict[int, str] | None = None) -> RoundResponse:
    """Save the draft while it is written (only while the round is closed)."""
    response = _writable(actor, round_)
    response.summary = clean(summary, field="summary", limit=SUMMARY_MAX)
    response.changes_note = clean(changes_note, field="changes_note", limit=SUMMARY_MAX)
    if to_version_number in (None, "", 0, "0"):
        response.to_version_number = None
    else:
        number = parse_int(to_version_number)
        number = -1 if number is None else number
        if number not in later_versions(round_):
            raise ValidationFailed(
                _l("Choose a later version of this consultation's draft."),
                field="to_version_number")
        response.to_version_number = number
    if theme_replies:
        themes = {t.id: t for t in themes_of(round_.id)}
        for theme_id, text in theme_replies.items():
            theme = themes.get(int(theme_id))
            if theme is None:
                raise ValidationFailed(_l("Choose one of this round's themes."),
                                       field=f"reply-{theme_id}")
            theme.reply = clean(text, field=f"reply-{theme_id}", limit=REPLY_MAX)
    response.updated_at, response.updated_by_id = now(), actor.id
    audit.record(actor, "response.draft_saved", response)
    return response


def draft_fingerprint(response: RoundResponse) -> str:
    """What the official previewed: the draft's text, theme replies and actions. Publishing
    with the fingerprint of an older preview is refused (someone changed the draft since)."""
    themes = db.session.execute(select(Theme.id, Theme.name, Theme.reply).where(
        Theme.round_id == response.round_id).order_by(Theme.id)).all()
    actions = db.session.execute(
        select(FollowUpAction.id, FollowUpAction.title, FollowUpAction.owner_unit,
               FollowUpAction.due_on).where(FollowUpAction.response_id == response.id)
        .order_by(FollowUpAction.id)).all()
    content = json.dumps([response.summary, response.changes_note, response.to_version_number,
                          [list(t) for t in themes], [[*a[:3], a[3].isoformat()] for a in actions]],
                         ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def publish_response(actor: Actor, round_: Round, *, seen: str | None = None) -> RoundResponse:
    """Publish: every opinion triaged, the round closed; freezes the statistics, marks the
    round responded (the survey opens) and tells participants and followers. ``seen``: the
    fingerprint of the preview the official confirmed (409 when the draft changed since)."""
    authorize(actor, "response.manage", round_)
    lifecycle.require(round_, RoundState.CLOSED)
    start_triage(round_)
    response = response_of(round_.id, lock=True)
    assert response is not None
    db.session.refresh(response)
    if seen is not None and seen != draft_fingerprint(response):
        raise Conflict(_l("The draft changed since you previewed it (a colleague may have "
                          "edited it). Check the preview again before publishing."))
    left = response.untriaged_count
    if left:
        raise InvalidState(ngettext(
            "%(num)d opinion is not triaged yet. Give every opinion a status before "
            "publishing.",
            "%(num)d opinions are not triaged yet. Give every opinion a status before "
            "publishing.", left))
    if not response.summary.strip():
        raise ValidationFailed(_l("Write a summary before publishing."), field="summary")
    stats = compute_stats(round_)
    response.frozen_stats = stats
    response.published_by_id = actor.id
    round_id, round_title = round_.id, round_.title
    marked = lifecycle.mark_responded(actor, round_)
    response.published_at = marked.response_published_at
    db.session.execute(update(FollowUpAction).where(FollowUpAction.response_id == response.id)
                       .values(published=True))
    audit.record(actor, "response.published", response, round_id=round_id,
                 opinions=stats["totals"]["total"],
                 adopted_or_partly=stats["totals"]["adopted_or_partly"], title=round_title)
    # Followers hear of it; the satisfaction survey opens and invites the participants.
    signals.response_published.send(marked, actor=actor)
    return response


def add_erratum(actor: Actor, round_: Round, *, body: str | None) -> Erratum:
    """Correct a published response visibly: a dated erratum listed on it (audited)."""
    authorize(actor, "response.manage", round_)
    lifecycle.require(round_, RoundState.RESPONDED, RoundState.EVALUATED)
    response = response_of(round_.id)
    if response is None or not response.is_published:
        raise InvalidState(_l("Only a published response can be corrected by an erratum."))
    body = clean(body, field="body", limit=ERRATUM_MAX, required=True,
                 empty=_l("Say what is corrected and how."))
    erratum = Erratum(response_id=response.id, body=body, by_id=actor.id, created_at=now())
    db.session.add(erratum)
    db.session.flush()
    audit.record(actor, "response.erratum", response, erratum_id=erratum.id, body=body[:200])
    return erratum


def response_for_page(round_id: int) -> RoundResponse | None:
    """The response with what its page shows (themes, actions with updates, errata)."""
    return response_of(
        round_id,
        selectinload(RoundResponse.themes),
        selectinload(RoundResponse.actions).selectinload(FollowUpAction.updates)
        .joinedload(ActionUpdate.by),
        selectinload(RoundResponse.errata),
    )


def get_public_response(actor: Actor, round_id: int) -> tuple[Round, RoundResponse | None]:
    """The round and its response if published (a draft is never public)."""
    round_ = get_round(actor, round_id)
    response = response_for_page(round_id)
    if response is not None and not response.is_published:
        response = None
    return round_, response

