"""The participation demo seed: idempotent, and every counter equals what it counts."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import Department
from consult.consultations.models import Consultation
from consult.db import atomic
from consult.extensions import db
from consult.participation import seed as participation_seed
from consult.participation.models import (
    VISIBLE,
    Answer,
    Comment,
    CommentSupport,
    Question,
    QuestionSupport,
)
from consult.rounds.models import Round, RoundKind, RoundParticipant
from tests.factories import RoundFactory, UserFactory


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def test_seed_fills_open_and_closed_rounds_consistently_and_once(app):
    open_round = RoundFactory()
    closed_round = RoundFactory(closed=True)
    vote_only = RoundFactory(kind=RoundKind.VOTE)
    scheduled = RoundFactory(scheduled=True)
    for r in (open_round, closed_round):
        department = db.session.get(
            Department, db.session.get(Consultation, r.consultation_id).department_id)
        UserFactory(role="official", role__department=department)
    with atomic():
        participation_seed.seed()
    before = _count(select(Comment.id)), _count(select(Question.id))
    with atomic():
        participation_seed.seed()
    assert (_count(select(Comment.id)), _count(select(Question.id))) == before

    for r_id in (open_round.id, closed_round.id):
        r = db.session.get(Round, r_id)
        visible = _count(select(Comment.id).where(Comment.round_id == r_id,
                                                  Comment.status.in_(VISIBLE)))
        assert r.comment_count == visible > 5
        assert r.question_count == _count(select(Question.id).where(Question.round_id == r_id))
        assert r.participant_count == _count(
            select(RoundParticipant.user_id).where(RoundParticipant.round_id == r_id))
        answered = _count(select(Question.id).where(Question.round_id == r_id,
                                                    Question.answered_at.is_not(None)))
        assert 0 < answered < r.question_count
        assert answered == _count(select(Answer.id).join(Question).where(
            Question.round_id == r_id))
    for c in db.session.scalars(select(Comment)):
        assert c.support_count == _count(select(CommentSupport.user_id)
                                         .where(CommentSupport.comment_id == c.id))
        assert c.reply_count == _count(select(Comment.id).where(Comment.parent_id == c.id))
        assert c.author_id not in set(db.session.scalars(
            select(CommentSupport.user_id).where(CommentSupport.comment_id == c.id)))
    for q in db.session.scalars(select(Question)):
        assert q.support_count == _count(select(QuestionSupport.user_id)
                                         .where(QuestionSupport.question_id == q.id))
    assert _count(select(Comment.id).where(Comment.proposed_text.is_not(None))) > 0
    assert _count(select(Comment.id).where(Comment.parent_id.is_not(None))) > 0
    for untouched in (vote_only, scheduled):
        assert _count(select(Comment.id).where(Comment.round_id == untouched.id)) == 0
