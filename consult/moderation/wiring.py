"""How the moderation domain joins the app: its pages, and the screening of everything
posted (a sensitive word holds a post for review)."""

from __future__ import annotations

from flask import Flask

from consult import signals
from consult.moderation.services import hold_if_sensitive
from consult.moderation.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.content_posted.connect(screen_posted)


def screen_posted(item, *, actor, **_ignored) -> bool:
    return hold_if_sensitive(actor, item)
