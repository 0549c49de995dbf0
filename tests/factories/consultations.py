"""Consultations, their versions and clauses, rounds in each state, their participants
and extensions: the factories, and builders for a round with its department and an
official of it."""

from __future__ import annotations

from datetime import timedelta

import factory
from sqlalchemy import select, update

from consult.clock import now
from consult.consultations.models import (
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
)
from consult.extensions import db
from consult.rounds.models import Round, RoundExtension, RoundKind, RoundParticipant
from consult.rounds.services import get_round
from tests.factories.accounts import DepartmentFactory, UserFactory
from tests.factories.base import Base


class ConsultationFactory(Base):
    """A published consultation; ``ConsultationFactory(unpublished=True)`` for a draft one."""

    class Meta:
        model = Consultation

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"社区养老服务管理办法（征求意见稿）{n}")
    summary = "为规范社区养老服务，提升服务质量，制定本办法。"
    background = "我市老年人口持续增长。"
    goals = "建立覆盖城乡的社区养老服务体系。"
    contact = "市民政局养老服务处 010-12345678"
    published_at = factory.LazyFunction(now)
    tags = factory.LazyFunction(list)

    class Params:
        unpublished = factory.Trait(published_at=None)


class DraftVersionFactory(Base):
    """A published version with ``clauses`` clauses (default 3), each in its own lineage."""

    class Meta:
        model = DraftVersion

    consultation = factory.SubFactory(ConsultationFactory)
    number = factory.LazyAttribute(lambda o: o.consultation.latest_version_number + 1)
    change_note = "首次公开征求意见。"
    published_at = factory.LazyFunction(now)

    @factory.post_generation
    def clauses(self, create, extracted, **kwargs):
        count = 3 if extracted is None else extracted
        if isinstance(count, list):
            texts = count
        else:
            texts = [f"第{i + 1}条的正文：社区养老服务机构应当提供日间照料服务。" for i in range(count)]
        for i, body in enumerate(texts):
            lineage = ClauseLineage(consultation_id=self.consultation_id or self.consultation.id)
            db.session.add(lineage)
            db.session.flush()
            db.session.add(Clause(version=self, lineage_id=lineage.id, position=i + 1,
                                  number=f"第{i + 1}条", heading=f"条款{i + 1}", body=body))
        # Versions are immutable once flushed; the factory sets its count in SQL.
        db.session.execute(update(DraftVersion).where(DraftVersion.id == self.id)
                           .values(clause_count=len(texts)))
        db.session.expire(self, ["clause_count"])
        self.consultation.latest_version_number = max(
            self.consultation.latest_version_number, self.number)
        if create:
            db.session.commit()


class RoundFactory(Base):
    """A round on a fresh version. Traits: open (default), scheduled, closed, overdue."""

    class Meta:
        model = Round

    version = factory.SubFactory(DraftVersionFactory)
    consultation = factory.LazyAttribute(lambda o: o.version.consultation)
    kind = RoundKind.BOTH
    opens_at = factory.LazyFunction(lambda: now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: now() + timedelta(days=13))
    response_due_at = factory.LazyAttribute(lambda o: o.closes_at + timedelta(days=15))
    recorded_state = "open"

    class Params:
        scheduled = factory.Trait(
            opens_at=factory.LazyFunction(lambda: now() + timedelta(days=2)),
            closes_at=factory.LazyFunction(lambda: now() + timedelta(days=16)),
            recorded_state="scheduled")
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: now() - timedelta(days=20)),
            closes_at=factory.LazyFunction(lambda: now() - timedelta(days=2)),
            recorded_state="closed")
        overdue = factory.Trait(
            opens_at=factory.LazyFunction(lambda: now() - timedelta(days=40)),
            closes_at=factory.LazyFunction(lambda: now() - timedelta(days=20)),
            response_due_at=factory.LazyFunction(lambda: now() - timedelta(days=5)),
            recorded_state="closed")


class RoundParticipantFactory(Base):
    """A row saying ``user_id`` took part in ``round_id`` (the round's
    ``participant_count`` does not move: ``participate`` moves it)."""

    class Meta:
        model = RoundParticipant

    round_id = factory.LazyFunction(lambda: RoundFactory().id)
    user_id = factory.LazyFunction(lambda: UserFactory().id)
    first_at = factory.LazyFunction(now)


class RoundExtensionFactory(Base):
    """A public record of a round's closing date moved a week later."""

    class Meta:
        model = RoundExtension

    round_id = factory.LazyFunction(lambda: RoundFactory().id)
    old_closes_at = factory.LazyFunction(now)
    new_closes_at = factory.LazyAttribute(lambda o: o.old_closes_at + timedelta(days=7))
    reason = "收到的意见较多，延长一周。"


def closed_round(clauses: int = 3, **kwargs):
    """A closed round, its department and an official of that department."""
    dept = DepartmentFactory()
    # Hold the consultation: the factory reads version.consultation after commits, which
    # only the identity map can answer without SQL (the relationship raises on SQL).
    consultation = ConsultationFactory(department=dept)
    r = RoundFactory(closed=True, version__consultation=consultation,
                     version__clauses=clauses, **kwargs)
    official = UserFactory(role="official", role__department=dept)
    return r, dept, official


def responded_round(dept=None):
    """A round whose response was published yesterday (the survey open), its department
    and an official of it."""
    dept = dept or DepartmentFactory()
    consultation = ConsultationFactory(department=dept)
    published = now() - timedelta(days=1)
    r = RoundFactory(closed=True, version__consultation=consultation,
                     response_published_at=published, survey_days=14,
                     survey_closes_at=published + timedelta(days=14),
                     recorded_state="responded")
    official = UserFactory(role="official", role__department=dept)
    return r, dept, official


def evaluated_round(consultation, *, published_days_late: int = 0, closed_days_ago: int = 40):
    """A round closed ``closed_days_ago`` days ago whose survey is over."""
    t = now()
    closes = t - timedelta(days=closed_days_ago)
    due = closes + timedelta(days=10)
    published = due + timedelta(days=published_days_late)
    return RoundFactory(
        version__consultation=consultation, opens_at=closes - timedelta(days=10),
        closes_at=closes, closed_at=closes, response_due_at=due,
        response_published_at=published, survey_closes_at=published + timedelta(days=5),
        recorded_state="evaluated")


def clause_ids(round_) -> list[int]:
    """The ids of the round's clauses in order."""
    return list(db.session.scalars(select(Clause.id).where(Clause.version_id == round_.version_id)
                                   .order_by(Clause.position)))


def load_round(r, actor):
    """The round as ``actor`` reads it, every object expired first (as a new request)."""
    db.session.expire_all()
    return get_round(actor, r.id)
