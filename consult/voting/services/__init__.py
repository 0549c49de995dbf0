"""Voting services: the poll (poll.py: officials define its questions while the round is
scheduled), ballots (ballots.py: citizens, while open) and results (results.py: after
close, or live when the round says so); shared reads in _common.py."""

from consult.questionnaires.services import (  # noqa: F401
    Answers,
    Bar,
    QuestionResult,
)
from consult.voting.services._common import (  # noqa: F401
    FINAL_STATES,
    hold_round,
    lock_round,
    require_vote,
)
from consult.voting.services.ballots import (  # noqa: F401
    answers_of,
    cast_ballot,
    clean_answers,
    get_ballot,
    record_ballot,
)
from consult.voting.services.poll import (  # noqa: F401
    add_question,
    delete_question,
    get_question,
    list_questions,
    move_question,
    update_question,
)
from consult.voting.services.results import (  # noqa: F401
    Results,
    get_results,
    results_visible,
)
