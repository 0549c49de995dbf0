"""The officials' daily digest: once a day, after ``CONSULT_WORKSPACE_DIGEST_HOUR`` local
time, each official with something waiting gets one e-mail with the counts and the most
urgent items of their workspace. Sent by ``flask rounds tick`` (the ``rounds_ticked``
signal); a row per official and day makes it idempotent: a second tick sends nothing."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult import workdays
from consult.accounts.models import Role, RoleAssignment, User
from consult.clock import now as clock_now
from consult.db import atomic, db, insert_ignore
from consult.mail import absolute_url, send_mail
from consult.workspace.models import DigestSent
from consult.workspace.services.waiting import waiting_for

DEFAULT_HOUR = 8


def digest_hour() -> int:
    return int(current_app.config.get("WORKSPACE_DIGEST_HOUR", DEFAULT_HOUR))


def _officials() -> list[User]:
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.OFFICIAL, RoleAssignment.department_id.is_not(None),
               User.active.is_(True), User.email_verified_at.is_not(None))
        .options(selectinload(User.roles)).order_by(User.id).distinct()))


def send_digests(now: datetime | None = None) -> int:
    """Send today's digests not sent yet; returns how many were sent."""
    now = now or clock_now()
    local = now.astimezone(workdays.site_zone())
    if local.hour < digest_hour():
        return 0
    day, sent = local.date(), 0
    base = absolute_url("/")
    ids = [u.id for u in _officials()]
    for user_id in ids:
        # A request context of its own (links are built with url_for; the session is
        # scoped by request): one transaction per official.
        with current_app.test_request_context(
                **({"base_url": base} if base.startswith("http") else {})):
            if _send_one(user_id, day, now):
                sent += 1
    return sent


def _send_one(user_id: int, day, now: datetime) -> bool:
    with atomic():
        if not insert_ignore(DigestSent, user_id=user_id, day=day):
            return False  # already sent today (this tick or an earlier one)
        user = db.session.scalar(select(User).where(User.id == user_id)
                                 .options(selectinload(User.roles)))
        workspace = waiting_for(user, now=now)
        if not workspace.total:
            return False  # the row stays: nothing to send today
        db.session.execute(DigestSent.__table__.update().where(
            DigestSent.user_id == user.id, DigestSent.day == day)
            .values(waiting=workspace.total))
        send_mail(user.email, "workspace/email/digest", locale=user.locale,
                  name=user.display_name, total=workspace.total,
                  sections=[(s.title, s.total) for s in workspace.sections if s.total],
                  urgent=[(i.title[:80], i.due, i.overdue, absolute_url(i.url))
                          for i in workspace.urgent[:5]],
                  link=absolute_url("/manage/"))
    return True


def on_tick(_sender, **_ignored) -> str | None:
    sent = send_digests()
    if not sent:
        return None
    return ngettext("%(num)d workspace digest sent.", "%(num)d workspace digests sent.", sent)
