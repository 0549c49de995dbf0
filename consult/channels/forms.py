"""Channels forms. They only collect input; the services validate it (422 beside the
field), so the messages are the same for pages, htmx and every other caller."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from consult.channels.services import OFFLINE, SCAN_KINDS, SHEET_KINDS
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

    def set_choices(self, clauses) -> None:
        self.channel.choices = channel_choices()
        self.clause_id.choices = [("", str(_l("The whole draft")))] + [
            (str(c.id), f"{c.number} {c.heading}".strip()) for c in clauses]


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
        self.hearing_id.choices = [("", str(_l("None")))] + [
            (str(h.id), f"{h.topic} ({h.starts_at:%Y-%m-%d})") for h in hearings]


class ConfirmImportForm(BaseForm):
    upload_id = HiddenField()
    channel = HiddenField()
    hearing_id = HiddenField()


class LookupForm(BaseForm):
    code = StringField(_l("Receipt code"), description=_l("12 letters and digits, as on your "
                                                          "receipt; dashes and spaces do not "
                                                          "matter."))
