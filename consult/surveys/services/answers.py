"""Answering the survey: the standard questions and the department's own, one answer per
user per round, changeable while the survey is open; and the written answers officials read.

Answers are upserted inside the caller's transaction. Every writer of a round's answers
first locks the round's ``Survey`` row (``SELECT ... FOR UPDATE`` on PostgreSQL) and then
its own answer row, so two tabs or a double click can never make two answers, and the
counters are moved in the same order by everyone (survey, answer, questions, options): no
deadlocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from consult import signals
from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db, upsert_insert
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.questionnaires import services as questionnaires
from consult.questionnaires.models import AnswerText, Purpose, QuestionnaireQuestion
from consult.questionnaires.services import Answers
from consult.rounds.models import Round
from consult.security.params import parse_int
from consult.security.permissions import (
    authorize,
    check,
    is_authenticated,
    is_official_of,
    suspension_message,
)
from consult.surveys.models import (
    CLARITY_COLUMNS,
    COMMENT_MAX,
    HEARD_COLUMNS,
    RATING_COLUMNS,
    SATISFACTION_COLUMNS,
    SCALE,
    Heard,
    Satisfaction,
    Survey,
    SurveyAnswer,
)
from consult.surveys.services._common import ensure_survey
from consult.surveys.services.eligibility import (
    ELIGIBILITY_MESSAGES,
    eligibility,
    require_open,
)
from consult.surveys.services.questions import list_questions
from consult.surveys.services.sampling import move_sample_counters
from consult.web import paginate

SURVEY = Purpose.SURVEY


def get_answer(user: Any, round_: Round) -> SurveyAnswer | None:
    """The user's answer with its choices and texts, or None (three queries at most)."""
    if not is_authenticated(user):
        return None
    return db.session.scalar(
        select(SurveyAnswer).where(SurveyAnswer.round_id == round_.id,
                                   SurveyAnswer.user_id == user.id)
        .options(selectinload(SurveyAnswer.choices), selectinload(SurveyAnswer.texts))
        .execution_options(populate_existing=True))


def answers_of(answer: SurveyAnswer | None) -> Answers:
    """An answer's replies to the department's questions (its choices and texts loaded)."""
    return Answers.of(answer.choices, answer.texts) if answer is not None else Answers()


# ---------------------------------------------------------------- checking

@dataclass
class CleanAnswer:
    satisfaction: Satisfaction
    rating: int
    clarity: int
    heard: Heard
    comment: str | None
    chosen: dict[int, set[int]] = field(default_factory=dict)   # question -> option ids
    texts: dict[int, str] = field(default_factory=dict)         # question -> text

    @property
    def custom(self) -> Answers:
        """The replies to the department's own questions."""
        return Answers(chosen=self.chosen, texts=self.texts)


