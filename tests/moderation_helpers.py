"""Shared helpers of the moderation tests: a round with people in every role, and posts
made through the participation services (so counters and holds are the real ones)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from consult.db import atomic, db
from consult.moderation import services as moderation
from consult.moderation.models import SensitiveTerm
from consult.participation import services as participation
from consult.participation.models import Answer, Comment, Question
from consult.rounds.models import Round
from consult.rounds.services import get_round
from tests.factories import ConsultationFactory, DepartmentFactory, RoundFactory, UserFactory

ROLES = ("visitor", "citizen", "official", "moderator", "admin", "suspended")


@dataclass
class World:
    round_id: int
    author_id: int
    citizen_id: int
    official_id: int
    moderator_id: int
    admin_id: int
    suspended_id: int

    def user(self, role: str):
        from consult.accounts.models import User
        if role == "visitor":
            return None
        ident = {"citizen": self.citizen_id, "official": self.official_id,
                 "moderator": self.moderator_id, "admin": self.admin_id,
                 "suspended": self.suspended_id, "author": self.author_id}[role]
        return db.session.get(User, ident)

    def round(self) -> Round:
        return get_round(self.user("author"), self.round_id)


def make_world() -> World:
    dept = DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    r = RoundFactory(version__consultation=consultation, version__clauses=2)
    author = UserFactory(display_name="作者甲")
    citizen = UserFactory(display_name="市民乙")
    official = UserFactory(role="official", role__department=dept)
    moderator = UserFactory(role="moderator", display_name="审核员")
    admin = UserFactory(role="admin")
    suspended = UserFactory(display_name="被暂停者")
    world = World(r.id, author.id, citizen.id, official.id, moderator.id, admin.id,
                  suspended.id)
    with atomic():
        moderation.suspend_user(world.user("moderator"), world.user("suspended"), days=7,
                                reason="多次发布广告")
    return world


def post_comment(world: World, body: str, *, author: str = "author",
                 parent_id: int | None = None) -> Comment:
    with atomic():
        c = participation.post_comment(world.user(author), world.round(), body=body,
                                       parent_id=parent_id)
    return db.session.get(Comment, c.id)


def ask_question(world: World, body: str, *, author: str = "author") -> Question:
    with atomic():
        q = participation.ask_question(world.user(author), world.round(), body=body)
    return db.session.get(Question, q.id)


def answer(world: World, question_id: int, body: str) -> Answer:
    with atomic():
        q = participation.get_question(world.user("official"), question_id)
        a = participation.answer_question(world.user("official"), q, body=body)
    return db.session.get(Answer, a.id)


def add_word(word: str, *, is_pattern: bool = False) -> None:
    with atomic():
        db.session.add(SensitiveTerm(pattern=word, is_pattern=is_pattern))


def item(kind: str, item_id: int, actor_role: str = "moderator", world: World | None = None):
    db.session.expire_all()
    actor = world.user(actor_role) if world else None
    return moderation.get_item(actor, kind, item_id)


# Fixtures of the moderation tests (registered for every test by tests/conftest.py).

@pytest.fixture
def english_request(app):
    """Service tests run inside an English request (messages read in English)."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def world(app):
    """Inside the test's own request when it has one (service tests), else a short one."""
    from flask import has_request_context

    if has_request_context():
        return make_world()
    with app.test_request_context("/"):
        return make_world()
