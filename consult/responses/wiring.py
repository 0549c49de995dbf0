"""How the responses domain joins the app: its pages, and what of it the page cache shows
(a response and the outcomes of triage appear on the round's lists)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from consult import pagecache
from consult.responses.models import RoundResponse, Triage
from consult.responses.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    pagecache.shown_on_rounds(RoundResponse, own_round)
    pagecache.shown_on_rounds(Triage, own_round)


def own_round(session: Session, obj):
    return (obj.round_id,)
