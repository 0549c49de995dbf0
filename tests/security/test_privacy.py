"""/me/data: download everything (JSON) and delete the account."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.audit.models import AuditEntry
from consult.extensions import db
from consult.participation.models import Comment, ContentStatus, Question
from consult.voting.models import Ballot
from tests.factories import PASSWORD


def test_page_and_export(client, login_as, world, count_queries):
    author = world.users["author"]
    login_as(author)
    assert client.get("/me/data").status_code == 200
    assert client.get("/me/data/export").status_code == 405  # no GET: the download is audited
    with count_queries() as seen:
        response = client.post("/me/data/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == author.email
    assert "password_hash" not in data["profile"]
    assert len(data["comment"]) == 2 and len(data["question"]) == 1
    assert len(data["ballot"]) == 1 and len(data["suggestion"]) == 1
    assert data["comment"][0]["body"]
    for key in ("profile", "roles", "comment", "question", "ballot", "suggestion"):
        assert key in data
    assert "password_hash" not in response.text
    print(f"\nexport: {len(data)} sections in {len(seen)} queries")
    queries = len(seen)
    # bounded: more content, same number of queries
    from consult.db import atomic
    from consult.participation.services.comments import post_comment
    from consult.rounds.models import Round
    from tests.security.world import fresh
    with atomic():
        for n in range(5):
            post_comment(fresh(author), db.session.get(Round, world.round.id), body=f"更多意见{n}号")
    with count_queries() as seen:
        client.post("/me/data/export")
    assert len(seen) == queries


def test_delete_keeps_content_as_deleted_user(client, login_as, world):
    author = world.users["author"]
    uid, email, name = author.id, author.email, author.display_name
    login_as(author)
    client.set_cookie("locale", "en")
    wrong = client.post("/me/data/delete", data={"content": "keep", "password": "nope"})
    assert wrong.status_code == 422 and "Your password is not right." in wrong.text
    response = client.post("/me/data/delete", data={"content": "keep", "password": PASSWORD})
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, uid)
    assert user.email != email and user.email.endswith(".invalid")
    from consult.accounts.privacy import deleted_name
    assert user.display_name == deleted_name()  # "Deleted user" in the default language
    assert not user.active and user.roles == []
    assert db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.author_id == uid, Comment.status == ContentStatus.PUBLISHED)) == 2
    assert db.session.scalar(select(func.count()).select_from(Ballot)
                             .where(Ballot.user_id == uid)) == 1
    # logged out: /me/ asks to log in
    assert client.get("/me/").status_code == 302
    # the audit log keeps the id, no address, no e-mail
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == uid)).all()
    assert any(e.action == "user.deleted" for e in entries)
    assert all(e.ip is None for e in entries)
    assert all(email not in json.dumps(e.data) for e in entries)
    # the old password no longer logs in
    login = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert login.status_code == 422
    # the round's page names the deleted user, not the old name
    page = client.get(f"/rounds/{world.round.id}/comments")
    assert name not in page.text and deleted_name() in page.text


def test_delete_can_withdraw_open_round_content(client, login_as, world):
    author = world.users["author"]
    login_as(author)
    response = client.post("/me/data/delete", data={"content": "remove", "password": PASSWORD})
    assert response.status_code == 303
    db.session.expire_all()
    statuses = db.session.scalars(select(Comment.status).where(
        Comment.author_id == author.id)).all()
    assert statuses and all(s == ContentStatus.WITHDRAWN for s in statuses)
    q = db.session.scalar(select(Question).where(Question.author_id == author.id))
    assert q.status == ContentStatus.WITHDRAWN
    from consult.rounds.models import Round
    r = db.session.get(Round, world.round.id)
    # only the letter the department recorded (tests/security/world.py) stays counted
    assert r.comment_count == 1 and r.question_count == 0
    print(f"\ndelete with remove: {len(statuses)} comments and 1 question withdrawn")


def test_visitor_cannot_reach_my_data(client):
    assert client.get("/me/data").status_code == 302
    assert client.post("/me/data/delete", data={"password": "x"}).status_code == 302


def test_export_holds_only_the_users_own_rows(client, login_as, world, capsys):
    """Every table naming a user: a row is exported only to its owner (issue 17); other
    people named in an exported row are left out. Another user's notification about
    something this user did is theirs, not this user's."""
    from consult.accounts.privacy import OWNER_COLUMNS, user_columns
    from consult.notifications.models import Notification, NotificationKind

    author, other = world.users["author"], world.users["citizen"]
    db.session.add(Notification(user_id=other.id, actor_id=author.id,
                                kind=NotificationKind.REPLY, link="/x", data={}))
    db.session.commit()
    login_as(author)
    data = json.loads(client.post("/me/data/export").data)
    people = {(t.name, c.name) for t, c in user_columns()}
    tables = {t.name: t for t, _c in user_columns()}
    checked = 0
    for key, items in data.items():
        name = key.split(".")[0]
        if name not in tables:
            continue
        table = tables[name]
        owner = next((n for n in OWNER_COLUMNS if n in table.c), None)
        for item in items:
            checked += 1
            if owner is not None:
                assert item[owner] == author.id, (key, item)
            others = {k: v for k, v in item.items() if (name, k) in people and v != author.id}
            assert not others, (key, others)
    assert "notification.actor_id" not in data
    with capsys.disabled():
        print(f"\npersonal export: {len(people)} user columns walked, {checked} rows, "
              "all the user's own")
