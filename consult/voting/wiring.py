"""How the voting domain joins the app: its pages."""

from __future__ import annotations

from flask import Flask

from consult.voting.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
