"""Follows and e-mail delivery choices straight into the tables."""

from __future__ import annotations

import factory

from consult.notifications.models import Delivery, DigestSetting, Follow
from tests.factories.accounts import UserFactory
from tests.factories.base import Base
from tests.factories.consultations import ConsultationFactory


class FollowFactory(Base):
    class Meta:
        model = Follow

    consultation_id = factory.LazyFunction(lambda: ConsultationFactory().id)
    user_id = factory.LazyFunction(lambda: UserFactory().id)


class DigestSettingFactory(Base):
    """A user's choice of a daily digest instead of each notification at once."""

    class Meta:
        model = DigestSetting

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    delivery = Delivery.DAILY
