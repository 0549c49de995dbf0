"""Who may follow and read notifications."""

from __future__ import annotations

from consult.security.permissions import is_authenticated, rule


@rule("consultation.follow")
def _follow(user, consultation) -> bool:
    """Any logged-in, active user may follow a (published) consultation."""
    return is_authenticated(user)


@rule("notification.read")
def _read(user, notification) -> bool:
    """Only the addressee; services turn a refusal into 404 (ids are not secrets to probe)."""
    return is_authenticated(user) and (notification is None or notification.user_id == user.id)
