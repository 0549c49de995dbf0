"""Suspending accounts, and lifting suspensions."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit
from consult.accounts.models import Actor, User
from consult.clock import now
from consult.db import db
from consult.errors import InvalidState, NotFound, ValidationFailed
from consult.moderation.services._common import (
    MAX_SUSPENSION_DAYS,
    SUSPENSION_REASON_MAX,
)
from consult.security.input import clean_text
from consult.security.permissions import authorize
from consult.web import Page, paginate

# ---------------------------------------------------------------- suspensions

def get_user(actor: Actor, user_id: int) -> User:
    authorize(actor, "moderation.review")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("There is no such account."))
    return user


def suspend_user(actor: Actor, user: User, *, days: int | None, reason: str | None) -> User:
    """The user may read but not post, vote, support, flag or rate until then."""
    authorize(actor, "moderation.suspend", user)
    if days is None or not 1 <= int(days) <= MAX_SUSPENSION_DAYS:
        raise ValidationFailed(_l("Suspend for 1 to %(max)d days.", max=MAX_SUSPENSION_DAYS),
                               field="days")
    reason = clean_text(reason, field="reason", limit=SUSPENSION_REASON_MAX,
                    empty=_l("Give the reason the user will see."))
    user.suspended_until = now() + timedelta(days=int(days))
    user.suspension_reason = reason
    audit.record(actor, "moderation.suspend", user, days=int(days), reason=reason)
    return user


def lift_suspension(actor: Actor, user: User) -> User:
    authorize(actor, "moderation.suspend", user)
    if not user.is_suspended:
        raise InvalidState(_l("This account is not suspended."))
    user.suspended_until, user.suspension_reason = None, None
    audit.record(actor, "moderation.lift", user)
    return user


def suspended_users(actor: Actor, *, page: int = 1, per_page: int = 20) -> Page:
    authorize(actor, "moderation.review")
    stmt = (select(User).where(User.suspended_until > now())
            .order_by(User.suspended_until.desc(), User.id))
    return paginate(stmt, page=page, per_page=per_page)
