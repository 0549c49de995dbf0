"""Results of a vote: the stances and the poll, from the counters (constant queries);
public after the close, or live while open when the round says so, never before."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from consult.db import db
from consult.questionnaires.services import Bar, QuestionResult, question_results, share
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.voting.models import Stance, VoteTally
from consult.voting.services._common import FINAL_STATES
from consult.voting.services.poll import list_questions


@dataclass
class Results:
    round: Round
    visible: bool
    live: bool = False
    total: int = 0
    stances: list[Bar] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)
    opens_results_at: datetime | None = None


def results_visible(round_: Round) -> tuple[bool, bool]:
    """(visible, live): final after close; live while open when the round says so."""
    state = lifecycle.state_of(round_)
    if state in FINAL_STATES:
        return True, False
    return (state is RoundState.OPEN and round_.show_live_results), True


def get_results(round_: Round) -> Results:
    """Tallies from the counters (constant queries); nothing at all while hidden."""
    visible, live = results_visible(round_)
    if not visible:
        return Results(round=round_, visible=False,
                       opens_results_at=lifecycle.effective_closed_at(round_))
    tally = db.session.get(VoteTally, round_.id)
    counts = {s: (tally.count(s) if tally else 0) for s in Stance}
    total = sum(counts.values())
    stances = [Bar(label=s.label, count=counts[s], share=share(counts[s], total),
                   colour=s.colour, key=s.value) for s in Stance]
    return Results(round=round_, visible=True, live=live, total=total, stances=stances,
                   questions=question_results(list_questions(round_)))
