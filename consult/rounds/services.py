"""Round services: add, edit, close early, extend; the page reads.

"Who may" is a rule in permissions.py (403); "when" is asked of lifecycle.py (409);
bad dates and a version of another consultation are ValidationFailed (422) with the
field they belong to. Services flush, never commit; every action is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.accounts.models import Actor, Department
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, DraftVersion
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.rounds import lifecycle, periods
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundKind
from consult.security.input import clean_text
from consult.security.permissions import authorize, check

# A form filled in at 09:58 for "10:00" is still fine when sent at 10:03.
PAST_SLACK = timedelta(minutes=15)
MAX_LEAD = timedelta(days=3 * 366)        # how far ahead a round may be scheduled
MAX_LENGTH = timedelta(days=366)          # how long a round may stay open
MAX_RESPONSE_WAIT = timedelta(days=366)   # how long after closing a response may be due
SURVEY_DAYS = (1, 90)
TITLE_MAX = 200
REASON_MAX = 2000

FIELDS = ("kind", "version_number", "title", "opens_at", "closes_at", "response_due_at",
          "survey_days", "show_live_results", "short_period_reason")


# ---------------------------------------------------------------- reads

@cache
def round_options():
    """What a round page needs: consultation, department, version, extensions (built once:
    loader options are immutable)."""
    return (
        joinedload(Round.consultation).joinedload(Consultation.department),
        joinedload(Round.version),
        selectinload(Round.extensions),
    )


@cache
def _round_read(extensions: bool):
    """get_round's statement, built once (every round page and every vote reads it)."""
    options = round_options() if extensions else round_options()[:2]
    return select(Round).where(Round.id == bindparam("round_id")).options(*options)


MAX_ID = 2**63 - 1  # larger ids from a URL would overflow the database's integers (500)


def get_round(actor: Actor, round_id: int, *, rule: str | None = None,
              extensions: bool = True) -> Round:
    """The one reader of a round, for every domain and the API: the round with its
    consultation, department and version (and its extensions, unless ``extensions=False``)
    in one query. 404 when it is missing or its consultation is unpublished and the actor
    does not manage it (the ``round.view`` rule: unpublished things do not exist for the
    public, whatever the id); then 403 unless the actor passes ``rule``, when one is named
    (``"round.manage"``, ``"response.manage"``, ``"analysis.view"``...)."""
    if not 0 < round_id <= MAX_ID:
        raise NotFound(_l("This round does not exist."))
    r = db.session.scalar(_round_read(extensions), {"round_id": round_id})
    if r is None or not check(actor, "round.view", r):
        raise NotFound(_l("This round does not exist."))
    if rule is not None:
        authorize(actor, rule, r)
    return r


def get_consultation_for_rounds(actor: Actor, consultation_id: int) -> Consultation:
    """A consultation with its department, versions and rounds (each with its version),
    for the manage list; 404 unless it exists, 403 unless the actor may add rounds."""
    if not 0 < consultation_id <= MAX_ID:
        raise NotFound(_l("This consultation does not exist."))
    c = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id).options(
            joinedload(Consultation.department),
            selectinload(Consultation.versions),
            selectinload(Consultation.rounds).joinedload(Round.version),
        )
    )
    if c is None or (c.published_at is None and not check(actor, "round.add", c)):
        raise NotFound(_l("This consultation does not exist."))
    authorize(actor, "round.add", c)
    return c


def versions_of(consultation_id: int) -> list[DraftVersion]:
    return list(db.session.scalars(
        select(DraftVersion).where(DraftVersion.consultation_id == consultation_id)
        .order_by(DraftVersion.number)))


def rounds_of(consultation_id: int) -> list[Round]:
    return list(db.session.scalars(
        select(Round).where(Round.consultation_id == consultation_id)
        .options(joinedload(Round.version)).order_by(Round.opens_at, Round.id)))


# ---------------------------------------------------------------- validation

def _aware(value: datetime | None, field: str) -> datetime:
    if value is None:
        raise ValidationFailed(_l("Enter a date and time."), field=field)
    if value.tzinfo is None:
        raise ValueError(f"{field} must be timezone-aware")
    return value.astimezone(UTC)


def _resolve_version(consultation: Consultation, *, version_number: int | None,
                     version_id: int | None) -> DraftVersion:
    stmt = select(DraftVersion)
    if version_id is not None:
        stmt = stmt.where(DraftVersion.id == version_id)
    elif version_number is not None:
        stmt = stmt.where(DraftVersion.consultation_id == consultation.id,
                          DraftVersion.number == version_number)
    else:
        raise ValidationFailed(_l("Choose the draft version this round asks about."),
                               field="version_number")
    version = db.session.scalar(stmt)
    if version is None or version.consultation_id != consultation.id:
        raise ValidationFailed(
            _l("Choose a published version of this consultation's draft."),
            field="version_number")
    return version


