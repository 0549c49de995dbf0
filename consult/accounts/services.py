"""Account rules: registration, verification, login, passwords, profile, roles, departments."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from consult import audit
from consult.accounts import tokens
from consult.accounts.models import Actor, Department, Role, RoleAssignment, User
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.i18n import is_valid_timezone, supported_locales
from consult.mail import absolute_url, send_mail
from consult.security.params import parse_int
from consult.security.passwords import is_common
from consult.security.permissions import authorize
from consult.security.search import contains_text
from consult.web import Page, keyset_paginate

DISPLAY_NAME_MAX = 50


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _unknown_account_hash() -> str:
    """What an unknown address's password is checked against, so that it costs as much
    time as a wrong password: the configured method and cost, which werkzeug applies to the
    password and salt whatever the stored value, and a value no password gives. Nothing
    is derived ahead (a real hash of the default scrypt took a tenth of a second of every
    start)."""
    return f"{current_app.config['PASSWORD_HASH_METHOD']}$unknown-account${'0' * 64}"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def clean_display_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    name = re.sub(r"\s+", " ", name)
    if not name:
        raise ValidationFailed(_l("Enter a display name."), field="display_name")
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationFailed(
            _l("A display name can have at most %(n)d characters.", n=DISPLAY_NAME_MAX),
            field="display_name",
        )
    if any(ch in name for ch in "<>") or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise ValidationFailed(
            _l("A display name cannot contain < or > or control characters."),
            field="display_name",
        )
    return name


def check_password_rules(password: str, *, email: str = "", field: str = "password") -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise ValidationFailed(_l("Use at least %(n)d characters.", n=minimum), field=field)
    if len(password) > 200:
        raise ValidationFailed(_l("Use at most 200 characters."), field=field)
    if password.isdigit() or len(set(password)) < 4:
        raise ValidationFailed(
            _l("This password is too easy to guess. Mix letters, numbers or words."), field=field
        )
    if is_common(password):
        raise ValidationFailed(
            _l("This password is one of the most common ones. Choose a less usual password."),
            field=field)
    if email and password.lower() == email.lower():
        raise ValidationFailed(_l("Do not use your e-mail address as password."), field=field)


# ---------------------------------------------------------------- registration

def registration_problems(*, email: str, display_name: str, password: str
                          ) -> list[ValidationFailed]:
    """Every rule the sign-up would refuse, each beside its field, all at once (the form
    shows them together). Never whether the address has an account: nobody learns that
    from the sign-up page."""
    problems: list[ValidationFailed] = []
    try:
        clean_display_name(display_name)
    except ValidationFailed as exc:
        problems.append(exc)
    try:
        check_password_rules(password, email=normalize_email(email or ""))
    except ValidationFailed as exc:
        problems.append(exc)
    return problems


def register(*, email: str, display_name: str, password: str, locale: str | None = None,
             send_verification: bool = True) -> User:
    email = normalize_email(email)
    display_name = clean_display_name(display_name)
    check_password_rules(password, email=email)
    if locale not in supported_locales():
        locale = None
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AddressTaken(_l("An account with this e-mail address already exists. "
                              "Log in or reset your password."), field="email")
    user = User(email=email, display_name=display_name,
                password_hash=hash_password(password), locale=locale, roles=[])
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # two registrations racing for one address
        raced = AddressTaken(_l("An account with this e-mail address already exists. "
                                "Log in or reset your password."), field="email")
        raced.raced = True  # the transaction cannot go on: the caller rolls back
        raise raced from exc
    audit.record(user, "user.registered", user)
    if send_verification:
        send_verification_mail(user)
    return user


class AddressTaken(Conflict):
    """Registration with an address that has an account (for the CLI; the web sign-up
    never tells, see ``sign_up``)."""


def sign_up(*, email: str, display_name: str, password: str,
            locale: str | None = None) -> User | None:
    """Registration as the public page does it: the same answer whether or not the
    address has an account. A new address gets its account and the verification mail;
    a taken one gets nothing new, and its owner a mail saying someone tried (and how
    to reset the password), as login and reset already keep quiet. The password is
    hashed either way, so the time taken does not tell either."""
    try:
        return register(email=email, display_name=display_name, password=password,
                        locale=locale)
    except AddressTaken as taken:
        if getattr(taken, "raced", False):
            # Two sign-ups for one address at the same instant: the loser's transaction is
            # over, it gets the 409 (the address was taken a moment ago, by this racer).
            raise
        hash_password(password)
        owner = db.session.scalar(select(User).where(User.email == normalize_email(email)))
        if owner is not None and owner.active:
            send_mail(owner.email, "accounts/email/register_taken", locale=owner.locale,
                      user=owner, login=absolute_url(url_for("accounts.login")),
                      reset=absolute_url(url_for("accounts.reset_request")))
            audit.record("anonymous", "user.register_attempt_existing", owner)
        return None


def send_verification_mail(user: User) -> None:
    token = tokens.make("verify", {"uid": user.id, "email": user.email})
    link = absolute_url(url_for("accounts.verify", token=token))  # SITE_URL, never the Host header
    send_mail(user.email, "accounts/email/verify", locale=user.locale, user=user, link=link)


def verify_email(token: str) -> User:
    try:
        data = tokens.read("verify", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    except tokens.TokenExpired as exc:
        raise ValidationFailed(_l("This verification link has expired. "
                                  "Log in and ask for a new one.")) from exc
    except tokens.TokenInvalid as exc:
        raise ValidationFailed(_l("This verification link is not valid.")) from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise ValidationFailed(_l("This verification link is not valid."))
    if user.is_verified:
        raise Conflict(_l("This verification link has already been used. "
                          "Your address is verified: you can log in."))
    user.email_verified_at = now()
    audit.record(user, "user.verified", user)
    return user


# ---------------------------------------------------------------- login

class LoginFailed(ValidationFailed):
    """A refused login. It carries what the audit log must keep: the login's own
    transaction rolls back, so the caller records it with ``record_login_failure``."""

    def __init__(self, message: str, *, action: str, user_id: int | None = None,
                 email: str | None = None) -> None:
        super().__init__(message, field="email")
        self.action, self.user_id, self.email = action, user_id, email


def authenticate(*, email: str, password: str) -> User:
    """The same answer for an unknown address and a wrong password."""
    email = normalize_email(email)
    user = db.session.scalar(
        select(User).where(User.email == email).options(selectinload(User.roles))
    )
    valid = check_password_hash(user.password_hash if user else _unknown_account_hash(),
                                password or "")
    if user is None or not valid:
        raise LoginFailed(_l("The e-mail address or password is not right."),
                          action="user.login_failed", user_id=user.id if user else None,
                          email=email[:254] if user is None else None)
    if not user.active:
        raise LoginFailed(_l("This account has been deactivated. "
                             "Contact the site administrator."),
                          action="user.login_refused_inactive", user_id=user.id)
    user.mark_login()
    audit.record(user, "user.logged_in", user)
    return user


def record_login_failure(failure: LoginFailed) -> None:
    """Audit a refused login (in a transaction of its own)."""
    user = db.session.get(User, failure.user_id) if failure.user_id else None
    audit.record(user or "anonymous", failure.action, user, email=failure.email)


def warn_of_failed_logins(email: str) -> None:
    """Tell the owner that logins to their account keep failing (and that they can
    still log in from their own device): sent when a guesser first has to wait."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.active:
        return
    send_mail(user.email, "accounts/email/failed_logins", locale=user.locale, user=user,
              reset=absolute_url(url_for("accounts.reset_request")))
    audit.record(None, "user.failed_logins_reported", user)


