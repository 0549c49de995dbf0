"""How the evaluation domain joins the app: its pages, and counting ahead after each
``flask rounds tick`` when the app servers share a cache (Redis)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _

from consult import signals
from consult.evaluation.services import warm_counts
from consult.evaluation.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signals.rounds_ticked.connect(count_ahead)


def count_ahead(_sender, **_ignored) -> str | None:
    if not current_app.config.get("REDIS_URL"):  # each server's own cache: nothing to share
        return None
    warm_counts()
    return _("Evaluation counts are up to date in the shared cache.")
