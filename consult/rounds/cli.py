"""``flask rounds tick``: record the round transitions the clock made."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from consult import signals
from consult.db import atomic
from consult.rounds import lifecycle

rounds_cli = AppGroup("rounds", help="Round lifecycle tools.")


@rounds_cli.command()
def tick() -> None:
    """Audit clock-driven transitions (opened, closed, evaluated) as "system".

    Run it every few minutes (cron or a systemd timer). Each transition is written
    to the audit log once; a second run right after changes nothing. Then the domains
    that do periodic work hear ``signals.rounds_ticked`` (with Redis, evaluation counts
    the dashboard's distinct participants ahead of visitors).
    """
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
    for _receiver, message in signals.rounds_ticked.send(None):
        if message:
            click.echo(message)
