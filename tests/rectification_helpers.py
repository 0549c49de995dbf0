"""Shared helpers of the rectification tests: a responded round, its official, a
participant's survey answer (through the service, so the signal opens the case)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import User
from consult.clock import now
from consult.db import atomic
from consult.extensions import db
from consult.rectification.models import RectificationCase
from consult.rounds import participants
from consult.rounds.services import get_round
from consult.surveys import services as surveys
from tests.factories import ConsultationFactory, DepartmentFactory, RoundFactory, UserFactory


def responded_round(dept=None):
    """A round whose response was published yesterday (the survey open), its department
    and an official of it."""
    dept = dept or DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    published = now() - timedelta(days=1)
    r = RoundFactory(closed=True, version__consultation=consultation,
                     response_published_at=published, survey_days=14,
                     survey_closes_at=published + timedelta(days=14),
                     recorded_state="responded")
    official = UserFactory(role="official", role__department=dept)
    return r, dept, official


def fresh(user):
    """The user with its roles, as a request would load it."""
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.id == user.id))


def rate(round_, user=None, *, satisfaction="dissatisfied", rating=1,
         comment="答复没有回应我提出的问题。"):
    """``user`` (a new participant by default) answers the survey; returns (user, case)."""
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
