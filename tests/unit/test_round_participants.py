"""A participant is recorded once per round, on every backend."""

from consult.db import db
from consult.rounds import participants
from consult.rounds.models import Round
from tests.factories import RoundFactory, UserFactory


def test_mark(app):
    r = RoundFactory()
    u = UserFactory()
    assert participants.mark(r.id, u.id) is True
    assert participants.mark(r.id, u.id) is False
    db.session.commit()
    assert db.session.get(Round, r.id).participant_count == 1
