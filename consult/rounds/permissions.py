"""Who may manage rounds. "When" (the round's state) is the lifecycle's business (409).

Rules taking a round expect it loaded with its consultation (``get_round`` does that).
"""

from __future__ import annotations

from consult.security.permissions import is_official_of, rule


@rule("round.add")
def _add(user, consultation=None) -> bool:
    """Officials of the consultation's department add rounds to it."""
    return consultation is not None and is_official_of(user, consultation.department_id)


@rule("round.manage")
def _manage(user, round_=None) -> bool:
    """Edit, close early, extend: officials of the round's consultation's department."""
    return round_ is not None and is_official_of(user, round_.consultation.department_id)


@rule("round.view")
def _view(user, round_=None) -> bool:
    """Rounds of published consultations are public; others only for their managers."""
    if round_ is None:
        return False
    return round_.consultation.published_at is not None or _manage(user, round_)
