"""Results of a questionnaire's questions, from their counters (no recount)."""

from __future__ import annotations

from dataclasses import dataclass, field

from consult.questionnaires.models import QuestionKind, QuestionnaireQuestion

DEFAULT_COLOUR = "#2f6f9f"


@dataclass
class Bar:
    """One bar of a chart and one row of its table."""

    label: str
    count: int
    share: float  # 0..1 of the base (ballots, respondents, respondents of a question)
    key: str = ""
    colour: str = DEFAULT_COLOUR


@dataclass
class QuestionResult:
    question: QuestionnaireQuestion
    respondents: int
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None  # scale questions


def share(count: int, base: int) -> float:
    return count / base if base else 0.0


def question_results(questions: list[QuestionnaireQuestion]) -> list[QuestionResult]:
    """A bar per option (its share of the question's respondents), and the mean of a scale."""
    out = []
    for q in questions:
        n = q.respondent_count
        bars = [Bar(label=o.text, count=o.answer_count, share=share(o.answer_count, n),
                    key=str(o.id)) for o in q.options]
        mean = None
        if q.kind is QuestionKind.SCALE and n:
            mean = sum(int(o.text) * o.answer_count for o in q.options) / n
        out.append(QuestionResult(question=q, respondents=n, bars=bars, mean=mean))
    return out
