"""Consultations (policy agenda items), their immutable draft versions and clauses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from consult.clock import now
from consult.db import TimestampMixin, db

consultation_tag = Table(
    "consultation_tag",
    db.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"),
           primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "consultation"
    __table_args__ = (Index("ix_consultation_published", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    # Unpublished until an official publishes it; then visible to everyone.
    published_at: Mapped[datetime | None]
    # Denormalised for lists: the newest published version's number (0 = none yet).
    latest_version_number: Mapped[int] = mapped_column(default=0)

    department = relationship("Department", lazy="raise_on_sql")
    tags: Mapped[list[Tag]] = relationship(secondary=consultation_tag, lazy="raise_on_sql",
                                           order_by="Tag.name")
    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="consultation", lazy="raise_on_sql", order_by="DraftVersion.number",
        cascade="all, delete-orphan")
    working_clauses: Mapped[list[WorkingClause]] = relationship(
        lazy="raise_on_sql", order_by="WorkingClause.position", cascade="all, delete-orphan")
    rounds = relationship("Round", back_populates="consultation", lazy="raise_on_sql",
                          order_by="Round.opens_at", cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ClauseLineage(db.Model):
    """Allocates a stable id for "the same clause" across versions (aligns diffs,
    lets a triaged opinion link to ``#clause-<lineage_id>``)."""

    __tablename__ = "clause_lineage"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)


class DraftVersion(db.Model):
    """An immutable, numbered text of the policy. Never edited after it is published."""

    __tablename__ = "draft_version"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    change_note: Mapped[str] = mapped_column(Text, default="")
    # 起草说明: why and how the draft was written (shown with it, in its Word and PDF).
    explanation: Mapped[str] = mapped_column(Text, default="", server_default="")
    published_at: Mapped[datetime] = mapped_column(default=now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    clause_count: Mapped[int] = mapped_column(default=0)

    consultation: Mapped[Consultation] = relationship(back_populates="versions",
                                                      lazy="raise_on_sql")
    clauses: Mapped[list[Clause]] = relationship(
        back_populates="version", lazy="raise_on_sql", order_by="Clause.position",
        cascade="all, delete-orphan")


class Clause(db.Model):
    __tablename__ = "clause"
    __table_args__ = (UniqueConstraint("version_id", "position"),
                      UniqueConstraint("version_id", "lineage_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id", ondelete="CASCADE"),
                                            index=True)
    lineage_id: Mapped[int] = mapped_column(ForeignKey("clause_lineage.id"), index=True)
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(30))  # as written: "第三条", "3", "3.1"
    heading: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # The chapter (章) and section (节) the clause stands in, as written ("第一章 总则");
    # empty when the draft has none (see consultations/structure.py).
    chapter: Mapped[str] = mapped_column(String(200), default="", server_default="")
    section: Mapped[str] = mapped_column(String(200), default="", server_default="")

    version: Mapped[DraftVersion] = relationship(back_populates="clauses", lazy="raise_on_sql")


class WorkingClause(db.Model):
    """The editable working copy of the next version, one row per clause."""

    __tablename__ = "working_clause"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    # Set when the clause continues one of a published version; None for a new clause.
    lineage_id: Mapped[int | None] = mapped_column(ForeignKey("clause_lineage.id"))
    position: Mapped[int]
    number: Mapped[str] = mapped_column(String(30))
    heading: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    # The chapter (章) and section (节) the clause stands in, as written ("第一章 总则");
    # empty when the draft has none (see consultations/structure.py).
    chapter: Mapped[str] = mapped_column(String(200), default="", server_default="")
    section: Mapped[str] = mapped_column(String(200), default="", server_default="")


@event.listens_for(Session, "before_flush")
def _versions_are_immutable(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, DraftVersion | Clause) and session.is_modified(
            obj, include_collections=False
        ):
            raise RuntimeError(f"{type(obj).__name__} rows are immutable once published")
