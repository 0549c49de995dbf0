"""Hearings (座谈会 / 听证会) of a round: scheduling, applications, selection by a shown
rule, minutes, and the opinions voiced there (recorded with the channel "hearing" through
the import or the record form, linked to the hearing)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult import audit, mail, uploads
from consult.accounts.models import Actor
from consult.channels.models import (
    ApplicationStatus,
    Hearing,
    HearingApplication,
    HearingKind,
    Selection,
)
from consult.channels.services._common import parse_day
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.input import clean_text
from consult.security.params import parse_int
from consult.security.permissions import authorize
from consult.workdays import is_workday, local_day, site_zone

TOPIC_MAX = 200
PLACE_MAX = 200
STATEMENT_MAX = 1000
MINUTES_MAX = 50000
CAPACITY_MAX = 10000
# Applications close this many working days before the hearing unless officials say.
APPLY_WORKDAYS_BEFORE = 3
MINUTES_KINDS = ("pdf", "docx")
SCHEDULABLE = (RoundState.SCHEDULED, RoundState.OPEN, RoundState.CLOSED)


def hearings_of(round_id: int) -> list[Hearing]:
    return list(db.session.scalars(select(Hearing).where(Hearing.round_id == round_id)
                                   .order_by(Hearing.starts_at, Hearing.id)))


def hearing_choice(round_: Round, value: Any, *, field: str = "hearing_id") -> Hearing | None:
    """The hearing chosen in a form (None for none); 422 if it is not one of the round's."""
    text = str(value or "").strip()
    if not text:
        return None
    hearing = db.session.scalar(select(Hearing).where(
        Hearing.id == (parse_int(text, low=1) or 0),
        Hearing.round_id == round_.id))
    if hearing is None:
        raise ValidationFailed(_l("Choose one of this round's hearings."), field=field)
    return hearing


def get_hearing(hearing_id: int, round_: Round | None = None) -> Hearing:
    stmt = select(Hearing).where(Hearing.id == hearing_id)
    if round_ is not None:
        stmt = stmt.where(Hearing.round_id == round_.id)
    hearing = db.session.scalar(stmt.options(joinedload(Hearing.minutes_upload)))
    if hearing is None:
        raise NotFound(_l("There is no such hearing."))
    return hearing


def workdays_before(day: date, days: int) -> date:
    """The ``days``-th working day before ``day`` (on the official calendar)."""
    counted = 0
    while counted < days:
        day -= timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def applications_close(hearing: Hearing) -> bool:
    return hearing.is_selected or local_day(now()) > hearing.apply_until


# ---------------------------------------------------------------- scheduling

def _choice(enum, value: Any, field: str, message):
    try:
        return enum(str(value or ""))
    except ValueError:
        raise ValidationFailed(message, field=field) from None


def _starts_at(day: Any, at: Any) -> datetime:
    when = parse_day(day, field="day", empty=_l("Enter the day of the hearing."))
    try:
        hour, minute = (int(part) for part in str(at or "").strip().split(":")[:2])
        clock = time(hour, minute)
    except ValueError:
        raise ValidationFailed(_l("Enter the time as HH:MM, for example 14:30."),
                               field="at") from None
    return datetime.combine(when, clock, tzinfo=site_zone())


def schedule_hearing(actor: Actor, round_: Round, *, kind: Any, topic: Any, place: Any,
                     day: Any, at: Any, capacity: Any, selection: Any,
                     apply_until: Any = None) -> Hearing:
    """Officials of the round's department schedule a hearing; applications close
    ``APPLY_WORKDAYS_BEFORE`` working days before it unless they choose the day."""
    authorize(actor, "channels.manage", round_)
    lifecycle.require(round_, *SCHEDULABLE)
    kind = _choice(HearingKind, kind, "kind", _l("Choose a symposium or a public hearing."))
    topic = clean_text(topic, field="topic", limit=TOPIC_MAX,
                       empty=_l("Say what the hearing is about."))
    place = clean_text(place, field="place", limit=PLACE_MAX,
                       empty=_l("Say where the hearing takes place."))
    starts_at = _starts_at(day, at)
    today = local_day(now())
    if starts_at.date() <= today:
        raise ValidationFailed(_l("Choose a day after today."), field="day")
    text = str(capacity or "").strip()
    if parse_int(text, low=1, high=CAPACITY_MAX) is None:
        raise ValidationFailed(_l("Give the number of seats, from 1 to %(max)d.",
                                  max=CAPACITY_MAX), field="capacity")
    selection = _choice(Selection, selection, "selection",
                        _l("Choose how attendees are selected."))
    if str(apply_until or "").strip():
        until = parse_day(apply_until, field="apply_until")
    else:
        until = max(today, workdays_before(starts_at.date(), APPLY_WORKDAYS_BEFORE))
    if not today <= until < starts_at.date():
        raise ValidationFailed(_l("Applications must close between today and the day before "
                                  "the hearing."), field="apply_until")
    hearing = Hearing(round_id=round_.id, kind=kind, topic=topic, place=place,
                      starts_at=starts_at, capacity=int(text), apply_until=until,
                      selection=selection, created_by_id=actor.id, created_at=now())
    db.session.add(hearing)
    db.session.flush()
    audit.record(actor, "hearing.schedule", hearing, round_id=round_.id, topic=topic,
                 capacity=hearing.capacity, selection=selection.value)
    return hearing


