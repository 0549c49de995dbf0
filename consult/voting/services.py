"""Voting services: poll questions (officials, while scheduled), ballots (citizens, while
open) and results (after close, or live when the round says so).

Tallies are counters kept in SQL in the ballot's own transaction: a new ballot increments
its stance and options; a changed ballot decrements the old ones and increments the new
ones. A ballot holds the round's state shared (``lifecycle.hold_state``: an advisory lock
on PostgreSQL) while it checks that the round is open and until it commits; closing the
round takes it exclusive, so no ballot lands after the close, and ballots do not wait
for each other there. They meet only on the rows every ballot of the round changes (the
round's counters, its tally, the poll counters), which each ballot updates last, with
one atomic ``UPDATE ... SET n = n + 1`` per table, in one fixed order (round, tally,
questions, options, each by id), just before its commit: no deadlocks, and the time a
ballot holds those rows is a few statements. Poll questions are edited only while the
round is scheduled, under the round's row lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from consult import audit
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.rounds import lifecycle, participants
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round
from consult.security.permissions import authorize, check
from consult.voting.models import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_OPTIONS,
    OPTION_TEXT_MAX,
    QUESTION_TEXT_MAX,
    REASON_MAX,
    Ballot,
    BallotChoice,
    PollOption,
    PollQuestion,
    Stance,
    VoteTally,
)

# States in which results are public (live results also show while OPEN).
FINAL_STATES = (RoundState.CLOSED, RoundState.RESPONDED, RoundState.EVALUATED)


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


# ---------------------------------------------------------------- reading rounds

def get_round(actor, round_id: int) -> Round:
    """The round with its consultation, department and version, in one query; 404 when
    the ``round.view`` rule hides it (unpublished consultations), so nothing unpublished
    is found by guessing ids."""
    round_ = db.session.scalar(
        select(Round).where(Round.id == round_id)
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version)))
    if round_ is None or not check(actor, "round.view", round_):
        raise NotFound(_l("This round does not exist."))
    return round_


def require_vote(round_: Round) -> None:
    if not round_.kind.has_vote:
        raise ValidationFailed(_l("This round has no vote. Only vote rounds have poll "
                                  "questions and ballots."))


def _lock_round(round_: Round) -> Round:
    """Re-read the round's dates under a row lock (PostgreSQL); SQLite serialises writers.
    For editing the poll (officials, rare); ballots use ``lifecycle.hold_state``.

    Only the dates are refreshed, so the loaded consultation stays in place."""
    db.session.flush()
    db.session.refresh(round_, attribute_names=_STATE_COLUMNS, with_for_update=True)
    return round_


_STATE_COLUMNS = lifecycle.STATE_COLUMNS


def list_questions(round_: Round) -> list[PollQuestion]:
    """The round's poll questions with their options (two queries)."""
    return list(db.session.scalars(
        select(PollQuestion).where(PollQuestion.round_id == round_.id)
        .options(selectinload(PollQuestion.options))
        .order_by(PollQuestion.position)))


def get_question(actor, round_: Round, question_id: int) -> PollQuestion:
    authorize(actor, "voting.manage", round_)
    question = db.session.scalar(
        select(PollQuestion).where(PollQuestion.id == question_id,
                                   PollQuestion.round_id == round_.id)
        .options(selectinload(PollQuestion.options)))
    if question is None:
        raise NotFound(_l("This poll question does not exist."))
    return question


# ---------------------------------------------------------------- poll questions

def parse_options(options: str | Iterable[str]) -> list[str]:
    """Options one per line (or a list); blank lines dropped, each trimmed, validated."""
    lines = options.splitlines() if isinstance(options, str) else list(options)
    cleaned = [" ".join(str(line).split()) for line in lines]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) < MIN_OPTIONS:
        raise ValidationFailed(_l("Give at least %(min)d answers, one per line.",
                                  min=MIN_OPTIONS), field="options")
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationFailed(_l("Give at most %(max)d answers.", max=MAX_OPTIONS),
                               field="options")
    too_long = [line for line in cleaned if len(line) > OPTION_TEXT_MAX]
    if too_long:
        raise ValidationFailed(_l("Each answer can have at most %(max)d characters.",
                                  max=OPTION_TEXT_MAX), field="options")
    if len({line.casefold() for line in cleaned}) != len(cleaned):
        raise ValidationFailed(_l("Each answer must be different."), field="options")
    return cleaned


