"""Ballots straight into the table (no tally or counter moves; the voting service moves
them)."""

from __future__ import annotations

import factory

from consult.voting.models import Ballot, Stance
from tests.factories.accounts import UserFactory
from tests.factories.base import Base
from tests.factories.consultations import RoundFactory


class BallotFactory(Base):
    """A supporting ballot without a reason on a vote round."""

    class Meta:
        model = Ballot

    round_id = factory.LazyFunction(lambda: RoundFactory(kind="vote").id)
    user_id = factory.LazyFunction(lambda: UserFactory().id)
    stance = Stance.SUPPORT
