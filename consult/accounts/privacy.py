"""A user's own data: download it all (JSON) and delete the account.

The export is read from the schema, not from a hand-kept list: every table with a
foreign key to ``user.id`` contributes the rows that point at the user (one query
per such column, however much the user wrote), so a domain added later is exported
without touching this file. Secrets (the password hash) are left out.

Deleting an account erases personal data (e-mail, name, password hash, language, time
zone, notifications, follows, preferences, the addresses in their audit entries) and
keeps the row as "Deleted user": what they posted stays attributed to that name, votes,
supports and survey answers stay counted. Where they ask, their comments and questions
in rounds that are still open are withdrawn first. The audit log keeps only the id.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash

from consult import audit, signals
from consult.accounts.models import RoleAssignment, User
from consult.accounts.services import end_sessions
from consult.audit.models import AuditEntry
from consult.clock import now
from consult.db import db
from consult.errors import ValidationFailed

# Never exported: the password, and the private details of someone who wrote a letter or
# called (an official's export lists the opinions they entered, not their senders).
SECRET_COLUMNS = {("user", "password_hash"), ("opinion_record", "sender_name"),
                  ("opinion_record", "sender_contact")}
# Personal rows removed with the account (everything else stays, anonymised by the user row).
PERSONAL_TABLES = ("notification", "follow", "notification_preference")
EXPORT_ROW_LIMIT = 10_000  # per table: a bound on the response, far above any real user


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def user_columns() -> list[tuple[Any, Any]]:
    """(table, column) for every column that references ``user.id``."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "user" and fk.column.name == "id"
                   for fk in column.foreign_keys):
                found.append((table, column))
    return found


# The column saying whose a row is, in the order looked for: a row is exported only to
# its owner; a table without one (the audit log) is exported by the column naming them.
OWNER_COLUMNS = ("user_id", "recipient_id", "author_id")


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data."""
    profile = {c.name: _plain(getattr(user, c.key)) for c in User.__table__.columns
               if ("user", c.name) not in SECRET_COLUMNS}
    data: dict[str, Any] = {
        "exported_at": now().isoformat(),
        "profile": profile,
        "roles": [{"role": r.role.value, "department_id": r.department_id}
                  for r in user.roles],
    }
    people = {(t.name, c.name) for t, c in user_columns()}
    for table, column in user_columns():
        if table.name == "role_assignment":
            continue
        owner = next((table.c[name] for name in OWNER_COLUMNS if name in table.c), None)
        if owner is not None and owner is not column:
            continue  # a row of someone else's (their notification about this user's act)
        key = table.name if column.name in OWNER_COLUMNS else f"{table.name}.{column.name}"
        rows = db.session.execute(
            select(table).where(column == user.id).limit(EXPORT_ROW_LIMIT)).mappings()
        # Other people named in the row (a moderator, a recipient) are not this user's data.
        items = [{k: _plain(v) for k, v in row.items() if (table.name, k) not in SECRET_COLUMNS
                  and (k == column.name or (table.name, k) not in people)}
                 for row in rows]
        if items:
            data.setdefault(key, []).extend(items)
    audit.record(user, "user.data_exported", user)
    return data


def deleted_name() -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("Deleted user")


def delete_account(user: User, *, password: str, remove_open_content: bool = False) -> dict:
    """Erase the account's personal data; returns what was withdrawn."""
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationFailed(_l("Your password is not right."), field="password")
    if user.has_role("admin"):
        others = db.session.scalar(
            select(RoleAssignment.id).where(RoleAssignment.role == "admin",
                                            RoleAssignment.user_id != user.id).limit(1))
        if others is None:
            raise ValidationFailed(_l("You are the only administrator: name another one "
                                      "before deleting your account."), field="password")
    withdrawn = {"comments": 0, "questions": 0}
    if remove_open_content:  # participation withdraws what is still open (signal receiver)
        for _receiver, counts in signals.account_deleting.send(user, remove_open_content=True):
            for key, value in (counts or {}).items():
                withdrawn[key] = withdrawn.get(key, 0) + value
    for name in PERSONAL_TABLES:
        table = db.metadata.tables.get(name)
        if table is not None and "user_id" in table.c:
            db.session.execute(delete(table).where(table.c.user_id == user.id))
    user_id = user.id
    user.email = f"deleted-{user_id}@deleted.invalid"
    user.display_name = deleted_name()[:50]
    user.password_hash = "scrypt:2048:8:1$" + secrets.token_hex(16) + "$" + secrets.token_hex(32)
    user.locale = None
    user.timezone = "Asia/Shanghai"
    user.email_verified_at = None
    user.last_login_at = None
    user.active = False
    user.unread_notifications = 0
    end_sessions(user)
    user.roles.clear()
    # The audit log keeps the id and what happened, not where from.
    db.session.execute(update(AuditEntry).where(AuditEntry.actor_id == user_id)
                       .values(ip=None))
    entry = audit.record(_IdOnly(user_id), "user.deleted", user,
                         withdrawn=withdrawn if remove_open_content else None)
    entry.ip = None
    db.session.flush()
    return withdrawn


class _IdOnly:
    """The audit actor of a deletion: the id, nothing else."""

    is_authenticated = True

    def __init__(self, user_id: int) -> None:
        self.id = user_id
