"""Flags, one moderation case per flagged/held item, sensitive terms.

A ``ModerationCase`` is the queue row of one item (comment, question, answer, agenda
suggestion or suggestion comment): it
keeps the number of open flags (incremented in SQL), whether the item is held for
review, and the one appeal its author may make. The item's own ``status`` and
``moderation_reason`` (participation's and suggestions' models) are what the public pages
read. Suggestions have no round: their case's ``round_id`` is NULL.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import TimestampMixin, db, str_enum


class ItemKind(StrEnum):
    COMMENT = "comment"  # comments and replies
    QUESTION = "question"
    ANSWER = "answer"
    SUGGESTION = "suggestion"  # an agenda suggestion (consult.suggestions)
    SUGGESTION_COMMENT = "suggestion_comment"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    ItemKind.COMMENT: _l("Comment or reply"),
    ItemKind.QUESTION: _l("Question"),
    ItemKind.ANSWER: _l("Answer"),
    ItemKind.SUGGESTION: _l("Suggestion"),
    ItemKind.SUGGESTION_COMMENT: _l("Comment on a suggestion"),
}


class FlagReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    MISINFORMATION = "misinformation"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    FlagReason.SPAM: _l("Spam or advertising"),
    FlagReason.ABUSE: _l("Abuse or harassment"),
    FlagReason.MISINFORMATION: _l("Rumour or misinformation"),
    FlagReason.OFF_TOPIC: _l("Off topic"),
    FlagReason.PERSONAL_DATA: _l("Personal data"),
}


class AppealOutcome(StrEnum):
    UPHELD = "upheld"  # stays hidden
    RESTORED = "restored"


class Flag(db.Model):
    """One user's report on one item. One *open* flag per user per item (a partial
    unique index); flags are resolved (not deleted) when a moderator decides."""

    __tablename__ = "moderation_flag"
    __table_args__ = (
        Index("uq_moderation_flag_open", "kind", "item_id", "reporter_id", unique=True,
              sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
        Index("ix_moderation_flag_item", "kind", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    item_id: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                             index=True)
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(20))

    reporter = relationship("User", lazy="raise_on_sql")


class ModerationCase(TimestampMixin, db.Model):
    """The queue row of one item; ``needs_review`` puts it in the queue."""

    __tablename__ = "moderation_case"
    __table_args__ = (
        UniqueConstraint("kind", "item_id"),
        Index("ix_moderation_case_queue", "needs_review", "open_flags", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    item_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                  index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=True)
    open_flags: Mapped[int] = mapped_column(default=0)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    # The term that held it (shown to moderators only).
    held_match: Mapped[str | None] = mapped_column(String(200))
    appeal_text: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None]
    appeal_outcome: Mapped[AppealOutcome | None] = mapped_column(str_enum(AppealOutcome))
    appeal_decided_at: Mapped[datetime | None]
    last_action_at: Mapped[datetime | None]

    @property
    def appeal_pending(self) -> bool:
        return self.appealed_at is not None and self.appeal_outcome is None


class SensitiveTerm(TimestampMixin, db.Model):
    """An admin-managed word or (restricted) pattern; a match holds a post for review."""

    __tablename__ = "moderation_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(100), unique=True)
    is_pattern: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    created_by = relationship("User", lazy="raise_on_sql")
