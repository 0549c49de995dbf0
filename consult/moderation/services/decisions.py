"""Decisions on items: hide, restore, dismiss, approve, reject; appeals."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from consult import audit
from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, InvalidState, ValidationFailed
from consult.moderation.models import (
    AppealOutcome,
    Flag,
    ModerationCase,
)
from consult.moderation.services._common import (
    APPEAL_MAX,
    REASON_MAX,
    _case,
    _count,
    _notify_author,
    _resolve_flags,
    _set_status,
    _settle,
    kind_for,
    round_id_of,
)
from consult.notifications.models import Notification, NotificationKind
from consult.participation.models import Answer, Comment, ContentStatus
from consult.security.input import clean_text
from consult.security.permissions import authorize
from consult.suggestions.models import Suggestion, SuggestionComment
from consult.suggestions.services import start_clock

# ---------------------------------------------------------------- decisions

def hide_item(actor: Actor, item: Any, *, reason: str | None) -> Any:
    """Hide with a public reason; the text is never shown again (until restored)."""
    authorize(actor, "moderation.act", item)
    reason = clean_text(reason, field="reason", limit=REASON_MAX,
                    empty=_l("Give the public reason for hiding it."))
    if item.status == ContentStatus.HIDDEN:
        raise Conflict(_l("This is already hidden."))
    if item.status == ContentStatus.WITHDRAWN:
        raise InvalidState(_l("The author withdrew this; its text is not shown anyway."))
    if item.status == ContentStatus.PUBLISHED:
        _count(item, -1)
    action = "moderation.reject" if item.status == ContentStatus.HELD else "moderation.hide"
    _set_status(item, ContentStatus.HIDDEN)
    item.moderation_reason = reason
    case = _case(item)
    case.held = False
    _resolve_flags(item, "hidden")
    _settle(case)
    audit.record(actor, action, item, reason=reason)
    _scrub_notifications(item)
    _notify_author(item, "content_hidden", actor, reason=reason)
    return item


def _scrub_notifications(item: Any) -> None:
    """In-app notifications keep excerpts (a reply's text, a question and its answer):
    drop the excerpts of a hidden item so its text shows nowhere. (E-mails already sent
    cannot be recalled.)"""
    if isinstance(item, SuggestionComment):
        return  # no notification quotes a suggestion comment
    if isinstance(item, Suggestion):  # "answered" notifications name it by its title
        for note in db.session.scalars(select(Notification).where(
                Notification.kind == NotificationKind.SUGGESTION_ANSWERED,
                Notification.link.startswith(f"/suggestions/{item.id}#", autoescape=True))):
            if "suggestion_title" in (note.data or {}):
                note.data = {k: v for k, v in note.data.items() if k != "suggestion_title"}
        return
    if isinstance(item, Comment):
        kind, keys = NotificationKind.REPLY, ("excerpt",)
        link = f"/rounds/{item.round_id}/comments#comment-{item.id}"
    else:
        question_id = item.question_id if isinstance(item, Answer) else item.id
        kind = NotificationKind.QUESTION_ANSWERED
        keys = ("excerpt",) if isinstance(item, Answer) else ("excerpt", "question")
        link = f"/rounds/{round_id_of(item)}/questions#question-{question_id}"
    for note in db.session.scalars(select(Notification).where(
            Notification.kind == kind, Notification.link == link)):
        if any(k in (note.data or {}) for k in keys):
            note.data = {k: v for k, v in note.data.items() if k not in keys}


def reject_item(actor: Actor, item: Any, *, reason: str | None) -> Any:
    """A held post stays unpublished: hidden with a public reason."""
    if item.status != ContentStatus.HELD:
        raise InvalidState(_l("This post is not awaiting review."))
    return hide_item(actor, item, reason=reason)


def restore_item(actor: Actor, item: Any) -> Any:
    authorize(actor, "moderation.act", item)
    if item.status != ContentStatus.HIDDEN:
        raise InvalidState(_l("This is not hidden."))
    case = _case(item)
    if case.appeal_pending:
        return decide_appeal(actor, item, outcome=AppealOutcome.RESTORED.value, reason=None)
    _restore(item, case)
    audit.record(actor, "moderation.restore", item)
    return item


def _restore(item: Any, case: ModerationCase) -> None:
    _set_status(item, ContentStatus.PUBLISHED)
    item.moderation_reason = None
    _count(item, +1)
    _resolve_flags(item, "restored")
    _settle(case)


def dismiss_flags(actor: Actor, item: Any) -> Any:
    """The flags are unfounded: the item stays as it is, out of the queue."""
    authorize(actor, "moderation.act", item)
    case = _case(item)
    if not case.open_flags and not db.session.scalar(select(Flag.id).where(
            Flag.kind == kind_for(item), Flag.item_id == item.id,
            Flag.resolved_at.is_(None)).limit(1)):
        raise InvalidState(_l("There are no open flags on this."))
    _resolve_flags(item, "dismissed")
    _settle(case)
    case.needs_review = case.appeal_pending or case.held
    audit.record(actor, "moderation.dismiss", item)
    return item


def approve_item(actor: Actor, item: Any) -> Any:
    """A held post is fine: publish it (and count it)."""
    authorize(actor, "moderation.act", item)
    if item.status != ContentStatus.HELD:
        raise InvalidState(_l("This post is not awaiting review."))
    _set_status(item, ContentStatus.PUBLISHED)
    _count(item, +1)
    if isinstance(item, Suggestion):  # only now does the department receive it
        start_clock(item)
    case = _case(item)
    case.held = False
    case.needs_review = case.open_flags > 0
    case.last_action_at = now()
    audit.record(actor, "moderation.approve", item)
    return item


# ---------------------------------------------------------------- appeals

def appeal_item(actor: Actor, item: Any, *, text: str | None) -> ModerationCase:
    """The author asks, once, for a hidden item to be shown again."""
    authorize(actor, "moderation.appeal", item)
    if item.status != ContentStatus.HIDDEN:
        raise InvalidState(_l("Only hidden posts can be appealed."))
    case = _case(item)
    if case.appealed_at is not None:
        raise Conflict(_l("You have already appealed this decision; each post can be "
                          "appealed once."))
    text = clean_text(text, field="text", limit=APPEAL_MAX,
                  empty=_l("Say why the post should be shown again."))
    updated = db.session.execute(
        update(ModerationCase).where(ModerationCase.id == case.id,
                                     ModerationCase.appealed_at.is_(None))
        .values(appeal_text=text, appealed_at=now(), needs_review=True)).rowcount
    if not updated:  # pragma: no cover - a second tab won the race
        raise Conflict(_l("You have already appealed this decision; each post can be "
                          "appealed once."))
    db.session.refresh(case)
    audit.record(actor, "moderation.appeal", item)
    return case


def decide_appeal(actor: Actor, item: Any, *, outcome: str | None,
                  reason: str | None) -> Any:
    authorize(actor, "moderation.act", item)
    case = _case(item)
    if not case.appeal_pending:
        raise InvalidState(_l("There is no appeal waiting on this."))
    try:
        result = AppealOutcome(outcome or "")
    except ValueError:
        raise ValidationFailed(_l("Choose whether to restore the post or keep it hidden."),
                               field="outcome") from None
    if result is AppealOutcome.UPHELD:
        reason = clean_text(reason, field="reason", limit=REASON_MAX,
                        empty=_l("Tell the author why it stays hidden."))
    case.appeal_outcome, case.appeal_decided_at = result, now()
    if result is AppealOutcome.RESTORED and item.status == ContentStatus.HIDDEN:
        _restore(item, case)
    else:
        _settle(case)
    audit.record(actor, "moderation.appeal_decided", item, outcome=result.value)
    _notify_author(item, "appeal_decided", actor, outcome=result.value, reason=reason)
    return item
