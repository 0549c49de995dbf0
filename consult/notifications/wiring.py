"""How the notifications domain joins the app: its pages, and the events it turns into
notifications (in-app, and by e-mail after commit where the user wants it)."""

from __future__ import annotations

from flask import Flask

from consult import signals
from consult.notifications import receivers, reminders
from consult.notifications.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.round_opened.connect(receivers.round_opened)
    signals.round_closed.connect(receivers.round_closed)
    signals.response_published.connect(receivers.response_published)
    signals.survey_opened.connect(receivers.survey_opened)
    signals.survey_sample_drawn.connect(receivers.survey_sample_drawn)
    signals.comment_replied.connect(receivers.comment_replied)
    signals.question_answered.connect(receivers.question_answered)
    signals.suggestion_answered.connect(receivers.suggestion_answered)
    signals.rounds_ticked.connect(reminders.on_tick)
