"""EXPLAIN the hot queries on a data set big enough for the planner: each must reach the
big tables through an index (no Seq Scan on comment, ballot, notification, ...).

The statements are the ones the services really run (captured from the engine), explained
with their own parameters, so a changed query or a dropped index fails here.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select, text

from bench.data import generate, viral_round_id
from consult.accounts.models import User
from consult.clock import now
from consult.extensions import db
from consult.notifications.models import Notification
from consult.participation import tallies as comment_tallies
from consult.participation.models import Comment
from consult.rounds.models import Round

pytestmark = pytest.mark.pg

BIG = {"comment", "ballot", "notification", "survey_answer", "round_participant",
       "comment_support", "user"}


def _fill() -> None:
    generate("small")
    rnd = random.Random(7)
    pw = db.session.scalar(select(User.password_hash).limit(1))
    db.session.execute(insert(User), [
        {"email": f"more{i}@example.org", "display_name": f"用户{i}", "password_hash": pw}
        for i in range(30_000)])
    users = db.session.scalars(select(User.id)).all()
    rounds = db.session.scalars(select(Round.id)).all()
    at = now() - timedelta(days=30)
    # Comments of many other rounds (the viral round is one among many), notifications.
    db.session.execute(insert(Comment), [
        {"round_id": rnd.choice(rounds), "author_id": rnd.choice(users), "body": "意见" * 20,
         "depth": 0, "status": "published", "created_at": at + timedelta(seconds=i)}
        for i in range(30_000)])
    db.session.execute(insert(Notification), [
        {"user_id": rnd.choice(users), "kind": "reply", "link": "/", "data": {},
         "created_at": at + timedelta(seconds=i)} for i in range(30_000)])
    comment_tallies.rebuild(db.session())  # (the comments were written around the ORM)
    db.session.commit()
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _captured(fn) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
        db.session.rollback()
    return seen


def _scans(plan: dict) -> list[tuple[str, str]]:
    found = [(plan["Node Type"], plan.get("Relation Name", ""))]
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def _seq_scans_on_big_tables(statements) -> list[str]:
    bad = []
    raw = db.session.connection().connection.driver_connection
    for statement, parameters in statements:
        with raw.cursor() as cur:
            cur.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            plan = cur.fetchone()[0]
            plan = plan[0]["Plan"] if not isinstance(plan, str) else json.loads(plan)[0]["Plan"]
        for node, relation in _scans(plan):
            if node == "Seq Scan" and relation in BIG:
                bad.append(f"Seq Scan on {relation}: {statement} {parameters} "
                           f"{json.dumps(plan)[:3000]}")
    return bad


@pytest.mark.many_rows
def test_hot_queries_use_indexes(app):
    _fill()
    from consult.notifications.services import list_notifications
    from consult.participation.services import list_comments
    from consult.rounds.listing import search_consultations
    from consult.voting.services import get_ballot

    rid = viral_round_id()
    viewer = db.session.scalar(select(User).order_by(User.id.desc()).limit(1))
    round_ = db.session.get(Round, rid)
    hot = {
        "comments newest": lambda: list_comments(viewer, round_, sort="newest", page=3),
        "comments supported": lambda: list_comments(viewer, round_, sort="supported"),
        "comments newest, page by key": lambda: list_comments(
            viewer, round_, sort="newest", page=2, cursor=list_comments(
                viewer, round_, sort="newest").page.next_cursor),
        "comments supported, page by key": lambda: list_comments(
            viewer, round_, sort="supported", page=2, cursor=list_comments(
                viewer, round_, sort="supported").page.next_cursor),
        "ballot of a user": lambda: get_ballot(viewer, round_),
        "consultations open": lambda: search_consultations(state="open"),
        "notifications": lambda: list_notifications(viewer),
    }
    problems = []
    for name, fn in hot.items():
        statements = _captured(fn)
        assert statements, name
        problems += [f"{name}: {p}" for p in _seq_scans_on_big_tables(statements)]
        db.session.rollback()
    assert problems == []
