"""Recording an opinion received offline (a letter, an e-mail, a call, a hearing...):
one comment of the round with its channel, and its private record beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit, pagecache, uploads
from consult.accounts.models import Actor
from consult.channels.models import CONTACT_MAX, SENDER_MAX, Hearing, OpinionRecord
from consult.channels.services._common import parse_day, require_recordable
from consult.clock import now
from consult.consultations.models import Clause
from consult.db import db
from consult.errors import NotFound, ValidationFailed
from consult.participation.models import Channel, Comment, new_receipt_code
from consult.participation.services import COMMENT_MAX
from consult.responses.services.triage import add_to_triage
from consult.rounds.models import Round
from consult.security.input import clean_text
from consult.security.permissions import authorize
from consult.workdays import local_day

# What a scanned letter or an attached file may be.
SCAN_KINDS = ("pdf", "jpg", "png", "docx", "txt")
OFFLINE = tuple(c for c in Channel if c is not Channel.ONLINE)


@dataclass
class OpinionInput:
    """One opinion as entered (a form, or one row of a spreadsheet), still unchecked."""

    channel: Any = ""
    received_on: Any = None
    sender_name: Any = ""
    sender_contact: Any = ""
    clause: Any = None  # a clause id (form) or number / position (spreadsheet)
    body: Any = ""
    confidential: Any = False


@dataclass
class CheckedOpinion:
    channel: Channel
    received_on: date
    sender_name: str
    sender_contact: str
    clause_id: int | None
    body: str
    confidential: bool


# What a spreadsheet may write in its channel column, whatever the reader's language.
CHANNEL_WORDS = {
    Channel.LETTER: ("来信", "信件", "信函", "letter", "post", "mail"),
    Channel.EMAIL: ("电子邮件", "邮件", "e-mail", "email"),
    Channel.FAX: ("传真", "fax"),
    Channel.PHONE: ("电话", "热线", "12345", "phone", "telephone", "hotline"),
    Channel.HEARING: ("座谈会", "听证会", "听证", "hearing", "symposium"),
    Channel.CONTACT_POINT: ("联系点", "基层立法联系点", "contact point", "contact_point"),
}


def parse_channel(value: Any, *, field: str = "channel") -> Channel:
    text = str(value or "").strip()
    for channel in OFFLINE:
        if text == channel.value or text.lower() in CHANNEL_WORDS[channel] \
                or text == channel.label:
            return channel
    raise ValidationFailed(_l("Choose how the opinion was received."), field=field)


def parse_flag(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "y", "on", "是", "x", "√")


def clause_index(round_: Round) -> dict[str, int]:
    """{key: clause id} for the round's version: by id, number as written and position."""
    index: dict[str, int] = {}
    for clause in db.session.scalars(select(Clause).where(Clause.version_id == round_.version_id)):
        index[f"id:{clause.id}"] = clause.id
        index[clause.number.strip()] = clause.id
        index.setdefault(str(clause.position), clause.id)
    return index


def check_opinion(round_: Round, data: OpinionInput, clauses: dict[str, int], *,
                  today: date, by_id: bool = False) -> CheckedOpinion:
    """Validate one opinion (422 beside the first wrong field); nothing is written."""
    channel = parse_channel(data.channel)
    received_on = parse_day(data.received_on, field="received_on",
                            empty=_l("Enter the day the opinion was received."))
    if received_on > today:
        raise ValidationFailed(_l("The day received cannot be in the future."),
                               field="received_on")
    if received_on < local_day(round_.opens_at):
        raise ValidationFailed(_l("The day received is before the round opened."),
                               field="received_on")
    sender_name = clean_text(str(data.sender_name or ""), field="sender_name",
                             limit=SENDER_MAX, required=False) or ""
    sender_contact = clean_text(str(data.sender_contact or ""), field="sender_contact",
                                limit=CONTACT_MAX, required=False) or ""
    clause_id = None
    raw = str(data.clause or "").strip()
    if raw:
        clause_id = clauses.get(f"id:{raw}" if by_id else raw)
        if clause_id is None:
            raise ValidationFailed(_l("This clause is not part of the draft of this round."),
                                   field="clause")
    body = clean_text(str(data.body or ""), field="body", limit=COMMENT_MAX,
                      empty=_l("Enter the text of the opinion."))
    return CheckedOpinion(channel=channel, received_on=received_on, sender_name=sender_name,
                          sender_contact=sender_contact, clause_id=clause_id, body=body,
                          confidential=parse_flag(data.confidential))


