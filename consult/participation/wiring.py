"""How the participation domain joins the app: its pages, what it does when an account is
deleted, what of it the page cache shows (comments, questions, answers, authors), and the
counts of each round's comments kept at each commit."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from consult import pagecache, signals
from consult.accounts.models import User
from consult.participation import tallies
from consult.participation.models import Answer, Comment, Question
from consult.participation.services.erasure import withdraw_open_content
from consult.participation.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.account_deleting.connect(withdraw_open_content)
    pagecache.shown_on_rounds(Comment, own_round)
    pagecache.shown_on_rounds(Question, own_round)
    pagecache.shown_on_rounds(Answer, answer_round)
    pagecache.shown_on_rounds(User, author_rounds)
    # The counts of each round's comments move with the comments (tallies); registered
    # after the page cache's, so they move after the rounds' versions at commit.
    for name, listener in (("before_flush", tallies.before_flush),
                           ("after_flush", tallies.after_flush),
                           ("before_commit", tallies.before_commit),
                           ("after_soft_rollback", tallies.after_soft_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def own_round(session: Session, obj):
    return (obj.round_id,)


def answer_round(session: Session, obj: Answer):
    with session.no_autoflush:
        return (session.scalar(select(Question.round_id).where(Question.id == obj.question_id)),)


def author_rounds(session: Session, obj: User):
    """A renamed (or erased) user: the rounds where their name is shown."""
    if obj in session.new or not inspect(obj).attrs.display_name.history.has_changes():
        return ()
    with session.no_autoflush:
        return session.scalars(
            select(Comment.round_id).where(Comment.author_id == obj.id)
            .union(select(Question.round_id).where(Question.author_id == obj.id))).all()
