"""Departments and users (with roles)."""

from __future__ import annotations

import factory
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Department, Role, RoleAssignment, User
from consult.clock import now
from consult.extensions import db
from tests.factories.base import PASSWORD_HASH, Base


class DepartmentFactory(Base):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")
    slug = factory.Sequence(lambda n: f"bureau-{n}")
    description = "负责测试工作。"
    # No statutory minimum comment period unless a test sets one (the model's default is
    # 30 days): tests of other features schedule short rounds freely.
    min_period_days = 1


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = PASSWORD_HASH
    email_verified_at = factory.LazyFunction(now)
    roles = factory.LazyFunction(list)

    class Params:
        unverified = factory.Trait(email_verified_at=None)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="admin") or UserFactory(role="official", role__department=dept)."""
        if not extracted:
            return
        department = kwargs.get("department")
        assignment = RoleAssignment(
            role=Role(extracted), department_id=department.id if department else None)
        if create:
            # The user is committed (and expired) already; its roles are lazy="raise_on_sql".
            assignment.user_id = self.id
            db.session.add(assignment)
            db.session.commit()
        else:
            self.roles.append(assignment)


def with_roles(user) -> User:
    """The user with roles loaded, as the login loader gives it (commits expire them, the
    factory adds role rows after the user, and the rules read them)."""
    return db.session.scalar(select(User).where(User.id == user.id).options(
        selectinload(User.roles)).execution_options(populate_existing=True))


def fresh(user) -> User:
    """The user reloaded as a request would load it, every other object expired too."""
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.id == user.id))


class RoleAssignmentFactory(Base):
    """One more role for an existing user (``user=`` or ``user_id=``; a new user by
    default): ``RoleAssignmentFactory(user=u, department=dept)`` makes ``u`` an official of
    ``dept`` too."""

    class Meta:
        model = RoleAssignment
        exclude = ("user", "department")

    user = None
    department = None
    user_id = factory.LazyAttribute(lambda o: (o.user or UserFactory()).id)
    role = Role.OFFICIAL
    department_id = factory.LazyAttribute(lambda o: o.department.id if o.department else None)
