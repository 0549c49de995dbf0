"""Account services: tokens, password and display-name rules, login, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.accounts import services
from consult.accounts.models import Role, User
from consult.audit.models import AuditEntry
from consult.clock import now
from consult.db import atomic, db
from consult.errors import Conflict, ValidationFailed
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

GOOD_PASSWORD = "plum blossom 2026"


@pytest.fixture(autouse=True)
def english(app):
    """Messages are asserted in English (the source language)."""
    with force_locale("en"):
        yield


def register(email="mei@example.org", name="王小梅", password=GOOD_PASSWORD, **kw):
    with atomic():
        return services.register(email=email, display_name=name, password=password, **kw)


def token_from(outbox, index=-1) -> str:
    body = outbox[index].body
    link = next(line for line in body.splitlines() if "://" in line)
    return link.rstrip("/").rsplit("/", 1)[1]


def load(user: User) -> User:
    """The user with roles loaded (factories commit, which expires everything)."""
    return db.session.scalar(select(User).where(User.id == user.id)
                             .options(selectinload(User.roles))
                             .execution_options(populate_existing=True))


def audit_actions(target=None) -> list[str]:
    stmt = select(AuditEntry.action).order_by(AuditEntry.id)
    if target is not None:
        stmt = stmt.where(AuditEntry.target_id == target.id)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- passwords

def test_passwords_are_hashed_with_scrypt(app):
    user = register()
    assert user.password_hash.startswith("scrypt:")
    assert GOOD_PASSWORD not in user.password_hash


@pytest.mark.parametrize("password, message", [
    ("", "Use at least 10 characters."),
    ("short1", "Use at least 10 characters."),
    ("x" * 201, "Use at most 200 characters."),
    ("1234567890123", "This password is too easy to guess."),
    ("abababababab", "This password is too easy to guess."),
    ("mei@example.org", "Do not use your e-mail address as password."),
    ("MEI@EXAMPLE.ORG", "Do not use your e-mail address as password."),
])
def test_password_rules(app, password, message):
    with pytest.raises(ValidationFailed) as err:
        services.check_password_rules(password, email="mei@example.org")
    assert err.value.status == 422
    assert err.value.field == "password"
    assert str(err.value.message).startswith(message)


@pytest.mark.parametrize("password", ["plum blossom 2026", "x7$Kq!2mZp", "长城长城长城1234"])
def test_reasonable_passwords_pass(app, password):
    services.check_password_rules(password, email="mei@example.org")


def test_password_minimum_is_configurable(app):
    app.config["PASSWORD_MIN_LENGTH"] = 14
    with pytest.raises(ValidationFailed, match="at least 14"):
        services.check_password_rules("abcdefghijk12", email="")


# ---------------------------------------------------------------- display names

@pytest.mark.parametrize("name, message", [
    ("", "Enter a display name."),
    ("   \t  ", "Enter a display name."),
    ("长" * 3000, "A display name can have at most 50 characters."),
    ("a" * 51, "A display name can have at most 50 characters."),
    ("<script>alert(1)</script>", "A display name cannot contain < or > or control characters."),
    ('<b onmouseover="x">Mei</b>', "A display name cannot contain < or > or control characters."),
    ("Mei\x00Wang", "A display name cannot contain < or > or control characters."),
    ("Mei\x1b[31mWang", "A display name cannot contain < or > or control characters."),
    ("Mei\u202eWang", "A display name cannot contain < or > or control characters."),
    ("Mei\u200bWang", "A display name cannot contain < or > or control characters."),
])
def test_display_name_rules(app, name, message):
    with pytest.raises(ValidationFailed) as err:
        services.clean_display_name(name)
    assert err.value.status == 422
    assert err.value.field == "display_name"
    assert str(err.value.message) == message


def test_display_names_are_trimmed_normalized_and_kept(app):
    assert services.clean_display_name("  王  小梅 ") == "王 小梅"
    assert services.clean_display_name("Mei\tWang\n") == "Mei Wang"
    assert services.clean_display_name("Cafe\u0301") == "Caf\u00e9"  # NFC
    assert services.clean_display_name("名" * 50) == "名" * 50
    assert services.clean_display_name("O'Brien & Sons") == "O'Brien & Sons"


def test_register_refuses_bad_display_name_and_saves_nothing(app, outbox):
    with pytest.raises(ValidationFailed):
        register(name="<script>alert(1)</script>")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert outbox == []


def test_register_refuses_a_taken_address_whatever_its_case(app, outbox):
    register(email="mei@example.org")
    with pytest.raises(Conflict) as err:
        register(email="  MEI@Example.ORG ", name="Another")
    assert err.value.status == 409 and err.value.field == "email"
    assert "already exists" in str(err.value.message)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert len(outbox) == 1


# ---------------------------------------------------------------- verification tokens

def test_verification_token_verifies_once(app, outbox):
    user = register()
    assert not user.is_verified
    token = token_from(outbox)
    with atomic():
        services.verify_email(token)
    assert db.session.get(User, user.id).is_verified
    with pytest.raises(Conflict) as err, atomic():
        services.verify_email(token)
    assert err.value.status == 409
    assert str(err.value.message).startswith("This verification link has already been used.")


def test_verification_token_expires_after_three_days(app, outbox):
    start = now()
    with time_machine.travel(start, tick=False):
        register()
        token = token_from(outbox)
    with time_machine.travel(start + timedelta(days=3) - timedelta(minutes=1), tick=False):
        services.verify_email(token)  # still valid just before the end
        db.session.rollback()
    with time_machine.travel(start + timedelta(days=3, minutes=1), tick=False):
        with pytest.raises(ValidationFailed) as err:
            services.verify_email(token)
    assert err.value.status == 422
    assert str(err.value.message).startswith("This verification link has expired.")
    db.session.rollback()
    assert not db.session.scalar(select(User)).is_verified


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" * 600,
    lambda t: "not-a-token",
])
def test_tampered_verification_token_is_not_valid(app, outbox, mangle):
    register()
    with pytest.raises(ValidationFailed, match="This verification link is not valid."):
        services.verify_email(mangle(token_from(outbox)))


def test_a_reset_token_is_not_a_verification_token(app, outbox):
    register()
    with atomic():
        services.request_password_reset(email="mei@example.org")
    with pytest.raises(ValidationFailed, match="not valid"):
        services.verify_email(token_from(outbox))


# ---------------------------------------------------------------- reset tokens

def test_reset_link_dies_after_the_password_changes(app, outbox):
    user = UserFactory()
    with atomic():
        services.request_password_reset(email=user.email)
    token = token_from(outbox)
    assert services.user_for_reset_token(token).id == user.id
    with atomic():
        services.reset_password(token=token, password=GOOD_PASSWORD)
    with pytest.raises(Conflict) as err:
        services.user_for_reset_token(token)
    assert err.value.status == 409
    assert str(err.value.message).startswith("This password reset link has already been used.")


def test_reset_link_dies_when_the_password_is_changed_another_way(app, outbox):
    user = UserFactory()
    with atomic():
        services.request_password_reset(email=user.email)
    token = token_from(outbox)
    with atomic():
        services.change_password(user, current_password=PASSWORD, new_password=GOOD_PASSWORD)
    with pytest.raises(Conflict):
        services.user_for_reset_token(token)


def test_reset_link_expires_after_two_hours(app, outbox):
    user = UserFactory()
    start = now()
    with time_machine.travel(start, tick=False):
        with atomic():
            services.request_password_reset(email=user.email)
        token = token_from(outbox)
    with time_machine.travel(start + timedelta(hours=1, minutes=59), tick=False):
        assert services.user_for_reset_token(token).id == user.id
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
        with pytest.raises(ValidationFailed) as err:
            services.user_for_reset_token(token)
    assert str(err.value.message).startswith("This password reset link has expired.")


def test_reset_request_for_unknown_or_deactivated_address_sends_nothing(app, outbox):
    UserFactory(email="gone@example.org", active=False)
    with atomic():
        services.request_password_reset(email="nobody@example.org")
        services.request_password_reset(email="gone@example.org")
    assert outbox == []


def test_reset_verifies_the_address_and_ends_other_sessions(app, outbox):
    user = UserFactory(unverified=True)
    old_session = user.get_id()
    with atomic():
        services.request_password_reset(email=user.email)
    with atomic():
        services.reset_password(token=token_from(outbox), password=GOOD_PASSWORD)
    user = db.session.get(User, user.id)
    assert user.is_verified
    assert services.load_user(old_session) is None
    assert services.load_user(user.get_id()).id == user.id


def test_reset_refuses_a_weak_password_and_keeps_the_old_one(app, outbox):
    user = UserFactory()
    with atomic():
        services.request_password_reset(email=user.email)
    token = token_from(outbox)
    with pytest.raises(ValidationFailed, match="at least 10"), atomic():
        services.reset_password(token=token, password="short")
    assert services.user_for_reset_token(token).id == user.id  # still usable
    with atomic():
        assert services.authenticate(email=user.email, password=PASSWORD).id == user.id


# ---------------------------------------------------------------- login

def test_login_failures_say_the_same_for_unknown_address_and_wrong_password(app):
    UserFactory(email="mei@example.org")
    with pytest.raises(ValidationFailed) as unknown:
        services.authenticate(email="nobody@example.org", password=PASSWORD)
    with pytest.raises(ValidationFailed) as wrong:
        services.authenticate(email="mei@example.org", password="wrong password 1")
    assert str(unknown.value.message) == str(wrong.value.message) == (
        "The e-mail address or password is not right.")
    assert unknown.value.field == wrong.value.field == "email"


def test_an_unknown_address_costs_a_password_check_of_the_configured_method(
        app, monkeypatch):
    """The timing equaliser derives a key with the method and cost real accounts use (not
    werkzeug's default), and nothing is derived ahead at import."""
    import werkzeug.security

    derived = []
    real = werkzeug.security._hash_internal
    monkeypatch.setattr(werkzeug.security, "_hash_internal",
                        lambda method, salt, password: derived.append(method)
                        or real(method, salt, password))
    UserFactory(email="mei@example.org")
    for email in ("nobody@example.org", "mei@example.org"):
        with pytest.raises(ValidationFailed):
            services.authenticate(email=email, password="wrong password 1")
    configured = app.config["PASSWORD_HASH_METHOD"]
    assert derived[0] == configured and derived[1].startswith(configured)
    assert not hasattr(services, "_DUMMY_HASH")


def test_login_is_case_insensitive_on_the_address(app):
    user = UserFactory(email="mei@example.org")
    with atomic():
        assert services.authenticate(email=" Mei@Example.org ", password=PASSWORD).id == user.id
    assert db.session.get(User, user.id).last_login_at is not None
    assert audit_actions(user) == ["user.logged_in"]


def test_deactivated_user_cannot_log_in(app):
    user = UserFactory(active=False)
    with pytest.raises(ValidationFailed, match="deactivated"):
        services.authenticate(email=user.email, password=PASSWORD)


def test_changing_password_needs_the_current_one(app):
    user = UserFactory()
    with pytest.raises(ValidationFailed) as err, atomic():
        services.change_password(user, current_password="not it at all",
                                 new_password=GOOD_PASSWORD)
    assert err.value.field == "current_password"
    with pytest.raises(ValidationFailed) as err, atomic():
        services.change_password(user, current_password=PASSWORD, new_password="1234567890")
    assert err.value.field == "new_password"


# ---------------------------------------------------------------- roles and departments

def test_official_of_several_departments_and_audit(app):
    admin = load(UserFactory(role="admin"))
    a, b = DepartmentFactory(), DepartmentFactory()
    user = UserFactory()
    user = load(user)
    services.set_roles(admin, user, roles=["moderator"], department_ids=[a.id, b.id])
    db.session.flush()
    db.session.expire_all()
    user = services.get_user(load(admin), user.id)
    assert user.official_department_ids == {a.id, b.id}
    assert user.has_role(Role.MODERATOR) and user.has_role(Role.OFFICIAL)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.roles_changed"))
    assert entry.actor_id == admin.id and entry.target_id == user.id
    assert entry.data == {"before": [], "after": sorted(
        ["moderator", f"official:{a.id}", f"official:{b.id}"])}
    services.set_roles(admin, user, roles=[], department_ids=[b.id])
    db.session.flush()
    db.session.expire_all()
    assert services.get_user(load(admin), user.id).role_names == {"official"}


@pytest.mark.parametrize("roles, depts, field", [
    (["emperor"], [], "roles"),
    ([], [999_999], "department_ids"),
])
def test_set_roles_refuses_unknown_roles_and_departments(app, roles, depts, field):
    admin = load(UserFactory(role="admin"))
    user = load(UserFactory(role="evaluator"))
    with pytest.raises(ValidationFailed) as err, atomic():
        services.set_roles(admin, user, roles=roles, department_ids=depts)
    assert err.value.field == field
    assert services.get_user(load(admin), user.id).role_names == {"evaluator"}


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(app):
    admin = load(UserFactory(role="admin"))
    with pytest.raises(ValidationFailed, match="own administrator role"):
        services.set_roles(admin, admin, roles=["moderator"], department_ids=[])
    with pytest.raises(ValidationFailed, match="deactivate your own"):
        services.set_active(admin, admin, active=False)


def test_deactivation_ends_sessions_and_is_audited(app):
    admin = load(UserFactory(role="admin"))
    user = UserFactory()
    session_id = user.get_id()
    services.set_active(admin, user, active=False)
    db.session.commit()
    assert services.load_user(session_id) is None
    assert audit_actions(user) == ["user.deactivated"]


@pytest.mark.parametrize("slug", ["Has Space", "UPPER_case", "-edge", "a" * 61, ""])
def test_department_slug_rules(app, slug):
    admin = load(UserFactory(role="admin"))
    with pytest.raises(ValidationFailed) as err:
        services.create_department(admin, name="市民政局", slug=slug)
    assert err.value.field in ("slug",)


def test_department_names_and_slugs_are_unique(app):
    admin = load(UserFactory(role="admin"))
    services.create_department(admin, name="市民政局", slug="civil-affairs")
    with pytest.raises(Conflict) as err:
        services.create_department(admin, name="市民政局", slug="other")
    assert err.value.field == "name"
    with pytest.raises(Conflict) as err:
        services.create_department(admin, name="别的局", slug="civil-affairs")
    assert err.value.field == "slug"
