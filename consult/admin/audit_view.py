"""The admin audit log viewer: filters (actor, action, object type and id, date range)
shared by the page and its CSV export (UTF-8 with a BOM for spreadsheet programs,
streamed in batches so a long log never sits in memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.audit.models import AuditEntry
from consult.db import db
from consult.i18n import select_timezone
from consult.security.params import int_arg, parse_date

CSV_COLUMNS = ("id", "at_utc", "actor_id", "actor", "action", "object_type", "object_id",
               "data", "ip")
BATCH = 500


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    since: str = ""
    until: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict[str, str]:
        return {k: v for k, v in (("actor", self.actor), ("action", self.action),
                                  ("target_type", self.target_type),
                                  ("target_id", self.target_id), ("since", self.since),
                                  ("until", self.until)) if v}


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        errors[name] = str(_l("Enter a date as YYYY-MM-DD."))
    return day


def parse(args: Any) -> tuple[AuditFilters, Select]:
    """Filters from the query string and the matching statement (newest first)."""
    f = AuditFilters(**{k: (args.get(k) or "").strip()[:100] for k in
                        ("actor", "action", "target_type", "target_id", "since", "until")})
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if f.actor:
        actor_id = int_arg("actor", low=1, args={"actor": f.actor.lstrip("#")})
        if actor_id is not None:
            stmt = stmt.where(AuditEntry.actor_id == actor_id)
        else:
            names = select(User.id).where(or_(
                User.display_name.contains(f.actor, autoescape=True),
                User.email.contains(f.actor.lower(), autoescape=True)))
            stmt = stmt.where(or_(AuditEntry.actor_id.in_(names),
                                  AuditEntry.actor_label == f.actor))
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action[:60], autoescape=True))
    if f.target_type:
        stmt = stmt.where(AuditEntry.target_type == f.target_type[:40])
    if f.target_id:
        target_id = int_arg("target_id", low=0, args={"target_id": f.target_id})
        if target_id is not None:
            stmt = stmt.where(AuditEntry.target_id == target_id)
        else:
            f.errors["target_id"] = str(_l("Enter the object's number."))
    since = _day(f.since, "since", f.errors)
    until = _day(f.until, "until", f.errors)
    if since and until and until < since:
        f.errors["until"] = str(_l("The end date is before the start date."))
    # Days as the page shows its times: in the reader's zone (Shanghai by default).
    zone = ZoneInfo(select_timezone())
    if since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(since, time.min, zone)
                          .astimezone(UTC))
    if until:
        stmt = stmt.where(AuditEntry.at < datetime.combine(until + timedelta(days=1),
                                                           time.min, zone).astimezone(UTC))
    return f, stmt.order_by(AuditEntry.id.desc())


def target_types() -> list[str]:
    return list(db.session.scalars(
        select(AuditEntry.target_type).where(AuditEntry.target_type.is_not(None))
        .distinct().order_by(AuditEntry.target_type)))


def csv_rows(stmt: Select) -> Iterator[tuple]:
    """The rows of the export, read in batches of BATCH (keyset on id); the one CSV
    writer (``consult.security.exports``) neutralises formulas."""
    last_id = None
    while True:
        batch_stmt = stmt if last_id is None else stmt.where(AuditEntry.id < last_id)
        entries = list(db.session.scalars(batch_stmt.limit(BATCH)))
        for e in entries:
            actor = e.actor.display_name if e.actor else (e.actor_label or "system")
            yield (e.id, e.at.astimezone(UTC).isoformat(), e.actor_id or "", actor, e.action,
                   e.target_type or "", e.target_id if e.target_id is not None else "",
                   json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else "",
                   e.ip or "")
        if len(entries) < BATCH:
            return
        last_id = entries[-1].id
