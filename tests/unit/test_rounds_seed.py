"""The demo rounds: every state on show, honest audit log, idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.db import db
from consult.rounds import lifecycle, seed
from consult.rounds.models import Round
from tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    DraftVersionFactory,
    UserFactory,
)


def test_seed_makes_every_state_and_is_idempotent(app):
    assert seed.seed() is None  # nothing to do without consultations
    dept = DepartmentFactory()
    UserFactory(role="official", role__department=dept)
    for i in range(6):
        c = ConsultationFactory(department=dept)
        DraftVersionFactory(consultation=c)
        if i % 2:
            DraftVersionFactory(consultation=c)
    ConsultationFactory(department=DepartmentFactory())  # nobody may manage it: skipped
    draft = ConsultationFactory(department=dept, unpublished=True)
    DraftVersionFactory(consultation=draft)  # prepared before publishing: one scheduled round
    seed.seed()
    db.session.commit()
    rounds = list(db.session.scalars(select(Round)))
    states = Counter(lifecycle.state_of(r).value for r in rounds)
    assert set(states) == {"scheduled", "open", "closed", "responded", "evaluated"}
    assert sum(lifecycle.is_overdue(r) for r in rounds) == 1
    assert len(rounds) == 10  # six scenarios, three first-version rounds, one prepared
    [prepared] = [r for r in rounds if r.consultation_id == draft.id]
    assert lifecycle.state_of(prepared).value == "scheduled"
    # Every round's recorded state is its real state: the audit log caught up.
    assert all(r.recorded_state == lifecycle.state_of(r).value for r in rounds)
    assert lifecycle.tick() == []
    actions = Counter(db.session.scalars(select(AuditEntry.action)))
    assert actions["round.added"] == 10 and actions["round.extended"] == 1
    assert actions["round.responded"] == 5
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    seed.seed()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Round)) == 10
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
