"""Rectification cases (好差评): one per bad rating (差评) of a published response.

A participant rates a response 不满意 or 非常不满意 (a 差评) in its satisfaction survey;
a case opens for the department that owns the round, due in working days on the official
calendar. The department records the follow-up contact (回访), then rectifies (what was done, linked
to an erratum or a follow-up action) or explains why not; the rater is told and may rate
again (the re-rating is kept beside the first rating, which never changes). Instead, the
department may appeal a rating it thinks mistaken or abusive (申诉复核): an evaluator
upholds it (the case goes on) or voids it (it leaves the scores). A case still open past
its due date is escalated once.

States (``CaseStatus``), the only transitions:

    open ──follow-up + rectify/explain──▶ resolved ──re-rating──▶ closed
    open ──appeal──▶ appealed ──upheld──▶ open
                              └─voided──▶ voided

The public figures per department and month are counters (``RectificationTally``)
moved in the same transaction as each step, so no page recounts cases. "Followed up in
time" is decided once per case (``followed_up_in_time``): by the first 回访 entered, or,
when the due date passes without one, by the escalation tick (late).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import db, str_enum
from consult.surveys.models import Satisfaction

NOTE_MAX = 4000


class CaseStatus(StrEnum):
    OPEN = "open"
    APPEALED = "appealed"
    RESOLVED = "resolved"
    CLOSED = "closed"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def colour(self) -> str:
        return {CaseStatus.OPEN: "amber", CaseStatus.APPEALED: "blue",
                CaseStatus.RESOLVED: "green", CaseStatus.CLOSED: "grey",
                CaseStatus.VOIDED: "grey"}[self]


STATUS_LABELS = {
    CaseStatus.OPEN: _l("Awaiting follow-up"),
    CaseStatus.APPEALED: _l("Under review"),
    CaseStatus.RESOLVED: _l("Awaiting re-rating"),
    CaseStatus.CLOSED: _l("Closed"),
    CaseStatus.VOIDED: _l("Rating voided"),
}


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    MESSAGE = "message"
    VISIT = "visit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.PHONE: _l("Telephone"),
    Channel.EMAIL: _l("E-mail"),
    Channel.MESSAGE: _l("Message on the site"),
    Channel.VISIT: _l("In person"),
    Channel.OTHER: _l("Other"),
}


class Resolution(StrEnum):
    RECTIFIED = "rectified"
    EXPLAINED = "explained"

    @property
    def label(self) -> str:
        return str(RESOLUTION_LABELS[self])


RESOLUTION_LABELS = {
    Resolution.RECTIFIED: _l("Rectified"),
    Resolution.EXPLAINED: _l("Explained"),
}


class Outcome(StrEnum):
    UPHELD = "upheld"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.UPHELD: _l("Rating upheld"),
    Outcome.VOIDED: _l("Rating voided"),
}


class RectificationCase(db.Model):
    """The follow-up of one bad rating. The rater's identity is never shown in public."""

    __tablename__ = "rectification_case"
    __table_args__ = (
        CheckConstraint("status NOT IN ('resolved', 'closed') OR "
                        "(followed_up_on IS NOT NULL AND resolution IS NOT NULL)",
                        name="resolved_after_follow_up"),
        CheckConstraint("status <> 'closed' OR rerating IS NOT NULL", name="closed_rerated"),
        CheckConstraint("round_id IS NOT NULL OR suggestion_id IS NOT NULL",
                        name="rated_something"),
        CheckConstraint("followed_up_at IS NULL OR followed_up_in_time IS NOT NULL",
                        name="follow_up_timed"),
        Index("ix_rectification_case_dept_status", "department_id", "status"),
        Index("ix_rectification_case_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What was rated: a round's published response (round_id, answer_id), or a
    # department's answer to an agenda suggestion (suggestion_id, suggestion_answer_id).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                                 index=True)
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion.id", ondelete="CASCADE"), index=True)
    # One case per rated suggestion answer (UNIQUE), as one per survey rating.
    suggestion_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("suggestion_event.id", ondelete="SET NULL"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # One case per rating (UNIQUE): a second case for the same rating cannot exist.
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_answer.id", ondelete="SET NULL"), unique=True)
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    # The rating as given (copied: the case shows what opened it).
    first_satisfaction: Mapped[Satisfaction] = mapped_column(str_enum(Satisfaction, length=30))
    first_rating: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=now)
    # The first day of the opening's month (local): the tally's key.
    month: Mapped[date]
    due_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]

    followed_up_on: Mapped[date | None]
    follow_up_channel: Mapped[Channel | None] = mapped_column(str_enum(Channel))
    follow_up_note: Mapped[str | None] = mapped_column(Text)
    followed_up_at: Mapped[datetime | None]
    # Whether the 回访 was recorded (``followed_up_at``, the moment the department entered
    # it, not the contact date it gives) by ``due_at``: set once, when the first 回访 is
    # recorded, or False when the due date passes without one (the escalation tick); NULL
    # while neither has happened. Later edits of the 回访 never change it.
    followed_up_in_time: Mapped[bool | None]
    followed_up_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))

    resolution: Mapped[Resolution | None] = mapped_column(str_enum(Resolution))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    erratum_id: Mapped[int | None] = mapped_column(
        ForeignKey("response_erratum.id", ondelete="SET NULL"))
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_action.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    resolved_in_time: Mapped[bool | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    rerating: Mapped[Satisfaction | None] = mapped_column(str_enum(Satisfaction, length=30))
    rerating_comment: Mapped[str | None] = mapped_column(Text)
    rerated_at: Mapped[datetime | None]

    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None]
    appealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    appeal_outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    round = relationship("Round", lazy="raise_on_sql")
    suggestion = relationship("Suggestion", lazy="raise_on_sql")
    department = relationship("Department", lazy="raise_on_sql")
    erratum = relationship("Erratum", lazy="raise_on_sql")
    action = relationship("FollowUpAction", lazy="raise_on_sql")

    def is_overdue(self, at: datetime) -> bool:
        return self.status == CaseStatus.OPEN and self.due_at < at

    @property
    def improved(self) -> bool:
        """Rated again on a higher level than the first rating (非常不满意 → 不满意 counts)."""
        return (self.rerating is not None
                and Satisfaction(self.rerating).score
                > Satisfaction(self.first_satisfaction).score)


