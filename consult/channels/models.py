"""Opinions received offline (letters, e-mail, fax, phone, hearings, contact points) and
hearings (座谈会 / 听证会) with their applications.

A recorded opinion is a ``Comment`` (participation) with its ``channel``, so triage,
themes, analysis, statistics and the response treat it exactly like an online one; the
``OpinionRecord`` beside it keeps what only officials see: who sent it, how to reach them,
when it arrived, the scan, who entered it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import db, str_enum
from consult.participation.models import Channel

SENDER_MAX = 120
CONTACT_MAX = 200


class OpinionRecord(db.Model):
    """The private side of an opinion an official recorded (one per comment)."""

    __tablename__ = "opinion_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"),
                                            unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    received_on: Mapped[date]
    sender_name: Mapped[str] = mapped_column(String(SENDER_MAX), default="")
    sender_contact: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"))
    hearing_id: Mapped[int | None] = mapped_column(
        ForeignKey("hearing.id", ondelete="SET NULL"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    comment = relationship("Comment", lazy="raise_on_sql")
    upload = relationship("Upload", lazy="raise_on_sql")
    recorded_by = relationship("User", lazy="raise_on_sql")
    hearing: Mapped[Hearing | None] = relationship(lazy="raise_on_sql")


class HearingKind(StrEnum):
    SYMPOSIUM = "symposium"  # 座谈会
    HEARING = "hearing"  # 听证会

    @property
    def label(self) -> str:
        return str(HEARING_KIND_LABELS[self])


HEARING_KIND_LABELS = {
    HearingKind.SYMPOSIUM: _l("Symposium"),
    HearingKind.HEARING: _l("Public hearing"),
}


class Selection(StrEnum):
    """How attendees are chosen among the applicants; shown on the hearing's page."""

    ORDER = "order"  # first come, first served
    LOT = "lot"  # a lot drawn with a published seed: anyone can redo the draw
    CHOICE = "choice"  # officials choose, with a reason for each decision

    @property
    def label(self) -> str:
        return str(SELECTION_LABELS[self])


SELECTION_LABELS = {
    Selection.ORDER: _l("In order of application"),
    Selection.LOT: _l("By lot, with a published seed"),
    Selection.CHOICE: _l("Chosen by the department, with reasons"),
}


class Hearing(db.Model):
    __tablename__ = "hearing"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[HearingKind] = mapped_column(str_enum(HearingKind))
    topic: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    capacity: Mapped[int]
    apply_until: Mapped[date]
    selection: Mapped[Selection] = mapped_column(str_enum(Selection))
    seed: Mapped[str | None] = mapped_column(String(64))
    selected_at: Mapped[datetime | None]
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("upload.id", ondelete="SET NULL"))
    minutes_published_at: Mapped[datetime | None]
    application_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    round = relationship("Round", lazy="raise_on_sql")
    minutes_upload = relationship("Upload", lazy="raise_on_sql")

    @property
    def is_selected(self) -> bool:
        return self.selected_at is not None


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(APPLICATION_LABELS[self])


APPLICATION_LABELS = {
    ApplicationStatus.APPLIED: _l("Applied"),
    ApplicationStatus.SELECTED: _l("Selected to attend"),
    ApplicationStatus.NOT_SELECTED: _l("Not selected"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}


class HearingApplication(db.Model):
    """A citizen's application to attend, with a short statement; one per person."""

    __tablename__ = "hearing_application"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         index=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.APPLIED)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime | None]

    hearing: Mapped[Hearing] = relationship(lazy="raise_on_sql")
    user = relationship("User", lazy="raise_on_sql")
