"""factory_boy factories; each commits, since the test client uses its own session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from consult.accounts.models import Department, Role, RoleAssignment, User
from consult.clock import now
from consult.extensions import db

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; hash once for every factory-made user.
PASSWORD_HASH = generate_password_hash(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class DepartmentFactory(Base):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")
    slug = factory.Sequence(lambda n: f"bureau-{n}")
    description = "负责测试工作。"


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
        """UserFactory(role="admin") or UserFactory(role="official", department=dept)."""
        if not extracted:
            return
        department = kwargs.get("department")
        self.roles.append(RoleAssignment(
            role=Role(extracted), department_id=department.id if department else None))
        if create:
            db.session.commit()
