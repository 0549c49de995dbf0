"""Concurrent supports on PostgreSQL: counts equal distinct users, no request fails with 500.

Run with --db=postgresql+psycopg://postgres@127.0.0.1:5432/<throwaway database>.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.participation.models import Comment, CommentSupport, Question, QuestionSupport
from consult.rounds import participants
from consult.rounds.models import ParticipantReach, Round
from tests.factories import (
    CommentFactory,
    DepartmentFactory,
    QuestionFactory,
    RoundFactory,
    UserFactory,
)
from tests.oracles import distinct_participants
from tests.threads import closer, run_all

pytestmark = pytest.mark.pg

THREADS = 12


def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _hammer(app, jobs):
    """Run (client, path, data) jobs at the same moment; return the status codes."""
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(client, path, data):
        try:
            barrier.wait(timeout=10)
            response = client.post(path, data=data)
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return statuses


def test_concurrent_comment_supports_count_distinct_users(app):
    r = RoundFactory()
    author = UserFactory()
    comment = CommentFactory(round_id=r.id, author_id=author.id, body="请支持")
    users = [UserFactory() for _ in range(THREADS // 2)]
    # every user clicks twice at the same moment (double click, two tabs)
    jobs = []
    for user in users:
        for _ in range(2):
            jobs.append((_client_for(app, user), f"/comments/{comment.id}/support",
                         {"supported": "1"}))
    statuses = _hammer(app, jobs)
    assert 500 not in statuses
    assert sorted(set(statuses)) <= [303, 409]
    assert statuses.count(303) == len(users)
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(CommentSupport)
                             .where(CommentSupport.comment_id == comment.id))
    assert rows == len(users)
    assert db.session.get(Comment, comment.id).support_count == len(users)

    # half of them take their support back while the others support again: still exact
    jobs = [(_client_for(app, u), f"/comments/{comment.id}/support", {"supported": "0"})
            for u in users[: len(users) // 2]]
    jobs += [(_client_for(app, u), f"/comments/{comment.id}/support", {"supported": "1"})
             for u in users[len(users) // 2:]]
    statuses = _hammer(app, jobs)
    assert 500 not in statuses
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(CommentSupport)
                             .where(CommentSupport.comment_id == comment.id))
    assert db.session.get(Comment, comment.id).support_count == rows == len(users) - len(
        users) // 2


def test_concurrent_question_supports_and_answers(app):
    r = RoundFactory()
    asker = UserFactory()
    question = QuestionFactory(round_id=r.id, author_id=asker.id, body="何时实施？")
    users = [UserFactory() for _ in range(THREADS)]
    jobs = [(_client_for(app, u), f"/questions/{question.id}/support", {"supported": "1"})
            for u in users]
    statuses = _hammer(app, jobs)
    assert statuses.count(303) == len(users) and 500 not in statuses
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(QuestionSupport))
    assert db.session.get(Question, question.id).support_count == rows == len(users)

    # two officials answer at the same moment: one answer, one 409, no 500
    from consult.accounts.models import Department
    department = db.session.get(Department, question.department_id)
    officials = [UserFactory(role="official", role__department=department) for _ in range(2)]
    jobs = [(_client_for(app, o), f"/questions/{question.id}/answer", {"body": f"答{i}"})
            for i, o in enumerate(officials)]
    statuses = _hammer(app, jobs)
    assert sorted(statuses) == [303, 409]


def test_first_participants_of_a_round_racing_are_each_counted(app, monkeypatch):
    """Two people take part at once in a round nobody took part in yet. The first to read
    the round finds it not counted anywhere; the other places it and commits before the
    first goes on. Both are counted in the department and the month, as the recount says
    (the first used to be left out: it read the round's placement before the other's
    commit, then found it placed and did nothing)."""
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation__department=dept)
    first, second = UserFactory(), UserFactory()
    round_id, first_id, second_id, dept_id = r.id, first.id, second.id, dept.id
    db.session.commit()

    place = participants._place
    errors: list[BaseException] = []

    def place_after_the_other(session, round_ids):
        monkeypatch.setattr(participants, "_place", place)  # the other places it itself
        other = threading.Thread(target=_takes_part, args=(app, round_id, second_id, errors))
        other.start()
        other.join(30)
        assert not other.is_alive()
        return place(session, round_ids)

    monkeypatch.setattr(participants, "_place", place_after_the_other)
    assert participants.mark(round_id, first_id)
    db.session.commit()
    assert not errors, errors

    db.session.expire_all()
    assert participants._place is place  # the race happened
    assert participants.tallies(by="department") == distinct_participants("department")
    assert participants.tallies(by="department")[dept_id] == 2
    assert participants.tallies(by="month") == distinct_participants("month")
    assert db.session.get(Round, round_id).participant_count == 2


def test_a_round_placed_by_one_first_participant_is_not_placed_twice(app, monkeypatch):
    """The first participant places a round nobody took part in yet; another one arrives
    while it does. The other waits for the placement to commit, then counts itself in it:
    each person's reach row counts the round once (a second placement used to count the
    first's participant again), and the counters equal the recount."""
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation__department=dept)
    first, second = UserFactory(), UserFactory()
    round_id, first_id, second_id = r.id, first.id, second.id
    db.session.commit()

    join = participants._join
    errors: list[BaseException] = []
    other = threading.Thread(target=_takes_part, args=(app, round_id, second_id, errors))

    def join_while_the_other_arrives(session, *args):
        monkeypatch.setattr(participants, "_join", join)
        other.start()
        other.join(1)  # it waits on the round's row until this placement commits
        return join(session, *args)

    monkeypatch.setattr(participants, "_join", join_while_the_other_arrives)
    assert participants.mark(round_id, first_id)
    db.session.commit()
    other.join(30)
    assert not other.is_alive() and not errors, errors

    db.session.expire_all()
    rows = db.session.execute(select(ParticipantReach.user_id, ParticipantReach.rounds)).all()
    assert sorted(rows) == sorted((u, 1) for u in (first_id, second_id) for _ in range(3))
    assert participants.tallies(by="department") == distinct_participants("department")
    assert participants.tallies(by="month") == distinct_participants("month")


