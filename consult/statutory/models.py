"""The statutory record's rows: a consultation's attachments (background documents the
owning department publishes beside the draft: an impact assessment, the law it
implements, data). The file itself is an ``Upload`` (stored in the database under a random
key, typed by its content); the attachment says which consultation shows it, under
which title."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.clock import now
from consult.db import db

TITLE_MAX = 200


class Attachment(db.Model):
    __tablename__ = "consultation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"),
                                           unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    upload = relationship("Upload", lazy="raise_on_sql")
