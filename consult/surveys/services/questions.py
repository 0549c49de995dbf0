"""The survey's settings (who may answer) and the department's own questions, changed by
the round's officials until the response is published. The questions, their checks and
the audit entries are the questionnaire's; every editor first locks the survey row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from consult import audit
from consult.accounts.models import Actor
from consult.db import db
from consult.questionnaires import services as questionnaires
from consult.questionnaires.models import Purpose, QuestionnaireQuestion
from consult.rounds.models import Round
from consult.security.permissions import authorize
from consult.surveys.models import Survey
from consult.surveys.services._common import ensure_survey, require_manage

SURVEY = Purpose.SURVEY


def set_settings(actor: Actor, round_: Round, *, open_to_all: bool,
                 _allow_any_state: bool = False) -> Survey:
    """Who may answer: the round's participants (default) or any verified user."""
    if _allow_any_state:
        authorize(actor, "survey.manage", round_)
    else:
        require_manage(actor, round_)
    survey = ensure_survey(round_.id, lock=True)
    if survey.open_to_all != bool(open_to_all):
        survey.open_to_all = bool(open_to_all)
        audit.record(actor, "survey.settings_changed", round_, open_to_all=survey.open_to_all)
    db.session.flush()
    return survey


def list_questions(round_: Round) -> list[QuestionnaireQuestion]:
    """The round's own survey questions with their options (two queries)."""
    return questionnaires.list_questions(round_.id, SURVEY)


def get_question(actor: Actor, round_: Round, question_id: int) -> QuestionnaireQuestion:
    authorize(actor, "survey.manage", round_)
    return questionnaires.get_question(round_.id, SURVEY, question_id)


def add_question(actor: Actor, round_: Round, *, text: str, kind: Any,
                 options: str | Iterable[str] | None = None,
                 _allow_any_state: bool = False) -> QuestionnaireQuestion:
    """Add a question of the department's own while the response is not published.
    ``_allow_any_state`` is for demo data and imports only (pages never pass it)."""
    if _allow_any_state:
        authorize(actor, "survey.manage", round_)
    else:
        require_manage(actor, round_)
    ensure_survey(round_.id, lock=True)  # serialises editors of the round's survey
    return questionnaires.add_question(actor, round_, SURVEY, text=text, kind=kind,
                                       options=options)


def update_question(actor: Actor, round_: Round, question: QuestionnaireQuestion, *, text: str,
                    kind: Any, options: str | Iterable[str] | None = None) -> QuestionnaireQuestion:
    require_manage(actor, round_)
    ensure_survey(round_.id, lock=True)
    return questionnaires.update_question(actor, round_, SURVEY, question, text=text,
                                          kind=kind, options=options)


def move_question(actor: Actor, round_: Round, question: QuestionnaireQuestion, *,
                  by: int) -> QuestionnaireQuestion:
    require_manage(actor, round_)
    ensure_survey(round_.id, lock=True)
    return questionnaires.move_question(actor, round_, SURVEY, question, by=by)


def delete_question(actor: Actor, round_: Round, question: QuestionnaireQuestion) -> None:
    require_manage(actor, round_)
    ensure_survey(round_.id, lock=True)
    questionnaires.delete_question(actor, round_, SURVEY, question)
