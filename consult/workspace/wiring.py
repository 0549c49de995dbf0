"""How the workspace joins the app: its pages, and the officials' daily digest after each
``flask rounds tick``."""

from __future__ import annotations

from flask import Flask

from consult import signals
from consult.workspace.services.digest import on_tick
from consult.workspace.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.rounds_ticked.connect(on_tick)
