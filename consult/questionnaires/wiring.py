"""How the questionnaires domain joins the app: its templates (a blueprint without routes;
voting and surveys render its partials)."""

from __future__ import annotations

from flask import Flask

from consult.questionnaires.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