def _clean_question_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationFailed(_l("Enter the question."), field="text")
    if len(text) > QUESTION_TEXT_MAX:
        raise ValidationFailed(_l("The question can have at most %(max)d characters.",
                                  max=QUESTION_TEXT_MAX), field="text")
    return text


def _check_poll_editable(actor, round_: Round, *, any_state: bool = False) -> Round:
    authorize(actor, "voting.manage", round_)
    require_vote(round_)
    round_ = _lock_round(round_)
    if not any_state:
        lifecycle.require(round_, RoundState.SCHEDULED)
    return round_


def add_question(actor, round_: Round, *, text: str, multiple: bool,
                 options: str | Iterable[str], _allow_any_state: bool = False) -> PollQuestion:
    """Add a poll question while the round is scheduled. ``_allow_any_state`` is for demo
    data and imports only (pages never pass it): past rounds had their questions too."""
    round_ = _check_poll_editable(actor, round_, any_state=_allow_any_state)
    text, answers = _clean_question_text(text), parse_options(options)
    count, last = db.session.execute(
        select(func.count(PollQuestion.id), func.max(PollQuestion.position))
        .where(PollQuestion.round_id == round_.id)).one()
    if count >= MAX_QUESTIONS:
        raise ValidationFailed(_l("A round can have at most %(max)d poll questions.",
                                  max=MAX_QUESTIONS), field="text")
    question = PollQuestion(round_id=round_.id, position=(last or 0) + 1, text=text,
                            multiple=bool(multiple),
                            options=[PollOption(position=i + 1, text=answer)
                                     for i, answer in enumerate(answers)])
    db.session.add(question)
    db.session.flush()
    audit.record(actor, "poll.question_added", round_, question_id=question.id, text=text,
                 multiple=question.multiple, options=answers)
    return question


def update_question(actor, round_: Round, question: PollQuestion, *, text: str,
                    multiple: bool, options: str | Iterable[str]) -> PollQuestion:
    round_ = _check_poll_editable(actor, round_)
    if question.round_id != round_.id:
        raise NotFound(_l("This poll question does not exist."))
    text, answers = _clean_question_text(text), parse_options(options)
    before = {"text": question.text, "multiple": question.multiple,
              "options": [o.text for o in question.options]}
    question.text, question.multiple = text, bool(multiple)
    # Update options in place by position, so no (question, position) pair is ever doubled
    # inside the flush; the round is scheduled, so no ballot refers to them yet.
    existing = list(question.options)
    for i, answer in enumerate(answers):
        if i < len(existing):
            existing[i].text = answer
        else:
            question.options.append(PollOption(position=i + 1, text=answer))
    for extra in existing[len(answers):]:
        question.options.remove(extra)
    db.session.flush()
    audit.record(actor, "poll.question_changed", round_, question_id=question.id,
                 before=before, after={"text": text, "multiple": question.multiple,
                                       "options": answers})
    return question


def delete_question(actor, round_: Round, question: PollQuestion) -> None:
    round_ = _check_poll_editable(actor, round_)
    if question.round_id != round_.id:
        raise NotFound(_l("This poll question does not exist."))
    audit.record(actor, "poll.question_deleted", round_, question_id=question.id,
                 text=question.text)
    db.session.delete(question)
    db.session.flush()


# ---------------------------------------------------------------- ballots

