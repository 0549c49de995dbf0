"""The stored analysis of a round: one row per round, replaced by each new run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import db, str_enum


class AnalysisStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def colour(self) -> str:
        return {"queued": "grey", "running": "blue", "done": "green", "failed": "amber"}[
            self.value]

    @property
    def busy(self) -> bool:
        return self in (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING)


STATUS_LABELS = {
    AnalysisStatus.QUEUED: _l("Waiting to start"),
    AnalysisStatus.RUNNING: _l("Analysing"),
    AnalysisStatus.DONE: _l("Up to date"),
    AnalysisStatus.FAILED: _l("Failed"),
}


class AnalysisResult(db.Model):
    __tablename__ = "analysis_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          unique=True)
    status: Mapped[AnalysisStatus] = mapped_column(str_enum(AnalysisStatus),
                                                   default=AnalysisStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)       # percent of the current run
    step: Mapped[str] = mapped_column(Text, default="")     # what the run is doing now
    # Opinions (visible top-level comments and questions) when the run started.
    opinion_count: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    computed_at: Mapped[datetime | None]                   # of ``result``
    seconds: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text)
    # The last finished result (kept while a new run is under way).
    result: Mapped[dict | None] = mapped_column(JSON)