@cache
def _load_user_statement():
    """Built once: every logged-in request runs it."""
    return select(User).where(User.id == bindparam("uid")).options(joinedload(User.roles))


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: one query for the user and their roles (a join: every
    logged-in request runs it, and a second round trip costs more than the few rows)."""
    raw_uid, _, raw_version = (user_id or "").partition(":")
    uid, version = parse_int(raw_uid, low=1), parse_int(raw_version)
    if uid is None or version is None:
        return None
    user = db.session.execute(_load_user_statement(), {"uid": uid}).unique().scalar_one_or_none()
    if user is None or user.session_version != version:
        return None
    return user


# ---------------------------------------------------------------- passwords

def request_password_reset(*, email: str) -> None:
    """Mails a reset link if the address belongs to an account; says nothing either way."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.active:
        return
    token = tokens.make("reset", {"uid": user.id,
                                  "ph": tokens.password_fingerprint(user.password_hash)})
    # SITE_URL, never the Host header
    link = absolute_url(url_for("accounts.reset_password", token=token))
    send_mail(user.email, "accounts/email/reset", locale=user.locale, user=user, link=link)
    audit.record(user, "user.password_reset_requested", user)


def user_for_reset_token(token: str) -> User:
    try:
        data = tokens.read("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    except tokens.TokenExpired as exc:
        raise ValidationFailed(_l("This password reset link has expired. "
                                  "Ask for a new one.")) from exc
    except tokens.TokenInvalid as exc:
        raise ValidationFailed(_l("This password reset link is not valid.")) from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise ValidationFailed(_l("This password reset link is not valid."))
    if tokens.password_fingerprint(user.password_hash) != data.get("ph"):
        raise Conflict(_l("This password reset link has already been used. "
                          "Ask for a new one if you need it."))
    return user


def reset_password(*, token: str, password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, password, field="password")
    if not user.is_verified:  # the link proved they read this mailbox
        user.email_verified_at = now()
    audit.record(user, "user.password_reset", user)
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> User:
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationFailed(_l("Your current password is not right."),
                               field="current_password")
    _set_password(user, new_password, field="new_password")
    audit.record(user, "user.password_changed", user)
    return user


def _set_password(user: User, password: str, *, field: str) -> None:
    check_password_rules(password, email=user.email, field=field)
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends, on every device: the session version in each
    session and remember-me cookie (``User.get_id``) no longer matches the account's,
    so ``load_user`` refuses cookies copied before. The one mechanism for logout,
    "log out on every device", password change and reset, deactivation, role changes
    and account deletion."""
    user.session_version = User.session_version + 1


def log_out_everywhere(user: User) -> None:
    end_sessions(user)
    audit.record(user, "user.logged_out_everywhere", user)


# ---------------------------------------------------------------- profile

def update_profile(user: User, *, display_name: str, locale: str | None,
                   timezone: str) -> User:
    user.display_name = clean_display_name(display_name)
    if locale not in supported_locales():
        raise ValidationFailed(_l("Choose one of the offered languages."), field="locale")
    if not is_valid_timezone(timezone):
        raise ValidationFailed(_l("Choose a valid time zone."), field="timezone")
    user.locale, user.timezone = locale, timezone
    audit.record(user, "user.profile_updated", user)
    return user


def set_locale(user: User, locale: str) -> None:
    if locale not in supported_locales():
        raise ValidationFailed(_l("Choose one of the offered languages."), field="locale")
    user.locale = locale


# ---------------------------------------------------------------- admin: users and roles

def search_users(actor: Actor, *, q: str = "", role: str = "", page: int = 1,
                 per_page: int = 25, cursor: str | None = None) -> Page:
    authorize(actor, "admin.users")
    stmt = select(User).options(selectinload(User.roles)).order_by(User.id.desc())
    q = (q or "").strip()[:100]
    if q:
        stmt = stmt.where(or_(contains_text(User.email, q),
                              contains_text(User.display_name, q)))
    if role in Role.__members__.values() or role in {r.value for r in Role}:
        stmt = stmt.where(User.roles.any(RoleAssignment.role == Role(role)))
    return keyset_paginate(stmt, page=page, per_page=per_page, cursor=cursor,
                           key_types=(int,))


def get_user(actor: Actor, user_id: int) -> User:
    authorize(actor, "admin.users")
    user = db.session.scalar(
        select(User).where(User.id == user_id).options(selectinload(User.roles))
    )
    if user is None:
        raise NotFound(_l("There is no such user."))
    return user


def set_roles(actor: Actor, user: User, *, roles: list[str],
              department_ids: list[int]) -> User:
    """Replace the user's roles. Official is held per department."""
    authorize(actor, "admin.users")
    wanted: set[tuple[Role, int | None]] = set()
    for name in roles:
        try:
            role = Role(name)
        except ValueError as exc:
            raise ValidationFailed(_l("Unknown role."), field="roles") from exc
        if role is not Role.OFFICIAL:
            wanted.add((role, None))
    if department_ids:
        known = set(db.session.scalars(
            select(Department.id).where(Department.id.in_(department_ids))
        ))
        if known != set(department_ids):
            raise ValidationFailed(_l("Unknown department."), field="department_ids")
        wanted |= {(Role.OFFICIAL, d) for d in department_ids}
    if user.id == actor.id and (Role.ADMIN, None) not in wanted:
        raise ValidationFailed(_l("You cannot remove your own administrator role."),
                               field="roles")
    current = {(r.role, r.department_id): r for r in user.roles}
    for key, assignment in current.items():
        if key not in wanted:
            user.roles.remove(assignment)
    for role, dept in sorted(wanted - current.keys(), key=lambda k: (k[0].value, k[1] or 0)):
        user.roles.append(RoleAssignment(role=role, department_id=dept))
    before = sorted(f"{r}:{d}" if d else str(r) for r, d in current)
    after = sorted(f"{r}:{d}" if d else str(r) for r, d in wanted)
    if before != after:
        end_sessions(user)  # what a session may do was decided with the old roles
        audit.record(actor, "user.roles_changed", user, before=before, after=after)
    return user


def set_active(actor: Actor, user: User, *, active: bool) -> User:
    authorize(actor, "admin.users")
    if user.id == actor.id and not active:
        raise ValidationFailed(_l("You cannot deactivate your own account."))
    if user.active != active:
        user.active = active
        if not active:
            end_sessions(user)
        audit.record(actor, "user.activated" if active else "user.deactivated", user)
    return user


def create_admin(*, email: str, display_name: str, password: str) -> User:
    """For the first administrator of a real install (``flask create-admin``)."""
    user = register(email=email, display_name=display_name, password=password,
                    send_verification=False)
    user.email_verified_at = now()
    user.roles.append(RoleAssignment(role=Role.ADMIN))
    audit.record(None, "user.roles_changed", user, after=["admin"])
    return user


# ---------------------------------------------------------------- departments

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def list_departments(*, include_inactive: bool = False) -> list[Department]:
    stmt = select(Department).order_by(Department.name)
    if not include_inactive:
        stmt = stmt.where(Department.active.is_(True))
    return list(db.session.scalars(stmt))


def active_departments_stmt():
    """The departments the public sees (pages and API): the active ones."""
    return select(Department).where(Department.active.is_(True))


def get_department_by_slug(slug: str, *, active_only: bool = False) -> Department:
    """A department by its slug; ``active_only`` for public pages and the API (a
    deactivated department does not exist for the public)."""
    stmt = active_departments_stmt() if active_only else select(Department)
    dept = db.session.scalar(stmt.where(Department.slug == slug))
    if dept is None:
        raise NotFound(_l("There is no such department."))
    return dept


def _clean_department(name: str, name_en: str | None, slug: str,
                      exclude_id: int | None = None) -> tuple[str, str | None, str]:
    name = (name or "").strip()
    name_en = (name_en or "").strip() or None
    slug = (slug or "").strip().lower()
    if not name:
        raise ValidationFailed(_l("Enter the department's name."), field="name")
    if len(name) > 120 or (name_en and len(name_en) > 120):
        raise ValidationFailed(_l("Use at most 120 characters."), field="name")
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise ValidationFailed(_l("Use lower-case letters, digits and hyphens only."),
                               field="slug")
    for column, value, field in ((Department.name, name, "name"),
                                 (Department.slug, slug, "slug")):
        stmt = select(Department.id).where(column == value)
        if exclude_id:
            stmt = stmt.where(Department.id != exclude_id)
        if db.session.scalar(stmt):
            raise Conflict(_l("Another department already uses this."), field=field)
    return name, name_en, slug


def _min_period(days: Any) -> int:
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise ValidationFailed(_l("Enter a number between %(min)s and %(max)s.", min=1,
                                  max=365), field="min_period_days")
    return days


def create_department(actor: Actor, *, name: str, slug: str, name_en: str | None = None,
                      description: str = "", min_period_days: int | None = None,
                      min_period_workdays: bool = False) -> Department:
    authorize(actor, "admin.departments")
    name, name_en, slug = _clean_department(name, name_en, slug)
    dept = Department(name=name, name_en=name_en, slug=slug,
                      description=(description or "").strip()[:2000],
                      min_period_days=_min_period(30 if min_period_days is None
                                                  else min_period_days),
                      min_period_workdays=bool(min_period_workdays))
    db.session.add(dept)
    db.session.flush()
    audit.record(actor, "department.created", dept, name=name, slug=slug)
    return dept


def update_department(actor: Actor, dept: Department, *, name: str, slug: str,
                      name_en: str | None = None, description: str = "",
                      active: bool = True, min_period_days: int | None = None,
                      min_period_workdays: bool | None = None) -> Department:
    authorize(actor, "admin.departments")
    name, name_en, slug = _clean_department(name, name_en, slug, exclude_id=dept.id)
    if min_period_days is None:
        min_period_days = dept.min_period_days
    if min_period_workdays is None:
        min_period_workdays = dept.min_period_workdays
    changes = {}
    for attr, value in (("name", name), ("name_en", name_en), ("slug", slug),
                        ("description", (description or "").strip()[:2000]),
                        ("active", bool(active)),
                        ("min_period_days", _min_period(min_period_days)),
                        ("min_period_workdays", bool(min_period_workdays))):
        if getattr(dept, attr) != value:
            changes[attr] = [getattr(dept, attr), value]
            setattr(dept, attr, value)
    if changes:
        action = "department.updated"
        if "active" in changes:
            action = "department.reactivated" if active else "department.deactivated"
        audit.record(actor, action, dept, changes=changes)
    return dept
