"""When an account is deleted and its owner asks, their opinions in rounds that are
still open are withdrawn first (receiver of ``signals.account_deleting``)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from consult import audit
from consult.accounts.models import User
from consult.clock import now
from consult.db import db
from consult.errors import ServiceError
from consult.participation.models import Comment, ContentStatus, Question
from consult.participation.services.comments import withdraw_comment
from consult.rounds import lifecycle
from consult.rounds.models import Round

ROW_LIMIT = 10_000  # a bound on one deletion, far above any real user


def withdraw_open_content(user: User, *, remove_open_content: bool = False,
                          **_ignored) -> dict[str, int]:
    """Withdraw the user's published comments and unanswered questions in open rounds;
    returns how many of each."""
    counts = {"comments": 0, "questions": 0}
    if not remove_open_content:
        return counts
    comments = db.session.scalars(
        select(Comment).join(Round, Round.id == Comment.round_id)
        .where(Comment.author_id == user.id, Comment.status == ContentStatus.PUBLISHED,
               lifecycle.state_sql() == "open")
        .options(contains_eager(Comment.round).joinedload(Round.consultation))
        .limit(ROW_LIMIT)).all()
    for comment in comments:
        try:
            with db.session.begin_nested():
                withdraw_comment(user, comment)
            counts["comments"] += 1
        except ServiceError:
            pass  # no longer withdrawable (e.g. the round closed meanwhile): it stays
    questions = db.session.scalars(
        select(Question).join(Round, Round.id == Question.round_id)
        .where(Question.author_id == user.id, Question.status == ContentStatus.PUBLISHED,
               Question.answered_at.is_(None), lifecycle.state_sql() == "open")
        .limit(ROW_LIMIT)).all()
    for question in questions:
        question.status, question.withdrawn_at = ContentStatus.WITHDRAWN, now()
        db.session.execute(update(Round).where(Round.id == question.round_id)
                           .values(question_count=Round.question_count - 1))
        audit.record(user, "question.withdraw", question)
        counts["questions"] += 1
    return counts
