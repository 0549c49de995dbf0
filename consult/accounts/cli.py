"""``flask create-admin``: the first administrator of a real install."""

from __future__ import annotations

import sys

import click
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.accounts.services import create_admin as create
from consult.db import atomic
from consult.errors import ServiceError


@click.command("create-admin")
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
