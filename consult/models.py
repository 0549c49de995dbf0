"""Imports every domain's models and permission rules (for Alembic, the shell and tests)."""

from consult.accounts import permissions as _accounts_permissions  # noqa: F401
from consult.accounts.models import Department, Role, RoleAssignment, User
from consult.audit.models import AuditEntry

__all__ = ["AuditEntry", "Department", "Role", "RoleAssignment", "User"]
