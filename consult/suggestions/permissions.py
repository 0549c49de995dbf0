"""Who may do what with agenda suggestions. "When" (answered or not) is checked by the
services (409)."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.security.permissions import (
    can_act,
    has_role,
    is_authenticated,
    is_official_of,
    rule,
)
from consult.suggestions.models import Visibility


def is_verified(user) -> bool:
    return is_authenticated(user) and bool(getattr(user, "is_verified", False))


@rule("suggestion.submit")
def _submit(user, obj=None) -> bool:
    return is_verified(user) and can_act(user)


@rule("suggestion.view")
def _view(user, suggestion=None) -> bool:
    """Published suggestions are public. A hidden one keeps its page, for everyone, where
    the moderator's public reason replaces its text (the department's answers stay). A
    held one (awaiting review) only for its author, moderators and admins."""
    if suggestion is None:
        return False
    if suggestion.is_visible or suggestion.status is Visibility.HIDDEN:
        return True
    return is_authenticated(user) and (
        user.id == suggestion.author_id or has_role(user, Role.ADMIN)
        or has_role(user, Role.MODERATOR))


@rule("suggestion.support")
def _support(user, suggestion=None) -> bool:
    return is_verified(user) and can_act(user) and suggestion is not None and suggestion.is_visible


@rule("suggestion.comment")
def _comment(user, suggestion=None) -> bool:
    return is_verified(user) and can_act(user) and suggestion is not None and suggestion.is_visible


@rule("suggestion.rate")
def _rate(user, suggestion=None) -> bool:
    """Only the author rates, and only a verified one."""
    return (is_verified(user) and can_act(user) and suggestion is not None
            and user.id == suggestion.author_id)


@rule("suggestion.answer")
def _answer(user, suggestion=None) -> bool:
    """Officials of the suggestion's current department (none while unrouted)."""
    return suggestion is not None and is_official_of(user, suggestion.department_id)


@rule("suggestion.route")
def _route(user, suggestion=None) -> bool:
    """Admins route "not sure which department" suggestions."""
    return has_role(user, Role.ADMIN)


@rule("suggestion.manage")
def _manage(user, obj=None) -> bool:
    """The /manage/suggestions desk: officials of any department, and admins."""
    return is_authenticated(user) and (
        bool(user.official_department_ids) or has_role(user, Role.ADMIN))


@rule("suggestion.policy")
def _policy(user, department=None) -> bool:
    """A department's reply deadline: its officials and admins. ``department`` is a
    Department or its id."""
    if department is None:
        return False
    dept_id = department if isinstance(department, int) else department.id
    return has_role(user, Role.ADMIN) or is_official_of(user, dept_id)


@rule("suggestion.answer_many")
def _answer_many(user, obj=None) -> bool:
    """Answering several at once: officials of any department (each suggestion is then
    checked with ``suggestion.answer``)."""
    return is_authenticated(user) and bool(user.official_department_ids)
