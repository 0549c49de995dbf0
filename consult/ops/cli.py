"""``flask backup create PATH`` / ``flask backup restore PATH``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from consult.ops.backup import BackupError, create, restore, row_counts

backup = AppGroup("backup", help="Back up and restore the database.")

@backup.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def create_cmd(path: str) -> None:
    """Write a backup of the whole database to PATH (a new file)."""
    try:
        target = create(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    counts = row_counts()
    click.echo(_("Backup written to %(path)s: %(rows)d rows in %(tables)d tables.",
                 path=target, rows=sum(counts.values()), tables=len(counts)))

@backup.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_cmd(path: str, yes: bool) -> None:
    """Replace the whole database with the backup in PATH."""
    if not yes:
        click.confirm(_("This replaces every row of the database. Continue?"), abort=True)
    try:
        restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    counts = row_counts()
    click.echo(_("Restored from %(path)s: %(rows)d rows in %(tables)d tables.",
                 path=path, rows=sum(counts.values()), tables=len(counts)))
