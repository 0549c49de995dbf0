"""A round's published response and its follow-up actions, straight into the tables."""

from __future__ import annotations

from datetime import date, timedelta

import factory

from consult.clock import now
from consult.responses.models import ActionStatus, FollowUpAction, RoundResponse
from tests.factories.base import Base


class RoundResponseFactory(Base):
    """The published response of ``round_`` (a Round whose consultation is loaded):
    ``opinion_count`` opinions, all triaged, ``adopted_count`` and ``partly_count`` of them
    adopted wholly or in part, the rest not adopted."""

    class Meta:
        model = RoundResponse
        exclude = ("round_",)

    round_ = None
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
    """A published follow-up action of ``response`` (a RoundResponse)."""

    class Meta:
        model = FollowUpAction
        exclude = ("response",)

    response = None
    response_id = factory.LazyAttribute(lambda o: o.response.id)
    round_id = factory.LazyAttribute(lambda o: o.response.round_id)
    department_id = factory.LazyAttribute(lambda o: o.response.department_id)
    title = "行动"
    owner_unit = "处"
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    status = ActionStatus.PLANNED
    published = True
