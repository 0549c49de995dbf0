"""The voting demo seed: poll questions and ballots on open and past vote rounds, counters
that match a recount, the first-time demo citizen left to vote, and idempotence."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.db import atomic
from consult.extensions import db
from consult.questionnaires.models import (
    AnswerChoice,
    Purpose,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds.models import Round, RoundKind
from consult.voting import seed as voting_seed
from consult.voting.models import Ballot, VoteTally
from tests.factories import DepartmentFactory, RoundFactory, UserFactory


def test_seed_fills_vote_rounds_once(app, monkeypatch):
    monkeypatch.setattr("consult.accounts.services.generate_password_hash",
                        lambda password, method=None: "fast-hash-for-tests")
    dept = DepartmentFactory()
    UserFactory(role="official", role__department=dept)
    UserFactory(email="citizen@example.org")
    open_ = RoundFactory(kind=RoundKind.BOTH, version__consultation__department=dept)
    closed = RoundFactory(kind=RoundKind.VOTE, closed=True,
                          version__consultation__department=dept)
    comments = RoundFactory(kind=RoundKind.COMMENTS, version__consultation__department=dept)
    ids = (open_.id, closed.id, comments.id)
    with atomic():
        voting_seed.seed()
    db.session.expire_all()

    def snapshot():
        return (db.session.scalar(select(func.count(Ballot.id))),
                db.session.scalar(select(func.count(QuestionnaireQuestion.id))),
                db.session.scalar(select(func.count(User.id))))

    first = snapshot()
    for round_id in ids[:2]:
        questions = db.session.scalar(
            select(func.count(QuestionnaireQuestion.id)).join(Questionnaire)
            .where(Questionnaire.round_id == round_id, Questionnaire.purpose == Purpose.POLL))
        assert questions in (2, 3)
        ballots = list(db.session.scalars(select(Ballot).where(Ballot.round_id == round_id)))
        assert len(ballots) >= 15  # a realistic crowd, not a token vote
        assert db.session.get(Round, round_id).ballot_count == len(ballots)
        tally = db.session.get(VoteTally, round_id)
        recount = Counter(b.stance for b in ballots)
        assert all(tally.count(s) == n for s, n in recount.items())
        assert sum(tally.count(s) for s in recount) == len(ballots)
        assert len({b.stance for b in ballots}) >= 3 and any(b.reason for b in ballots)
    chosen = Counter(db.session.scalars(select(AnswerChoice.option_id)
                                        .where(AnswerChoice.purpose == Purpose.POLL)))
    assert chosen and all(o.answer_count == chosen.get(o.id, 0)
                          for o in db.session.scalars(select(QuestionnaireOption)))
    first_timer = db.session.scalar(select(User.id).where(User.email == "citizen@example.org"))
    assert db.session.scalar(select(Ballot.id).where(
        Ballot.round_id == open_.id, Ballot.user_id == first_timer)) is None
    assert db.session.scalar(select(func.count(Ballot.id))
                             .where(Ballot.round_id == comments.id)) == 0
    past = list(db.session.scalars(select(Ballot).where(Ballot.round_id == closed.id)))
    round_ = db.session.get(Round, closed.id)
    assert all(round_.opens_at <= b.created_at <= round_.closes_at for b in past)

    with atomic():
        voting_seed.seed()
    db.session.expire_all()
    assert snapshot() == first