def _kinds_overlapping(kind: RoundKind) -> list[RoundKind]:
    if kind is RoundKind.BOTH:
        return list(RoundKind)
    return [kind, RoundKind.BOTH]


def _check_overlap(consultation_id: int, kind: RoundKind, opens_at: datetime,
                   closes_at: datetime, *, exclude_id: int | None, field: str) -> None:
    """No two rounds of the same kind (a "both" round counts as either) run at once."""
    ends = func.coalesce(Round.closed_at, Round.closes_at)  # an early close frees the slot
    stmt = select(Round).where(
        Round.consultation_id == consultation_id,
        Round.kind.in_(_kinds_overlapping(kind)),
        Round.opens_at < closes_at,
        ends > opens_at,
    ).order_by(Round.opens_at).limit(1)
    if exclude_id is not None:
        stmt = stmt.where(Round.id != exclude_id)
    other = db.session.scalar(stmt)
    if other is not None:
        raise ValidationFailed(
            _l("Another round of the same kind runs at that time (%(title)s). "
               "Rounds of the same kind must not overlap.",
               title=other.title or str(other.kind.label)),
            field=field)


def _validate(consultation: Consultation, data: dict[str, Any], *, exclude_id: int | None,
              allow_past: bool, check_opens_past: bool) -> dict[str, Any]:
    kind = data.get("kind")
    try:
        kind = RoundKind(kind)
    except ValueError:
        raise ValidationFailed(_l("Choose what the round is for."), field="kind") from None
    title = (data.get("title") or "").strip()
    if len(title) > TITLE_MAX:
        raise ValidationFailed(_l("Use at most %(max)d characters.", max=TITLE_MAX),
                               field="title")
    opens_at = _aware(data.get("opens_at"), "opens_at")
    closes_at = _aware(data.get("closes_at"), "closes_at")
    response_due_at = _aware(data.get("response_due_at"), "response_due_at")
    now = clock_now()
    if check_opens_past and not allow_past and opens_at < now - PAST_SLACK:
        raise ValidationFailed(_l("The opening date must not be in the past."),
                               field="opens_at")
    if opens_at > now + MAX_LEAD:
        raise ValidationFailed(_l("Schedule the round at most three years ahead."),
                               field="opens_at")
    if closes_at <= opens_at:
        raise ValidationFailed(_l("The closing date must be after the opening date."),
                               field="closes_at")
    if closes_at - opens_at > MAX_LENGTH:
        raise ValidationFailed(_l("A round may stay open for at most a year."),
                               field="closes_at")
    if response_due_at < closes_at:
        raise ValidationFailed(
            _l("The response cannot be due before the round closes."),
            field="response_due_at")
    if response_due_at - closes_at > MAX_RESPONSE_WAIT:
        raise ValidationFailed(
            _l("The response must be due within a year of the close."),
            field="response_due_at")
    survey_days = data.get("survey_days")
    if survey_days is None or not (SURVEY_DAYS[0] <= int(survey_days) <= SURVEY_DAYS[1]):
        raise ValidationFailed(
            _l("The survey stays open between %(min)d and %(max)d days.",
               min=SURVEY_DAYS[0], max=SURVEY_DAYS[1]), field="survey_days")
    version = _resolve_version(consultation, version_number=data.get("version_number"),
                               version_id=data.get("version_id"))
    _check_overlap(consultation.id, kind, opens_at, closes_at, exclude_id=exclude_id,
                   field="opens_at")
    return dict(kind=kind, title=title, opens_at=opens_at, closes_at=closes_at,
                response_due_at=response_due_at, survey_days=int(survey_days),
                show_live_results=bool(data.get("show_live_results")), version=version,
                short_period_reason=_short_period_reason(
                    consultation, opens_at, closes_at, data.get("short_period_reason")))


def _short_period_reason(consultation: Consultation, opens_at: datetime, closes_at: datetime,
                         reason: str | None) -> str | None:
    """A round shorter than its department's statutory minimum needs a public reason
    (kept only while the round is that short)."""
    dept = db.session.get(Department, consultation.department_id)  # usually already loaded
    assert dept is not None
    period = periods.measure(opens_at, closes_at, minimum=dept.min_period_days,
                             in_workdays=dept.min_period_workdays)
    if not period.short:
        return None
    reason = clean_text(reason, field="short_period_reason", limit=REASON_MAX, required=False)
    if not reason:
        raise ValidationFailed(
            _l("This round is open for %(length)s, less than the %(minimum)s the department "
               "gives the public by default. Give the reason for the shorter period; it is "
               "shown on the round page.", length=period.length_label,
               minimum=period.minimum_label), field="short_period_reason")
    return reason


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Give the reason; it is shown publicly."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_l("Use at most %(max)d characters.", max=REASON_MAX),
                               field="reason")
    return reason


