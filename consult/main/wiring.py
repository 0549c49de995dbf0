"""How the main domain joins the app: its pages."""

from __future__ import annotations

from flask import Flask

from consult.main import display
from consult.main.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(display.bp)
