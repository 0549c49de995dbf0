"""The poll: the questions of a vote round besides the stance, defined by the round's
officials while it is scheduled (no one can have answered yet), under the round's row lock.
The questions, their checks and the audit entries are the questionnaire's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from consult.accounts.models import Actor
from consult.questionnaires import services as questionnaires
from consult.questionnaires.models import Purpose, QuestionnaireQuestion
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.voting.services._common import lock_round, require_vote

POLL = Purpose.POLL


def list_questions(round_: Round) -> list[QuestionnaireQuestion]:
    """The round's poll questions with their options (two queries)."""
    return questionnaires.list_questions(round_.id, POLL)


def get_question(actor: Actor, round_: Round, question_id: int) -> QuestionnaireQuestion:
    authorize(actor, "voting.manage", round_)
    return questionnaires.get_question(round_.id, POLL, question_id)


def _check_poll_editable(actor: Actor, round_: Round, *, any_state: bool = False) -> Round:
    authorize(actor, "voting.manage", round_)
    require_vote(round_)
    round_ = lock_round(round_)
    if not any_state:
        lifecycle.require(round_, RoundState.SCHEDULED)
    return round_


def add_question(actor: Actor, round_: Round, *, text: str, kind: Any,
                 options: str | Iterable[str],
                 _allow_any_state: bool = False) -> QuestionnaireQuestion:
    """Add a poll question (single or multiple choice) while the round is scheduled.
    ``_allow_any_state`` is for demo data and imports only (pages never pass it): past
    rounds had their questions too."""
    round_ = _check_poll_editable(actor, round_, any_state=_allow_any_state)
    return questionnaires.add_question(actor, round_, POLL, text=text, kind=kind,
                                       options=options)


def update_question(actor: Actor, round_: Round, question: QuestionnaireQuestion, *,
                    text: str, kind: Any,
                    options: str | Iterable[str]) -> QuestionnaireQuestion:
    round_ = _check_poll_editable(actor, round_)
    return questionnaires.update_question(actor, round_, POLL, question, text=text,
                                          kind=kind, options=options)


def move_question(actor: Actor, round_: Round, question: QuestionnaireQuestion, *,
                  by: int) -> QuestionnaireQuestion:
    round_ = _check_poll_editable(actor, round_)
    return questionnaires.move_question(actor, round_, POLL, question, by=by)


def delete_question(actor: Actor, round_: Round, question: QuestionnaireQuestion) -> None:
    round_ = _check_poll_editable(actor, round_)
    questionnaires.delete_question(actor, round_, POLL, question)
