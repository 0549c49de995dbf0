"""Moderation services: flag, queue, hide/restore, appeal, hold/approve/reject,
sensitive terms, suspend/lift. Every action is audited.

One module per concern (``queue``: flags and the queue; ``decisions``: hide,
restore, approve, reject, appeals; ``words``: the sensitive-word hold; ``suspensions``),
sharing ``_common``; everything public is importable from here, as
``from consult.moderation import services``.

Items: round comments, questions and answers (participation) and agenda suggestions and
their comments (suggestions). Each model keeps its own ``status`` enum with the same
values (published, hidden, held), so statuses are compared by value here.

Counters: ``Round.comment_count`` (and ``question_count``, a parent's ``reply_count``,
a suggestion's ``comment_count``) count what the public can read. Hiding or holding
takes an item out of them, restoring or approving puts it back, in SQL in the same
transaction, so the numbers shown beside a round stay the number of opinions anyone can
read (as withdrawing already does).
"""

from __future__ import annotations

from consult.moderation.services._common import (
    APPEAL_MAX,
    MAX_SUSPENSION_DAYS,
    MODELS,
    NOTE_MAX,
    REASON_MAX,
    SUGGESTION_KINDS,
    SUSPENSION_REASON_MAX,
    appeal_link,
    get_item,
    kind_for,
    kind_of,
    link_to,
    round_id_of,
    text_of,
)
from consult.moderation.services.decisions import (
    appeal_item,
    approve_item,
    decide_appeal,
    dismiss_flags,
    hide_item,
    reject_item,
    restore_item,
)
from consult.moderation.services.queue import (
    QUEUE_SHOW,
    Queue,
    QueueEntry,
    case_detail,
    case_of,
    flag_item,
    moderation_queue,
)
from consult.moderation.services.suspensions import (
    get_user,
    lift_suspension,
    suspend_user,
    suspended_users,
)
from consult.moderation.services.words import (
    add_term,
    delete_term,
    hold_if_sensitive,
    list_terms,
    screen,
)

__all__ = [
    "MODELS",
    "SUGGESTION_KINDS",
    "NOTE_MAX",
    "REASON_MAX",
    "APPEAL_MAX",
    "SUSPENSION_REASON_MAX",
    "MAX_SUSPENSION_DAYS",
    "kind_of",
    "kind_for",
    "get_item",
    "round_id_of",
    "link_to",
    "appeal_link",
    "text_of",
    "flag_item",
    "QUEUE_SHOW",
    "QueueEntry",
    "Queue",
    "moderation_queue",
    "case_of",
    "case_detail",
    "hide_item",
    "reject_item",
    "restore_item",
    "dismiss_flags",
    "approve_item",
    "appeal_item",
    "decide_appeal",
    "screen",
    "hold_if_sensitive",
    "list_terms",
    "add_term",
    "delete_term",
    "get_user",
    "suspend_user",
    "lift_suspension",
    "suspended_users",
]
