"""Moderation: flags, hide/restore with a public reason, appeals, held posts and the
sensitive-word list, suspensions. Sits on top of participation (see ARCHITECTURE.md)."""
