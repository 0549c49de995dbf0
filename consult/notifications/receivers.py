"""What the notifications domain does when other domains tell it something happened
(``consult.signals``; connected in ``wiring.py``). Each receiver builds the link and the
snapshot data, then calls ``services.notify`` or ``services.notify_followers``, inside the
sender's transaction: rows commit or roll back with the action, e-mail goes after commit.

``round_opened(round_)``        followers of the consultation;   link /rounds/<id>
``round_closed(round_)``        followers + participants;         link /rounds/<id>
``comment_replied(comment, parent=)``  the author of ``parent`` (not when replying to
    oneself); link /rounds/<round_id>/comments#comment-<id>.
``question_answered(question, actor=, supporters=)``   the asker, plus ``supporters``
    (ids or a ``Select`` of user ids: the "I want to know too" supporters); link
    /rounds/<round_id>/questions#question-<id>; ``actor`` (the official) is never notified.
``response_published(round_, actor=)``   followers who did not take part in the round;
    link /rounds/<id>/response.
``survey_opened(round_)``       the round's participants, invited to rate the response
    (the invitation links to the response and the survey).
``survey_sample_drawn(sample)`` the members of a random follow-up sample, invited likewise
``suggestion_answered(suggestion, event=, actor=)``   the author and every supporter of
    an agenda suggestion the department answered or transferred.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select

from consult.accounts.models import Actor, Role, RoleAssignment, User
from consult.consultations.models import Consultation
from consult.db import db
from consult.notifications.models import Follow, NotificationKind
from consult.notifications.services import (
    actor_id_of,
    excerpt,
    notify,
    notify_followers,
)
from consult.rounds.models import Round, RoundParticipant
from consult.suggestions.models import SuggestionSupport


def _round_snapshot(round_id: int) -> tuple[int, dict[str, Any]]:
    """(consultation id, snapshot data) of a round, in one query."""
    row = db.session.execute(
        select(Round.id, Round.title, Round.consultation_id, Consultation.title)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(Round.id == round_id)
    ).one()
    return row[2], {"round_id": row[0], "round_title": row[1] or "",
                    "consultation_title": row[3]}


def _actor_name(actor: Actor, actor_id: int | None) -> str:
    name = getattr(actor, "display_name", None)
    if name is None and actor_id is not None:
        name = db.session.scalar(select(User.display_name).where(User.id == actor_id))
    return name or ""


def round_opened(round_, **_signal) -> None:
    consultation_id, snap = _round_snapshot(round_.id)
    notify_followers(consultation_id, NotificationKind.ROUND_OPENED,
                     link=f"/rounds/{round_.id}", **snap)


def round_closed(round_, **_signal) -> None:
    consultation_id, snap = _round_snapshot(round_.id)
    notify_followers(consultation_id, NotificationKind.ROUND_CLOSED,
                     link=f"/rounds/{round_.id}", participants_of=round_.id, **snap)


def response_published(round_, *, actor: Any = None, **_signal) -> None:
    """Followers who did not take part in the round. Its participants hear of the response
    through their survey invitation (``survey_opened`` below, which links to the response
    and the survey): one message each, not two."""
    consultation_id, snap = _round_snapshot(round_.id)
    took_part = select(RoundParticipant.user_id).where(RoundParticipant.round_id == round_.id)
    audience = select(Follow.user_id).where(Follow.consultation_id == consultation_id,
                                            Follow.user_id.not_in(took_part))
    notify(audience, NotificationKind.RESPONSE_PUBLISHED, link=f"/rounds/{round_.id}/response",
           actor=actor, consultation_id=consultation_id, **snap)


def comment_replied(comment, *, parent, **_signal) -> None:
    if parent.author_id is None or parent.author_id == comment.author_id:
        return
    consultation_id, snap = _round_snapshot(comment.round_id)
    notify([parent.author_id], NotificationKind.REPLY,
           link=f"/rounds/{comment.round_id}/comments#comment-{comment.id}",
           actor=comment.author_id, consultation_id=consultation_id,
           comment_id=comment.id, parent_id=parent.id,
           actor_name=_actor_name(vars(comment).get("author"), comment.author_id),
           excerpt=excerpt(getattr(comment, "body", "")), **snap)


def question_answered(question, *, actor: Any = None,
                      supporters: Iterable[int] | Select | None = None, **_signal) -> None:
    consultation_id, snap = _round_snapshot(question.round_id)
    # Only what is already loaded: relationships are lazy="raise_on_sql".
    answer = vars(question).get("answer_body") or vars(question).get("answer")
    if answer is not None and not isinstance(answer, str):
        answer = vars(answer).get("body")
    audience: Iterable[int] | Select
    if supporters is None:
        audience = [question.author_id]
    elif isinstance(supporters, Select):
        audience = select(User.id).where(or_(User.id == question.author_id,
                                             User.id.in_(supporters)))
    else:
        audience = [question.author_id, *supporters]
    notify(audience, NotificationKind.QUESTION_ANSWERED,
           link=f"/rounds/{question.round_id}/questions#question-{question.id}",
           actor=actor, consultation_id=consultation_id, question_id=question.id,
           actor_name=_actor_name(actor, actor_id_of(actor)),
           question=excerpt(getattr(question, "body", "")), excerpt=excerpt(answer), **snap)


def survey_opened(round_, **_signal) -> None:
    """Invite the round's participants to the satisfaction survey, in-app and by e-mail
    (per their settings)."""
    _invite(round_, select(RoundParticipant.user_id).where(
        RoundParticipant.round_id == round_.id))


def survey_sample_drawn(sample, *, round_, user_ids, **_signal) -> None:
    """Invite the members of a random follow-up sample (随机回访) to the survey, in-app and
    by e-mail (per their settings)."""
    _invite(round_, select(User.id).where(User.id.in_(list(user_ids))), sample_id=sample.id)


def _invite(round_, audience: Select, **extra: Any) -> None:
    """``audience``: a SELECT of user ids; the department's own officials are left out."""
    round_title, consultation_id, consultation_title, department_id = db.session.execute(
        select(Round.title, Consultation.id, Consultation.title, Consultation.department_id)
        .join(Consultation, Consultation.id == Round.consultation_id)
        .where(Round.id == round_.id)).one()
    closes = round_.survey_closes_at
    # The department's own officials do not rate its response (the survey refuses them).
    own_officials = select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.OFFICIAL,
        RoleAssignment.department_id == department_id)
    invited = audience.subquery()
    notify(
        select(invited.c[0]).where(invited.c[0].not_in(own_officials)),
        NotificationKind.SURVEY_INVITATION, link=f"/rounds/{round_.id}/survey",
        consultation_id=consultation_id, round_id=round_.id, round_title=round_title or "",
        consultation_title=consultation_title,
        survey_closes_at=closes.isoformat() if closes else None, **extra)


def suggestion_answered(suggestion, *, event, actor: Any, **_signal) -> None:
    """Tell the author and every supporter that the department answered (or transferred)
    the suggestion. Two INSERT ... SELECTs whatever the number of supporters."""
    data = {
        "suggestion_id": suggestion.id,
        "suggestion_title": suggestion.title[:120],
        "event": event.kind.value,
        "answer_status": event.answer_status.value if event.answer_status else None,
        "to_department_id": event.to_department_id,
    }
    link = f"/suggestions/{suggestion.id}#answer-{event.id}"
    kind = NotificationKind.SUGGESTION_ANSWERED
    notify([suggestion.author_id], kind, link=link, actor=actor, role="author", **data)
    supporters = select(SuggestionSupport.user_id).where(
        SuggestionSupport.suggestion_id == suggestion.id)
    notify(supporters, kind, link=link, actor=actor, role="supporter", **data)
