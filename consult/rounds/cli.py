"""``flask rounds tick``: record the round transitions the clock made."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext


def register(app: Flask) -> None:
    @app.cli.group()
    def rounds() -> None:
        """Round lifecycle tools."""

    @rounds.command()
    def tick() -> None:
        """Audit clock-driven transitions (opened, closed, evaluated) as "system".

        Run it every few minutes (cron or a systemd timer). Each transition is written
        to the audit log once; a second run right after changes nothing. With Redis, it
        also counts the evaluation dashboard's distinct participants ahead of visitors.
        """
        from consult.db import atomic
        from consult.rounds import lifecycle

        with atomic():
            changed = [(r.id, r.title, old, new) for r, old, new in lifecycle.tick()]
        if not changed:
            click.echo(_("No round changed state."))
        for round_id, title, old, new in changed:
            click.echo(_("Round %(id)s “%(title)s”: %(old)s → %(new)s",
                         id=round_id, title=title, old=old, new=new))
        if changed:
            click.echo(ngettext("%(num)d round changed state.", "%(num)d rounds changed state.",
                                len(changed)))
        if current_app.config.get("REDIS_URL"):  # a cache the app servers share
            from consult.evaluation.services import warm_counts
            warm_counts()
            click.echo(_("Evaluation counts are up to date in the shared cache."))
