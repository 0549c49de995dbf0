"""How the analysis domain joins the app: its pages and its commands."""

from __future__ import annotations

from flask import Flask

from consult.analysis.cli import analysis_cli
from consult.analysis.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(analysis_cli)
