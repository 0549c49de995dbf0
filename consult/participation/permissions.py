"""Who may take part. "When" (the round must be open) is the lifecycle's business."""

from __future__ import annotations

from consult.security.permissions import can_act, is_authenticated, is_official_of, rule


def is_participant(user) -> bool:
    """A logged-in, active user with a verified e-mail address, not suspended."""
    return can_act(user) and bool(getattr(user, "is_verified", False))


@rule("comment.post")
def _comment_post(user, round_=None) -> bool:
    return is_participant(user)


@rule("comment.support")
def _comment_support(user, comment=None) -> bool:
    return is_participant(user)


@rule("comment.edit")
def _comment_edit(user, comment=None) -> bool:
    return is_participant(user) and comment is not None and comment.author_id == user.id


@rule("comment.withdraw")
def _comment_withdraw(user, comment=None) -> bool:
    return is_authenticated(user) and comment is not None and comment.author_id == user.id


@rule("question.ask")
def _question_ask(user, round_=None) -> bool:
    return is_participant(user)


@rule("question.support")
def _question_support(user, question=None) -> bool:
    return is_participant(user)


@rule("question.answer")
def _question_answer(user, question=None) -> bool:
    """Officials of the department that owns the consultation, and no one else."""
    return question is not None and is_official_of(user, question.department_id)


@rule("question.inbox")
def _question_inbox(user, obj=None) -> bool:
    return is_authenticated(user) and bool(user.official_department_ids)
