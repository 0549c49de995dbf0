"""The admin.* and account rules for every kind of user."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from consult.accounts.models import User
from consult.errors import PermissionDenied
from consult.extensions import db
from consult.security.permissions import RULES, authorize, check
from tests.factories import DepartmentFactory, UserFactory

ADMIN_RULES = ("admin.users", "admin.departments", "admin.audit")


def make(kind: str):
    if kind == "anonymous":
        return AnonymousUserMixin()
    if kind == "nobody":
        return None
    dept = DepartmentFactory()
    factories = {
        "citizen": lambda: UserFactory(),
        "unverified citizen": lambda: UserFactory(unverified=True),
        "official": lambda: UserFactory(role="official", role__department=dept),
        "moderator": lambda: UserFactory(role="moderator"),
        "evaluator": lambda: UserFactory(role="evaluator"),
        "admin": lambda: UserFactory(role="admin"),
        "deactivated admin": lambda: UserFactory(role="admin", active=False),
    }
    user = factories[kind]()
    return db.session.scalar(select(User).where(User.id == user.id))


EXPECTED = {
    # kind: (admin.* allowed, account.own allowed)
    "nobody": (False, False),
    "anonymous": (False, False),
    "citizen": (False, True),
    "unverified citizen": (False, True),
    "official": (False, True),
    "moderator": (False, True),
    "evaluator": (False, True),
    "admin": (True, True),
    "deactivated admin": (False, False),
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_account_rules(app, kind):
    user = make(kind)
    admin_allowed, own_allowed = EXPECTED[kind]
    for name in ADMIN_RULES:
        assert check(user, name) is admin_allowed, (kind, name)
        if not admin_allowed:
            with pytest.raises(PermissionDenied) as err:
                authorize(user, name)
            assert err.value.status == 403
    assert check(user, "account.own") is own_allowed


def test_every_account_rule_is_covered():
    mine = {name for name in RULES if name.startswith("admin.") or name == "account.own"}
    assert mine == {*ADMIN_RULES, "account.own"}


def test_official_scope_is_per_department(app):
    from consult.security.permissions import is_official_of

    a, b = DepartmentFactory(), DepartmentFactory()
    official = UserFactory(role="official", role__department=a)
    official = db.session.scalar(select(User).where(User.id == official.id))
    assert is_official_of(official, a.id)
    assert not is_official_of(official, b.id)
    assert not is_official_of(official, None)
    assert not is_official_of(AnonymousUserMixin(), a.id)
