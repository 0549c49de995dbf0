"""Results of a survey, from its counters (constant queries): hidden until the survey
closes, then shares, means and the response rate, with small samples flagged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from consult.questionnaires.services import Bar, QuestionResult, question_results, share
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.surveys.models import (
    CLARITY_COLUMNS,
    GOOD_SATISFACTION,
    HEARD_COLUMNS,
    RATING_COLUMNS,
    SATISFACTION_COLUMNS,
    Heard,
    Satisfaction,
    Survey,
)
from consult.surveys.services._common import get_survey
from consult.surveys.services.questions import list_questions

# Sample sizes below which results are flagged ("small sample") or withheld.
SMALL_SAMPLE, TOO_FEW = 30, 5

SATISFACTION_COLOURS = {Satisfaction.VERY_SATISFIED: "#14522c",
                        Satisfaction.SATISFIED: "#1b6b3a",
                        Satisfaction.BASICALLY_SATISFIED: "#2f6f9f",
                        Satisfaction.DISSATISFIED: "#a52a21",
                        Satisfaction.VERY_DISSATISFIED: "#7a1d17"}
HEARD_COLOURS = {Heard.YES: "#1b6b3a", Heard.PARTLY: "#2f6f9f", Heard.NO: "#a52a21"}


@dataclass
class Results:
    round: Round
    survey: Survey
    visible: bool
    closes_at: datetime | None = None
    respondents: int = 0
    participants: int = 0
    participant_respondents: int = 0
    response_rate: float | None = None
    satisfied_share: float | None = None
    satisfied_count: int = 0
    satisfaction: list[Bar] = field(default_factory=list)
    rating: list[Bar] = field(default_factory=list)
    clarity: list[Bar] = field(default_factory=list)
    heard: list[Bar] = field(default_factory=list)
    rating_mean: float | None = None
    clarity_mean: float | None = None
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def sample(self) -> str:
        """"enough", "small" (fewer than 30 answers) or "too_few" (fewer than 5)."""
        if self.respondents < TOO_FEW:
            return "too_few"
        return "small" if self.respondents < SMALL_SAMPLE else "enough"


def satisfied_count(survey: Survey) -> int:
    """Answers in the satisfaction rate: 非常满意, 满意 and 基本满意."""
    return sum(getattr(survey, SATISFACTION_COLUMNS[s]) for s in GOOD_SATISFACTION)


def results_visible(round_: Round) -> bool:
    return lifecycle.state_of(round_) is RoundState.EVALUATED


def get_results(round_: Round) -> Results:
    """Numbers from the counters (constant queries); nothing while the survey is open."""
    survey = get_survey(round_.id)
    if not results_visible(round_):
        return Results(round=round_, survey=survey, visible=False,
                       closes_at=round_.survey_closes_at)
    res = Results(round=round_, survey=survey, visible=True, closes_at=round_.survey_closes_at,
                  respondents=survey.respondents, participants=round_.participant_count,
                  participant_respondents=survey.participant_respondents)
    _standard_results(res, survey)
    res.questions = question_results(list_questions(round_))
    return res


def _bars(survey: Survey, columns: dict, label, colours: dict | None = None) -> list[Bar]:
    """A bar per value of a standard question, its share of all respondents."""
    n, bars = survey.respondents, []
    for value, column in columns.items():
        count = getattr(survey, column)
        bar = Bar(label=label(value), count=count, share=share(count, n), key=str(value))
        if colours:
            bar.colour = colours[value]
        bars.append(bar)
    return bars


def _standard_results(res: Results, survey: Survey) -> None:
    """The standard questions: shares, means and the response rate."""
    n = survey.respondents
    participants = res.round.participant_count
    res.response_rate = (share(survey.participant_respondents, participants)
                         if participants else None)
    res.satisfaction = _bars(survey, SATISFACTION_COLUMNS, lambda s: s.label,
                             SATISFACTION_COLOURS)
    res.heard = _bars(survey, HEARD_COLUMNS, lambda h: h.label, HEARD_COLOURS)
    res.rating = _bars(survey, RATING_COLUMNS, str)
    res.clarity = _bars(survey, CLARITY_COLUMNS, str)
    res.satisfied_count = satisfied_count(survey)
    if n:
        res.satisfied_share = share(res.satisfied_count, n)
        res.rating_mean = survey.rating_sum / n
        res.clarity_mean = survey.clarity_sum / n