# ---------------------------------------------------------------- writes

def add_round(actor: Actor, consultation: Consultation, *, kind: RoundKind | str,
              opens_at: datetime, closes_at: datetime, response_due_at: datetime,
              version_number: int | None = None, version_id: int | None = None,
              title: str = "", survey_days: int = 14, show_live_results: bool = False,
              short_period_reason: str | None = None, _allow_past: bool = False) -> Round:
    """Schedule a round of ``consultation`` on one of its published versions.

    A round may be prepared while the consultation is still unpublished: nobody sees it
    until the consultation is published. ``_allow_past`` is for demo data and imports
    only (pages never pass it): it accepts an opening date in the past.
    """
    authorize(actor, "round.add", consultation)
    clean = _validate(consultation, dict(
        kind=kind, version_number=version_number, version_id=version_id, title=title,
        opens_at=opens_at, closes_at=closes_at, response_due_at=response_due_at,
        survey_days=survey_days, show_live_results=show_live_results,
        short_period_reason=short_period_reason),
        exclude_id=None, allow_past=_allow_past, check_opens_past=True)
    version = clean.pop("version")
    r = Round(consultation_id=consultation.id, version_id=version.id,
              recorded_state=RoundState.SCHEDULED.value, **clean)
    db.session.add(r)
    db.session.flush()
    audit.record(actor, "round.added", r, consultation_id=consultation.id,
                 version=version.number, kind=r.kind.value,
                 opens_at=r.opens_at.isoformat(), closes_at=r.closes_at.isoformat(),
                 response_due_at=r.response_due_at.isoformat())
    return r


def edit_round(actor: Actor, round_: Round, **fields: Any) -> Round:
    """Change a round while it is scheduled (409 once it has opened)."""
    authorize(actor, "round.manage", round_)
    lifecycle.require(round_, RoundState.SCHEDULED)
    data = {name: getattr(round_, name) for name in FIELDS if name != "version_number"}
    data["version_number"] = round_.version.number
    unknown = set(fields) - set(FIELDS) - {"version_id"}
    if unknown:
        raise TypeError(f"unknown round fields: {sorted(unknown)}")
    data.update(fields)
    if "version_id" in fields:
        data.pop("version_number")
    opens_changed = "opens_at" in fields and fields["opens_at"] != round_.opens_at
    clean = _validate(round_.consultation, data, exclude_id=round_.id, allow_past=False,
                      check_opens_past=opens_changed)
    version = clean.pop("version")
    changes: dict[str, Any] = {}
    for name, value in clean.items():
        if getattr(round_, name) != value:
            old = getattr(round_, name)
            changes[name] = [_plain(old), _plain(value)]
            setattr(round_, name, value)
    if version.id != round_.version_id:
        changes["version"] = [round_.version.number, version.number]
        round_.version_id = version.id
        round_.version = version
    if changes:
        audit.record(actor, "round.edited", round_, changes=changes)
    return round_


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, RoundKind):
        return value.value
    return value


def close_round(actor: Actor, round_: Round, *, reason: str) -> Round:
    """Close an open round before its closing date; the reason is shown publicly."""
    authorize(actor, "round.manage", round_)
    lifecycle.require(round_, RoundState.OPEN)
    return lifecycle.close(actor, round_, reason=_reason(reason))


def extend_round(actor: Actor, round_: Round, *, new_closes_at: datetime | None,
                 reason: str) -> Round:
    """Move the closing date later; the old and new dates and the reason are public."""
    authorize(actor, "round.manage", round_)
    lifecycle.require(round_, RoundState.SCHEDULED, RoundState.OPEN)
    new_closes_at = _aware(new_closes_at, "new_closes_at")
    if new_closes_at <= round_.closes_at:
        raise ValidationFailed(_l("The new closing date must be later than the current one."),
                               field="new_closes_at")
    if new_closes_at - round_.opens_at > MAX_LENGTH:
        raise ValidationFailed(_l("A round may stay open for at most a year."),
                               field="new_closes_at")
    reason = _reason(reason)
    _check_overlap(round_.consultation_id, round_.kind, round_.opens_at, new_closes_at,
                   exclude_id=round_.id, field="new_closes_at")
    return lifecycle.extend(actor, round_, new_closes_at=new_closes_at, reason=reason)