def get_ballot(user, round_: Round) -> Ballot | None:
    """The user's ballot in the round with its choices, or None (two queries at most)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Ballot).where(Ballot.round_id == round_.id, Ballot.user_id == user.id)
        .options(selectinload(Ballot.choices))
        .execution_options(populate_existing=True))


def _clean_stance(stance) -> Stance:
    try:
        return Stance(stance)
    except ValueError:
        raise ValidationFailed(_l("Choose your stance on the draft."), field="stance") from None


def _clean_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_l("The reason can have at most %(max)d characters.",
                                  max=REASON_MAX), field="reason")
    return reason or None


def clean_answers(questions: list[PollQuestion],
                  answers: Mapping[int, Iterable[int | str]] | None) -> dict[int, set[int]]:
    """{question id: option ids}; every option must belong to its question, a
    single-choice question takes one option. Unanswered questions are left out."""
    by_id = {q.id: q for q in questions}
    chosen: dict[int, set[int]] = {}
    for question_id, values in (answers or {}).items():
        question = by_id.get(int(question_id)) if str(question_id).isdigit() else None
        if question is None:
            raise ValidationFailed(_l("This poll question is not part of the round."),
                                   field="poll")
        valid = {o.id for o in question.options}
        picked: set[int] = set()
        for value in values:
            text = str(value).strip()
            if not text:
                continue
            if not text.isdigit() or int(text) not in valid:
                raise ValidationFailed(_l("Choose one of the answers shown."),
                                       field=f"q{question.id}")
            picked.add(int(text))
        if len(picked) > 1 and not question.multiple:
            raise ValidationFailed(_l("Choose only one answer to this question."),
                                   field=f"q{question.id}")
        if picked:
            chosen[question.id] = picked
    return chosen


def cast_ballot(actor, round_: Round, *, stance, reason: str | None = None,
                answers: Mapping[int, Iterable[int | str]] | None = None,
                questions: list[PollQuestion] | None = None,
                reread: bool = True) -> Ballot | int:
    """Cast or change ``actor``'s ballot: one per user per round, whatever the races.

    ``questions`` are the round's poll questions when the caller has read them already
    (the vote page): they cannot change once the round is open. ``reread=False``
    returns only the ballot's id, for a caller that shows nothing of it (a redirect)."""
    authorize(actor, "voting.vote", round_)
    require_vote(round_)
    round_ = lifecycle.hold_state(round_)
    lifecycle.require(round_, RoundState.OPEN)
    stance, reason = _clean_stance(stance), _clean_reason(reason)
    if questions is None:
        questions = list_questions(round_)
    chosen = clean_answers(questions, answers)
    return record_ballot(round_.id, actor.id, stance=stance, reason=reason, chosen=chosen,
                         polled=bool(questions), participant=True, reread=reread)


def _lock_ballot(round_id: int, user_id: int):
    """(id, stance) of the user's ballot, locked until commit; None when there is none."""
    return db.session.execute(
        select(Ballot.id, Ballot.stance).where(Ballot.round_id == round_id,
                                               Ballot.user_id == user_id)
        .with_for_update()).one_or_none()


