"""Named permission rules. "Who may" lives here; "when" (round state) lives in the lifecycle.

Each domain registers its rules in its own ``permissions.py`` with ``@rule("name")``;
services call ``authorize(actor, name, obj)`` and templates ``can(name, obj)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l

from consult.errors import PermissionDenied

RULES: dict[str, Callable[[Any, Any], bool]] = {}


def rule(name: str):
    def register(fn: Callable[[Any, Any], bool]):
        if name in RULES:
            raise RuntimeError(f"permission rule {name!r} registered twice")
        RULES[name] = fn
        return fn
    return register


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and getattr(user, "is_active", False))


def has_role(user: Any, role: str) -> bool:
    return is_authenticated(user) and user.has_role(role)


def is_official_of(user: Any, department_id: int | None) -> bool:
    return is_authenticated(user) and department_id is not None and (
        department_id in user.official_department_ids
    )


def check(user: Any, name: str, obj: Any = None) -> bool:
    return RULES[name](user, obj)


def can_act(user: Any) -> bool:
    """Logged in and not suspended: may post, vote, support, flag or rate (moderation).
    Rules that change content add this check; reading needs no such check."""
    return is_authenticated(user) and not getattr(user, "is_suspended", False)


def suspension_message(user: Any) -> str | None:
    """ "Your account is suspended until <date>: <reason>" for a suspended user, else None."""
    if not is_authenticated(user) or not getattr(user, "is_suspended", False):
        return None
    return gettext("Your account is suspended until %(date)s: %(reason)s",
                   date=format_datetime(user.suspended_until, "medium"),
                   reason=user.suspension_reason or "")


def authorize(user: Any, name: str, obj: Any = None) -> None:
    if not check(user, name, obj):
        raise PermissionDenied(suspension_message(user) or _l("You are not allowed to do this."))
