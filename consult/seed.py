"""``flask seed-demo``: demo data for every domain, in dependency order, made through the
services. Each part checks whether its data exists before adding it, so running the
command twice changes nothing."""

from __future__ import annotations

from flask import current_app

from consult.accounts import seed as accounts_seed
from consult.channels import seed as channels_seed
from consult.consultations import seed as consultations_seed
from consult.db import atomic
from consult.moderation import seed as moderation_seed
from consult.notifications import seed as notifications_seed
from consult.participation import seed as participation_seed
from consult.rectification import seed as rectification_seed
from consult.responses import seed as responses_seed
from consult.rounds import seed as rounds_seed
from consult.suggestions import seed as suggestions_seed
from consult.surveys import seed as surveys_seed
from consult.voting import seed as voting_seed
from consult.workspace import seed as workspace_seed

DEMO_PASSWORD = accounts_seed.DEMO_PASSWORD
# After the accounts: each part needs the ones before it.
PARTS = (consultations_seed, rounds_seed, participation_seed, voting_seed, channels_seed,
         responses_seed, surveys_seed, rectification_seed, suggestions_seed, moderation_seed,
         notifications_seed, workspace_seed)


def seed() -> list[tuple[str, str, str]]:
    """Seed everything; returns the demo accounts (e-mail, password, role) to print."""
    printed = accounts_seed.seed()
    # Demo activity must not print (or send) a notification e-mail for every event.
    suppress = current_app.config.get("MAIL_SUPPRESS", False)
    current_app.config["MAIL_SUPPRESS"] = True
    try:
        for part in PARTS:
            with atomic():
                part.seed()
    finally:
        current_app.config["MAIL_SUPPRESS"] = suppress
    return printed
