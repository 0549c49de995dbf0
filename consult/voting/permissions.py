"""Who may vote and who may define a round's poll ("when" is the lifecycle's job)."""

from __future__ import annotations

from consult.security.permissions import can_act, is_official_of, rule


@rule("voting.vote")
def _vote(user, round_=None) -> bool:
    """Any active user with a verified e-mail address (the round's eligibility), not
    suspended (moderation)."""
    return can_act(user) and user.is_verified


@rule("voting.manage")
def _manage(user, round_=None) -> bool:
    """Officials of the round's department define its poll questions."""
    return round_ is not None and is_official_of(user, round_.consultation.department_id)
