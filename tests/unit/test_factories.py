from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from tests.factories import RoundFactory


def test_round_traits_have_the_states_they_say(app):
    assert lifecycle.state_of(RoundFactory()) is RoundState.OPEN
    assert lifecycle.state_of(RoundFactory(scheduled=True)) is RoundState.SCHEDULED
    assert lifecycle.state_of(RoundFactory(closed=True)) is RoundState.CLOSED
    overdue = RoundFactory(overdue=True)
    assert lifecycle.is_overdue(overdue)
    assert overdue.version.clause_count == 3
