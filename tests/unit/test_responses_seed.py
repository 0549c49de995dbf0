"""The demo responses: triage with reasons, themes, frozen statistics, follow-up actions in
every status (one overdue), the overdue round left alone; idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from consult.db import db
from consult.responses import services
from consult.responses.models import FollowUpAction, RoundResponse, Theme, Triage
from consult.rounds import lifecycle
from consult.rounds.models import Round
from consult.seed import seed


def test_demo_responses(app):
    seed()
    rounds = list(db.session.scalars(select(Round)))
    responses = {r.round_id: r for r in db.session.scalars(select(RoundResponse))}
    for r in rounds:
        state = lifecycle.state_of(r).value
        if state in ("responded", "evaluated") and r.consultation_id:
            resp = responses[r.id]
            assert resp.is_published and resp.untriaged_count == 0
            assert resp.frozen_stats["totals"]["total"] == resp.opinion_count
            assert resp.summary
        if lifecycle.is_overdue(r):
            assert r.id not in responses  # the overdue one stays without response
    mid = [x for x in responses.values() if not x.is_published]
    assert mid and all(0 < x.triaged_count < x.opinion_count for x in mid if x.opinion_count > 1)
    statuses = Counter(a.status.value for a in db.session.scalars(select(FollowUpAction)))
    assert set(statuses) == {"planned", "in_progress", "done", "dropped"}
    assert services.list_actions().total == 1            # exactly one overdue action
    assert db.session.scalar(select(func.count()).select_from(Triage)
                             .where(Triage.status == "not_adopted", Triage.reason.is_(None))) == 0
    counts = (db.session.scalar(select(func.count()).select_from(Triage)),
              db.session.scalar(select(func.count()).select_from(Theme)),
              db.session.scalar(select(func.count()).select_from(FollowUpAction)))
    seed()
    assert counts == (db.session.scalar(select(func.count()).select_from(Triage)),
                      db.session.scalar(select(func.count()).select_from(Theme)),
                      db.session.scalar(select(func.count()).select_from(FollowUpAction)))
