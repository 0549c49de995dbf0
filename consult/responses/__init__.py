"""Closing the loop: opinion triage, themes, published responses, errata and follow-up actions."""
