"""Channels forms. They only collect input; the services validate it (422 beside the
field), so the messages are the same for pages, htmx and every other caller."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from consult.channels.models import HearingKind, Selection
from consult.channels.services import MINUTES_KINDS, OFFLINE, SCAN_KINDS, SHEET_KINDS
from consult.uploads import allowed_label
from consult.web import BaseForm


def channel_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    first = [("", blank)] if blank else []
    return first + [(c.value, c.label) for c in OFFLINE]


class RecordForm(BaseForm):
    channel = SelectField(_l("Received by"), validate_choice=False, choices=[])
    received_on = StringField(_l("Day received"), description=_l("YYYY-MM-DD; for a letter, "
                                                                  "the postmark's day."))
    sender_name = StringField(_l("Sender's name (optional)"),
                              description=_l("Private: only your department sees it. The "
                                             "public sees only the channel."))
    sender_contact = StringField(_l("Sender's address, telephone or e-mail (optional)"),
                                 description=_l("Private, for sending the receipt and the "
                                                "answer."))
    clause_id = SelectField(_l("Which part is the opinion about?"), validate_choice=False,
                            choices=[])
    body = TextAreaField(_l("Text of the opinion"),
                         description=_l("As written or said; summarise a call faithfully."))
    confidential = BooleanField(_l("The sender asked that the text be seen only by the "
                                   "department"))
    file = FileField(_l("Scan or file (optional)"),
                     description=_l("Accepted: %(kinds)s.", kinds=allowed_label(SCAN_KINDS)))
    hearing_id = SelectField(_l("Opinions voiced at the hearing"), validate_choice=False,
                             choices=[])

    def set_choices(self, clauses, hearings=()) -> None:
        self.channel.choices = channel_choices()
        self.clause_id.choices = [("", str(_l("The whole draft")))] + [
            (str(c.id), f"{c.number} {c.heading}".strip()) for c in clauses]
        self.hearing_id.choices = hearing_choices(hearings)


def hearing_choices(hearings) -> list[tuple[str, str]]:
    return [("", str(_l("None")))] + [
        (str(h.id), str(_l("%(topic)s (%(day)s)", topic=h.topic, day=format_date(h.starts_at))))
        for h in hearings]


class ImportForm(BaseForm):
    channel = SelectField(_l("Channel of rows that name none"), validate_choice=False,
                          choices=[])
    hearing_id = SelectField(_l("Opinions voiced at the hearing"), validate_choice=False,
                             choices=[])
    file = FileField(_l("Spreadsheet"),
                     description=_l("Accepted: %(kinds)s. The first row names the columns: "
                                    "channel, received_on, sender_name, sender_contact, "
                                    "clause, opinion, confidential (or 渠道, 收到日期, 姓名, "
                                    "联系方式, 条款, 意见, 仅供部门).",
                                    kinds=allowed_label(SHEET_KINDS)))

    def set_choices(self, hearings) -> None:
        self.channel.choices = channel_choices(blank=str(_l("Each row names its channel")))
        self.hearing_id.choices = hearing_choices(hearings)


class ConfirmImportForm(BaseForm):
    upload_id = HiddenField()
    channel = HiddenField()
    hearing_id = HiddenField()


class LookupForm(BaseForm):
    code = StringField(_l("Receipt code"), description=_l("12 letters and digits, as on your "
                                                          "receipt; dashes and spaces do not "
                                                          "matter."))


class HearingForm(BaseForm):
    kind = SelectField(_l("Kind"), validate_choice=False,
                       choices=[(k.value, k.label) for k in HearingKind])
    topic = StringField(_l("Topic"))
    place = StringField(_l("Place"), description=_l("The address, and the room."))
    day = StringField(_l("Day"), description=_l("YYYY-MM-DD"))
    at = StringField(_l("Time"), description=_l("HH:MM, for example 14:30"))
    capacity = StringField(_l("Seats for citizens"))
    selection = SelectField(_l("How attendees are selected"), validate_choice=False,
                            choices=[(s.value, s.label) for s in Selection],
                            description=_l("The rule is shown to every applicant."))
    apply_until = StringField(_l("Applications close on (optional)"),
                              description=_l("YYYY-MM-DD. Empty: three working days before "
                                             "the hearing."))


class ApplyForm(BaseForm):
    statement = TextAreaField(_l("What would you like to say?"),
                              description=_l("A few lines, up to 1000 characters. The "
                                             "department reads them when it selects the "
                                             "attendees."))


class SelectForm(BaseForm):
    chosen_ids = SelectMultipleField(_l("Attendees"), validate_choice=False, choices=[],
                                     widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())
    reason = TextAreaField(_l("Reason for the choice"),
                           description=_l("Shown to every applicant."))


class MinutesForm(BaseForm):
    minutes = TextAreaField(_l("Minutes"))
    file = FileField(_l("Minutes as a document (optional)"),
                     description=_l("Accepted: %(kinds)s.", kinds=allowed_label(MINUTES_KINDS)))
