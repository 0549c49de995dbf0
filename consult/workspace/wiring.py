"""How the workspace joins the app: its pages."""

from __future__ import annotations

from flask import Flask

from consult.workspace.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
