from consult.accounts.models import Role
from consult.security.permissions import has_role, is_authenticated, rule


@rule("admin.users")
def _admin_users(user, obj=None) -> bool:
    return has_role(user, Role.ADMIN)


@rule("admin.departments")
def _admin_departments(user, obj=None) -> bool:
    return has_role(user, Role.ADMIN)


@rule("admin.audit")
def _admin_audit(user, obj=None) -> bool:
    return has_role(user, Role.ADMIN)


@rule("account.own")
def _account_own(user, obj=None) -> bool:
    return is_authenticated(user)
