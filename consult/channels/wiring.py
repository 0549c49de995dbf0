"""How the channels domain joins the app: its pages, the receipt e-mailed when an
opinion is posted online, and what of it the page cache shows (recorded opinions appear
on the round's lists as comments, which participation already registers)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from consult import pagecache, signals
from consult.channels.models import Hearing
from consult.channels.services import mail_receipt
from consult.channels.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.opinion_received.connect(_mail_receipt)
    pagecache.shown_on_rounds(Hearing, own_round)


def _mail_receipt(comment, *, actor, **_extra) -> None:
    mail_receipt(comment, actor=actor)


def own_round(session: Session, obj):
    return (obj.round_id,)
