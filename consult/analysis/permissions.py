"""Who may see a round's opinion analysis: officials of the owning department,
moderators and evaluators. Accepting a theme into triage is ``response.manage``."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.security.permissions import has_role, is_official_of, rule


@rule("analysis.view")
def _view(user, round_=None) -> bool:
    if round_ is None:
        return False
    return (is_official_of(user, round_.consultation.department_id)
            or has_role(user, Role.MODERATOR) or has_role(user, Role.EVALUATOR))
