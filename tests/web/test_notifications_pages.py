"""/me/notifications: own notifications only, marking read, e-mail settings, budgets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from consult.accounts.models import User
from consult.clock import now
from consult.db import atomic
from consult.extensions import db
from consult.notifications import services
from consult.notifications.models import Notification, NotificationKind
from tests.factories import UserFactory

HX = {"HX-Request": "true"}


def unread(user) -> int:
    return db.session.scalar(select(User.unread_notifications).where(User.id == user.id))


def give(user, n: int = 1, *, kind=NotificationKind.REPLY) -> list[int]:
    with atomic():
        for i in range(n):
            services.notify([user.id], kind, link=f"/rounds/1/comments#comment-{i}",
                            consultation_title="养老服务办法", actor_name="李四",
                            excerpt=f"第{i}条回复")
    return list(db.session.scalars(select(Notification.id).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_login_required(client):
    response = client.get("/me/notifications")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post("/me/notifications/read-all").status_code == 302


def test_list_shows_unread_and_badge(client, login_as):
    user = login_as(UserFactory(locale="en"))
    give(user, 3)
    html = client.get("/me/notifications").get_data(as_text=True)
    assert html.count("notification--unread") == 3
    assert "李四 replied to your comment on “养老服务办法”." in html
    assert "第2条回复" in html
    assert '<span class="badge" aria-hidden="true">3</span>' in html
    assert "(3 unread)" in html
    assert "3 unread notifications" in html


def test_page_past_the_end_says_so(client, login_as):
    user = login_as(UserFactory(locale="en"))
    give(user, 1)
    html = client.get("/me/notifications?page=9").get_data(as_text=True)
    assert "There are no notifications on this page." in html
    assert "No notifications yet." not in html


def test_empty_state_teaches(client, login_as):
    login_as(UserFactory(locale="en"))
    html = client.get("/me/notifications").get_data(as_text=True)
    assert "No notifications yet." in html and 'href="/consultations/"' in html
    assert 'class="badge"' not in html


def test_open_marks_read_and_redirects_to_the_link(client, login_as):
    user = login_as(UserFactory(locale="en"))
    first, second = give(user, 2)
    response = client.post(f"/me/notifications/{first}/open")
    assert response.status_code == 303
    assert response.headers["Location"] == "/rounds/1/comments#comment-0"
    assert unread(user) == 1
    client.post(f"/me/notifications/{first}/open")  # again: nothing changes
    assert unread(user) == 1
    assert db.session.get(Notification, first).read_at is not None
    assert db.session.get(Notification, second).read_at is None


def test_someone_elses_notification_is_404(client, login_as):
    owner = UserFactory(locale="en")
    [theirs] = give(owner)
    login_as(UserFactory(locale="en"))
    assert client.post(f"/me/notifications/{theirs}/open").status_code == 404
    assert client.post("/me/notifications/99999/open").status_code == 404
    assert unread(owner) == 1


def test_open_link_cannot_redirect_off_site(client, login_as):
    user = login_as(UserFactory(locale="en"))
    with atomic():
        services.notify([user.id], NotificationKind.REPLY, link="//evil.example/x")
    [n] = db.session.scalars(select(Notification.id))
    assert client.post(f"/me/notifications/{n}/open").headers["Location"] == "/me/notifications"


def test_mark_all_read_without_js_and_with_htmx(client, login_as):
    user = login_as(UserFactory(locale="en"))
    give(user, 2)
    response = client.post("/me/notifications/read-all")
    assert response.status_code == 303 and response.headers["Location"] == "/me/notifications"
    assert unread(user) == 0
    give(user, 1)
    response = client.post("/me/notifications/read-all", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="notification-list"' in html and "notification--unread" not in html
    assert "All notifications are marked as read." in html
    assert 'id="nav-notifications" class="nav-notifications" hx-swap-oob="true"' in html
    assert 'class="badge"' not in html  # the header badge is cleared out of band
    assert unread(user) == 0


def test_email_settings_form(client, login_as, outbox):
    user = login_as(UserFactory(locale="en"))
    html = client.get("/me/notifications").get_data(as_text=True)
    assert re.search(r'checked[^>]*value="reply"', html)
    assert not re.search(r'checked[^>]*value="round_opened"', html)
    response = client.post("/me/notifications/settings", data={"email_kinds": ["round_opened"]})
    assert response.status_code == 303
    prefs = services.email_preferences(user)
    assert prefs[NotificationKind.ROUND_OPENED] and not prefs[NotificationKind.REPLY]
    give(user, 1)
    assert outbox == []  # replies no longer mailed
    response = client.post("/me/notifications/settings", data={"email_kinds": ["nonsense"]})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)
    assert services.email_preferences(user)[NotificationKind.ROUND_OPENED] is True


def _many(user, n: int) -> None:
    stamp = now()
    db.session.execute(insert(Notification), [
        {"user_id": user.id, "kind": "reply", "link": "/rounds/1", "created_at":
         stamp - timedelta(minutes=i), "read_at": stamp if i % 3 else None,
         "data": {"consultation_title": f"办法{i}", "actor_name": "王五", "excerpt": "好"}}
        for i in range(n)])
    db.session.execute(User.__table__.update().where(User.id == user.id)
                       .values(unread_notifications=len(range(0, n, 3))))
    db.session.commit()


@pytest.mark.parametrize("page", ["/me/notifications", "/me/notifications?page=2"])
def test_query_budget_is_constant(client, login_as, count_queries, page):
    small, big = UserFactory(locale="en"), UserFactory(locale="en")
    _many(small, 5)
    _many(big, 500)
    counts = []
    for user in (small, big):
        login_as(user)
        with count_queries() as seen:
            response = client.get(page)
        assert response.status_code == 200
        counts.append(list(seen))
    assert len(counts[0]) == len(counts[1]) <= 8, "\n".join(counts[1])


def test_me_page_budget_with_follows(client, login_as, count_queries):
    from tests.factories import ConsultationFactory

    user = login_as(UserFactory(locale="en"))
    sizes = []
    for n in (1, 15):
        for _ in range(n):
            c = ConsultationFactory()
            client.post(f"/consultations/{c.id}/follow")
        with count_queries() as seen:
            assert client.get("/me/").status_code == 200
        sizes.append(len(seen))
    assert sizes[0] == sizes[1], sizes
    assert user.id