def save_opinion(actor: Actor, round_: Round, opinion: CheckedOpinion, *,
                 upload_id: int | None = None, hearing: Hearing | None = None,
                 batch: str | None = None) -> OpinionRecord:
    """Write a checked opinion: the comment (counted like an online one), its record, the
    audit entry; and a triage row if the triage has started."""
    comment = Comment(round_id=round_.id, author_id=None, clause_id=opinion.clause_id,
                      body=opinion.body, channel=opinion.channel,
                      confidential=opinion.confidential, receipt_code=new_receipt_code())
    db.session.add(comment)
    db.session.flush()
    comment.thread_id = comment.id
    record = OpinionRecord(comment_id=comment.id, round_id=round_.id, channel=opinion.channel,
                           received_on=opinion.received_on, sender_name=opinion.sender_name,
                           sender_contact=opinion.sender_contact, upload_id=upload_id,
                           hearing_id=hearing.id if hearing else None,
                           recorded_by_id=actor.id, created_at=now())
    db.session.add(record)
    set_committed_value(record, "comment", comment)
    db.session.execute(update(Round).where(Round.id == round_.id)
                       .values(comment_count=Round.comment_count + 1))
    add_to_triage(round_, comment)
    pagecache.touch_rounds(db.session, [round_.id])
    audit.record(actor, "opinion.record", comment, round_id=round_.id,
                 channel=opinion.channel.value, received_on=opinion.received_on.isoformat(),
                 file=upload_id, hearing_id=hearing.id if hearing else None, batch=batch)
    return record


def record_opinion(actor: Actor, round_: Round, *, channel: Any, received_on: Any,
                   sender_name: Any = "", sender_contact: Any = "", clause_id: Any = None,
                   body: Any = "", confidential: Any = False,
                   file: uploads.Received | None = None,
                   hearing: Hearing | None = None) -> OpinionRecord:
    """An official of the round's department enters one opinion received offline, with
    an optional scan or file (already checked by ``uploads.receive``)."""
    authorize(actor, "channels.manage", round_)
    require_recordable(round_)
    data = OpinionInput(channel=channel, received_on=received_on, sender_name=sender_name,
                        sender_contact=sender_contact, clause=clause_id, body=body,
                        confidential=confidential)
    opinion = check_opinion(round_, data, clause_index(round_), by_id=True,
                            today=local_day(now()))
    if hearing is not None and opinion.channel is not Channel.HEARING:
        raise ValidationFailed(_l("Opinions voiced at a hearing have the channel "
                                  "\u201chearing\u201d."), field="channel")
    upload_id = uploads.store(file, by_id=actor.id).id if file is not None else None
    return save_opinion(actor, round_, opinion, upload_id=upload_id, hearing=hearing)


def get_record(actor: Actor, record_id: int, round_: Round) -> OpinionRecord:
    """A recorded opinion of the round with its comment, file and who entered it; only for
    the officials of the round's department."""
    authorize(actor, "channels.manage", round_)
    record = db.session.scalar(
        select(OpinionRecord).where(OpinionRecord.id == record_id,
                                    OpinionRecord.round_id == round_.id)
        .options(joinedload(OpinionRecord.comment).joinedload(Comment.clause),
                 joinedload(OpinionRecord.upload), joinedload(OpinionRecord.recorded_by)))
    if record is None:
        raise NotFound(_l("There is no such recorded opinion in this round."))
    return record


def received_on_of(comment: Comment) -> date | None:
    """The day a recorded opinion arrived (a letter's postmark...); None for one given
    online. Shown on the receipt printed for its sender."""
    if not comment.is_recorded:
        return None
    return db.session.scalar(select(OpinionRecord.received_on)
                             .where(OpinionRecord.comment_id == comment.id))
