from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from consult.moderation.models import REASON_LABELS, FlagReason
from consult.web import BaseForm


class FlagForm(BaseForm):
    # Validation (a known reason, the note's length) is the service's: 422 beside the field.
    reason = SelectField(_l("Why are you flagging this?"),
                         choices=[("", _l("Choose a reason"))]
                         + [(r.value, REASON_LABELS[r]) for r in FlagReason],
                         validate_choice=False)
    note = TextAreaField(_l("Anything the moderators should know (optional)"))


class ReasonForm(BaseForm):
    reason = StringField(_l("Public reason"),
                         description=_l("Shown in place of the text, to everyone."))


class EmptyForm(BaseForm):
    pass


class AppealForm(BaseForm):
    text = TextAreaField(_l("Why should it be shown again?"))


class DecideAppealForm(BaseForm):
    outcome = RadioField(_l("Decision"), choices=[
        ("restored", _l("Restore the post")), ("upheld", _l("Keep it hidden"))],
        validate_choice=False)
    reason = StringField(_l("Reason for keeping it hidden"), validators=[Optional()])


class SuspendForm(BaseForm):
    days = IntegerField(_l("Suspend for (days)"), validators=[Optional()])
    reason = StringField(_l("Reason (the user sees it)"))


class TermForm(BaseForm):
    pattern = StringField(_l("Word or pattern"))
    is_pattern = BooleanField(_l("This is a pattern (a restricted regular expression)"))
