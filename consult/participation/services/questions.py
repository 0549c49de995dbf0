"""Questions to the department, "I want to know too" supports and public answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit, signals
from consult.accounts.models import Actor
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import Conflict, InvalidState, NotFound, PermissionDenied
from consult.participation.models import (
    VISIBLE,
    Answer,
    Question,
    QuestionSupport,
    shown_to,
)
from consult.participation.services._common import (
    ANSWER_MAX,
    DUPLICATE_SECONDS,
    QUESTION_MAX,
    require_open,
    require_participant,
    set_support,
)
from consult.rounds import lifecycle, participants
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.security.input import clean_text
from consult.security.permissions import authorize, check
from consult.web import Page, keyset_paginate, paginate

FILTERS = ("all", "unanswered", "answered")
INBOX_SORTS = ("waiting", "supported")
# Officials may still answer after the round closed, until the response is published.
ANSWERABLE = (RoundState.OPEN, RoundState.CLOSED)


# ---------------------------------------------------------------- reads

@dataclass
class QuestionsView:
    page: Page
    show: str
    supported: set[int] = field(default_factory=set)


def list_questions(viewer: Any, round_: Round, *, show: str = "all", page: int = 1,
                   per_page: int = 20, cursor: str | None = None) -> QuestionsView:
    """Newest first, with answers and authors, in a constant number of queries."""
    show = show if show in FILTERS else "all"
    stmt = (select(Question).where(Question.round_id == round_.id, shown_to(Question, viewer))
            .options(joinedload(Question.author),
                     joinedload(Question.answer).joinedload(Answer.department))
            .order_by(Question.created_at.desc(), Question.id.desc()))
    if show == "unanswered":
        stmt = stmt.where(Question.answered_at.is_(None), Question.status.in_(VISIBLE))
    elif show == "answered":
        stmt = stmt.where(Question.answered_at.is_not(None))
    result = keyset_paginate(stmt, page=page, per_page=per_page, cursor=cursor,
                             key_types=(datetime, int))
    view = QuestionsView(page=result, show=show)
    view.supported = supported_question_ids(viewer, [q.id for q in result.items])
    return view


def questions_stmt(viewer: Any, round_ids: list[int]):
    """Every question of these rounds ``viewer`` may see, with its author and answer
    (unordered): the questions page's visibility, for the API and its export."""
    return (select(Question).where(Question.round_id.in_(round_ids), shown_to(Question, viewer))
            .options(joinedload(Question.author), joinedload(Question.answer)))


def supported_question_ids(viewer: Any, ids: list[int]) -> set[int]:
    if not ids or not getattr(viewer, "is_authenticated", False):
        return set()
    return set(db.session.scalars(
        select(QuestionSupport.question_id).where(QuestionSupport.user_id == viewer.id,
                                                  QuestionSupport.question_id.in_(ids))))


def get_question(actor: Actor, question_id: int) -> Question:
    question = db.session.scalar(
        select(Question).where(Question.id == question_id).options(
            joinedload(Question.author),
            joinedload(Question.answer).joinedload(Answer.department)))
    if question is None:
        raise NotFound(_l("There is no such question."))
    set_committed_value(question, "round", get_round(actor, question.round_id))
    return question


def question_inbox(actor: Actor, *, sort: str = "waiting", page: int = 1,
                   per_page: int = 20, include: Select | None = None,
                   exclude: Select | None = None) -> Page:
    """Unanswered questions of the official's departments that can still be answered
    (their round is open or closed, not yet responded): longest waiting first, or most
    wanted first. ``include``/``exclude``: subqueries of question ids to keep or leave
    out (the workspace's "assigned to me" and "unassigned")."""
    authorize(actor, "question.inbox")
    sort = sort if sort in INBOX_SORTS else "waiting"
    answerable = [state.value for state in ANSWERABLE]
    stmt = (select(Question)
            .join(Round, Round.id == Question.round_id)
            .where(Question.department_id.in_(sorted(actor.official_department_ids)),
                   Question.answered_at.is_(None), Question.status.in_(VISIBLE),
                   lifecycle.state_sql().in_(answerable))
            .options(joinedload(Question.author),
                     joinedload(Question.round).joinedload(Round.consultation)
                     .joinedload(Consultation.department)))
    if include is not None:
        stmt = stmt.where(Question.id.in_(include))
    if exclude is not None:
        stmt = stmt.where(Question.id.not_in(exclude))
    if sort == "supported":
        stmt = stmt.order_by(Question.support_count.desc(), Question.created_at, Question.id)
    else:
        stmt = stmt.order_by(Question.created_at, Question.support_count.desc(), Question.id)
    return paginate(stmt, page=page, per_page=per_page)


