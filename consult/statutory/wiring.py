"""How the statutory record joins the app: its downloads, and what its cached documents
show beyond what the other domains register with the page cache (a theme's name and
reply appear in the adoption statement)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from consult import pagecache
from consult.responses.models import Theme
from consult.statutory.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    pagecache.shown_on_rounds(Theme, own_round)


def own_round(session: Session, obj):
    return (obj.round_id,)
