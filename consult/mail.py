"""Outgoing e-mail, always sent after the transaction that caused it commits.

Flask-Mailman picks the backend: "console" prints the message to the server log
(development), "smtp" when MAIL_SERVER is set, "locmem" in tests (``mail.outbox``).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from functools import partial

from flask import (
    current_app,
    has_app_context,
    has_request_context,
    render_template,
    request,
)
from flask_babel import force_locale
from flask_mailman import EmailMessage

from consult.db import on_commit

log = logging.getLogger(__name__)


def _send(app, message: EmailMessage) -> None:
    # Runs inside the committing session's after_commit hook. Pushing a second app
    # context there would, when popped, remove that very session mid-commit.
    same_app = has_app_context() and current_app._get_current_object() is app
    with nullcontext() if same_app else app.app_context():
        try:
            message.send()
        except Exception:  # a mail server outage must not undo the user's action
            log.exception("sending mail to %s failed", message.to)


def send_mail(to: str, template: str, *, locale: str | None, **ctx) -> None:
    """Render ``<template>.txt`` (first line is the subject) in the recipient's language
    and queue it for after commit. Nothing is sent while MAIL_SUPPRESS is set."""
    if current_app.config.get("MAIL_SUPPRESS"):
        return
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, _, body = render_template(f"{template}.txt", **ctx).strip().partition("\n")
    message = EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to])
    on_commit(partial(_send, current_app._get_current_object(), message))


def absolute_url(path: str) -> str:
    """An absolute link for e-mails: the ``SITE_URL`` setting (never the request's Host
    header, which a client chooses), else the request's host, else ``SERVER_NAME``."""
    base = current_app.config.get("SITE_URL")
    if not base and has_request_context():
        base = request.host_url
    if not base and current_app.config.get("SERVER_NAME"):
        scheme = current_app.config.get("PREFERRED_URL_SCHEME", "http")
        base = f"{scheme}://{current_app.config['SERVER_NAME']}"
    return (base or "").rstrip("/") + path
