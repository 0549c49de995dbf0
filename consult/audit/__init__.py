"""Append-only audit log: who did what to which object, and when."""

from consult.audit.services import record

__all__ = ["record"]
