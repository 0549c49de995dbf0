"""Satisfaction survey services: settings and custom questions (officials, until the
response is published), answers (eligible users, while the round is responded), results
(after the survey closes, for everyone) and the invitation of participants.

Answers are upserted inside the caller's transaction. Every writer of a round's answers
first locks the round's ``Survey`` row (``SELECT ... FOR UPDATE`` on PostgreSQL) and then
its own answer row, so two tabs or a double click can never make two answers, and the
counters are moved in the same order by everyone (survey, answer, options): no deadlocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from consult import audit
from consult.clock import now
from consult.db import db
from consult.errors import (
    Conflict,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundParticipant
from consult.security.permissions import (
    authorize,
    check,
    is_authenticated,
    suspension_message,
)
from consult.surveys.models import (
    CLARITY_COLUMNS,
    COMMENT_MAX,
    HEARD_COLUMNS,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_OPTIONS,
    OPTION_TEXT_MAX,
    QUESTION_TEXT_MAX,
    RATING_COLUMNS,
    SATISFACTION_COLUMNS,
    SCALE,
    TEXT_ANSWER_MAX,
    Heard,
    QuestionKind,
    Satisfaction,
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyAnswerText,
    SurveyOption,
    SurveyQuestion,
)

# Sample sizes below which results are flagged ("small sample") or withheld.
SMALL_SAMPLE, TOO_FEW = 30, 5
# States in which officials may still change the survey.
EDITABLE_STATES = (RoundState.SCHEDULED, RoundState.OPEN, RoundState.CLOSED)


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


# ---------------------------------------------------------------- reads

def get_round(actor: Any, round_id: int) -> Round:
    """The round with consultation, department and version (404 when not visible)."""
    from consult.rounds import services as rounds

    return rounds.get_round(actor, round_id)


def get_managed_round(actor: Any, round_id: int) -> Round:
    round_ = get_round(actor, round_id)
    authorize(actor, "survey.manage", round_)
    return round_


def get_survey(round_id: int) -> Survey:
    """The round's survey row, or an unsaved one with the defaults (no query twice)."""
    survey = db.session.get(Survey, round_id)
    return survey if survey is not None else Survey(round_id=round_id, open_to_all=False,
                                                    **{c: 0 for c in _COUNTERS})


def list_questions(round_: Round) -> list[SurveyQuestion]:
    """The round's custom questions with their options (two queries)."""
    return list(db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.round_id == round_.id)
        .options(selectinload(SurveyQuestion.options))
        .order_by(SurveyQuestion.position)))


def get_question(actor: Any, round_: Round, question_id: int) -> SurveyQuestion:
    authorize(actor, "survey.manage", round_)
    question = db.session.scalar(
        select(SurveyQuestion).where(SurveyQuestion.id == question_id,
                                     SurveyQuestion.round_id == round_.id)
        .options(selectinload(SurveyQuestion.options)))
    if question is None:
        raise NotFound(_l("This survey question does not exist."))
    return question


def get_answer(user: Any, round_: Round) -> SurveyAnswer | None:
    """The user's answer with its choices and texts, or None (three queries at most)."""
    if not is_authenticated(user):
        return None
    return db.session.scalar(
        select(SurveyAnswer).where(SurveyAnswer.round_id == round_.id,
                                   SurveyAnswer.user_id == user.id)
        .options(selectinload(SurveyAnswer.choices), selectinload(SurveyAnswer.texts))
        .execution_options(populate_existing=True))


# ---------------------------------------------------------------- who may answer, when

@dataclass
class Eligibility:
    """Whether ``user`` may answer, and if not why (for the page and the 403 message)."""

    allowed: bool
    reason: str = ""  # "login", "unverified", "not_participant"
    participant: bool = False

    @property
    def message(self) -> str:
        return str(ELIGIBILITY_MESSAGES.get(self.reason, ""))


ELIGIBILITY_MESSAGES = {
    "login": _l("Log in to answer the survey."),
    "unverified": _l("Verify your e-mail address to answer the survey. We sent you a link "
                     "when you registered."),
    "not_participant": _l("Only people who took part in this round (who commented, asked a "
                          "question, supported a comment or voted) can answer its survey."),
}


