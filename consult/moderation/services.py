"""Moderation services: flag, queue, hide/restore, appeal, hold/approve/reject,
sensitive terms, suspend/lift. Every action is audited.

Items: round comments, questions and answers (participation) and agenda suggestions and
their comments (suggestions). Each model keeps its own ``status`` enum with the same
values (published, hidden, held), so statuses are compared by value here.

Counters: ``Round.comment_count`` (and ``question_count``, a parent's ``reply_count``,
a suggestion's ``comment_count``) count what the public can read. Hiding or holding takes an item out of them, restoring
or approving puts it back, in SQL in the same transaction, so the numbers shown beside
a round stay the number of opinions anyone can read (as withdrawing already does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult import audit
from consult.accounts.models import User
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from consult.moderation import terms as term_rules
from consult.moderation.models import (
    AppealOutcome,
    Flag,
    FlagReason,
    ItemKind,
    ModerationCase,
    SensitiveTerm,
)
from consult.participation.models import Answer, Comment, ContentStatus, Question
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.suggestions.models import Suggestion, SuggestionComment
from consult.web import Page, paginate

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

def get_item(actor: Any, kind: Any, item_id: int) -> Any:
    """The item, 404 if unknown or where the actor may not see it (participation's
    round reader, or the suggestion's own view rule, decides)."""
    from consult.participation.services import get_round

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


def _get_suggestion_item(actor: Any, kind: ItemKind, item_id: int) -> Any:
    from consult.suggestions.services import get_suggestion

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


def _clean(value: str | None, *, field: str, limit: int, empty: Any) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed(empty, field=field)
    if len(text) > limit:
        raise ValidationFailed(
            _l("Keep it to %(limit)d characters or fewer (you wrote %(count)d).",
               limit=limit, count=len(text)), field=field)
    return text


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
    from consult.notifications.services import notify
    link = appeal_link(item) if kind == "content_hidden" else link_to(item)
    notify([item.author_id], kind, link=link, actor=actor, **data)


# ---------------------------------------------------------------- flags

def flag_item(actor: Any, item: Any, *, reason: str | None, note: str | None = None) -> Flag:
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


def moderation_queue(actor: Any, *, kind: str = "", reason: str = "", show: str = "all",
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


def case_detail(actor: Any, item: Any) -> tuple[ModerationCase | None, list[Flag]]:
    authorize(actor, "moderation.review")
    case = db.session.scalar(select(ModerationCase).where(
        ModerationCase.kind == kind_for(item), ModerationCase.item_id == item.id))
    flags = list(db.session.scalars(
        select(Flag).where(Flag.kind == kind_for(item), Flag.item_id == item.id)
        .options(joinedload(Flag.reporter)).order_by(Flag.id.desc()).limit(100)))
    return case, flags


# ---------------------------------------------------------------- decisions

def hide_item(actor: Any, item: Any, *, reason: str | None) -> Any:
    """Hide with a public reason; the text is never shown again (until restored)."""
    authorize(actor, "moderation.act", item)
    reason = _clean(reason, field="reason", limit=REASON_MAX,
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
    from consult.notifications.models import Notification, NotificationKind

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


def reject_item(actor: Any, item: Any, *, reason: str | None) -> Any:
    """A held post stays unpublished: hidden with a public reason."""
    if item.status != ContentStatus.HELD:
        raise InvalidState(_l("This post is not awaiting review."))
    return hide_item(actor, item, reason=reason)


def restore_item(actor: Any, item: Any) -> Any:
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


def dismiss_flags(actor: Any, item: Any) -> Any:
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


def approve_item(actor: Any, item: Any) -> Any:
    """A held post is fine: publish it (and count it)."""
    authorize(actor, "moderation.act", item)
    if item.status != ContentStatus.HELD:
        raise InvalidState(_l("This post is not awaiting review."))
    _set_status(item, ContentStatus.PUBLISHED)
    _count(item, +1)
    if isinstance(item, Suggestion):  # only now does the department receive it
        from consult.suggestions.services import start_clock
        start_clock(item)
    case = _case(item)
    case.held = False
    case.needs_review = case.open_flags > 0
    case.last_action_at = now()
    audit.record(actor, "moderation.approve", item)
    return item


# ---------------------------------------------------------------- appeals

def appeal_item(actor: Any, item: Any, *, text: str | None) -> ModerationCase:
    """The author asks, once, for a hidden item to be shown again."""
    authorize(actor, "moderation.appeal", item)
    if item.status != ContentStatus.HIDDEN:
        raise InvalidState(_l("Only hidden posts can be appealed."))
    case = _case(item)
    if case.appealed_at is not None:
        raise Conflict(_l("You have already appealed this decision; each post can be "
                          "appealed once."))
    text = _clean(text, field="text", limit=APPEAL_MAX,
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


def decide_appeal(actor: Any, item: Any, *, outcome: str | None,
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
        reason = _clean(reason, field="reason", limit=REASON_MAX,
                        empty=_l("Tell the author why it stays hidden."))
    case.appeal_outcome, case.appeal_decided_at = result, now()
    if result is AppealOutcome.RESTORED and item.status == ContentStatus.HIDDEN:
        _restore(item, case)
    else:
        _settle(case)
    audit.record(actor, "moderation.appeal_decided", item, outcome=result.value)
    _notify_author(item, "appeal_decided", actor, outcome=result.value, reason=reason)
    return item


# ---------------------------------------------------------------- sensitive words

def _terms() -> list[tuple[str, bool]]:
    return [(t.pattern, t.is_pattern) for t in db.session.scalars(
        select(SensitiveTerm).order_by(SensitiveTerm.id))]


def screen(text: str | None) -> bool:
    """True when the text matches a sensitive word or pattern (hold it for review)."""
    return term_rules.first_match(text or "", _terms()) is not None


def hold_if_sensitive(actor: Any, item: Any) -> bool:
    """Called by participation right after a post is saved (and counted): on a match
    the post is HELD instead of published, taken out of the counters and queued.
    Returns whether it was held (then no notifications go out)."""
    match = term_rules.first_match(text_of(item), _terms())
    if match is None:
        return False
    _set_status(item, ContentStatus.HELD)
    _count(item, -1)
    case = _case(item)
    case.held, case.held_match, case.needs_review = True, match[:200], True
    audit.record(actor, "moderation.hold", item, term=match[:200])
    return True


def list_terms(actor: Any) -> list[SensitiveTerm]:
    authorize(actor, "moderation.words")
    return list(db.session.scalars(select(SensitiveTerm).order_by(SensitiveTerm.pattern)))


def add_term(actor: Any, *, pattern: str | None, is_pattern: bool = False) -> SensitiveTerm:
    authorize(actor, "moderation.words")
    value = term_rules.validate(pattern, is_pattern=bool(is_pattern))
    if db.session.scalar(select(SensitiveTerm.id).where(SensitiveTerm.pattern == value)):
        raise Conflict(_l("This is already on the list."), field="pattern")
    term = SensitiveTerm(pattern=value, is_pattern=bool(is_pattern), created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(term)
            db.session.flush()
    except IntegrityError as exc:  # pragma: no cover - two admins at once
        raise Conflict(_l("This is already on the list."), field="pattern") from exc
    audit.record(actor, "moderation.term_added", term, pattern=value, is_pattern=term.is_pattern)
    return term


def delete_term(actor: Any, term_id: int) -> None:
    authorize(actor, "moderation.words")
    term = db.session.get(SensitiveTerm, term_id)
    if term is None:
        raise NotFound(_l("There is no such word on the list."))
    audit.record(actor, "moderation.term_deleted", term, pattern=term.pattern)
    db.session.delete(term)


# ---------------------------------------------------------------- suspensions

def get_user(actor: Any, user_id: int) -> User:
    authorize(actor, "moderation.review")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("There is no such account."))
    return user


def suspend_user(actor: Any, user: User, *, days: int | None, reason: str | None) -> User:
    """The user may read but not post, vote, support, flag or rate until then."""
    authorize(actor, "moderation.suspend", user)
    if days is None or not 1 <= int(days) <= MAX_SUSPENSION_DAYS:
        raise ValidationFailed(_l("Suspend for 1 to %(max)d days.", max=MAX_SUSPENSION_DAYS),
                               field="days")
    reason = _clean(reason, field="reason", limit=SUSPENSION_REASON_MAX,
                    empty=_l("Give the reason the user will see."))
    user.suspended_until = now() + timedelta(days=int(days))
    user.suspension_reason = reason
    audit.record(actor, "moderation.suspend", user, days=int(days), reason=reason)
    return user


def lift_suspension(actor: Any, user: User) -> User:
    authorize(actor, "moderation.suspend", user)
    if not user.is_suspended:
        raise InvalidState(_l("This account is not suspended."))
    user.suspended_until, user.suspension_reason = None, None
    audit.record(actor, "moderation.lift", user)
    return user


def suspended_users(actor: Any, *, page: int = 1, per_page: int = 20) -> Page:
    authorize(actor, "moderation.review")
    stmt = (select(User).where(User.suspended_until > now())
            .order_by(User.suspended_until.desc(), User.id))
    return paginate(stmt, page=page, per_page=per_page)