TALLY_COLUMNS = ("rated", "opened", "followed_up", "follow_up_due", "follow_up_in_time",
                 "in_time", "rectified", "explained", "rerated", "improved", "appealed", "voided",
                 "escalated")


class RectificationTally(db.Model):
    """Counters of one department's cases opened in one month, moved by each step."""

    __tablename__ = "rectification_tally"
    __table_args__ = tuple(CheckConstraint(f"{c} >= 0", name=f"{c}_not_negative")
                           for c in TALLY_COLUMNS)

    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    # Ratings of the department's responses first given that month (the base of 差评率).
    rated: Mapped[int] = mapped_column(default=0)
    opened: Mapped[int] = mapped_column(default=0)
    followed_up: Mapped[int] = mapped_column(default=0)
    # "Followed up in time": cases whose 回访 was recorded or whose due date passed without
    # one (``follow_up_due``), and of them those whose 回访 was recorded by the due date
    # (``follow_up_in_time``); each case moves them once, when its
    # ``RectificationCase.followed_up_in_time`` is set.
    follow_up_due: Mapped[int] = mapped_column(default=0)
    follow_up_in_time: Mapped[int] = mapped_column(default=0)
    # Cases rectified or explained by their due date (the share "resolved in time").
    in_time: Mapped[int] = mapped_column(default=0)
    rectified: Mapped[int] = mapped_column(default=0)
    explained: Mapped[int] = mapped_column(default=0)
    rerated: Mapped[int] = mapped_column(default=0)
    improved: Mapped[int] = mapped_column(default=0)
    appealed: Mapped[int] = mapped_column(default=0)
    voided: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[int] = mapped_column(default=0)


class RectificationPolicy(db.Model):
    """A department's own deadline for cases, in working days (else the setting)."""

    __tablename__ = "rectification_policy"
    __table_args__ = (CheckConstraint("due_days BETWEEN 1 AND 60", name="due_days_range"),)

    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True)
    due_days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


