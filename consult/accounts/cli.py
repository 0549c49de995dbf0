"""``flask create-admin``: the first administrator of a real install."""

from __future__ import annotations

import click

from consult.accounts.services import create_admin as create
from consult.db import atomic
from consult.errors import ServiceError


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.password_option()
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create the first administrator of a real install."""
    try:
        with atomic():
            user = create(email=email, display_name=display_name, password=password)
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(f"Administrator {user.email} created.")
