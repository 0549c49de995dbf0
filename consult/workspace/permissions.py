"""Who may use the workspace: the officials of a department, for that department."""

from __future__ import annotations

from consult.security.permissions import has_role, is_authenticated, is_official_of, rule


@rule("workspace.view")
def _workspace_view(user, obj=None) -> bool:
    return is_authenticated(user) and bool(user.official_department_ids)


@rule("workspace.department")
def _workspace_department(user, department_id=None) -> bool:
    """Assign, annotate, keep templates: officials of the department that owns the item."""
    return is_official_of(user, department_id)


def is_staff(user) -> bool:
    return any(has_role(user, role) for role in ("official", "moderator", "evaluator", "admin"))
