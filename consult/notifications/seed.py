"""Demo follows and notifications for ``flask seed-demo`` (runs after the other domains).

Demo citizens follow a few published consultations through ``services.follow``; the
open rounds of what they follow announce themselves through ``receivers.round_opened``
(and closed ones through ``round_closed``), so the demo inbox shows the real messages.
Replies and answers arrive by themselves when the participation seed posts them.
Idempotent: a citizen who already follows something is left alone.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from consult.accounts.models import User
from consult.consultations.models import Consultation
from consult.db import db
from consult.notifications import receivers, services
from consult.notifications.models import Follow
from consult.rounds import lifecycle
from consult.rounds.models import Round

FOLLOWERS = {"citizen@example.org": 3, "citizen2@example.org": 2, "citizen3@example.org": 1}


def seed() -> None:
    consultations = list(db.session.scalars(
        select(Consultation).where(Consultation.published_at.is_not(None))
        .order_by(Consultation.id).limit(max(FOLLOWERS.values()))))
    if not consultations:
        return
    followed: set[int] = set()
    for email, count in FOLLOWERS.items():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or db.session.scalar(select(exists().where(Follow.user_id == user.id))):
            continue
        for consultation in consultations[:count]:
            services.follow(user, consultation)
            followed.add(consultation.id)
    if not followed:
        return
    db.session.flush()
    for round_ in db.session.scalars(select(Round).where(Round.consultation_id.in_(followed))
                                     .order_by(Round.opens_at)):
        state = lifecycle.state_of(round_)
        if state is lifecycle.RoundState.OPEN:
            receivers.round_opened(round_)
        elif state is lifecycle.RoundState.CLOSED:
            receivers.round_closed(round_)