def is_participant(round_id: int, user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        RoundParticipant.round_id == round_id, RoundParticipant.user_id == user_id))))


def eligibility(user: Any, round_: Round, survey: Survey) -> Eligibility:
    if not is_authenticated(user):
        return Eligibility(False, "login")
    if not check(user, "survey.answer", round_):
        return Eligibility(False, "unverified")
    participant = is_participant(round_.id, user.id)
    if participant or survey.open_to_all:
        return Eligibility(True, participant=participant)
    return Eligibility(False, "not_participant")


SURVEY_REFUSALS = {
    RoundState.SCHEDULED: _l("The survey opens when the department publishes its response "
                             "to this round."),
    RoundState.OPEN: _l("The survey opens when the department publishes its response to "
                        "this round."),
    RoundState.CLOSED: _l("The survey opens when the department publishes its response to "
                          "this round."),
    RoundState.EVALUATED: _l("The survey has closed: answers can no longer be given or "
                             "changed."),
}


def require_open(round_: Round) -> None:
    """409 unless the round is responded (the survey window is open)."""
    state = lifecycle.state_of(round_)
    if state is not RoundState.RESPONDED:
        raise InvalidState(SURVEY_REFUSALS[state])


def _require_editable(actor: Any, round_: Round) -> None:
    authorize(actor, "survey.manage", round_)
    require_editable(round_)


def require_editable(round_: Round) -> None:
    """409 once the response is published (people may be answering)."""
    if lifecycle.state_of(round_) not in EDITABLE_STATES:
        raise InvalidState(_l("The survey can no longer be changed: the response is "
                              "published and people may be answering already."))


# ---------------------------------------------------------------- settings and questions

def _ensure_survey(round_id: int, *, lock: bool = False) -> Survey:
    db.session.execute(_insert(Survey).values(round_id=round_id)
                       .on_conflict_do_nothing(index_elements=["round_id"]))
    stmt = select(Survey).where(Survey.round_id == round_id).execution_options(
        populate_existing=True)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def set_settings(actor: Any, round_: Round, *, open_to_all: bool,
                 _allow_any_state: bool = False) -> Survey:
    """Who may answer: the round's participants (default) or any verified user."""
    if _allow_any_state:
        authorize(actor, "survey.manage", round_)
    else:
        _require_editable(actor, round_)
    survey = _ensure_survey(round_.id, lock=True)
    if survey.open_to_all != bool(open_to_all):
        survey.open_to_all = bool(open_to_all)
        audit.record(actor, "survey.settings_changed", round_, open_to_all=survey.open_to_all)
    db.session.flush()
    return survey


def _clean_kind(kind: Any) -> QuestionKind:
    try:
        return QuestionKind(kind)
    except ValueError:
        raise ValidationFailed(_l("Choose the kind of question."), field="kind") from None


def _clean_question_text(text: str | None) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationFailed(_l("Enter the question."), field="text")
    if len(text) > QUESTION_TEXT_MAX:
        raise ValidationFailed(_l("The question can have at most %(max)d characters.",
                                  max=QUESTION_TEXT_MAX), field="text")
    return text


