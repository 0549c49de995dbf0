"""How the rectification domain joins the app: its pages and command, a case opened by
every bad rating (``survey_answered``), and escalation after every ``flask rounds tick``."""

from __future__ import annotations

from flask import Flask

from consult import signals
from consult.rectification.cli import escalate_now, rectification_cli
from consult.rectification.services import count_rating, open_case, suggestion_rated
from consult.rectification.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(rectification_cli)
    signals.survey_answered.connect(rating_given)
    signals.suggestion_rated.connect(suggestion_rating_given)
    signals.rounds_ticked.connect(escalate_after_tick)


def rating_given(answer, *, round_, first=False, **_signal) -> None:
    """A new rating counts in the department's 差评率; a bad rating opens a case for the
    department (once per rating)."""
    count_rating(answer, round_, first=first)
    open_case(answer, round_)


def suggestion_rating_given(rating, *, suggestion, first=False, **_signal) -> None:
    """A rating of a suggestion's answer counts; a bad one opens a case likewise."""
    suggestion_rated(rating, suggestion, first=first)


def escalate_after_tick(_sender, **_ignored) -> str:
    return escalate_now()
