"""Who may read the evaluation dashboard: evaluators and admins."""

from __future__ import annotations

from consult.accounts.models import Role
from consult.security.permissions import has_role, rule


@rule("evaluation.view")
def _view(user, obj=None) -> bool:
    return has_role(user, Role.EVALUATOR) or has_role(user, Role.ADMIN)
