"""Who may do what with consultations. "When" (round state) lives in rounds.lifecycle."""

from __future__ import annotations

from typing import Any

from consult.security.permissions import is_authenticated, is_official_of, rule


def _department_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, int):
        return obj
    return getattr(obj, "department_id", None) if not hasattr(obj, "slug") else obj.id


@rule("consultation.create")
def _create(user, obj=None) -> bool:
    """Officials may create consultations; with a department given, only for one of theirs."""
    if not is_authenticated(user) or not user.official_department_ids:
        return False
    return obj is None or is_official_of(user, _department_id(obj))


@rule("consultation.manage")
def _manage(user, consultation=None) -> bool:
    """Edit, write the draft, publish: officials of the consultation's own department."""
    return consultation is not None and is_official_of(user, consultation.department_id)


@rule("consultation.view")
def _view(user, consultation=None) -> bool:
    """Published consultations are public; unpublished ones only for their managers."""
    if consultation is None:
        return False
    return consultation.published_at is not None or _manage(user, consultation)
