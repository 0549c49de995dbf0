"""``flask rectification escalate``: mark overdue cases escalated and tell the
departments' officials and the evaluators (also run after every ``flask rounds tick``)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from consult.db import atomic
from consult.rectification.services import escalate_overdue

rectification_cli = AppGroup("rectification", help="Follow-up of bad ratings (好差评).")


def escalate_now() -> str:
    with atomic():
        n = escalate_overdue()
    return ngettext("%(num)d overdue case escalated.", "%(num)d overdue cases escalated.", n)


@rectification_cli.command("escalate")
def escalate() -> None:
    """Escalate every case still awaiting follow-up past its due date (once each)."""
    click.echo(escalate_now())
