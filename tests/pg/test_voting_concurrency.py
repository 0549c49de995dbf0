"""PostgreSQL: threads casting and changing ballots for the same users at once (two tabs,
double clicks, many voters). Ballots stay one per user, counters equal a recount, and no
request fails with a 500. Votes racing an official's close: none lands after the close,
and the close is not starved by the stream of votes."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.questionnaires.models import (
    AnswerChoice,
    Purpose,
    QuestionKind,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds import participants
from consult.rounds.models import Round, RoundKind
from consult.voting.models import Ballot, VoteTally
from tests.factories import DepartmentFactory, RoundFactory, UserFactory, add_questionnaire
from tests.oracles import distinct_participants
from tests.threads import closer, run_all

pytestmark = pytest.mark.pg

STANCES = ["support", "support_with_changes", "oppose", "abstain"]


def _vote_round_with_poll() -> tuple[int, list[tuple[int, bool, list[int]]]]:
    """An open vote round with a single-choice and a multiple-choice question."""
    dept = DepartmentFactory()
    r = RoundFactory(kind=RoundKind.VOTE, version__consultation__department=dept)
    round_id = r.id
    specs = [(False, 3), (True, 4)]
    made = add_questionnaire(round_id, Purpose.POLL, [
        (f"问题{position}", QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE,
         [f"选项{i}" for i in range(n)])
        for position, (multiple, n) in enumerate(specs, start=1)])
    poll = [(qid, multiple, options)
            for (qid, options), (multiple, _) in zip(made, specs, strict=True)]
    return round_id, poll


def _choices(round_id: int):
    """The round's ballot choices (the poll's answer rows owned by its ballots)."""
    return (select(AnswerChoice.owner_id, AnswerChoice.option_id)
            .join(Ballot, Ballot.id == AnswerChoice.owner_id)
            .where(AnswerChoice.purpose == Purpose.POLL, Ballot.round_id == round_id))


def _random_vote(rng: random.Random, poll) -> dict:
    data: dict = {"stance": rng.choice(STANCES)}
    for qid, multiple, options in poll:
        if rng.random() < 0.2:
            continue
        data[f"q{qid}"] = ([str(o) for o in rng.sample(options, rng.randint(1, 3))]
                           if multiple else str(rng.choice(options)))
    return data


def _logged_in_client(app, login_id: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = login_id, True
    return client


def _assert_counters_equal_recount(round_id: int, poll, voters: int) -> None:
    db.session.expire_all()
    ballots = list(db.session.scalars(select(Ballot).where(Ballot.round_id == round_id)))
    assert len(ballots) == len({b.user_id for b in ballots}) == voters
    round_ = db.session.get(Round, round_id)
    assert round_.ballot_count == voters
    assert round_.participant_count == voters  # every vote marked its voter, once
    tally = db.session.get(VoteTally, round_id)
    recount = Counter(b.stance.value for b in ballots)
    assert {s: getattr(tally, s) for s in STANCES} == {s: recount.get(s, 0) for s in STANCES}
    chosen = Counter(row.option_id for row in db.session.execute(_choices(round_id)))
    for qid, multiple, options in poll:
        for o in options:
            assert db.session.get(QuestionnaireOption, o).answer_count == chosen.get(o, 0)
        answered = db.session.scalar(select(func.count(func.distinct(AnswerChoice.owner_id)))
                                     .where(AnswerChoice.question_id == qid))
        assert db.session.get(QuestionnaireQuestion, qid).respondent_count == answered
        if not multiple:  # one choice per single-choice question, races or not
            per_ballot = Counter(db.session.scalars(
                select(AnswerChoice.owner_id).where(AnswerChoice.question_id == qid)))
            assert all(n == 1 for n in per_ballot.values())
    # the distinct participants per department and month (moved at each commit, and by a
    # racing close) equal their recount over the participant rows
    for group in ("department", "month"):
        recount = distinct_participants(group)
        assert participants.tallies(by=group) == recount, group


def test_concurrent_casts_and_changes_keep_one_ballot_and_exact_counters(app):
    round_id, poll = _vote_round_with_poll()
    users = [UserFactory() for _ in range(6)]
    user_ids = [(u.id, u.get_id()) for u in users]

    threads_per_user, posts_per_thread = 3, 12
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(user_ids) * threads_per_user)

    def worker(seed: int, login_id: str) -> None:
        rng = random.Random(seed)
        client = _logged_in_client(app, login_id)
        try:
            barrier.wait(timeout=30)
            for _ in range(posts_per_thread):
                data = _random_vote(rng, poll)
                headers = {"HX-Request": "true"} if rng.random() < 0.5 else {}
                response = client.post(f"/rounds/{round_id}/vote", data=data, headers=headers)
                with lock:
                    statuses[response.status_code] += 1
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i * 100 + k, login_id))
               for i, (_, login_id) in enumerate(user_ids) for k in range(threads_per_user)]
    run_all(threads, errors)
    total = len(threads) * posts_per_thread
    assert statuses == Counter({200: statuses[200], 303: statuses[303]}), statuses
    assert statuses[200] + statuses[303] == total

    _assert_counters_equal_recount(round_id, poll, len(users))


def test_votes_racing_a_close_never_land_after_it(app):
    """Voters post as fast as they can while an official closes the round: every vote
    that was saved committed before the close, nothing changes after it (later votes
    get 409), counters equal a recount, and the close does not wait out the stream."""
    round_id, poll = _vote_round_with_poll()
    official = UserFactory()
    users = [UserFactory() for _ in range(8)]
    logins = [u.get_id() for u in users]
    official_id = official.id
    db.session.commit()

    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()
    saved_before_close = threading.Event()

    def voter(seed: int, login_id: str) -> None:
        rng = random.Random(seed)
        client = _logged_in_client(app, login_id)
        try:
            for _ in range(400):  # bounded: the close stops the saves long before
                if stop.is_set():
                    break
                response = client.post(f"/rounds/{round_id}/vote", data=_random_vote(rng, poll))
                with lock:
                    statuses[response.status_code] += 1
                    if statuses[303] >= 2 * len(logins):
                        saved_before_close.set()
        except BaseException as exc:
            with lock:
                errors.append(exc)

    def snapshot() -> dict:  # what the round holds the moment the close is committed
        return {"at": db.session.get(Round, round_id).closed_at,
                "ballots": sorted(db.session.execute(
                    select(Ballot.id, Ballot.stance, Ballot.updated_at)
                    .where(Ballot.round_id == round_id)).all()),
                "choices": sorted(db.session.execute(_choices(round_id)).all())}

    threads = [threading.Thread(target=voter, args=(i, login)) for i, login in enumerate(logins)]
    closing = closer(app, round_id, official_id, ready=saved_before_close, stop=stop,
                     errors=errors, snapshot=snapshot)
    threads.append(closing)
    run_all(threads, errors)
    closed = closing.closed
    assert set(statuses) <= {303, 409}, statuses
    assert statuses[303] >= 2 * len(logins) and statuses[409] > 0, statuses
    # Shared ballot locks queue behind the waiting close: it is not starved.
    assert closed["took"] < 10, closed["took"]

    db.session.expire_all()
    after = sorted(db.session.execute(
        select(Ballot.id, Ballot.stance, Ballot.updated_at)
        .where(Ballot.round_id == round_id)).all())
    assert after == closed["ballots"]
    assert sorted(db.session.execute(_choices(round_id)).all()) == closed["choices"]
    assert all(updated_at <= closed["at"] for _, _, updated_at in after)
    _assert_counters_equal_recount(round_id, poll, len({b for b, _, _ in after}))
