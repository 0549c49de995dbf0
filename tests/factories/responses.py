"""A round's published response, its errata and its follow-up actions, straight into the
tables."""

from __future__ import annotations

from datetime import date, timedelta

import factory

from consult.clock import now
from consult.responses.models import ActionStatus, Erratum, FollowUpAction, RoundResponse
from tests.factories.base import Base
from tests.factories.consultations import RoundFactory


class RoundResponseFactory(Base):
    """The published response of ``round_`` (a Round whose consultation is loaded; a new
    closed round by default):
    ``opinion_count`` opinions, all triaged, ``adopted_count`` and ``partly_count`` of them
    adopted wholly or in part, the rest not adopted."""

    class Meta:
        model = RoundResponse
        exclude = ("round_",)

    round_ = factory.LazyFunction(lambda: RoundFactory(closed=True))
    round_id = factory.LazyAttribute(lambda o: o.round_.id)
    consultation_id = factory.LazyAttribute(lambda o: o.round_.consultation_id)
    department_id = factory.LazyAttribute(lambda o: o.round_.consultation.department_id)
    from_version_number = 1
    opinion_count = 0
    triaged_count = factory.LazyAttribute(lambda o: o.opinion_count)
    adopted_count = 0
    partly_count = 0
    not_adopted_count = factory.LazyAttribute(
        lambda o: o.opinion_count - o.adopted_count - o.partly_count)
    published_at = factory.LazyAttribute(lambda o: o.round_.response_published_at or now())
    frozen_stats = factory.LazyFunction(dict)


class FollowUpActionFactory(Base):
    """A published follow-up action of ``response`` (a RoundResponse; a new one by
    default)."""

    class Meta:
        model = FollowUpAction
        exclude = ("response",)

    response = factory.LazyFunction(lambda: RoundResponseFactory())
    response_id = factory.LazyAttribute(lambda o: o.response.id)
    round_id = factory.LazyAttribute(lambda o: o.response.round_id)
    department_id = factory.LazyAttribute(lambda o: o.response.department_id)
    title = "行动"
    owner_unit = "处"
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    status = ActionStatus.PLANNED
    published = True


class ErratumFactory(Base):
    """A published correction of ``response_id``'s response (a new one by default)."""

    class Meta:
        model = Erratum

    response_id = factory.LazyFunction(lambda: RoundResponseFactory().id)
    body = "第三条的补贴标准更正为每月300元。"
