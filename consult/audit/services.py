from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from consult.audit.models import AuditEntry
from consult.db import db
from consult.web import Page, paginate


def _target_type(target: Any) -> str:
    return getattr(target, "__audit_type__", None) or target.__tablename__


def record(actor: Any, action: str, target: Any = None, **data: Any) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits or rolls back with it).

    ``actor`` is a user, ``None`` for the system, or a string label ("anonymous").
    """
    actor_id = None
    label = None
    if isinstance(actor, str):
        label = actor
    elif actor is None or not getattr(actor, "is_authenticated", False):
        label = "system"
    else:
        actor_id = actor.id
    target_type = target_id = None
    if target is not None:
        if inspect(target).transient or inspect(target).pending:
            db.session.add(target)
            db.session.flush()
        target_type, target_id = _target_type(target), target.id
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        data={k: v for k, v in data.items() if v is not None},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def search(*, action: str = "", page: int = 1, per_page: int = 50) -> Page:
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(
        AuditEntry.id.desc())
    action = (action or "").strip()[:60]
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    return paginate(stmt, page=page, per_page=per_page)
