"""Who may act on rectification cases. "When" is the case's status (409)."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.security.permissions import can_act, has_role, is_authenticated, is_official_of, rule


@rule("rectification.workspace")
def _workspace(user, obj=None) -> bool:
    """The cases list of the workspace: officials (their departments' cases)."""
    return is_authenticated(user) and bool(user.official_department_ids)


@rule("rectification.manage")
def _manage(user, case=None) -> bool:
    """Follow-up, rectification or explanation, appeal: officials of the case's department."""
    return case is not None and is_official_of(user, case.department_id)


@rule("rectification.review")
def _review(user, case=None) -> bool:
    """Deciding appeals (申诉复核): evaluators and admins, never the department itself."""
    if not (has_role(user, Role.EVALUATOR) or has_role(user, Role.ADMIN)):
        return False
    return case is None or not is_official_of(user, case.department_id)


@rule("rectification.rerate")
def _rerate(user, case=None) -> bool:
    """Rating again: the rater only, able to act (not suspended)."""
    return case is not None and can_act(user) and case.rater_id == user.id
