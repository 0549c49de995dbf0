"""Who in a department works on which opinion, and the department's internal notes.

An *opinion* here is anything a department answers: a comment or a question of a round,
or an agenda suggestion. It is named by its kind and id (the tables belong to other
domains, which never learn about assignments). One assignment per opinion at a time; its
history is in the audit log. Notes are internal: only the owning department's officials
read them, and no public page, API, CSV or export ever includes them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import db, str_enum


class OpinionKind(StrEnum):
    COMMENT = "comment"
    QUESTION = "question"
    SUGGESTION = "suggestion"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {OpinionKind.COMMENT: _l("Comment"), OpinionKind.QUESTION: _l("Question"),
               OpinionKind.SUGGESTION: _l("Suggestion")}


class Assignment(db.Model):
    """The colleague an opinion is assigned to (the current one: reassigning updates it)."""

    __tablename__ = "opinion_assignment"
    __table_args__ = (
        UniqueConstraint("kind", "item_id", name="uq_opinion_assignment_item"),
        Index("ix_opinion_assignment_assignee", "assignee_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OpinionKind] = mapped_column(str_enum(OpinionKind))
    item_id: Mapped[int]
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                                 index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id",
                                                                  ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(default=now)

    assignee = relationship("User", foreign_keys=[assignee_id], lazy="raise_on_sql")


class InternalNote(db.Model):
    """A note officials of the owning department leave on an opinion for each other."""

    __tablename__ = "internal_note"
    __table_args__ = (Index("ix_internal_note_item", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OpinionKind] = mapped_column(str_enum(OpinionKind))
    item_id: Mapped[int]
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)

    author = relationship("User", lazy="raise_on_sql")


class TemplatePurpose(StrEnum):
    TRIAGE = "triage"          # the reason given with an outcome
    QUESTION = "question"      # an answer to a question
    SUGGESTION = "suggestion"  # an answer to a suggestion

    @property
    def label(self) -> str:
        return str(PURPOSE_LABELS[self])


PURPOSE_LABELS = {TemplatePurpose.TRIAGE: _l("Triage reasons"),
                  TemplatePurpose.QUESTION: _l("Answers to questions"),
                  TemplatePurpose.SUGGESTION: _l("Answers to suggestions")}


class ReplyTemplate(db.Model):
    """A department's reusable reply (常用答复): inserted into a form, then edited."""

    __tablename__ = "reply_template"
    __table_args__ = (UniqueConstraint("department_id", "purpose", "title",
                                       name="uq_reply_template_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"),
                                               index=True)
    purpose: Mapped[TemplatePurpose] = mapped_column(str_enum(TemplatePurpose))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class DigestSent(db.Model):
    """One official's daily workspace digest, sent once per local day (the unique key
    makes a second tick the same day send nothing)."""

    __tablename__ = "workspace_digest"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_workspace_digest_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date]
    waiting: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=now)


NOTE_MAX = 2000
TEMPLATE_TITLE_MAX = 120
TEMPLATE_BODY_MAX = 3000
BODY_PREVIEW = 400
