"""How the statutory record joins the app: its downloads."""

from __future__ import annotations

from flask import Flask

from consult.statutory.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
