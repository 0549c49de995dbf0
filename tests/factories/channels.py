"""The offline channels: days as their forms take them (the local calendar day, ISO
format), symposiums and hearings with their applications, and the private record of an
opinion an official entered."""

from __future__ import annotations

from datetime import timedelta

import factory

from consult.channels.models import (
    Hearing,
    HearingApplication,
    HearingKind,
    OpinionRecord,
    Selection,
)
from consult.clock import now
from consult.participation.models import Channel, new_receipt_code
from consult.workdays import local_day
from tests.factories.accounts import UserFactory
from tests.factories.base import Base
from tests.factories.consultations import RoundFactory
from tests.factories.participation import CommentFactory


def today() -> str:
    return local_day(now()).isoformat()


def yesterday() -> str:
    return (local_day(now()) - timedelta(days=1)).isoformat()


class HearingFactory(Base):
    """A symposium on an open round, taking applications until tomorrow, seats in order
    of application; ``kind=HearingKind.HEARING`` for a public hearing."""

    class Meta:
        model = Hearing

    round_id = factory.LazyFunction(lambda: RoundFactory().id)
    kind = HearingKind.SYMPOSIUM
    topic = "养老服务座谈会"
    place = "市民政局三楼会议室"
    starts_at = factory.LazyFunction(lambda: now() + timedelta(days=7))
    capacity = 10
    apply_until = factory.LazyFunction(lambda: local_day(now()) + timedelta(days=1))
    selection = Selection.ORDER


class HearingApplicationFactory(Base):
    """A citizen's application to attend ``hearing_id`` (a new user by default)."""

    class Meta:
        model = HearingApplication

    hearing_id = factory.LazyFunction(lambda: HearingFactory().id)
    user_id = factory.LazyFunction(lambda: UserFactory().id)
    statement = "我是社区养老服务的志愿者，希望参会发言。"


class OpinionRecordFactory(Base):
    """The private side of an opinion recorded by an official: a letter received
    yesterday on ``comment`` (a Comment; its round is the record's)."""

    class Meta:
        model = OpinionRecord
        exclude = ("comment",)

    # A recorded opinion has no author account, and a receipt code as the service gives.
    comment = factory.SubFactory(CommentFactory, channel=Channel.LETTER, author_id=None,
                                 receipt_code=factory.LazyFunction(new_receipt_code))
    comment_id = factory.LazyAttribute(lambda o: o.comment.id)
    round_id = factory.LazyAttribute(lambda o: o.comment.round_id)
    channel = factory.LazyAttribute(lambda o: o.comment.channel)
    received_on = factory.LazyFunction(lambda: local_day(now()) - timedelta(days=1))
    sender_name = "张先生"
    sender_contact = ""
