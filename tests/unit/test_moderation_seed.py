"""The moderation demo seed: flags, a hidden comment with its appeal, a held post, a
suspended account, through the services; running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.db import atomic, db
from consult.moderation import seed as moderation_seed
from consult.moderation.models import Flag, ModerationCase, SensitiveTerm
from consult.participation import seed as participation_seed
from consult.participation.models import Comment, ContentStatus
from consult.rounds.models import Round, RoundKind
from tests.factories import DepartmentFactory, RoundFactory, UserFactory


def test_seed_shows_every_moderation_state_once(app, monkeypatch):
    monkeypatch.setattr("consult.accounts.services.generate_password_hash",
                        lambda password, method=None: "fast-hash-for-tests")
    dept = DepartmentFactory()
    UserFactory(role="official", role__department=dept)
    UserFactory(email="admin@example.org", role="admin")
    UserFactory(email="moderator@example.org", role="moderator")
    for email in ("citizen@example.org", "citizen2@example.org", "citizen3@example.org"):
        UserFactory(email=email)
    r = RoundFactory(kind=RoundKind.BOTH, version__consultation__department=dept,
                     version__clauses=3)
    with atomic():
        participation_seed.seed()
    with atomic():
        moderation_seed.seed()
    db.session.expire_all()

    def snapshot():
        return (db.session.scalar(select(func.count(Flag.id))),
                db.session.scalar(select(func.count(ModerationCase.id))),
                db.session.scalar(select(func.count(SensitiveTerm.id))),
                db.session.scalar(select(func.count(Comment.id))))

    first = snapshot()
    assert first[0] >= 4 and first[2] == 2
    hidden = db.session.scalars(select(Comment).where(
        Comment.status == ContentStatus.HIDDEN)).all()
    assert len(hidden) == 1 and hidden[0].moderation_reason
    held = db.session.scalars(select(Comment).where(Comment.status == ContentStatus.HELD)).all()
    assert len(held) == 1
    assert db.session.scalar(select(func.count(ModerationCase.id)).where(
        ModerationCase.appealed_at.is_not(None))) == 1
    assert [u.email for u in db.session.scalars(select(User)) if u.is_suspended] == [
        "resident6@example.org"]
    # Counters count what the public can read.
    visible = db.session.scalar(select(func.count(Comment.id)).where(
        Comment.round_id == r.id, Comment.status == ContentStatus.PUBLISHED))
    assert db.session.get(Round, r.id).comment_count == visible

    with atomic():
        moderation_seed.seed()
    db.session.expire_all()
    assert snapshot() == first