def waited(question: Question) -> timedelta:
    """How long it has waited, or waited before it was answered."""
    return (question.answered_at or now()) - question.created_at


# ---------------------------------------------------------------- writes

def ask_question(actor: Actor, round_: Round, *, body: str | None) -> Question:
    require_participant(actor, "question.ask", round_)
    require_open(round_)
    body = clean_text(body, field="body", limit=QUESTION_MAX,
                      empty=_l("Write your question before you send it."))
    since = now() - timedelta(seconds=DUPLICATE_SECONDS)
    if db.session.scalar(select(Question.id).where(
            Question.round_id == round_.id, Question.author_id == actor.id,
            Question.body == body, Question.created_at >= since).limit(1)) is not None:
        raise Conflict(_l("You have just asked this question; it was not asked again."),
                       field="body")
    question = Question(round_id=round_.id, author_id=actor.id, body=body,
                        department_id=round_.consultation.department_id)
    db.session.add(question)
    db.session.flush()
    db.session.execute(update(Round).where(Round.id == round_.id)
                       .values(question_count=Round.question_count + 1))
    participants.mark(round_.id, actor.id)
    audit.record(actor, "question.ask", question, round_id=round_.id)
    signals.content_posted.send(question, actor=actor)  # moderation may hold it (uncounted)
    set_committed_value(question, "author", actor)
    set_committed_value(question, "round", round_)
    set_committed_value(question, "answer", None)
    return question


def set_question_support(actor: Actor, question: Question, *, supported: bool) -> bool:
    """ "I want to know too", one per user by the primary key (see set_comment_support)."""
    require_participant(actor, "question.support", question)
    if question.author_id == actor.id:
        raise PermissionDenied(_l("You asked this question yourself."))
    require_open(question.round)
    if not question.is_visible:
        raise InvalidState(_l("This question was withdrawn."))
    return set_support(actor, question, QuestionSupport, "question_id", supported=supported,
                       already=_l("You already want to know this too."),
                       not_yet=_l("You had not marked this question."))


def answer_question(actor: Actor, question: Question, *, body: str | None) -> Answer:
    """An official of the owning department answers, publicly, once."""
    if not check(actor, "question.answer", question):
        raise PermissionDenied(_l("Only officials of the department that runs this "
                                  "consultation can answer its questions."))
    round_ = question.round
    if not round_.consultation.is_published:
        raise InvalidState(_l("This consultation is not published."))
    lifecycle.require(round_, *ANSWERABLE)
    if not question.is_visible:
        raise InvalidState(_l("This question was withdrawn and needs no answer."))
    if question.answer is not None or question.answered_at is not None:
        raise Conflict(_l("This question has already been answered."))
    body = clean_text(body, field="body", limit=ANSWER_MAX,
                      empty=_l("Write the answer before you publish it."))
    at = now()
    answer = Answer(question_id=question.id, author_id=actor.id, body=body,
                    department_id=question.department_id, created_at=at)
    try:
        with db.session.begin_nested():  # a savepoint keeps the session usable on a race
            db.session.add(answer)
            db.session.flush()
    except IntegrityError as exc:  # two officials at once: the unique key decides
        raise Conflict(_l("This question has already been answered.")) from exc
    # Only the first answer sets the time (guards the race on backends without the key).
    db.session.execute(update(Question).where(Question.id == question.id,
                                              Question.answered_at.is_(None))
                       .values(answered_at=at))
    set_committed_value(question, "answered_at", at)
    set_committed_value(question, "answer", answer)
    set_committed_value(answer, "department", round_.consultation.department)
    audit.record(actor, "question.answer", question, answer_id=answer.id)
    signals.question_answered.send(
        question, actor=actor,
        supporters=select(QuestionSupport.user_id).where(
            QuestionSupport.question_id == question.id))
    return answer
