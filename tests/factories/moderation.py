"""Flags and moderation cases straight into the tables (the queue as the moderation
service would leave it, without its audit entries or notifications)."""

from __future__ import annotations

import factory

from consult.moderation.models import Flag, FlagReason, ItemKind, ModerationCase
from tests.factories.accounts import UserFactory
from tests.factories.base import Base
from tests.factories.participation import CommentFactory


class FlagFactory(Base):
    """An open flag on ``kind`` ``item_id`` (a new comment by default) by a new user, as
    spam."""

    class Meta:
        model = Flag

    kind = ItemKind.COMMENT
    item_id = factory.LazyFunction(lambda: CommentFactory().id)
    reporter_id = factory.LazyFunction(lambda: UserFactory().id)
    reason = FlagReason.SPAM


class ModerationCaseFactory(Base):
    """The queue row of ``kind`` ``item_id`` (a new comment by default), waiting for
    review."""

    class Meta:
        model = ModerationCase

    kind = ItemKind.COMMENT
    item_id = factory.LazyFunction(lambda: CommentFactory().id)
    needs_review = True
    open_flags = 0
