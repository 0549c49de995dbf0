"""Who may moderate. Flagging is for anyone logged in who may act (not suspended);
reviewing, hiding, holding decisions and suspensions are for moderators (and admins);
the sensitive-word list is the admins'."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.security.permissions import can_act, has_role, is_authenticated, rule


def is_moderator(user) -> bool:
    return has_role(user, Role.MODERATOR) or has_role(user, Role.ADMIN)


@rule("moderation.flag")
def _flag(user, item=None) -> bool:
    return can_act(user) and (item is None or getattr(item, "author_id", None) != user.id)


@rule("moderation.review")
def _review(user, obj=None) -> bool:
    return is_moderator(user)


@rule("moderation.act")
def _act(user, obj=None) -> bool:
    return is_moderator(user) and can_act(user)


@rule("moderation.suspend")
def _suspend(user, target=None) -> bool:
    """Moderators suspend citizens; never themselves, another moderator or an admin."""
    if not (is_moderator(user) and can_act(user)):
        return False
    if target is None:
        return True
    return target.id != user.id and not target.has_role(Role.ADMIN) and not (
        target.has_role(Role.MODERATOR) and not has_role(user, Role.ADMIN))


@rule("moderation.appeal")
def _appeal(user, item=None) -> bool:
    """The author of a hidden item (a suspended author may still appeal)."""
    return (is_authenticated(user) and item is not None
            and getattr(item, "author_id", None) == user.id)


@rule("moderation.words")
def _words(user, obj=None) -> bool:
    return has_role(user, Role.ADMIN)