def record_ballot(round_id: int, user_id: int, *, stance: Stance, reason: str | None,
                  chosen: Mapping[int, set[int]], at: datetime | None = None,
                  polled: bool = True, participant: bool = False,
                  reread: bool = True) -> Ballot | int:
    """Upsert the ballot and move the counters; checks are the caller's (cast_ballot,
    or the demo seed writing history). Must run inside the caller's transaction.

    ``polled=False`` says the round has no poll question (so no choices to read back);
    ``participant=True`` also records the voter as a participant of the round. The rows
    shared by every ballot of the round are updated last (see the module's docstring)."""
    at = at or now()
    found = _lock_ballot(round_id, user_id)
    ballot_id = None
    if found is None:
        # RETURNING, not rowcount: psycopg reports -1 rows for ON CONFLICT DO NOTHING.
        ballot_id = db.session.execute(
            _insert(Ballot).values(round_id=round_id, user_id=user_id, stance=stance,
                                   reason=reason, created_at=at, updated_at=at)
            .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
            .returning(Ballot.id)).scalar_one_or_none()
        if ballot_id is None:  # a twin request inserted it first and has committed
            found = _lock_ballot(round_id, user_id)
    inserted = found is None
    old_stance, old_options, old_questions = None, set(), set()
    if found is not None:
        ballot_id, old_stance = found
        if polled:
            old = db.session.execute(select(BallotChoice.option_id, BallotChoice.question_id)
                                     .where(BallotChoice.ballot_id == ballot_id)).all()
            old_options = {row.option_id for row in old}
            old_questions = {row.question_id for row in old}
        db.session.execute(update(Ballot).where(Ballot.id == ballot_id)
                           .values(stance=stance, reason=reason, updated_at=at))
    new_options = {option for options in chosen.values() for option in options}
    removed, added = sorted(old_options - new_options), sorted(new_options - old_options)
    if removed:
        db.session.execute(delete(BallotChoice).where(BallotChoice.ballot_id == ballot_id,
                                                      BallotChoice.option_id.in_(removed)))
    if added:
        question_of = {option: q for q, options in chosen.items() for option in options}
        db.session.execute(_insert(BallotChoice).values([
            {"ballot_id": ballot_id, "option_id": option, "question_id": question_of[option]}
            for option in added]))
    # A changed ballot's voter was recorded as a participant with their first ballot.
    joined = participant and inserted and participants.mark(round_id, user_id, count=False)
    ballot: Ballot | int = ballot_id
    if reread:
        ballot = db.session.execute(
            select(Ballot).where(Ballot.id == ballot_id).options(joinedload(Ballot.choices))
            .execution_options(populate_existing=True)).unique().scalar_one()

    # The shared rows, last and in a fixed order: round, tally, questions, options.
    round_counts = {}
    if inserted:
        round_counts["ballot_count"] = Round.ballot_count + 1
    if joined:
        round_counts["participant_count"] = Round.participant_count + 1
    if round_counts:
        db.session.execute(update(Round).where(Round.id == round_id).values(**round_counts))
    if inserted:
        db.session.execute(_insert(VoteTally).values(round_id=round_id)
                           .on_conflict_do_nothing(index_elements=["round_id"]))
    if old_stance != stance:
        values = {stance.value: getattr(VoteTally, stance.value) + 1}
        if old_stance is not None:
            values[old_stance.value] = getattr(VoteTally, old_stance.value) - 1
        db.session.execute(update(VoteTally).where(VoteTally.round_id == round_id)
                           .values(**values))
    new_questions = set(chosen)
    _bump(PollQuestion, "respondent_count",
          {**{q: -1 for q in old_questions - new_questions},
           **{q: 1 for q in new_questions - old_questions}})
    _bump(PollOption, "vote_count", {**{o: -1 for o in removed}, **{o: 1 for o in added}})
    return ballot


def _bump(model, column: str, deltas: Mapping[int, int]) -> None:
    """Add ``deltas`` ({row id: +1 or -1}) to ``column`` in one statement. Rows shared
    with other ballots are locked in id order first, so two ballots that change the same
    options the other way round cannot deadlock."""
    ids = sorted(deltas)
    if not ids:
        return
    if len(ids) > 1:
        db.session.execute(select(model.id).where(model.id.in_(ids)).order_by(model.id)
                           .with_for_update(key_share=True))
    counter = getattr(model, column)
    db.session.execute(update(model).where(model.id.in_(ids)).values(
        {column: counter + case({i: deltas[i] for i in ids}, value=model.id)}))


# ---------------------------------------------------------------- results

@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the base (ballots, or respondents of the question)
    colour: str = "#2f6f9f"
    key: str = ""


@dataclass
class QuestionResult:
    question: PollQuestion
    respondents: int
    bars: list[Bar] = field(default_factory=list)


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
    stances = [Bar(label=s.label, count=counts[s], share=_share(counts[s], total),
                   colour=s.colour, key=s.value) for s in Stance]
    questions = []
    for q in list_questions(round_):
        bars = [Bar(label=o.text, count=o.vote_count, share=_share(o.vote_count,
                                                                   q.respondent_count),
                    key=str(o.id)) for o in q.options]
        questions.append(QuestionResult(question=q, respondents=q.respondent_count, bars=bars))
    return Results(round=round_, visible=True, live=live, total=total, stances=stances,
                   questions=questions)


def _share(count: int, base: int) -> float:
    return count / base if base else 0.0
