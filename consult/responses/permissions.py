"""Who may triage, respond and record follow-up progress. "When" is the lifecycle's (409).

Rules taking a round expect it loaded with its consultation (``rounds.services.get_round``).
"""

from __future__ import annotations

from consult.security.permissions import is_official_of, rule


@rule("response.manage")
def _manage(user, round_=None) -> bool:
    """Triage, themes, the response, errata: officials of the round's department."""
    return round_ is not None and is_official_of(user, round_.consultation.department_id)


@rule("action.manage")
def _manage_action(user, action=None) -> bool:
    """Progress on a follow-up action: officials of the department that promised it."""
    return action is not None and is_official_of(user, action.department_id)
