"""Receipts (回执): the code every top-level opinion gets, the public lookup that answers
for a correct code what became of the opinion (and for a wrong one, nothing), and the
receipt e-mailed to an online participant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult import mail
from consult.channels.models import OpinionRecord
from consult.db import db
from consult.participation.models import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    Comment,
    ContentStatus,
)
from consult.responses.services.public import Outcome, outcomes_for
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round

_NOT_CODE = re.compile(r"[\s\-_.·—]")


def normalise_code(value: Any) -> str | None:
    """The stored form of what someone typed (spaces, dashes and case do not matter), or
    None when it cannot be a code at all."""
    text = _NOT_CODE.sub("", str(value or "")).upper()[:RECEIPT_LENGTH + 8]
    if len(text) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in text):
        return None
    return text


@dataclass
class ReceiptAnswer:
    comment: Comment
    round: Round
    state: RoundState
    outcome: Outcome | None
    # The day a letter or a call arrived; for an online opinion, when it was given.
    received_on: date | datetime | None = None

    @property
    def withdrawn(self) -> bool:
        return self.comment.status == ContentStatus.WITHDRAWN


def look_up(code: Any) -> ReceiptAnswer | None:
    """What became of the opinion with this receipt code; None for any wrong code (the
    caller says nothing more). Two queries."""
    normal = normalise_code(code)
    if normal is None:
        return None
    found = db.session.execute(
        select(Comment, OpinionRecord.received_on)
        .outerjoin(OpinionRecord, OpinionRecord.comment_id == Comment.id)
        .where(Comment.receipt_code == normal)
        .options(joinedload(Comment.round).joinedload(Round.consultation),
                 joinedload(Comment.clause))).first()
    if found is None:
        return None
    comment, received_on = found
    return ReceiptAnswer(comment=comment, round=comment.round,
                         state=lifecycle.state_of(comment.round),
                         outcome=outcomes_for(comment_ids=[comment.id]).comment(comment.id),
                         received_on=received_on or comment.created_at)


def mail_receipt(comment: Comment, *, actor: Any) -> None:
    """Receiver of ``opinion_received``: the author gets the receipt code by e-mail."""
    email = getattr(actor, "email", None)
    if not email or not comment.receipt_code:
        return
    mail.send_mail(email, "channels/mail/receipt", locale=getattr(actor, "locale", None),
                   comment=comment, round=comment.round,
                   lookup_url=mail.absolute_url("/receipt"))
