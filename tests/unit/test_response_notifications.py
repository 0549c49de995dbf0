"""Publishing a response tells each person once: participants get the survey invitation
(linking to the response and the survey), followers who did not take part get
response_published."""

from __future__ import annotations

from sqlalchemy import select

from consult.consultations.models import Consultation
from consult.db import atomic, db
from consult.notifications import services as notifications
from consult.notifications.models import Notification
from consult.responses import services as responses
from consult.responses.models import Triage
from consult.rounds import participants
from consult.rounds.services import get_round
from tests.factories import UserFactory, closed_round, comment


def _do(fn, *args, **kwargs):
    with atomic():
        return fn(*args, **kwargs)


def _load(r, actor):
    db.session.expire_all()
    return get_round(actor, r.id)


def test_each_person_is_told_once_when_a_response_is_published(app, outbox):
    r, _dept, official = closed_round()
    consultation = db.session.get(Consultation, r.consultation_id)
    took_part_and_follows = UserFactory(locale="en")
    took_part = UserFactory(locale="en")
    only_follows = UserFactory(locale="en")
    bystander = UserFactory()
    comment(r, took_part_and_follows)
    comment(r, took_part)
    with atomic():
        participants.mark(r.id, took_part_and_follows.id)
        participants.mark(r.id, took_part.id)
        notifications.follow(took_part_and_follows, consultation)
        notifications.follow(only_follows, consultation)
        notifications.follow(official, consultation)
    _do(responses.start_triage, _load(r, official))
    ids = list(db.session.scalars(select(Triage.id).where(Triage.round_id == r.id)))
    _do(responses.bulk_triage, official, _load(r, official), triage_ids=ids, status="adopted",
        reason="理由。")
    _do(responses.save_response, official, _load(r, official), summary="感谢大家的意见。")
    outbox.clear()
    _do(responses.publish_response, official, _load(r, official))

    got = sorted((n.user_id, n.kind.value, n.link)
                 for n in db.session.scalars(select(Notification)))
    assert got == sorted([
        (took_part_and_follows.id, "survey_invitation", f"/rounds/{r.id}/survey"),
        (took_part.id, "survey_invitation", f"/rounds/{r.id}/survey"),
        (only_follows.id, "response_published", f"/rounds/{r.id}/response"),
    ])
    assert bystander.id not in {n[0] for n in got} and official.id not in {n[0] for n in got}
    mails = sorted((m.to[0], m.body) for m in outbox)
    assert [to for to, _ in mails] == sorted(
        [took_part_and_follows.email, took_part.email, only_follows.email])
    for to, body in mails:
        assert f"/rounds/{r.id}/response" in body
        if to != only_follows.email:  # the invitation links to the response and the survey
            assert f"/rounds/{r.id}/survey" in body
            assert "://" in body.split(f"/rounds/{r.id}/response")[0].splitlines()[-1]
