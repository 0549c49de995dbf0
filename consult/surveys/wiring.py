"""How the surveys domain joins the app: its pages, and the survey that opens when a
response is published."""

from __future__ import annotations

from flask import Flask

from consult import signals
from consult.surveys.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.response_published.connect(open_survey)


def open_survey(round_, **_ignored) -> None:
    """The survey opens with the response: its participants are invited to it."""
    signals.survey_opened.send(round_)
