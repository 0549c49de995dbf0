"""Command-line tools: ``flask seed-demo``, ``flask create-admin``, ``flask translate``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def register(app: Flask) -> None:
    from consult.rounds.cli import register as register_rounds

    register_rounds(app)  # flask rounds tick
    from consult.bench_data import register as register_bench_data

    register_bench_data(app)  # flask bench-data --scale small|medium|large
    from consult.ops.backup import register as register_backup

    register_backup(app)  # flask backup create PATH / flask backup restore PATH

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Fill the database with demo departments, accounts and content (idempotent)."""
        from consult.seed import seed

        accounts = seed()
        click.echo(_("Demo accounts (e-mail / password / role):"))
        for email, password, role in accounts:
            click.echo(f"  {email:32} {password:20} {role}")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=_l("E-mail address"),
                  help="The administrator's e-mail address.")
    @click.option("--name", "display_name", prompt=_l("Display name"),
                  help="The name shown on the site.")
    @click.option("--password", default=None,
                  help="The password (seen by other users of the machine: prefer "
                       "--password-stdin or the prompt).")
    @click.option("--password-stdin", is_flag=True,
                  help="Read the password from the first line of standard input.")
    def create_admin(email: str, display_name: str, password: str | None,
                     password_stdin: bool) -> None:
        """Create the first administrator of a real install.

        Asks for whatever is not given. Without questions, for example:

        \b
        printf '%s\\n' "$PASSWORD" | flask create-admin \\
            --email admin@example.gov.cn --name Admin --password-stdin
        """
        from consult.accounts.services import create_admin as create
        from consult.db import atomic
        from consult.errors import ServiceError

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif password is None:
            password = click.prompt(_("Password"), hide_input=True,
                                    confirmation_prompt=_("Repeat the password"))
        try:
            with atomic():
                user = create(email=email, display_name=display_name, password=password)
        except ServiceError as exc:
            raise click.ClickException(str(exc.message)) from exc
        click.echo(_("Administrator %(email)s created.", email=user.email))

    @app.cli.group()
    def translate() -> None:
        """Extract, update and compile the message catalogs."""

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

    @translate.command()
    def compile() -> None:  # noqa: A001 - the command is called "compile"
        """Compile the catalogs to .mo files."""
        _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def _pybabel(*args: str) -> None:
    import logging

    from babel.messages.frontend import CommandLineInterface

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
    from babel.messages.pofile import read_po, write_po

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
