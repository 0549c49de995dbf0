"""Triage of opinions, themes, the response document, errata and follow-up actions.

An *opinion* is a top-level comment (depth 0) or a question of the round that was not
withdrawn; replies are discussion. After a round closes its opinions cannot change
(posting, withdrawing and supporting need an open round), so the first time the round's
triage is opened consult writes one ``Triage`` row per opinion (status ``None`` means
"not triaged yet") and keeps every count as a column of ``RoundResponse`` incremented in
SQL. Participation's tables stay untouched.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import TimestampMixin, db, str_enum


class Adoption(StrEnum):
    ADOPTED = "adopted"
    PARTLY = "partly_adopted"
    NOT_ADOPTED = "not_adopted"
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def label(self) -> str:
        return str(ADOPTION_LABELS[self])

    @property
    def colour(self) -> str:
        return ADOPTION_COLOURS[self]


ADOPTION_LABELS = {
    Adoption.ADOPTED: _l("Adopted"),
    Adoption.PARTLY: _l("Partly adopted"),
    Adoption.NOT_ADOPTED: _l("Not adopted"),
    Adoption.OUT_OF_SCOPE: _l("Out of scope"),
}
ADOPTION_COLOURS = {Adoption.ADOPTED: "green", Adoption.PARTLY: "blue",
                    Adoption.NOT_ADOPTED: "amber", Adoption.OUT_OF_SCOPE: "grey"}
# The RoundResponse counter column of each status.
COUNTER_OF = {Adoption.ADOPTED: "adopted_count", Adoption.PARTLY: "partly_count",
              Adoption.NOT_ADOPTED: "not_adopted_count",
              Adoption.OUT_OF_SCOPE: "out_of_scope_count"}


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])

    @property
    def colour(self) -> str:
        return {ActionStatus.PLANNED: "grey", ActionStatus.IN_PROGRESS: "blue",
                ActionStatus.DONE: "green", ActionStatus.DROPPED: "amber"}[self]

    @property
    def finished(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.DROPPED)


ACTION_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.DROPPED: _l("Dropped"),
}


class RoundResponse(TimestampMixin, db.Model):
    """The response to one round: a draft while written, frozen once published.

    Also the round's triage progress: the counters below are incremented in SQL by the
    triage services in the same transaction as the change, so no page recounts.
    """

    __tablename__ = "round_response"
    __table_args__ = (
        CheckConstraint("triaged_count >= 0 AND triaged_count <= opinion_count",
                        name="triaged_within_opinions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          unique=True)
    # Denormalised for the public lists and the diff links.
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    from_version_number: Mapped[int]
    # "What changed": the later version of the same consultation that answers the round.
    to_version_number: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    changes_note: Mapped[str] = mapped_column(Text, default="")

    opinion_count: Mapped[int] = mapped_column(default=0)
    triaged_count: Mapped[int] = mapped_column(default=0)
    adopted_count: Mapped[int] = mapped_column(default=0)
    partly_count: Mapped[int] = mapped_column(default=0)
    not_adopted_count: Mapped[int] = mapped_column(default=0)
    out_of_scope_count: Mapped[int] = mapped_column(default=0)

    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    # The statistics as published (totals and per clause); never changed afterwards.
    frozen_stats: Mapped[dict | None] = mapped_column(JSON)

    round = relationship("Round", lazy="raise_on_sql")
    themes: Mapped[list[Theme]] = relationship(
        lazy="raise_on_sql", order_by="Theme.position, Theme.id",
        primaryjoin="RoundResponse.round_id == foreign(Theme.round_id)", viewonly=True)
    actions: Mapped[list[FollowUpAction]] = relationship(
        back_populates="response", lazy="raise_on_sql",
        order_by="FollowUpAction.due_on, FollowUpAction.id")
    errata: Mapped[list[Erratum]] = relationship(
        back_populates="response", lazy="raise_on_sql", order_by="Erratum.created_at")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def untriaged_count(self) -> int:
        return self.opinion_count - self.triaged_count


class Theme(TimestampMixin, db.Model):
    """A group of similar opinions, with the department's reply to the group."""

    __tablename__ = "response_theme"
    __table_args__ = (UniqueConstraint("round_id", "name"),
                      CheckConstraint("member_count >= 0", name="members_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    reply: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    member_count: Mapped[int] = mapped_column(default=0)


class Triage(db.Model):
    """The adoption status of one opinion (a top-level comment or a question)."""

    __tablename__ = "triage"
    __table_args__ = (
        CheckConstraint("(comment_id IS NULL) <> (question_id IS NULL)",
                        name="exactly_one_opinion"),
        UniqueConstraint("comment_id"),
        UniqueConstraint("question_id"),
        Index("ix_triage_round_support", "round_id", "support_count"),
        Index("ix_triage_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"))
    # Copied from the opinion when the round's triage starts (they cannot change after close).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                  index=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("clause.id"), index=True)
    support_count: Mapped[int] = mapped_column(default=0)

    status: Mapped[Adoption | None] = mapped_column(str_enum(Adoption))
    reason: Mapped[str | None] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("response_theme.id", ondelete="SET NULL"), index=True)
    changed_lineage_id: Mapped[int | None] = mapped_column(ForeignKey("clause_lineage.id"))
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    triaged_at: Mapped[datetime | None]

    comment = relationship("Comment", lazy="raise_on_sql")
    question = relationship("Question", lazy="raise_on_sql")
    clause = relationship("Clause", lazy="raise_on_sql")
    theme: Mapped[Theme | None] = relationship(lazy="raise_on_sql")

    @property
    def kind(self) -> str:
        return "comment" if self.comment_id is not None else "question"

    @property
    def opinion_id(self) -> int:
        return self.comment_id if self.comment_id is not None else self.question_id


class Erratum(db.Model):
    """A visible, dated correction of a published response (never a silent edit)."""

    __tablename__ = "response_erratum"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("round_response.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    response: Mapped[RoundResponse] = relationship(back_populates="errata", lazy="raise_on_sql")
    by = relationship("User", lazy="raise_on_sql")


class FollowUpAction(TimestampMixin, db.Model):
    """An offline action the response commits to, tracked until done or dropped."""

    __tablename__ = "follow_up_action"
    __table_args__ = (
        CheckConstraint("status <> 'dropped' OR drop_reason IS NOT NULL",
                        name="dropped_has_reason"),
        Index("ix_follow_up_action_open_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("round_response.id", ondelete="CASCADE"), index=True)
    # Denormalised for the department and accountability lists.
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_unit: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus),
                                                 default=ActionStatus.PLANNED)
    drop_reason: Mapped[str | None] = mapped_column(Text)
    # Public once the response is published (copied at publication for cheap filters).
    published: Mapped[bool] = mapped_column(default=False, index=True)
    update_count: Mapped[int] = mapped_column(default=0)
    last_update_on: Mapped[date | None]

    response: Mapped[RoundResponse] = relationship(back_populates="actions",
                                                   lazy="raise_on_sql")
    round = relationship("Round", lazy="raise_on_sql")
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", lazy="raise_on_sql",
        order_by="ActionUpdate.on.desc(), ActionUpdate.id.desc()")

    def is_overdue(self, today: date) -> bool:
        return not self.status.finished and self.due_on < today


class ActionUpdate(db.Model):
    """A dated progress note on a follow-up action (and the status it moved to)."""

    __tablename__ = "follow_up_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_action.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    action: Mapped[FollowUpAction] = relationship(back_populates="updates", lazy="raise_on_sql")
    by = relationship("User", lazy="raise_on_sql")
