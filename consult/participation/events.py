"""Participation events for the notifications domain.

Notifications sit above participation in the import order, so participation raises
its events only through this module, which hands them to the event helpers of
``consult.notifications.services`` (``replied``, ``question_answered``) when that
domain is installed and drops them otherwise. Called inside the action's
transaction: notification rows commit or roll back with the action; e-mail is sent
by the notifier after commit.
"""

from __future__ import annotations

import importlib
from typing import Any


def _notifications():
    try:
        return importlib.import_module("consult.notifications.services")
    except ModuleNotFoundError as exc:
        if exc.name not in ("consult.notifications", "consult.notifications.services"):
            raise
        return None


def comment_replied(comment, parent) -> bool:
    """Someone replied to ``parent``'s author (not raised when replying to oneself)."""
    if parent.author_id == comment.author_id:
        return False
    module = _notifications()
    if module is None or not hasattr(module, "replied"):
        return False
    module.replied(comment, parent)
    return True


def question_answered(question, *, actor: Any, supporters) -> bool:
    """The asker (and whoever wanted to know too) learns that the question was answered."""
    module = _notifications()
    if module is None or not hasattr(module, "question_answered"):
        return False
    module.question_answered(question, actor=actor, supporters=supporters)
    return True
