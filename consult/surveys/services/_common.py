"""Shared helpers of the survey services: loading the round, the survey row (created on
first use, locked by every writer of the round's survey), and when it may change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import Actor
from consult.db import db, upsert_insert
from consult.errors import InvalidState
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.surveys.models import (
    CLARITY_COLUMNS,
    HEARD_COLUMNS,
    RATING_COLUMNS,
    SATISFACTION_COLUMNS,
    Survey,
)

# States in which officials may still change the survey.
EDITABLE_STATES = (RoundState.SCHEDULED, RoundState.OPEN, RoundState.CLOSED)

COUNTERS = ("respondents", "participant_respondents", "comments", "rating_sum",
            "clarity_sum", *SATISFACTION_COLUMNS.values(), *HEARD_COLUMNS.values(),
            *RATING_COLUMNS.values(), *CLARITY_COLUMNS.values())


def get_survey(round_id: int) -> Survey:
    """The round's survey row, or an unsaved one with the defaults (no query twice)."""
    survey = db.session.get(Survey, round_id)
    return survey if survey is not None else Survey(round_id=round_id, open_to_all=False,
                                                    **{c: 0 for c in COUNTERS})


def ensure_survey(round_id: int, *, lock: bool = False) -> Survey:
    """The round's survey row, created when missing; ``lock`` holds it until commit (every
    writer of the round's answers, settings and questions takes it first)."""
    db.session.execute(upsert_insert(Survey).values(round_id=round_id)
                       .on_conflict_do_nothing(index_elements=["round_id"]))
    stmt = select(Survey).where(Survey.round_id == round_id).execution_options(
        populate_existing=True)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def require_editable(round_: Round) -> None:
    """409 once the response is published (people may be answering)."""
    if lifecycle.state_of(round_) not in EDITABLE_STATES:
        raise InvalidState(_l("The survey can no longer be changed: the response is "
                              "published and people may be answering already."))


def require_manage(actor: Actor, round_: Round) -> None:
    """The round's officials, while the survey may still change."""
    authorize(actor, "survey.manage", round_)
    require_editable(round_)
