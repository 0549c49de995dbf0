"""A survey's row straight into the table; participants and survey answers through the
services (so the round's counters move as in production), a rated response that opens
a rectification case, and a department's own deadline for such cases."""

from __future__ import annotations

import factory
from sqlalchemy import select

from consult.db import atomic
from consult.extensions import db
from consult.rectification.models import RectificationCase, RectificationPolicy
from consult.rounds import participants
from consult.rounds.services import get_round
from consult.surveys import services as surveys
from consult.surveys.models import Heard, Satisfaction, Survey
from consult.surveys.services import CleanAnswer, record_answer
from tests.factories.accounts import DepartmentFactory, UserFactory, fresh
from tests.factories.base import Base
from tests.factories.consultations import RoundFactory


class SurveyFactory(Base):
    """A round's survey row with its counters (all zero unless given) straight into the
    table; ``open_to_all=True`` lets anyone verified answer."""

    class Meta:
        model = Survey

    round_id = factory.LazyFunction(lambda: RoundFactory(closed=True).id)
    open_to_all = False


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


class RectificationPolicyFactory(Base):
    """A department's own deadline for rectification cases, in working days."""

    class Meta:
        model = RectificationPolicy

    department_id = factory.LazyFunction(lambda: DepartmentFactory().id)
    due_days = 10
