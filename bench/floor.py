"""What the bench serves beside consult (``bench/wsgi.py``): the floors, bare Flask +
SQLAlchemy routes that do only what a correct page or vote must, and an ``X-Queries``
response header with the statements each request issued."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
)
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.db import upsert_insert
from consult.extensions import db
from consult.participation.models import Comment
from consult.voting.models import Ballot, Stance, VoteTally

FLOOR_TEMPLATE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>{{ round_id }}</title><main><p>{{ total }}</p><ol>{% for c in comments %}
<li id="comment-{{ c.id }}"><b>{{ c.author.display_name }}</b> <time>{{ c.created_at }}</time>
<p>{{ c.body }}</p>{% if c.proposed_text %}<blockquote>{{ c.proposed_text }}</blockquote>{% endif %}
<span>{{ c.support_count }}</span><ol>{% for r in replies.get(c.id, []) %}
<li id="comment-{{ r.id }}"><b>{{ r.author.display_name }}</b><p>{{ r.body }}</p></li>
{% endfor %}</ol></li>{% endfor %}</ol></main></html>"""


def _render_floor(**context) -> str:
    """The floor's page as Flask renders any page (the app's context processors included),
    from a template compiled once per app, as consult's templates are: not
    ``render_template_string``, which compiles its source again on every request and made
    the floor slower than a real page would be."""
    template = current_app.extensions.get("bench_floor_template")
    if template is None:
        template = current_app.jinja_env.from_string(FLOOR_TEMPLATE)
        current_app.extensions["bench_floor_template"] = template
    current_app.update_template_context(context)
    return template.render(context)


def floor_blueprint() -> Blueprint:
    """The P1 floor: the same rows as the first page of /rounds/<id>/comments, selected
    with bare SQLAlchemy and a minimal template; and the P2 floor (below)."""
    bp = Blueprint("bench_floor", __name__)

    @bp.get("/_bench/floor/rounds/<int:round_id>")
    def floor(round_id: int):
        base = select(Comment).where(Comment.round_id == round_id, Comment.parent_id.is_(None))
        total = db.session.scalar(select(func.count()).select_from(base.subquery()))
        comments = list(db.session.scalars(
            base.options(joinedload(Comment.author))
            .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(20)))
        replies: dict[int, list] = {}
        for reply in db.session.scalars(
                select(Comment).where(Comment.thread_id.in_([c.id for c in comments]),
                                      Comment.parent_id.is_not(None))
                .options(joinedload(Comment.author)).order_by(Comment.created_at)):
            replies.setdefault(reply.thread_id, []).append(reply)
        return _render_floor(round_id=round_id, total=total, comments=comments,
                             replies=replies)

    @bp.post("/_bench/floor/vote/<int:round_id>")
    def floor_vote(round_id: int):
        """The P2 floor: the least a correct vote does, in bare Flask and SQLAlchemy Core
        (no session, login, CSRF, form, lock on the round or participant record): read the
        voter, lock their ballot, insert or change it, move the tally, in one transaction."""
        try:
            user_id, stance = int(request.form["user_id"]), Stance(request.form["stance"])
        except (KeyError, ValueError):
            abort(400)
        if db.session.get(User, user_id) is None:
            abort(404)
        found = db.session.execute(
            select(Ballot.id, Ballot.stance).where(Ballot.round_id == round_id,
                                                   Ballot.user_id == user_id)
            .with_for_update()).one_or_none()
        at = datetime.now(UTC)
        if found is None:
            db.session.execute(upsert_insert(VoteTally).values(round_id=round_id)
                               .on_conflict_do_nothing(index_elements=["round_id"]))
            db.session.execute(upsert_insert(Ballot).values(
                round_id=round_id, user_id=user_id, stance=stance, created_at=at, updated_at=at))
            db.session.execute(update(VoteTally).where(VoteTally.round_id == round_id).values(
                {stance.value: getattr(VoteTally, stance.value) + 1}))
        elif found.stance != stance:
            db.session.execute(update(Ballot).where(Ballot.id == found.id)
                               .values(stance=stance, updated_at=at))
            db.session.execute(update(VoteTally).where(VoteTally.round_id == round_id).values(
                {stance.value: getattr(VoteTally, stance.value) + 1,
                 found.stance.value: getattr(VoteTally, found.stance.value) - 1}))
        db.session.commit()
        return redirect(f"/_bench/floor/vote/{round_id}", code=303)

    return bp


def count_queries(app) -> None:
    """An X-Queries response header (the bench's queries per request)."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            g.bench_queries = g.get("bench_queries", 0) + 1

    @app.after_request
    def _header(response):
        response.headers["X-Queries"] = str(g.get("bench_queries", 0))
        return response


