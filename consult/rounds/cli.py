"""``flask rounds tick``: record the round transitions the clock made."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group()
    def rounds() -> None:
        """Round lifecycle tools."""

    @rounds.command()
    def tick() -> None:
        """Audit clock-driven transitions (opened, closed, evaluated) as "system".

        Run it every few minutes (cron or a systemd timer). Each transition is written
        to the audit log once; a second run right after changes nothing.
        """
        from consult.db import atomic
        from consult.rounds import lifecycle

        with atomic():
            changed = [(r.id, r.title, old, new) for r, old, new in lifecycle.tick()]
        if not changed:
            click.echo("No round changed state.")
            return
        for round_id, title, old, new in changed:
            click.echo(f"round {round_id} {title!r}: {old} -> {new}")
        click.echo(f"{len(changed)} round(s) changed state.")
