from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import TimestampMixin, db, str_enum


class Role(StrEnum):
    OFFICIAL = "official"
    MODERATOR = "moderator"
    EVALUATOR = "evaluator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.OFFICIAL: _l("Official"),
    Role.MODERATOR: _l("Moderator"),
    Role.EVALUATOR: _l("Evaluator"),
    Role.ADMIN: _l("Administrator"),
}


class Department(TimestampMixin, db.Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(2000), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # The statutory minimum comment period of its rounds (consult.rounds.periods): a
    # shorter round needs a public reason.
    min_period_days: Mapped[int] = mapped_column(default=30, server_default="30")
    min_period_workdays: Mapped[bool] = mapped_column(default=False, server_default=false())

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    email_verified_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Bumped on password change and logout-everywhere: old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Hot counter kept by consult.notifications (incremented in SQL): the header badge.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by consult.moderation (suspend/lift): until then the user reads but cannot act
    # (consult.security.permissions.can_act).
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))

    # Loaded with the user (one extra query for any number of users, never N+1), and
    # reloadable: after a rolled-back action the page still renders the user's roles
    # (raise_on_sql made every error page of a logged-in user a 500).
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        order_by="RoleAssignment.id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return self.active

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > now()

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.roles)

    @property
    def role_names(self) -> set[str]:
        return {r.role.value for r in self.roles}

    @property
    def official_department_ids(self) -> frozenset[int]:
        return frozenset(
            r.department_id for r in self.roles
            if r.role == Role.OFFICIAL and r.department_id is not None
        )

    def mark_login(self) -> None:
        self.last_login_at = now()


class RoleAssignment(TimestampMixin, db.Model):
    """A role held by a user; officials hold one row per department they serve."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise_on_sql")
    department: Mapped[Department | None] = relationship(lazy="raise_on_sql")


# Who does something, in every service signature: a signed-in user or the anonymous
# visitor (Flask-Login's ``AnonymousUserMixin``); the CLI and jobs pass a User, or None
# where the system acts (``audit.record`` writes "system").
Actor = User | AnonymousUserMixin
