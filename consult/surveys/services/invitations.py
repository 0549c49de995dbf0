"""Inviting a round's participants to its survey when the response is published."""

from __future__ import annotations

from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.db import db
from consult.rounds.models import Round, RoundParticipant


def invite_participants(round_: Round) -> None:
    """Invite the round's participants to the survey, in-app and by e-mail (per their
    settings). Called by the response publication, in its transaction."""
    from consult.notifications import services as notifications
    from consult.notifications.models import NotificationKind

    round_title, consultation_id, consultation_title = db.session.execute(
        select(Round.title, Consultation.id, Consultation.title)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(Round.id == round_.id)).one()
    closes = round_.survey_closes_at
    notifications.notify(
        select(RoundParticipant.user_id).where(RoundParticipant.round_id == round_.id),
        NotificationKind.SURVEY_INVITATION, link=f"/rounds/{round_.id}/survey",
        consultation_id=consultation_id, round_id=round_.id, round_title=round_title or "",
        consultation_title=consultation_title,
        survey_closes_at=closes.isoformat() if closes else None)
