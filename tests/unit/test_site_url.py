"""Absolute links in e-mails come from SITE_URL: outside requests (``flask rounds tick``)
and inside them, whatever Host header the client sent."""

from __future__ import annotations

from consult.config import Config
from consult.db import atomic
from consult.mail import absolute_url
from consult.notifications import services as notifications
from consult.notifications.models import NotificationKind
from tests.factories import UserFactory


def test_default_site_url_is_the_development_server():
    assert Config.SITE_URL == "http://127.0.0.1:5000"


def test_notification_mail_outside_a_request_uses_site_url(app, outbox):
    app.config["SITE_URL"] = "https://consult.example.gov/"
    user = UserFactory(locale="en")
    with atomic():
        notifications.notify([user.id], NotificationKind.REPLY, link="/rounds/3/comments#c-1",
                             actor_name="王五", consultation_title="养老办法", excerpt="同意")
    assert "https://consult.example.gov/rounds/3/comments#c-1" in outbox[0].body
    assert "https://consult.example.gov/me/notifications#settings" in outbox[0].body


def test_site_url_falls_back_to_request_then_server_name(app):
    app.config["SITE_URL"] = ""
    assert absolute_url("/x") == "http://localhost/x"  # SERVER_NAME
    with app.test_request_context("/", base_url="http://example.net"):
        assert absolute_url("/x") == "http://example.net/x"


def test_reset_mail_ignores_a_forged_host_header(app, client, outbox):
    app.config["SITE_URL"] = "https://consult.example.gov"
    user = UserFactory(email="mei@example.org")
    app.config["SERVER_NAME"] = None  # answer any Host, as behind a permissive proxy
    response = client.post("/auth/reset", data={"email": user.email},
                           base_url="http://evil.example")
    assert response.status_code < 400 and len(outbox) == 1
    for message in outbox:
        assert "https://consult.example.gov/auth/reset/" in message.body
        assert "evil.example" not in message.body
