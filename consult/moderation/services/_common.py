"""Shared by the moderation services: item kinds, lookups, counters, cases."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db
from consult.errors import NotFound
from consult.moderation.models import (
    Flag,
    ItemKind,
    ModerationCase,
)
from consult.notifications.services import notify
from consult.participation.models import Answer, Comment, ContentStatus, Question
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.suggestions.models import Suggestion, SuggestionComment
from consult.suggestions.services import get_suggestion

MODELS = {ItemKind.COMMENT: Comment, ItemKind.QUESTION: Question, ItemKind.ANSWER: Answer,
          ItemKind.SUGGESTION: Suggestion, ItemKind.SUGGESTION_COMMENT: SuggestionComment}
SUGGESTION_KINDS = frozenset({ItemKind.SUGGESTION, ItemKind.SUGGESTION_COMMENT})
NOTE_MAX = 500
REASON_MAX = 300
APPEAL_MAX = 2000
SUSPENSION_REASON_MAX = 500
MAX_SUSPENSION_DAYS = 3650


def kind_of(value: Any) -> ItemKind:
    try:
        return ItemKind(str(value))
    except ValueError:
        raise NotFound(_l("There is no such item.")) from None


def kind_for(item: Any) -> ItemKind:
    for kind, model in MODELS.items():
        if isinstance(item, model):
            return kind
    raise TypeError(item)


def _set_status(item: Any, status: ContentStatus) -> None:
    """Set the item's own status enum (participation's or suggestions') by value."""
    item.status = type(item).status.type.enum_class(status.value)


# ---------------------------------------------------------------- items

def get_item(actor: Actor, kind: Any, item_id: int) -> Any:
    """The item, 404 if unknown or where the actor may not see it (participation's
    round reader, or the suggestion's own view rule, decides)."""
    kind = kind_of(kind)
    if kind in SUGGESTION_KINDS:
        return _get_suggestion_item(actor, kind, item_id)
    model = MODELS[kind]
    options = [joinedload(model.author)]
    if kind is ItemKind.ANSWER:
        options.append(joinedload(Answer.question))
    item = db.session.scalar(select(model).where(model.id == item_id).options(*options))
    if item is None:
        raise NotFound(_l("There is no such item."))
    get_round(actor, round_id_of(item))
    return item


def _get_suggestion_item(actor: Actor, kind: ItemKind, item_id: int) -> Any:
    if kind is ItemKind.SUGGESTION:
        return get_suggestion(actor, item_id)
    comment = db.session.scalar(select(SuggestionComment).where(
        SuggestionComment.id == item_id).options(joinedload(SuggestionComment.author)))
    if comment is None:
        raise NotFound(_l("There is no such item."))
    get_suggestion(actor, comment.suggestion_id)
    return comment


def round_id_of(item: Any) -> int | None:
    if isinstance(item, (Suggestion, SuggestionComment)):
        return None
    return item.question.round_id if isinstance(item, Answer) else item.round_id


def link_to(item: Any) -> str:
    """The item in place (plain paths, as notifications build them: no request needed)."""
    if isinstance(item, Suggestion):
        return f"/suggestions/{item.id}"
    if isinstance(item, SuggestionComment):
        return f"/suggestions/{item.suggestion_id}#comment-{item.id}"
    if isinstance(item, Comment):
        return f"/rounds/{item.round_id}/comments#comment-{item.id}"
    question_id = item.question_id if isinstance(item, Answer) else item.id
    return f"/rounds/{round_id_of(item)}/questions#question-{question_id}"


def appeal_link(item: Any) -> str:
    return f"/moderation/{kind_for(item).value}/{item.id}/appeal"


def text_of(item: Any) -> str:
    """All user text of an item (for screening and for moderators' eyes only)."""
    if isinstance(item, Suggestion):
        parts = [item.title, item.problem, item.affected, item.location, item.proposal,
                 *(item.links or [])]
        return "\n".join(p for p in parts if p)
    parts = [item.body, getattr(item, "proposed_text", None)]
    return "\n".join(p for p in parts if p)


def _count(item: Any, delta: int) -> None:
    """Move the public counters when an item enters or leaves public view."""
    if isinstance(item, Comment):
        db.session.execute(update(Round).where(Round.id == item.round_id)
                           .values(comment_count=Round.comment_count + delta))
        if item.parent_id is not None:
            db.session.execute(update(Comment).where(Comment.id == item.parent_id)
                               .values(reply_count=Comment.reply_count + delta))
    elif isinstance(item, Question):
        db.session.execute(update(Round).where(Round.id == item.round_id)
                           .values(question_count=Round.question_count + delta))
    elif isinstance(item, SuggestionComment):
        db.session.execute(update(Suggestion).where(Suggestion.id == item.suggestion_id)
                           .values(comment_count=Suggestion.comment_count + delta))


def _case(item: Any) -> ModerationCase:
    """The item's queue row, created on first need (a savepoint absorbs a race)."""
    kind = kind_for(item)
    case = db.session.scalar(select(ModerationCase).where(
        ModerationCase.kind == kind, ModerationCase.item_id == item.id))
    if case is not None:
        return case
    case = ModerationCase(kind=kind, item_id=item.id, author_id=item.author_id,
                          round_id=round_id_of(item), needs_review=False, open_flags=0,
                          held=False)
    try:
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        case = db.session.scalar(select(ModerationCase).where(
            ModerationCase.kind == kind, ModerationCase.item_id == item.id))
    return case


def _resolve_flags(item: Any, resolution: str) -> None:
    db.session.execute(update(Flag).where(
        Flag.kind == kind_for(item), Flag.item_id == item.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now(), resolution=resolution))


def _settle(case: ModerationCase) -> None:
    """After a decision: out of the queue unless an appeal still waits."""
    case.open_flags = 0
    case.needs_review = case.appeal_pending
    case.last_action_at = now()


def _notify_author(item: Any, kind: str, actor: Any, **data: Any) -> None:
    if item.author_id is None:
        return
    link = appeal_link(item) if kind == "content_hidden" else link_to(item)
    notify([item.author_id], kind, link=link, actor=actor, **data)
