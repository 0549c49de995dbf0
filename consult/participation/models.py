"""Comments (with replies and proposed wording), supports, questions and answers.

Counters (``support_count``, ``reply_count``, ``Round.comment_count`` ...) are columns
incremented in SQL by the services in the same transaction as the change; pages
never recount. One support per user per comment or question is a primary key, so a
double click or two tabs can never create two.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import TimestampMixin, db, str_enum

# Replies nest to this depth (top-level comments have depth 0); replies to a comment
# at this depth attach beside it, to its parent, and name whom they answer.
MAX_DEPTH = 3


class ContentStatus(StrEnum):
    """Visibility of a comment or question. Moderation will add HIDDEN and HELD;
    everything public filters on ``VISIBLE`` so new states stay hidden by default."""

    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"  # by a moderator, with a public reason (moderation_reason)
    HELD = "held"  # a sensitive word matched: awaiting a moderator's review

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ContentStatus.PUBLISHED: _l("Published"),
    ContentStatus.WITHDRAWN: _l("Withdrawn by its author"),
    ContentStatus.HIDDEN: _l("Hidden by a moderator"),
    ContentStatus.HELD: _l("Awaiting review"),
}
VISIBLE = (ContentStatus.PUBLISHED,)


class CommentStance(StrEnum):
    """What a comment says of its clause (optional; replies state none)."""

    SUPPORT = "support"
    OPPOSE = "oppose"
    AMEND = "amend"
    NEUTRAL = "neutral"

    @property
    def label(self) -> str:
        return str(COMMENT_STANCE_LABELS[self])

    @property
    def colour(self) -> str:
        """Tag colour; the label always goes with it (never colour alone)."""
        return COMMENT_STANCE_COLOURS[self]


COMMENT_STANCE_LABELS = {
    CommentStance.SUPPORT: _l("In favour"),
    CommentStance.OPPOSE: _l("Against"),
    CommentStance.AMEND: _l("Suggests changes"),
    CommentStance.NEUTRAL: _l("Neutral"),
}
COMMENT_STANCE_COLOURS = {
    CommentStance.SUPPORT: "green",
    CommentStance.OPPOSE: "red",
    CommentStance.AMEND: "amber",
    CommentStance.NEUTRAL: "grey",
}

class Channel(StrEnum):
    """How an opinion reached the department. Everything but ONLINE is recorded by an
    official (consult.channels); the public sees only this label, never the sender."""

    ONLINE = "online"
    LETTER = "letter"
    EMAIL = "email"
    FAX = "fax"
    PHONE = "phone"  # a call, the 12345 hotline included
    HEARING = "hearing"  # 座谈会 / 听证会
    CONTACT_POINT = "contact_point"  # 基层立法联系点

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.LETTER: _l("Letter"),
    Channel.EMAIL: _l("E-mail"),
    Channel.FAX: _l("Fax"),
    Channel.PHONE: _l("Phone or 12345 hotline"),
    Channel.HEARING: _l("Hearing"),
    Channel.CONTACT_POINT: _l("Grassroots contact point"),
}

# Receipt codes (回执编号): 12 characters of an alphabet without look-alikes (no 0/O,
# 1/I/L), about 59 bits: unguessable behind the lookup's rate limit.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 12


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def format_receipt(code: str | None) -> str:
    """``ABCD-EFGH-JKMN`` as printed and e-mailed; the lookup accepts any spacing."""
    if not code:
        return ""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def shown_to(model, viewer):
    """Filter for lists: everything but held posts, which only their author sees."""
    if not getattr(viewer, "is_authenticated", False):
        return model.status != ContentStatus.HELD
    return or_(model.status != ContentStatus.HELD, model.author_id == viewer.id)


def shown_to_bound(model):
    """``shown_to`` in a statement built once: the reader's id bound when it runs, as
    ``viewer_id`` (None for a visitor, whom ``author_id = NULL`` shows no held post)."""
    return or_(model.status != ContentStatus.HELD,
               model.author_id == bindparam("viewer_id", type_=Integer))


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("depth >= 0 AND depth <= 3", name="depth_range"),
        CheckConstraint("support_count >= 0 AND reply_count >= 0", name="counts_positive"),
        # An opinion given online has its author; one received offline has none (the
        # sender is in its channels record, the official who entered it too).
        CheckConstraint("(channel = 'online' AND author_id IS NOT NULL) OR "
                        "(channel <> 'online' AND author_id IS NULL)",
                        name="author_by_channel"),
        Index("ix_comment_round_thread", "round_id", "thread_id"),
        Index("ix_comment_round_created", "round_id", "created_at"),
        # "Most supported" order read from the index (bench: a hash join of every comment
        # of a viral round to its author before the sort otherwise).
        Index("ix_comment_round_support", "round_id", "support_count", "created_at", "id"),
        # A reader's own comments in a round (every logged-in reading of a list asks
        # whether they have one awaiting review: consult.participation.reader); the
        # author's comments anywhere from its first column.
        Index("ix_comment_author_round", "author_id", "round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    # None for an opinion received offline (``is_recorded``): nobody signed in gave it.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # On one clause of the round's version, or None for the whole draft.
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"), index=True)
    # Threads: the top-level comment (thread_id == id for top-level comments), the
    # comment this one hangs under, and the one it actually answers (differs once flat).
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    depth: Mapped[int] = mapped_column(default=0)
    body: Mapped[str] = mapped_column(Text)
    # A suggested replacement for the clause's text (only on clause comments).
    proposed_text: Mapped[str | None] = mapped_column(Text)
    # For or against the clause (only on top-level comments on a clause; optional).
    stance: Mapped[CommentStance | None] = mapped_column(str_enum(CommentStance))
    status: Mapped[ContentStatus] = mapped_column(str_enum(ContentStatus),
                                                  default=ContentStatus.PUBLISHED, index=True)
    edited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    support_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    # The public reason shown in place of hidden text (consult.moderation).
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    # Where it came from; offline opinions are recorded by an official (kept in the
    # channels record, not as their author).
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), default=Channel.ONLINE,
                                             server_default=Channel.ONLINE.value, index=True)
    # "Only for the department": counted and answered, its text never shown to others.
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 回执编号 of a top-level opinion (replies have none); see ``new_receipt_code``.
    receipt_code: Mapped[str | None] = mapped_column(String(RECEIPT_LENGTH), unique=True)

    round = relationship("Round", lazy="raise_on_sql")
    author = relationship("User", lazy="raise_on_sql")
    clause = relationship("Clause", lazy="raise_on_sql")
    parent: Mapped[Comment | None] = relationship(
        remote_side="Comment.id", foreign_keys=[parent_id], lazy="raise_on_sql")
    reply_to: Mapped[Comment | None] = relationship(
        remote_side="Comment.id", foreign_keys=[reply_to_id], lazy="raise_on_sql")

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE

    @property
    def public_body(self) -> str | None:
        """The text, only while it may be shown to everyone; templates and exports use
        this (never for a confidential opinion)."""
        return self.body if self.is_visible and not self.confidential else None

    @property
    def public_proposed_text(self) -> str | None:
        return self.proposed_text if self.is_visible and not self.confidential else None

    @property
    def is_recorded(self) -> bool:
        """Received offline and entered by an official (it has no author)."""
        return self.channel != Channel.ONLINE

    @property
    def byline(self) -> str:
        """The name shown with it: the author's, or the channel's for a recorded opinion
        (the sender is private). Needs ``author`` loaded for online opinions."""
        return self.channel.label if self.is_recorded else self.author.display_name

    @property
    def receipt(self) -> str:
        return format_receipt(self.receipt_code)


class CommentTally(db.Model):
    """How many comments of a round have one clause, stance, status and depth (and, for
    the top-level ones awaiting review, one author): the comments page's counts, kept by
    ``consult.participation.tallies`` as comments change, never counted again per request.

    Each column holds a plain value, never NULL, so the row is a primary key: 0 for the
    whole draft (no clause) and for "every author", an empty string for no stance."""

    __tablename__ = "comment_tally"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          primary_key=True)
    clause_id: Mapped[int] = mapped_column(primary_key=True)  # 0: the whole draft
    stance: Mapped[str] = mapped_column(String(20), primary_key=True)  # "": none
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    depth: Mapped[int] = mapped_column(primary_key=True)
    held_by: Mapped[int] = mapped_column(primary_key=True)  # 0: every author
    n: Mapped[int] = mapped_column(default=0)


class CommentSupport(db.Model):
    __tablename__ = "comment_support"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class Question(TimestampMixin, db.Model):
    __tablename__ = "question"
    __table_args__ = (
        CheckConstraint("support_count >= 0", name="support_positive"),
        Index("ix_question_round_created", "round_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    # Denormalised from the consultation, for the officials' inbox.
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[ContentStatus] = mapped_column(str_enum(ContentStatus),
                                                  default=ContentStatus.PUBLISHED, index=True)
    withdrawn_at: Mapped[datetime | None]
    support_count: Mapped[int] = mapped_column(default=0)
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    moderation_reason: Mapped[str | None] = mapped_column(Text)  # consult.moderation

    round = relationship("Round", lazy="raise_on_sql")
    author = relationship("User", lazy="raise_on_sql")
    answer: Mapped[Answer | None] = relationship(back_populates="question", uselist=False,
                                                 lazy="raise_on_sql")

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE

    @property
    def public_body(self) -> str | None:
        return self.body if self.is_visible else None

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class QuestionSupport(db.Model):
    """ "I want to know too": one per user per question."""

    __tablename__ = "question_support"

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class Answer(TimestampMixin, db.Model):
    """The department's public answer; one per question (a unique key)."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    body: Mapped[str] = mapped_column(Text)
    # consult.moderation may hide an answer (PUBLISHED or HIDDEN, with a public reason).
    status: Mapped[ContentStatus] = mapped_column(str_enum(ContentStatus),
                                                  default=ContentStatus.PUBLISHED)
    moderation_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE

    @property
    def public_body(self) -> str | None:
        return self.body if self.is_visible else None

    question: Mapped[Question] = relationship(back_populates="answer", lazy="raise_on_sql")
    author = relationship("User", lazy="raise_on_sql")
    department = relationship("Department", lazy="raise_on_sql")
