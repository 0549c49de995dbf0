"""PostgreSQL: threads casting and changing ballots for the same users at once (two tabs,
double clicks, many voters). Ballots stay one per user, counters equal a recount, and no
request fails with a 500."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.rounds.models import Round, RoundKind
from consult.voting.models import Ballot, BallotChoice, PollOption, PollQuestion, VoteTally
from tests.factories import DepartmentFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.pg

STANCES = ["support", "support_with_changes", "oppose", "abstain"]


def test_concurrent_casts_and_changes_keep_one_ballot_and_exact_counters(app):
    dept = DepartmentFactory()
    r = RoundFactory(kind=RoundKind.VOTE, version__consultation__department=dept)
    round_id = r.id
    poll = []
    for position, (multiple, n) in enumerate([(False, 3), (True, 4)], start=1):
        q = PollQuestion(round_id=round_id, position=position, text=f"问题{position}",
                         multiple=multiple)
        db.session.add(q)
        db.session.flush()
        options = [PollOption(question_id=q.id, position=i + 1, text=f"选项{i}")
                   for i in range(n)]
        db.session.add_all(options)
        db.session.flush()
        poll.append((q.id, multiple, [o.id for o in options]))
    db.session.commit()
    users = [UserFactory() for _ in range(6)]
    user_ids = [(u.id, u.get_id()) for u in users]

    threads_per_user, posts_per_thread = 3, 12
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(user_ids) * threads_per_user)

    def worker(seed: int, login_id: str) -> None:
        rng = random.Random(seed)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = login_id, True
        try:
            barrier.wait(timeout=30)
            for _ in range(posts_per_thread):
                data: dict = {"stance": rng.choice(STANCES)}
                for qid, multiple, options in poll:
                    if rng.random() < 0.2:
                        continue
                    data[f"q{qid}"] = ([str(o) for o in rng.sample(options, rng.randint(1, 3))]
                                       if multiple else str(rng.choice(options)))
                headers = {"HX-Request": "true"} if rng.random() < 0.5 else {}
                response = client.post(f"/rounds/{round_id}/vote", data=data, headers=headers)
                with lock:
                    statuses[response.status_code] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i * 100 + k, login_id))
               for i, (_, login_id) in enumerate(user_ids) for k in range(threads_per_user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads)
    total = len(threads) * posts_per_thread
    assert statuses == Counter({200: statuses[200], 303: statuses[303]}), statuses
    assert statuses[200] + statuses[303] == total

    db.session.expire_all()
    ballots = list(db.session.scalars(select(Ballot).where(Ballot.round_id == round_id)))
    assert len(ballots) == len({b.user_id for b in ballots}) == len(users)
    assert db.session.get(Round, round_id).ballot_count == len(users)
    # every vote marked its voter as a participant, once
    assert db.session.get(Round, round_id).participant_count == len(users)
    tally = db.session.get(VoteTally, round_id)
    recount = Counter(b.stance.value for b in ballots)
    assert {s: getattr(tally, s) for s in STANCES} == {s: recount.get(s, 0) for s in STANCES}
    chosen = Counter(db.session.scalars(select(BallotChoice.option_id)))
    for _qid, _multiple, options in poll:
        for o in options:
            assert db.session.get(PollOption, o).vote_count == chosen.get(o, 0)
    for qid, multiple, options in poll:
        answered = db.session.scalar(select(func.count(func.distinct(BallotChoice.ballot_id)))
                                     .where(BallotChoice.question_id == qid))
        assert db.session.get(PollQuestion, qid).respondent_count == answered
        if not multiple:  # one choice per single-choice question, races or not
            per_ballot = Counter(db.session.scalars(
                select(BallotChoice.ballot_id).where(BallotChoice.question_id == qid)))
            assert all(n == 1 for n in per_ballot.values())
