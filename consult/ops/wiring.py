"""How operations join the app: ``flask backup``."""

from __future__ import annotations

from flask import Flask

from consult.ops.cli import backup


def init_app(app: Flask) -> None:
    app.cli.add_command(backup)
