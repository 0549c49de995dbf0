"""The app's own commands: ``flask seed-demo`` and ``flask translate``. Each domain with
commands has its own ``cli.py`` (``flask create-admin``, ``flask rounds tick``,
``flask analysis worker``, ``flask backup``), added to the app by its wiring. Command
messages speak the operator's language (``consult.operator_locale``: LANG, English by
default)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@click.command("seed-demo")
def seed_demo() -> None:
    """Fill the database with demo departments, accounts and content (idempotent)."""
    # Every domain's demo data, only for this command: not imported at every start.
    from consult.seed import seed  # noqa: PLC0415

    accounts = seed()
    click.echo(_("Demo accounts (e-mail / password / role):"))
    for email, password, role in accounts:
        click.echo(f"  {email:32} {password:20} {role}")


translate = AppGroup("translate", help="Extract, update and compile the message catalogs.")


@translate.command()
def update() -> None:
    """Extract messages and merge them into every catalog."""
    pot = ROOT / "messages.pot"
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
             "--no-location", "--sort-output",
             "-o", str(pot), ".")
    _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
             "--ignore-obsolete")
    pot.unlink()
    _fill_source_catalog(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")


@translate.command("compile")
def compile_catalogs() -> None:
    """Compile the catalogs to .mo files."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def _pybabel(*args: str) -> None:
    # pybabel's command line (about 0.1 s to import) only for `flask translate`, not at
    # every start of the web server.
    from babel.messages.frontend import CommandLineInterface  # noqa: PLC0415

    cwd = os.getcwd()
    babel_log = logging.getLogger("babel")
    try:
        os.chdir(ROOT)
        babel_log.propagate = False  # pybabel prints its own lines; not twice
        CommandLineInterface().run(["pybabel", *args])
    finally:
        babel_log.propagate = True
        os.chdir(cwd)


def _fill_source_catalog(path: Path) -> None:
    """English is the source language: its catalog repeats every msgid."""
    from babel.messages.pofile import read_po, write_po  # noqa: PLC0415 - `flask translate` only

    with path.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = (message.id[0], message.id[1])
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, no_location=True, sort_output=True)
