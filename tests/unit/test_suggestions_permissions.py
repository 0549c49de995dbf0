"""Every suggestion rule for every kind of user (the authorization matrix)."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from consult.db import atomic, db
from consult.security.permissions import check
from consult.suggestions.models import Suggestion, Visibility
from tests.factories import DepartmentFactory, UserFactory, make_suggestion, with_roles

RULES = ["suggestion.submit", "suggestion.view", "suggestion.support", "suggestion.comment",
         "suggestion.rate", "suggestion.answer", "suggestion.route", "suggestion.manage",
         "suggestion.policy", "suggestion.answer_many"]

# who -> the rules they pass on a published suggestion of department A
EXPECTED = {
    "anonymous": {"suggestion.view"},
    "unverified": {"suggestion.view"},
    "suspended": {"suggestion.view"},
    "citizen": {"suggestion.submit", "suggestion.view", "suggestion.support",
                "suggestion.comment"},
    "author": {"suggestion.submit", "suggestion.view", "suggestion.support",
               "suggestion.comment", "suggestion.rate"},
    "official_a": {"suggestion.submit", "suggestion.view", "suggestion.support",
                   "suggestion.comment", "suggestion.answer", "suggestion.manage",
                   "suggestion.policy", "suggestion.answer_many"},
    "official_b": {"suggestion.submit", "suggestion.view", "suggestion.support",
                   "suggestion.comment", "suggestion.manage", "suggestion.answer_many"},
    "admin": {"suggestion.submit", "suggestion.view", "suggestion.support",
              "suggestion.comment", "suggestion.route", "suggestion.manage",
              "suggestion.policy"},
}


@pytest.fixture
def world(app):
    a, b = DepartmentFactory(), DepartmentFactory()
    author = UserFactory()
    users = {
        "anonymous": AnonymousUserMixin(),
        "unverified": UserFactory(unverified=True),
        "suspended": UserFactory(active=False),
        "citizen": UserFactory(),
        "author": author,
        "official_a": UserFactory(role="official", role__department=a),
        "official_b": UserFactory(role="official", role__department=b),
        "admin": UserFactory(role="admin"),
    }
    s = make_suggestion(author, a)
    return a, users, s


@pytest.mark.parametrize("who", list(EXPECTED))
def test_rule_matrix_on_a_published_suggestion(world, who):
    dept, users, s = world
    user = users[who]
    user = user if who == "anonymous" else with_roles(user)
    s = db.session.get(Suggestion, s.id)
    objects = {"suggestion.submit": None, "suggestion.manage": None,
               "suggestion.answer_many": None,
               "suggestion.policy": dept}
    passed = {name for name in RULES if check(user, name, objects.get(name, s))}
    assert passed == EXPECTED[who]


def test_hidden_suggestions_keep_their_page_and_held_ones_are_seen_by_few(world):
    """Hidden by a moderator: everyone reaches the page (which shows the public reason,
    never the text); nobody supports or comments. Held for review: its author,
    moderators and admins only (not even the department, which has not received it)."""
    dept, users, s = world
    users = dict(users, moderator=UserFactory(role="moderator"))
    with atomic():
        db.session.get(Suggestion, s.id).status = Visibility.HIDDEN
    s = db.session.get(Suggestion, s.id)

    def seeing():
        return {who for who, user in users.items()
                if check(user if who == "anonymous" else with_roles(user), "suggestion.view", s)}

    assert seeing() == set(users)
    assert not check(with_roles(users["citizen"]), "suggestion.support", s)
    assert not check(with_roles(users["citizen"]), "suggestion.comment", s)
    with atomic():
        db.session.get(Suggestion, s.id).status = Visibility.HELD
    s = db.session.get(Suggestion, s.id)
    assert seeing() == {"author", "moderator", "admin"}
    assert not check(with_roles(users["citizen"]), "suggestion.support", s)


def test_unrouted_suggestions_are_answered_by_nobody_until_routed(world):
    dept, users, _ = world
    s = make_suggestion(users["citizen"], None)
    s = db.session.get(Suggestion, s.id)
    assert not any(check(with_roles(u), "suggestion.answer", s)
                   for who, u in users.items() if who != "anonymous")
    assert check(with_roles(users["admin"]), "suggestion.route", s)
