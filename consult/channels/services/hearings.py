"""Hearings (座谈会 / 听证会) of a round: scheduling, applications, selection by a shown
rule, minutes, and the opinions voiced there (recorded with the channel "hearing")."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.channels.models import Hearing
from consult.db import db
from consult.errors import ValidationFailed
from consult.rounds.models import Round


def hearings_of(round_id: int) -> list[Hearing]:
    return list(db.session.scalars(select(Hearing).where(Hearing.round_id == round_id)
                                   .order_by(Hearing.starts_at, Hearing.id)))


def hearing_choice(round_: Round, value: Any, *, field: str = "hearing_id") -> Hearing | None:
    """The hearing chosen in a form (None for none); 422 if it is not one of the round's."""
    text = str(value or "").strip()
    if not text:
        return None
    hearing = db.session.scalar(select(Hearing).where(
        Hearing.id == (int(text) if text.isdigit() and len(text) < 10 else 0),
        Hearing.round_id == round_.id))
    if hearing is None:
        raise ValidationFailed(_l("Choose one of this round's hearings."), field=field)
    return hearing