def parse_options(kind: QuestionKind, options: str | Iterable[str] | None) -> list[str]:
    """Options one per line for choice questions; 1–5 for a scale; none for free text."""
    if kind is QuestionKind.SCALE:
        return [str(v) for v in SCALE]
    if kind is QuestionKind.TEXT:
        return []
    lines = (options or "").splitlines() if isinstance(options, str | None) else list(options)
    cleaned = [" ".join(str(line).split()) for line in lines]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) < MIN_OPTIONS:
        raise ValidationFailed(_l("Give at least %(min)d answers, one per line.",
                                  min=MIN_OPTIONS), field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationFailed(_l("Give at most %(max)d answers.", max=MAX_OPTIONS),
                               field="options")
    if any(len(line) > OPTION_TEXT_MAX for line in cleaned):
        raise ValidationFailed(_l("Each answer can have at most %(max)d characters.",
                                  max=OPTION_TEXT_MAX), field="options")
    if len({line.casefold() for line in cleaned}) != len(cleaned):
        raise ValidationFailed(_l("Each answer must be different."), field="options")
    return cleaned


def add_question(actor: Any, round_: Round, *, text: str, kind: Any,
                 options: str | Iterable[str] | None = None,
                 _allow_any_state: bool = False) -> SurveyQuestion:
    """Add a custom question while the response is not published. ``_allow_any_state`` is
    for demo data and imports only (pages never pass it)."""
    if _allow_any_state:
        authorize(actor, "survey.manage", round_)
    else:
        _require_editable(actor, round_)
    _ensure_survey(round_.id, lock=True)  # serialises editors of the round's questions
    kind = _clean_kind(kind)
    text, answers = _clean_question_text(text), parse_options(kind, options)
    count, last = db.session.execute(
        select(func.count(SurveyQuestion.id), func.max(SurveyQuestion.position))
        .where(SurveyQuestion.round_id == round_.id)).one()
    if count >= MAX_QUESTIONS:
        raise ValidationFailed(_l("A survey can have at most %(max)d questions of your own.",
                                  max=MAX_QUESTIONS), field="text")
    question = SurveyQuestion(round_id=round_.id, position=(last or 0) + 1, text=text,
                              kind=kind, options=[SurveyOption(position=i + 1, text=a)
                                                  for i, a in enumerate(answers)])
    db.session.add(question)
    db.session.flush()
    audit.record(actor, "survey.question_added", round_, question_id=question.id, text=text,
                 kind=kind.value, options=answers)
    return question


def update_question(actor: Any, round_: Round, question: SurveyQuestion, *, text: str,
                    kind: Any, options: str | Iterable[str] | None = None) -> SurveyQuestion:
    _require_editable(actor, round_)
    if question.round_id != round_.id:
        raise NotFound(_l("This survey question does not exist."))
    kind = _clean_kind(kind)
    text, answers = _clean_question_text(text), parse_options(kind, options)
    before = {"text": question.text, "kind": question.kind.value,
              "options": [o.text for o in question.options]}
    question.text, question.kind = text, kind
    # In place by position, so no (question, position) pair is doubled inside the flush;
    # no one can have answered yet (the response is not published).
    existing = list(question.options)
    for i, answer in enumerate(answers):
        if i < len(existing):
            existing[i].text = answer
        else:
            question.options.append(SurveyOption(position=i + 1, text=answer))
    for extra in existing[len(answers):]:
        question.options.remove(extra)
    db.session.flush()
    audit.record(actor, "survey.question_changed", round_, question_id=question.id,
                 before=before, after={"text": text, "kind": kind.value, "options": answers})
    return question


def delete_question(actor: Any, round_: Round, question: SurveyQuestion) -> None:
    _require_editable(actor, round_)
    if question.round_id != round_.id:
        raise NotFound(_l("This survey question does not exist."))
    audit.record(actor, "survey.question_deleted", round_, question_id=question.id,
                 text=question.text)
    db.session.delete(question)
    db.session.flush()


# ---------------------------------------------------------------- answering

@dataclass
class CleanAnswer:
    satisfaction: Satisfaction
    rating: int
    clarity: int
    heard: Heard
    comment: str | None
    chosen: dict[int, set[int]] = field(default_factory=dict)   # question -> option ids
    texts: dict[int, str] = field(default_factory=dict)         # question -> text


def _enum_value(enum_cls, value: Any, *, message, name: str):
    try:
        return enum_cls(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(message, field=name) from None


def _scale_value(value: Any, *, message, name: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or int(text) not in SCALE:
        raise ValidationFailed(message, field=name)
    return int(text)


def clean_answer(questions: list[SurveyQuestion], *, satisfaction: Any, rating: Any,
                 clarity: Any, heard: Any, comment: str | None = None,
                 answers: Mapping[Any, Iterable[Any]] | None = None) -> CleanAnswer:
    """Check every value; custom questions are optional, each option must be one of its
    question's and a single-choice or scale question takes one."""
    out = CleanAnswer(
        satisfaction=_enum_value(Satisfaction, satisfaction, name="satisfaction",
                                 message=_l("Choose how satisfied you are with the response.")),
        rating=_scale_value(rating, name="rating",
                            message=_l("Choose a rating from 1 to 5.")),
        clarity=_scale_value(clarity, name="clarity",
                             message=_l("Choose how clear the response is, from 1 to 5.")),
        heard=_enum_value(Heard, heard, name="heard",
                          message=_l("Say whether you felt heard.")),
        comment=None)
    text = (comment or "").replace("\r\n", "\n").strip()
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(_l("Your comment can have at most %(max)d characters.",
                                  max=COMMENT_MAX), field="comment")
    out.comment = text or None
    by_id = {q.id: q for q in questions}
    for question_id, values in (answers or {}).items():
        question = by_id.get(int(question_id)) if str(question_id).isdigit() else None
        if question is None:
            raise ValidationFailed(_l("This question is not part of the survey."),
                                   field="survey")
        name = f"q{question.id}"
        values = [str(v).strip() for v in values if str(v).strip()]
        if question.kind is QuestionKind.TEXT:
            body = "\n".join(values).replace("\r\n", "\n").strip()
            if len(body) > TEXT_ANSWER_MAX:
                raise ValidationFailed(_l("Your answer can have at most %(max)d characters.",
                                          max=TEXT_ANSWER_MAX), field=name)
            if body:
                out.texts[question.id] = body
            continue
        valid = {o.id for o in question.options}
        picked: set[int] = set()
        for value in values:
            if not value.isdigit() or int(value) not in valid:
                raise ValidationFailed(_l("Choose one of the answers shown."), field=name)
            picked.add(int(value))
        if len(picked) > 1 and question.kind is not QuestionKind.MULTIPLE:
            raise ValidationFailed(_l("Choose only one answer to this question."), field=name)
        if picked:
            out.chosen[question.id] = picked
    return out


def submit_answer(actor: Any, round_: Round, *, satisfaction: Any, rating: Any, clarity: Any,
                  heard: Any, comment: str | None = None,
                  answers: Mapping[Any, Iterable[Any]] | None = None) -> SurveyAnswer:
    """Give or change ``actor``'s answer: one per user per round, whatever the races."""
    if not check(actor, "survey.answer", round_):
        raise PermissionDenied(suspension_message(actor) or ELIGIBILITY_MESSAGES["unverified"])
    survey = _ensure_survey(round_.id, lock=True)
    who = eligibility(actor, round_, survey)
    if not who.allowed:
        raise PermissionDenied(who.message)
    require_open(round_)
    clean = clean_answer(list_questions(round_), satisfaction=satisfaction, rating=rating,
                         clarity=clarity, heard=heard, comment=comment, answers=answers)
    try:
        with db.session.begin_nested():
            return record_answer(round_.id, actor.id, clean, is_participant=who.participant,
                                 locked=True)
    except IntegrityError:
        raise Conflict(_l("Your answer was saved from another window at the same moment. "
                          "Reload the page to see it.")) from None


def _answer_values(satisfaction, rating, clarity, heard, comment) -> dict[str, int]:
    """{counter column: 1} for one answer's standard values."""
    values = {SATISFACTION_COLUMNS[Satisfaction(satisfaction)]: 1,
              HEARD_COLUMNS[Heard(heard)]: 1,
              RATING_COLUMNS[rating]: 1, CLARITY_COLUMNS[clarity]: 1,
              "rating_sum": rating, "clarity_sum": clarity}
    if comment:
        values["comments"] = 1
    return values


def record_answer(round_id: int, user_id: int, clean: CleanAnswer, *, is_participant: bool,
                  at: datetime | None = None, locked: bool = False) -> SurveyAnswer:
    """Upsert the answer and move the counters; the checks are the caller's
    (``submit_answer``, or the demo seed writing history). Runs in the caller's
    transaction."""
    at = at or now()
    if not locked:
        _ensure_survey(round_id, lock=True)
    values = dict(satisfaction=clean.satisfaction, rating=clean.rating, clarity=clean.clarity,
                  heard=clean.heard, comment=clean.comment)
    # RETURNING, not rowcount: psycopg reports -1 rows for ON CONFLICT DO NOTHING.
    inserted = db.session.execute(
        _insert(SurveyAnswer).values(round_id=round_id, user_id=user_id,
                                     is_participant=is_participant, created_at=at,
                                     updated_at=at, **values)
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
        .returning(SurveyAnswer.id)).scalar_one_or_none() is not None
    old = db.session.execute(
        select(SurveyAnswer.id, SurveyAnswer.satisfaction, SurveyAnswer.rating,
               SurveyAnswer.clarity, SurveyAnswer.heard, SurveyAnswer.comment,
               SurveyAnswer.is_participant)
        .where(SurveyAnswer.round_id == round_id, SurveyAnswer.user_id == user_id)
        .with_for_update()).one()
    answer_id = old.id
    deltas: dict[str, int] = {}
    for column, n in _answer_values(**values).items():
        deltas[column] = deltas.get(column, 0) + n
    if inserted:
        deltas["respondents"] = 1
        if is_participant:
            deltas["participant_respondents"] = 1
        old_options: set[int] = set()
        old_questions: set[int] = set()
    else:
        for column, n in _answer_values(old.satisfaction, old.rating, old.clarity, old.heard,
                                        old.comment).items():
            deltas[column] = deltas.get(column, 0) - n
        db.session.execute(update(SurveyAnswer).where(SurveyAnswer.id == answer_id)
                           .values(updated_at=at, **values))
        old_choices = db.session.execute(
            select(SurveyAnswerChoice.option_id, SurveyAnswerChoice.question_id)
            .where(SurveyAnswerChoice.answer_id == answer_id)).all()
        old_options = {row.option_id for row in old_choices}
        old_questions = {row.question_id for row in old_choices} | set(db.session.scalars(
            select(SurveyAnswerText.question_id)
            .where(SurveyAnswerText.answer_id == answer_id)))
    changed = {column: getattr(Survey, column) + n for column, n in deltas.items() if n}
    if changed:
        db.session.execute(update(Survey).where(Survey.round_id == round_id)
                           .values(**changed).execution_options(synchronize_session=False))
    # Custom questions: choices and texts, and their counters.
    new_options = {o for options in clean.chosen.values() for o in options}
    new_questions = set(clean.chosen) | set(clean.texts)
    removed, added = sorted(old_options - new_options), sorted(new_options - old_options)
    if removed:
        db.session.execute(delete(SurveyAnswerChoice).where(
            SurveyAnswerChoice.answer_id == answer_id,
            SurveyAnswerChoice.option_id.in_(removed)))
        db.session.execute(update(SurveyOption).where(SurveyOption.id.in_(removed))
                           .values(answer_count=SurveyOption.answer_count - 1)
                           .execution_options(synchronize_session=False))
    if added:
        question_of = {o: q for q, options in clean.chosen.items() for o in options}
        db.session.execute(_insert(SurveyAnswerChoice).values([
            {"answer_id": answer_id, "option_id": o, "question_id": question_of[o]}
            for o in added]))
        db.session.execute(update(SurveyOption).where(SurveyOption.id.in_(added))
                           .values(answer_count=SurveyOption.answer_count + 1)
                           .execution_options(synchronize_session=False))
    if not inserted:
        db.session.execute(delete(SurveyAnswerText)
                           .where(SurveyAnswerText.answer_id == answer_id))
    if clean.texts:
        db.session.execute(_insert(SurveyAnswerText).values([
            {"answer_id": answer_id, "question_id": q, "body": body}
            for q, body in sorted(clean.texts.items())]))
    left = sorted(old_questions - new_questions)
    joined = sorted(new_questions - old_questions)
    if left:
        db.session.execute(update(SurveyQuestion).where(SurveyQuestion.id.in_(left))
                           .values(respondent_count=SurveyQuestion.respondent_count - 1)
                           .execution_options(synchronize_session=False))
    if joined:
        db.session.execute(update(SurveyQuestion).where(SurveyQuestion.id.in_(joined))
                           .values(respondent_count=SurveyQuestion.respondent_count + 1)
                           .execution_options(synchronize_session=False))
    return db.session.scalar(
        select(SurveyAnswer).where(SurveyAnswer.id == answer_id)
        .options(selectinload(SurveyAnswer.choices), selectinload(SurveyAnswer.texts))
        .execution_options(populate_existing=True))


# ---------------------------------------------------------------- written answers

def list_written(actor: Any, round_: Round, *, page: int = 1, per_page: int = 20):
    """Answers with free text (the comment or a text question), newest first, for the
    round's officials; without names (two queries for the page, one for the texts)."""
    from consult.web import paginate

    authorize(actor, "survey.manage", round_)
    has_text = exists().where(SurveyAnswerText.answer_id == SurveyAnswer.id)
    stmt = (select(SurveyAnswer)
            .where(SurveyAnswer.round_id == round_.id,
                   (SurveyAnswer.comment.is_not(None)) | has_text)
            .options(selectinload(SurveyAnswer.texts))
            .order_by(SurveyAnswer.updated_at.desc(), SurveyAnswer.id.desc()))
    return paginate(stmt, page=page, per_page=per_page)


# ---------------------------------------------------------------- results

@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the base
    key: str = ""
    colour: str = "#2f6f9f"


@dataclass
class QuestionResult:
    question: SurveyQuestion
    respondents: int
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None


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


SATISFACTION_COLOURS = {Satisfaction.SATISFIED: "#1b6b3a",
                        Satisfaction.BASICALLY_SATISFIED: "#2f6f9f",
                        Satisfaction.DISSATISFIED: "#a52a21"}
HEARD_COLOURS = {Heard.YES: "#1b6b3a", Heard.PARTLY: "#2f6f9f", Heard.NO: "#a52a21"}


def _share(count: int, base: int) -> float:
    return count / base if base else 0.0


def results_visible(round_: Round) -> bool:
    return lifecycle.state_of(round_) is RoundState.EVALUATED


def get_results(round_: Round) -> Results:
    """Numbers from the counters (constant queries); nothing while the survey is open."""
    survey = get_survey(round_.id)
    if not results_visible(round_):
        return Results(round=round_, survey=survey, visible=False,
                       closes_at=round_.survey_closes_at)
    n = survey.respondents
    res = Results(round=round_, survey=survey, visible=True, closes_at=round_.survey_closes_at,
                  respondents=n, participants=round_.participant_count,
                  participant_respondents=survey.participant_respondents)
    res.response_rate = (_share(survey.participant_respondents, round_.participant_count)
                         if round_.participant_count else None)
    res.satisfaction = [Bar(s.label, getattr(survey, c), _share(getattr(survey, c), n), s.value,
                            SATISFACTION_COLOURS[s]) for s, c in SATISFACTION_COLUMNS.items()]
    res.heard = [Bar(h.label, getattr(survey, c), _share(getattr(survey, c), n), h.value,
                     HEARD_COLOURS[h]) for h, c in HEARD_COLUMNS.items()]
    res.rating = [Bar(str(v), getattr(survey, c), _share(getattr(survey, c), n), str(v))
                  for v, c in RATING_COLUMNS.items()]
    res.clarity = [Bar(str(v), getattr(survey, c), _share(getattr(survey, c), n), str(v))
                   for v, c in CLARITY_COLUMNS.items()]
    if n:
        res.satisfied_share = _share(survey.satisfied + survey.basically_satisfied, n)
        res.rating_mean = survey.rating_sum / n
        res.clarity_mean = survey.clarity_sum / n
    for q in list_questions(round_):
        bars = [Bar(o.text, o.answer_count, _share(o.answer_count, q.respondent_count),
                    str(o.id)) for o in q.options]
        mean = None
        if q.kind is QuestionKind.SCALE and q.respondent_count:
            mean = sum(int(o.text) * o.answer_count for o in q.options) / q.respondent_count
        res.questions.append(QuestionResult(question=q, respondents=q.respondent_count,
                                            bars=bars, mean=mean))
    return res


_COUNTERS = ("respondents", "participant_respondents", "comments", "rating_sum",
             "clarity_sum", *SATISFACTION_COLUMNS.values(), *HEARD_COLUMNS.values(),
             *RATING_COLUMNS.values(), *CLARITY_COLUMNS.values())