def _takes_part(app, round_id: int, user_id: int, errors: list[BaseException]) -> None:
    try:
        with app.app_context():
            assert participants.mark(round_id, user_id)
            db.session.commit()
    except BaseException as exc:
        errors.append(exc)


def test_comments_racing_a_close_never_land_after_it(app):
    """Participants comment as fast as they can while an official closes the round: every
    comment saved committed before the close (the ones after get 409), and each
    participant is counted under the round's closing month as the close left it: the
    distinct participants per department and month equal their recount."""
    dept = DepartmentFactory()
    r = RoundFactory(version__consultation__department=dept)
    official = UserFactory()
    users = [UserFactory() for _ in range(8)]
    round_id, official_id = r.id, official.id
    clients = [_client_for(app, u) for u in users]
    db.session.commit()

    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop, saved_before_close = threading.Event(), threading.Event()

    def commenter(k: int, client) -> None:
        try:
            for n in range(400):  # bounded: the close stops the saves long before
                if stop.is_set():
                    break
                # (htmx: the answer is the new comment, not a flash message in the session)
                response = client.post(f"/rounds/{round_id}/comments",
                                       data={"body": f"第{k}位的第{n}条意见", "clause_id": ""},
                                       headers={"HX-Request": "true"})
                with lock:
                    statuses.append(response.status_code)
                    if statuses.count(200) >= 2 * len(clients):
                        saved_before_close.set()
        except BaseException as exc:
            with lock:
                errors.append(exc)

    def snapshot() -> dict:  # what the round holds the moment the close is committed
        return {"comments": set(db.session.scalars(
            select(Comment.id).where(Comment.round_id == round_id)))}

    threads = [threading.Thread(target=commenter, args=(k, c)) for k, c in enumerate(clients)]
    closing = closer(app, round_id, official_id, ready=saved_before_close, stop=stop,
                     errors=errors, snapshot=snapshot)
    threads.append(closing)
    run_all(threads, errors)
    closed = closing.closed
    assert set(statuses) <= {200, 409} and 409 in statuses, set(statuses)

    db.session.expire_all()
    assert set(db.session.scalars(
        select(Comment.id).where(Comment.round_id == round_id))) == closed["comments"]
    for group in ("department", "month"):
        assert participants.tallies(by=group) == distinct_participants(group), group
