"""Round forms. Dates are typed as local date-times in the user's time zone
(``flask_babel.get_timezone()``); the fields hand aware datetimes to the services,
which store UTC."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from consult.rounds.models import RoundKind
from consult.rounds.services import REASON_MAX, SURVEY_DAYS, TITLE_MAX
from consult.security.params import INT_MAX, parse_int
from consult.web import BaseForm


def user_zone() -> ZoneInfo:
    """The user's zone as a ``zoneinfo`` zone: Babel may hand out pytz zones, which must
    not be attached with ``replace(tzinfo=...)`` (they would use local mean time)."""
    return ZoneInfo(str(get_timezone()))


DATE_MSG = _l("Enter a date and time, like 2026-12-01 09:00.")


class LocalDateTimeField(DateTimeLocalField):
    """``<input type=datetime-local>`` read in the user's time zone; blank means None
    (so the only message for a blank field is the "required" one)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
                                     "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
        kwargs.setdefault("invalid_value_message", DATE_MSG)
        kwargs.setdefault("tz", user_zone)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        # An unreadable date keeps its own message ("required" would replace it).
        if self.process_errors:
            raise StopValidation()


def _int_or_none(value):
    return parse_int(value, low=-INT_MAX)


def kind_choices():
    return [(k.value, k.label) for k in RoundKind]


class RoundForm(BaseForm):
    kind = SelectField(_l("What the public is asked to do"), choices=kind_choices,
                       validate_choice=False,  # the service says what is wrong
                       validators=[DataRequired(_l("Choose what the round is for."))])
    version_number = SelectField(
        _l("Draft version"), coerce=_int_or_none, validate_choice=False,
        description=_l("The published version people comment on or vote about."),
        validators=[InputRequired(_l("Choose the draft version this round asks about."))])
    title = StringField(
        _l("Title (optional)"),
        description=_l("For example 第一轮意见征集. Leave it empty to use the kind."),
        validators=[Length(max=TITLE_MAX, message=_l("Use at most %(max)d characters."))])
    opens_at = LocalDateTimeField(
        _l("Opens"), validators=[DataRequired(_l("Enter when the round opens."))])
    closes_at = LocalDateTimeField(
        _l("Closes"), validators=[DataRequired(_l("Enter when the round closes."))])
    response_due_at = LocalDateTimeField(
        _l("Response due"),
        description=_l("The department promises its public response by this date. "
                       "Later than that, the round is shown publicly as overdue."),
        validators=[DataRequired(_l("Enter when the response is due."))])
    survey_days = IntegerField(
        _l("Satisfaction survey (days)"),
        description=_l("How long participants may rate the response after it is published."),
        default=14,
        validators=[InputRequired(_l("Enter a number of days.")),
                    NumberRange(min=SURVEY_DAYS[0], max=SURVEY_DAYS[1],
                                message=_l("Enter a number between %(min)s and %(max)s."))])
    show_live_results = BooleanField(_l("Show vote tallies while the round is open"))
    short_period_reason = TextAreaField(
        _l("Reason for a shorter comment period"),
        description=_l("Needed only when the round is shorter than the department's minimum "
                       "comment period. Shown publicly on the round page."),
        validators=[Optional()])

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.version_number.choices = [
            (v.number, _l("Version %(number)d", number=v.number)) for v in reversed(versions)]
        self.survey_days.render_kw = {"min": SURVEY_DAYS[0], "max": SURVEY_DAYS[1],
                                      "inputmode": "numeric"}


class CloseRoundForm(BaseForm):
    reason = TextAreaField(
        _l("Why is the round closing early?"),
        description=_l("Shown publicly on the round page."),
        validators=[DataRequired(_l("Give the reason; it is shown publicly.")),
                    Length(max=REASON_MAX, message=_l("Use at most %(max)d characters."))])


class ExtendRoundForm(BaseForm):
    new_closes_at = LocalDateTimeField(
        _l("New closing date"),
        validators=[DataRequired(_l("Enter the new closing date."))])
    reason = TextAreaField(
        _l("Why is the round extended?"),
        description=_l("Shown publicly with the old and the new date."),
        validators=[DataRequired(_l("Give the reason; it is shown publicly.")),
                    Length(max=REASON_MAX, message=_l("Use at most %(max)d characters."))])