# ---------------------------------------------------------------- applying

def apply_to_attend(actor: Actor, hearing: Hearing, *, statement: Any) -> HearingApplication:
    """A verified citizen asks to attend, with a short statement of what they would say."""
    authorize(actor, "hearing.apply", hearing)
    if not actor.is_verified:
        raise PermissionDenied(_l(
            "Verify your e-mail address before you take part: open the link we sent you, "
            "or ask for a new one on your account page."))
    if applications_close(hearing):
        raise InvalidState(_l("Applications for this hearing are closed."))
    statement = clean_text(statement, field="statement", limit=STATEMENT_MAX,
                           empty=_l("Say in a few lines what you would like to say."))
    application = HearingApplication(hearing_id=hearing.id, user_id=actor.id,
                                     statement=statement, created_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("You have already applied to attend this hearing.")) from None
    db.session.execute(update(Hearing).where(Hearing.id == hearing.id)
                       .values(application_count=Hearing.application_count + 1))
    audit.record(actor, "hearing.apply", application, hearing_id=hearing.id)
    return application


def my_application(user: Any, hearing: Hearing) -> HearingApplication | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(HearingApplication).where(
        HearingApplication.hearing_id == hearing.id, HearingApplication.user_id == user.id))


def applications_of(hearing: Hearing) -> list[HearingApplication]:
    """Every application in order of arrival, with its applicant (one query; bounded by
    the hearing's applications, which officials read in full to choose)."""
    return list(db.session.scalars(
        select(HearingApplication).where(HearingApplication.hearing_id == hearing.id)
        .options(joinedload(HearingApplication.user))
        .order_by(HearingApplication.created_at, HearingApplication.id)))


# ---------------------------------------------------------------- selecting

def lot_order(seed: str, applications: list[HearingApplication]) -> list[HearingApplication]:
    """The draw anyone can redo: applications sorted by SHA-256 of "seed:application id"."""
    return sorted(applications,
                  key=lambda a: hashlib.sha256(f"{seed}:{a.id}".encode()).hexdigest())


@dataclass
class Selected:
    chosen: int
    applicants: int


def select_attendees(actor: Actor, round_: Round, hearing: Hearing, *,
                     chosen_ids: list[Any] | None = None, reason: Any = "") -> Selected:
    """Choose the attendees by the hearing's rule (shown on its page), close the
    applications and tell every applicant by e-mail. Choice needs a reason."""
    authorize(actor, "channels.manage", round_)
    if hearing.is_selected:
        raise Conflict(_l("The attendees of this hearing are already selected."))
    applications = [a for a in applications_of(hearing)
                    if a.status is ApplicationStatus.APPLIED]
    if hearing.selection is Selection.ORDER:
        chosen = applications[:hearing.capacity]
        note = str(_l("Selected in order of application."))
    elif hearing.selection is Selection.LOT:
        hearing.seed = secrets.token_hex(16)
        chosen = lot_order(hearing.seed, applications)[:hearing.capacity]
        note = str(_l("Selected by lot; the seed is published on the hearing's page."))
    else:
        wanted = {n for n in (parse_int(i, low=1) for i in chosen_ids or ()) if n is not None}
        chosen = [a for a in applications if a.id in wanted]
        if len(chosen) != len(wanted) or not chosen:
            raise ValidationFailed(_l("Choose attendees among the applicants."),
                                   field="chosen_ids")
        if len(chosen) > hearing.capacity:
            raise ValidationFailed(_l(
                "The hearing has %(capacity)d seats; you chose %(chosen)d.",
                capacity=hearing.capacity, chosen=len(chosen)), field="chosen_ids")
        note = clean_text(reason, field="reason", limit=STATEMENT_MAX,
                          empty=_l("Give the reason for your choice; it is shown to every "
                                   "applicant."))
    picked = {a.id for a in chosen}
    at = now()
    for a in applications:
        a.status = ApplicationStatus.SELECTED if a.id in picked else \
            ApplicationStatus.NOT_SELECTED
        a.reason, a.decided_at = note, at
        if a.user.email:
            mail.send_mail(a.user.email, "channels/mail/hearing_decision",
                           locale=a.user.locale, hearing=hearing, application=a,
                           round=round_, link=mail.absolute_url(f"/hearings/{hearing.id}"))
    hearing.selected_at = at
    audit.record(actor, "hearing.select", hearing, rule=hearing.selection.value,
                 seed=hearing.seed, chosen=sorted(picked), applicants=len(applications))
    return Selected(chosen=len(chosen), applicants=len(applications))


# ---------------------------------------------------------------- minutes

def publish_minutes(actor: Actor, round_: Round, hearing: Hearing, *, minutes: Any,
                    file: uploads.Received | None = None) -> Hearing:
    """After the hearing: the minutes, public on its page (with an optional document)."""
    authorize(actor, "channels.manage", round_)
    if now() < hearing.starts_at:
        raise InvalidState(_l("Publish the minutes after the hearing has taken place."))
    hearing.minutes = clean_text(minutes, field="minutes", limit=MINUTES_MAX,
                                 empty=_l("Write the minutes of the hearing."))
    if file is not None:
        hearing.minutes_upload_id = uploads.store(file, by_id=actor.id).id
    hearing.minutes_published_at = now()
    audit.record(actor, "hearing.minutes", hearing, file=hearing.minutes_upload_id)
    return hearing
