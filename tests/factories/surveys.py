"""Participants and survey answers through the services (so the round's counters move as
in production), and a rated response that opens a rectification case."""

from __future__ import annotations

from sqlalchemy import select

from consult.db import atomic
from consult.extensions import db
from consult.rectification.models import RectificationCase
from consult.rounds import participants
from consult.rounds.services import get_round
from consult.surveys import services as surveys
from consult.surveys.models import Heard, Satisfaction
from consult.surveys.services import CleanAnswer, record_answer
from tests.factories.accounts import UserFactory, fresh


def participate(round_, user) -> None:
    """Through ``participants.mark``, so ``Round.participant_count`` moves too."""
    participants.mark(round_.id, user.id)


def survey_answer(round_, user, *, satisfaction="satisfied", rating=5, clarity=4,
                  heard="yes", participant=True) -> None:
    """Through the service, so the round's ``Survey`` counters move as in production."""
    clean = CleanAnswer(satisfaction=Satisfaction(satisfaction), rating=rating,
                        clarity=clarity, heard=Heard(heard), comment=None)
    record_answer(round_.id, user.id, clean, is_participant=participant)


def rate(round_, user=None, *, satisfaction="dissatisfied", rating=1,
         comment="答复没有回应我提出的问题。"):
    """``user`` (a new participant by default) answers the survey of a responded round
    through the service, so the signal opens a rectification case; returns (user, case)."""
    user = user or UserFactory()
    with atomic():
        participants.mark(round_.id, user.id)
    user = fresh(user)
    with atomic():
        answer = surveys.submit_answer(user, get_round(user, round_.id),
                                       satisfaction=satisfaction, rating=rating, clarity=2,
                                       heard="no", comment=comment)
    case = db.session.scalar(select(RectificationCase).where(
        RectificationCase.answer_id == answer.id))
    return user, case
