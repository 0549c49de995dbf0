"""Who may answer a round's survey, and when: its participants (or, when the officials
opened it, anyone with a verified address) while the round is responded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from consult.db import db
from consult.errors import InvalidState
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundParticipant
from consult.security.permissions import check, is_authenticated, is_official_of
from consult.surveys.models import Survey


@dataclass
class Eligibility:
    """Whether ``user`` may answer, and if not why (for the page and the 403 message)."""

    allowed: bool
    reason: str = ""  # "login", "own_department", "unverified", "not_participant"
    participant: bool = False

    @property
    def message(self) -> str:
        return str(ELIGIBILITY_MESSAGES.get(self.reason, ""))


ELIGIBILITY_MESSAGES = {
    "login": _l("Log in to answer the survey."),
    "unverified": _l("Verify your e-mail address to answer the survey. We sent you a link "
                     "when you registered."),
    "own_department": _l("You work for the department that wrote this response, so you "
                         "cannot rate it: the survey asks the people who took part."),
    "not_participant": _l("Only people who took part in this round (who commented, asked a "
                          "question, supported a comment or voted) can answer its survey."),
}


def is_participant(round_id: int, user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        RoundParticipant.round_id == round_id, RoundParticipant.user_id == user_id))))


def eligibility(user: Any, round_: Round, survey: Survey) -> Eligibility:
    if not is_authenticated(user):
        return Eligibility(False, "login")
    if is_official_of(user, round_.consultation.department_id):
        return Eligibility(False, "own_department")
    if not check(user, "survey.answer", round_):
        return Eligibility(False, "unverified")
    participant = is_participant(round_.id, user.id)
    if participant or survey.open_to_all:
        return Eligibility(True, participant=participant)
    return Eligibility(False, "not_participant")


SURVEY_REFUSALS = {
    RoundState.SCHEDULED: _l("The survey opens when the department publishes its response "
                             "to this round."),
    RoundState.OPEN: _l("The survey opens when the department publishes its response to "
                        "this round."),
    RoundState.CLOSED: _l("The survey opens when the department publishes its response to "
                          "this round."),
    RoundState.EVALUATED: _l("The survey has closed: answers can no longer be given or "
                             "changed."),
}


def require_open(round_: Round) -> None:
    """409 unless the round is responded (the survey window is open)."""
    state = lifecycle.state_of(round_)
    if state is not RoundState.RESPONDED:
        raise InvalidState(SURVEY_REFUSALS[state])
