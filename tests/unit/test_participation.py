"""Participation services called directly: rules per role, counters, events, races."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult import signals
from consult.accounts.models import Department
from consult.consultations.models import Consultation
from consult.db import atomic
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.extensions import db
from consult.participation import services
from consult.participation.models import Comment, CommentSupport
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.security.permissions import check
from tests.factories import DepartmentFactory, RoundFactory, UserFactory, comment


class Anonymous:
    is_authenticated = False
    is_active = False
    id = None


def load(round_id, user=None):
    return get_round(user, round_id)


def test_rules_per_role(rnd):
    dept = db.session.get(
        Department, db.session.get(Consultation, rnd.consultation_id).department_id)
    citizen = UserFactory()
    unverified = UserFactory(unverified=True)
    suspended = UserFactory(active=False)
    official = UserFactory(role="official", role__department=dept)
    other = UserFactory(role="official", role__department=DepartmentFactory())
    with atomic():
        q = services.ask_question(citizen, load(rnd.id), body="问")
    q = services.get_question(citizen, q.id)
    expect = {
        "comment.post": (False, True, False, False, True, True),
        "question.ask": (False, True, False, False, True, True),
        "question.answer": (False, False, False, False, True, False),
        "question.inbox": (False, False, False, False, True, True),
    }
    users = (Anonymous(), citizen, unverified, suspended, official, other)
    for name, wanted in expect.items():
        got = tuple(check(u, name, q if name == "question.answer" else rnd) for u in users)
        assert got == wanted, name


def test_counters_stay_consistent_through_post_reply_withdraw(rnd):
    a, b = UserFactory(), UserFactory()
    with atomic():
        top = services.post_comment(a, load(rnd.id), body="顶层")
    with atomic():
        reply = services.post_comment(b, load(rnd.id), body="回复", parent_id=top.id)
    with atomic():
        services.withdraw_comment(b, services.get_comment(b, reply.id))
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).comment_count == 1
    assert db.session.get(Comment, top.id).reply_count == 0
    assert db.session.get(Round, rnd.id).participant_count == 2


def test_support_race_conflict_leaves_count_right(rnd):
    a, b = UserFactory(), UserFactory()
    with atomic():
        c = services.post_comment(a, load(rnd.id), body="x")
    with atomic():
        services.set_comment_support(b, services.get_comment(b, c.id), supported=True)
    # a second request that passed its checks before the first committed: the primary
    # key turns it into a Conflict, and the count is not bumped again
    with pytest.raises(Conflict):
        with atomic():
            services.set_comment_support(b, services.get_comment(b, c.id), supported=True)
    db.session.expire_all()
    assert db.session.get(Comment, c.id).support_count == 1
    assert len(db.session.scalars(select(CommentSupport)).all()) == 1


def test_service_errors_have_fields_and_statuses(rnd):
    a = UserFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.post_comment(a, load(rnd.id), body=" ")
    assert exc.value.field == "body" and exc.value.status == 422
    with pytest.raises(ValidationFailed) as exc:
        services.post_comment(a, load(rnd.id), body="x", clause_id=999999)
    assert exc.value.field == "clause_id"
    with pytest.raises(PermissionDenied):
        services.post_comment(UserFactory(unverified=True), load(rnd.id), body="x")
    closed = RoundFactory(closed=True)
    with pytest.raises(InvalidState):
        services.post_comment(a, load(closed.id), body="x")


def test_a_reply_to_someone_else_is_told_to_the_domains_above(rnd):
    """Participation sends ``signals.comment_replied`` (notifications receives it) for a
    published reply to another author's comment, never for a reply to oneself."""
    calls = []

    def receiver(comment, *, parent, **_):
        calls.append((comment.id, parent.author_id))

    a, b = UserFactory(), UserFactory()
    with signals.comment_replied.connected_to(receiver):
        with atomic():
            top = services.post_comment(a, load(rnd.id), body="x")
            services.post_comment(a, load(rnd.id), body="self", parent_id=top.id)
            reply = services.post_comment(b, load(rnd.id), body="y", parent_id=top.id)
    assert calls == [(reply.id, a.id)]


def test_withdrawn_comment_exposes_no_text():
    c = Comment(body="秘密", proposed_text="秘密改写")
    from consult.participation.models import ContentStatus
    c.status = ContentStatus.WITHDRAWN
    assert c.public_body is None and c.public_proposed_text is None


def test_top_proposals_per_clause_by_support(rnd, count_queries):
    from consult.consultations.models import Clause
    clauses = list(db.session.scalars(select(Clause).where(Clause.version_id == rnd.version_id)
                                      .order_by(Clause.position)))
    u = UserFactory()
    for clause, supports in ((clauses[0], (5, 1, 9, 3)), (clauses[1], (2,))):
        for n in supports:
            comment(rnd, u, clause_id=clause.id, body="b", proposed=f"wording {n}", supports=n)
    comment(rnd, u, clause_id=clauses[0].id, body="b", proposed="gone", supports=99,
            withdrawn=True)
    comment(rnd, u, clause_id=clauses[0].id, body="no wording", supports=50)
    round_ = load(rnd.id)
    first, second = clauses[0].id, clauses[1].id
    with count_queries() as queries:
        top = services.top_proposals(round_, per_clause=3)
        texts = {cid: [c.proposed_text for c in cs] for cid, cs in top.items()}
        assert [c.author.display_name for c in top[first]]
    assert texts == {first: ["wording 9", "wording 5", "wording 3"], second: ["wording 2"]}
    assert len(queries) <= 3, "\n".join(queries)
