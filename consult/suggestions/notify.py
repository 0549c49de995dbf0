"""Suggestion events for the notifications domain.

Notifications sit above suggestions in the import order, so this module hands the
events to ``consult.notifications.services.notify`` when that domain is installed
and knows the ``suggestion_answered`` kind, and drops them otherwise (returns False).
Called inside the action's transaction: rows commit or roll back with the answer.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import select

KIND = "suggestion_answered"


def _notify():
    try:
        services = importlib.import_module("consult.notifications.services")
        models = importlib.import_module("consult.notifications.models")
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("consult.notifications"):
            raise
        return None
    if KIND not in {k.value for k in models.NotificationKind}:
        return None
    return getattr(services, "notify", None)


def answered(suggestion, event, *, actor: Any) -> bool:
    """Tell the author and every supporter that the department answered (or
    transferred) the suggestion. Two INSERT ... SELECTs whatever the number of supporters."""
    notify = _notify()
    if notify is None:
        return False
    from consult.suggestions.models import SuggestionSupport

    data = {
        "suggestion_id": suggestion.id,
        "suggestion_title": suggestion.title[:120],
        "event": event.kind.value,
        "answer_status": event.answer_status.value if event.answer_status else None,
        "to_department_id": event.to_department_id,
    }
    link = f"/suggestions/{suggestion.id}#answer-{event.id}"
    notify([suggestion.author_id], KIND, link=link, actor=actor, role="author", **data)
    supporters = select(SuggestionSupport.user_id).where(
        SuggestionSupport.suggestion_id == suggestion.id)
    notify(supporters, KIND, link=link, actor=actor, role="supporter", **data)
    return True
