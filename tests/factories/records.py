"""What the app writes about itself: audit entries, and a round's analysis job."""

from __future__ import annotations

import factory

from consult.analysis.models import AnalysisResult, AnalysisStatus
from consult.audit.models import AuditEntry
from tests.factories.base import Base
from tests.factories.consultations import RoundFactory


class AuditEntryFactory(Base):
    """An entry by the system on no object (``actor_id=`` for a person's, ``target_type``
    and ``target_id`` for its object)."""

    class Meta:
        model = AuditEntry

    actor_id = None
    actor_label = factory.LazyAttribute(lambda o: None if o.actor_id else "system")
    action = factory.Sequence(lambda n: f"test.entry{n}")


class AnalysisResultFactory(Base):
    """A round's analysis job, queued."""

    class Meta:
        model = AnalysisResult

    round_id = factory.LazyFunction(lambda: RoundFactory().id)
    status = AnalysisStatus.QUEUED
