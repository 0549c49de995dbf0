"""Shared guards and helpers for the participation services."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import InvalidState, NotFound, PermissionDenied
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import authorize, is_authenticated, is_official_of

COMMENT_MAX = 5000
PROPOSAL_MAX = 5000
QUESTION_MAX = 2000
ANSWER_MAX = 5000
# The same text by the same person within this many seconds is a double submit.
DUPLICATE_SECONDS = 120



def get_round(actor: Any, round_id: int) -> Round:
    """The round with its consultation, department and version; 404 while unpublished
    for everyone but officials of the owning department (the rounds domain's reader
    when it is installed, so both domains agree on visibility)."""
    try:
        from consult.rounds import services as rounds_services
    except ImportError:  # pragma: no cover - rounds services not installed
        rounds_services = None
    if rounds_services is not None and hasattr(rounds_services, "get_round"):
        return rounds_services.get_round(actor, round_id)
    round_ = db.session.scalar(
        select(Round).where(Round.id == round_id).options(
            joinedload(Round.consultation).joinedload(Consultation.department),
            joinedload(Round.version),
        )
    )
    if round_ is None or not (
        round_.consultation.is_published
        or is_official_of(actor, round_.consultation.department_id)
    ):
        raise NotFound(_l("There is no such round."))
    return round_


def require_participant(actor: Any, rule: str, obj: Any = None) -> None:
    """403 with a message that says what to do: log in, or verify the e-mail address."""
    if not is_authenticated(actor):
        raise PermissionDenied(_l("Log in to take part."))
    if not actor.is_verified:
        raise PermissionDenied(_l(
            "Verify your e-mail address before you take part: open the link we sent you, "
            "or ask for a new one on your account page."))
    authorize(actor, rule, obj)  # a suspended user gets the suspension's message


def require_open(round_: Round) -> None:
    """Participation happens only in a published consultation's open round (409)."""
    if not round_.consultation.is_published:
        raise InvalidState(_l("This consultation is not published, so it takes no opinions."))
    if not round_.kind.has_comments:
        raise InvalidState(_l("This round takes votes only, not comments or questions."))
    lifecycle.require(round_, RoundState.OPEN)


def insert_ignore(model, **values) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted.

    Decided by RETURNING, not ``rowcount``: SQLAlchemy 2.1 with psycopg reports -1
    for these inserts, which would count every duplicate as new."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    key = list(model.__table__.primary_key.columns)[0]
    result = db.session.execute(
        insert(model).values(**values).on_conflict_do_nothing().returning(key))
    return result.first() is not None