def _enum_value(enum_cls, value: Any, *, message, name: str):
    try:
        return enum_cls(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(message, field=name) from None


def _scale_value(value: Any, *, message, name: str) -> int:
    text = str(value if value is not None else "").strip()
    number = parse_int(text)
    if number is None or number not in SCALE:
        raise ValidationFailed(message, field=name)
    return number


def _clean_comment(comment: str | None) -> str | None:
    text = (comment or "").replace("\r\n", "\n").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(_l("Your comment can have at most %(max)d characters.",
                                  max=COMMENT_MAX), field="comment")
    return text or None


def clean_answer(questions: list[QuestionnaireQuestion], *, satisfaction: Any, rating: Any,
                 clarity: Any, heard: Any, comment: str | None = None,
                 answers: Mapping[Any, Iterable[Any]] | None = None) -> CleanAnswer:
    """Check every value: the standard questions are required; the department's own are
    checked by the questionnaire (optional, options of their own question, one for a
    single choice or a scale)."""
    out = CleanAnswer(
        satisfaction=_enum_value(Satisfaction, satisfaction, name="satisfaction",
                                 message=_l("Choose how satisfied you are with the response.")),
        rating=_scale_value(rating, name="rating",
                            message=_l("Choose a rating from 1 to 5.")),
        clarity=_scale_value(clarity, name="clarity",
                             message=_l("Choose how clear the response is, from 1 to 5.")),
        heard=_enum_value(Heard, heard, name="heard",
                          message=_l("Say whether you felt heard.")),
        comment=_clean_comment(comment))
    custom = questionnaires.clean_answers(SURVEY, questions, answers)
    out.chosen, out.texts = custom.chosen, custom.texts
    return out


# ---------------------------------------------------------------- saving

def submit_answer(actor: Actor, round_: Round, *, satisfaction: Any, rating: Any, clarity: Any,
                  heard: Any, comment: str | None = None,
                  answers: Mapping[Any, Iterable[Any]] | None = None) -> SurveyAnswer:
    """Give or change ``actor``'s answer: one per user per round, whatever the races."""
    if is_official_of(actor, round_.consultation.department_id):
        raise PermissionDenied(ELIGIBILITY_MESSAGES["own_department"])
    if not check(actor, "survey.answer", round_):
        raise PermissionDenied(suspension_message(actor) or ELIGIBILITY_MESSAGES["unverified"])
    survey = ensure_survey(round_.id, lock=True)
    who = eligibility(actor, round_, survey)
    if not who.allowed:
        raise PermissionDenied(who.message)
    require_open(round_)
    _refuse_voided(round_.id, actor.id)
    clean = clean_answer(list_questions(round_), satisfaction=satisfaction, rating=rating,
                         clarity=clarity, heard=heard, comment=comment, answers=answers)
    try:
        with db.session.begin_nested():
            answer = record_answer(round_.id, actor.id, clean, is_participant=who.participant,
                                   locked=True)
    except IntegrityError:
        raise Conflict(_l("Your answer was saved from another window at the same moment. "
                          "Reload the page to see it.")) from None
    signals.survey_answered.send(answer, round_=round_, actor=actor,
                                 first=answer.created_at == answer.updated_at)
    return answer


def _refuse_voided(round_id: int, user_id: int) -> None:
    """409 for an answer voided after review (申诉复核): it no longer counts and stays as
    it was."""
    voided = db.session.scalar(select(SurveyAnswer.voided_at).where(
        SurveyAnswer.round_id == round_id, SurveyAnswer.user_id == user_id))
    if voided is not None:
        raise InvalidState(_l("Your rating of this response was voided after review and "
                              "can no longer be changed."))


def void_answer(answer_id: int, *, at: datetime | None = None) -> bool:
    """Take a rating out of the scores after an appeal upheld by an evaluator: its values
    leave the round's counters in this transaction and the row is marked voided (kept,
    never deleted). False when it was voided already or is gone."""
    answer = db.session.get(SurveyAnswer, answer_id)
    if answer is None or answer.voided_at is not None:
        return False
    ensure_survey(answer.round_id, lock=True)
    old = db.session.execute(
        select(SurveyAnswer.id, SurveyAnswer.satisfaction, SurveyAnswer.rating,
               SurveyAnswer.clarity, SurveyAnswer.heard, SurveyAnswer.comment,
               SurveyAnswer.is_participant, SurveyAnswer.voided_at)
        .where(SurveyAnswer.id == answer_id).with_for_update()).one()
    if old.voided_at is not None:
        return False
    deltas = {column: -n for column, n in _answer_values(
        old.satisfaction, old.rating, old.clarity, old.heard, old.comment).items()}
    deltas["respondents"] = -1
    if old.is_participant:
        deltas["participant_respondents"] = -1
    db.session.execute(update(Survey).where(Survey.round_id == answer.round_id)
                       .values(**{c: getattr(Survey, c) + n for c, n in deltas.items() if n})
                       .execution_options(synchronize_session=False))
    move_sample_counters(answer.round_id, answer.user_id, new=None, old=old.satisfaction)
    db.session.execute(update(SurveyAnswer).where(SurveyAnswer.id == answer_id)
                       .values(voided_at=at or now())
                       .execution_options(synchronize_session=False))
    return True


def record_answer(round_id: int, user_id: int, clean: CleanAnswer, *, is_participant: bool,
                  at: datetime | None = None, locked: bool = False) -> SurveyAnswer:
    """Upsert the answer and move the counters; the checks are the caller's
    (``submit_answer``, or the demo seed writing history). Runs in the caller's
    transaction."""
    at = at or now()
    if not locked:
        ensure_survey(round_id, lock=True)
    values = dict(satisfaction=clean.satisfaction, rating=clean.rating, clarity=clean.clarity,
                  heard=clean.heard, comment=clean.comment)
    answer_id, old = _upsert_answer(round_id, user_id, values, is_participant=is_participant,
                                    at=at)
    _move_survey_counters(round_id, values, old, is_participant=is_participant)
    move_sample_counters(round_id, user_id, new=clean.satisfaction,
                         old=None if old is None else old.satisfaction)
    counts = questionnaires.save_answers(SURVEY, answer_id, clean.custom,
                                         before=Answers() if old is None else None)
    questionnaires.move_counts(counts)
    return db.session.scalar(
        select(SurveyAnswer).where(SurveyAnswer.id == answer_id)
        .options(selectinload(SurveyAnswer.choices), selectinload(SurveyAnswer.texts))
        .execution_options(populate_existing=True))


def _upsert_answer(round_id: int, user_id: int, values: dict[str, Any], *,
                   is_participant: bool, at: datetime):
    """(answer id, its standard values before: None for a new answer), the row written."""
    # RETURNING, not rowcount: psycopg reports -1 rows for ON CONFLICT DO NOTHING.
    inserted = db.session.execute(
        upsert_insert(SurveyAnswer)
        .values(round_id=round_id, user_id=user_id, is_participant=is_participant,
                created_at=at, updated_at=at, **values)
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
        .returning(SurveyAnswer.id)).scalar_one_or_none()
    if inserted is not None:
        return inserted, None
    old = db.session.execute(
        select(SurveyAnswer.id, SurveyAnswer.satisfaction, SurveyAnswer.rating,
               SurveyAnswer.clarity, SurveyAnswer.heard, SurveyAnswer.comment)
        .where(SurveyAnswer.round_id == round_id, SurveyAnswer.user_id == user_id)
        .with_for_update()).one()
    db.session.execute(update(SurveyAnswer).where(SurveyAnswer.id == old.id)
                       .values(updated_at=at, **values))
    return old.id, old


def _answer_values(satisfaction, rating, clarity, heard, comment) -> dict[str, int]:
    """{counter column: 1} for one answer's standard values."""
    values = {SATISFACTION_COLUMNS[Satisfaction(satisfaction)]: 1,
              HEARD_COLUMNS[Heard(heard)]: 1,
              RATING_COLUMNS[rating]: 1, CLARITY_COLUMNS[clarity]: 1,
              "rating_sum": rating, "clarity_sum": clarity}
    if comment:
        values["comments"] = 1
    return values


def _move_survey_counters(round_id: int, values: dict[str, Any], old, *,
                          is_participant: bool) -> None:
    """The standard questions' counters: the new values in, the old ones (a changed
    answer) out; a new answer is one more respondent."""
    deltas = dict(_answer_values(**values))
    if old is None:
        deltas["respondents"] = 1
        if is_participant:
            deltas["participant_respondents"] = 1
    else:
        for column, n in _answer_values(old.satisfaction, old.rating, old.clarity, old.heard,
                                        old.comment).items():
            deltas[column] = deltas.get(column, 0) - n
    changed = {column: getattr(Survey, column) + n for column, n in deltas.items() if n}
    if changed:
        db.session.execute(update(Survey).where(Survey.round_id == round_id)
                           .values(**changed).execution_options(synchronize_session=False))


# ---------------------------------------------------------------- written answers

def list_written(actor: Actor, round_: Round, *, page: int = 1, per_page: int = 20):
    """Answers with free text (the comment or a text question), newest first, for the
    round's officials; without names (two queries for the page, one for the texts)."""
    authorize(actor, "survey.manage", round_)
    has_text = exists().where(AnswerText.purpose == SURVEY,
                              AnswerText.owner_id == SurveyAnswer.id)
    stmt = (select(SurveyAnswer)
            .where(SurveyAnswer.round_id == round_.id,
                   (SurveyAnswer.comment.is_not(None)) | has_text)
            .options(selectinload(SurveyAnswer.texts))
            .order_by(SurveyAnswer.updated_at.desc(), SurveyAnswer.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)
