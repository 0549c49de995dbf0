from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from consult.suggestions.models import (
    ANSWER_LABELS,
    RATING_LABELS,
    AnswerStatus,
    Rating,
)
from consult.suggestions.services import LIMITS, MAX_LINKS, UNROUTED
from consult.web import BaseForm


def _too_long(limit: int):
    return Length(max=limit, message=_l("Use at most %(max)d characters."))


class SuggestionForm(BaseForm):
    department_id = SelectField(
        _l("Department"), validate_choice=False,
        validators=[DataRequired(_l("Choose a department, or “Not sure which department”."))],
        description=_l("The department that should take this up. If you are not sure, an "
                       "administrator will send it to the right one."))
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give your suggestion a short title.")),
                                 _too_long(LIMITS["title"])],
        description=_l("One line that names the problem, e.g. 老旧小区加装电梯审批太慢."))
    problem = TextAreaField(
        _l("The problem or need"),
        validators=[DataRequired(_l("Describe the problem or need.")),
                    _too_long(LIMITS["problem"])],
        description=_l("What is wrong or missing today? Give facts you know."))
    affected = TextAreaField(_l("Who it affects (optional)"),
                             validators=[_too_long(LIMITS["affected"])],
                             description=_l("Which people or groups, and roughly how many."))
    location = StringField(_l("Where (optional)"), validators=[_too_long(LIMITS["location"])],
                           description=_l("A district, street or the whole city."))
    proposal = TextAreaField(
        _l("What you propose"),
        validators=[DataRequired(_l("Say what you propose the department should do.")),
                    _too_long(LIMITS["proposal"])],
        description=_l("What should the department do about it?"))
    tags = StringField(_l("Topic tags (optional)"), validators=[Length(max=500)],
                       description=_l("Separate tags with commas, e.g. 养老, 社区服务."))
    links = TextAreaField(
        _l("Links (optional)"), validators=[Length(max=MAX_LINKS * 510)],
        description=_l("Web pages that show the problem: at most %(n)d, one per line, "
                       "starting with http:// or https://. No attachments.", n=MAX_LINKS))

    def set_departments(self, departments, locale: str) -> None:
        self.department_id.choices = [("", _l("Choose…")), (UNROUTED, _l(
            "Not sure which department"))] + [(str(d.id), d.display_name(locale))
                                             for d in departments]

    def service_data(self, *exclude: str):
        data = super().service_data("check", *exclude)
        data["department_id"] = None if data["department_id"] == UNROUTED else \
            data["department_id"]
        return data


class CommentForm(BaseForm):
    body = TextAreaField(_l("Your comment"), validators=[
        DataRequired(_l("Write your comment.")), _too_long(LIMITS["body"])],
        description=_l("Plain text. Be kind and stay on the topic."))


TRANSFER = "transferred"


class AnswerForm(BaseForm):
    status = RadioField(_l("Answer"), choices=[
        *[(s.value, ANSWER_LABELS[s]) for s in (AnswerStatus.UNDER_STUDY, AnswerStatus.ON_AGENDA,
                                               AnswerStatus.COVERED, AnswerStatus.NOT_TAKEN)],
        (TRANSFER, _l("Transfer to another department"))],
        validators=[DataRequired(_l("Choose an answer."))])
    body = TextAreaField(
        _l("Public answer"), validators=[_too_long(LIMITS["answer"])],
        description=_l("Shown on the suggestion page. Required when the suggestion is not "
                       "taken up: give the reason."))
    consultation_id = SelectField(
        _l("The consultation it became"), validate_choice=False,
        description=_l("For “taken onto the agenda”: one of your department's consultations."))
    other_consultation_id = IntegerField(
        _l("Or the number of a consultation that already covers it"),
        validators=[Optional()],
        description=_l("For “already covered”: the number in the consultation's address "
                       "(for /consultations/12 it is 12)."))
    to_department_id = SelectField(_l("Transfer to"), validate_choice=False,
                                   description=_l("For a transfer: the department that "
                                                  "should answer instead."))

    def service_data(self, *exclude: str):
        data = super().service_data("other_consultation_id", *exclude)
        if self.other_consultation_id.data:
            data["consultation_id"] = self.other_consultation_id.data
        return data


class BulkAnswerForm(BaseForm):
    """The officials' list's "answer several at once" (prefix "many"): the ticked
    suggestions, one answer and one text; the confirmation page posts it again, signed.
    The service checks every value (422 beside its field)."""
    ids = SelectMultipleField(_l("Selected suggestions"), choices=[], coerce=str,
                              validate_choice=False)
    status = RadioField(_l("Answer"), choices=[
        (s.value, ANSWER_LABELS[s]) for s in (AnswerStatus.UNDER_STUDY, AnswerStatus.ON_AGENDA,
                                              AnswerStatus.COVERED, AnswerStatus.NOT_TAKEN)],
        validate_choice=False)
    body = TextAreaField(
        _l("One public answer for all selected suggestions"),
        description=_l("Shown on each suggestion's page, in your department's name; each "
                       "author and supporter is notified."))
    consultation_id = SelectField(
        _l("The consultation they became"), validate_choice=False,
        description=_l("For “taken onto the agenda” or “already covered”: one of your "
                       "departments' consultations."))


class RateForm(BaseForm):
    rating = RadioField(_l("How satisfied are you with the answer?"),
                        choices=[(r.value, RATING_LABELS[r]) for r in Rating],
                        validators=[DataRequired(_l("Choose how satisfied you are."))])
    comment = TextAreaField(_l("Why? (optional; the department reads it, it is not "
                               "published)"))


class RouteForm(BaseForm):
    department_id = SelectField(_l("Send to"), validate_choice=False,
                                validators=[DataRequired(_l("Choose a department."))])


class PolicyForm(BaseForm):
    reply_days = IntegerField(
        _l("Reply deadline (working days)"),
        validators=[DataRequired(_l("Give a number of working days."))],
        description=_l("Monday to Friday, counted from the day after a suggestion arrives. "
                       "Applies to suggestions received from now on."))


class EmptyForm(BaseForm):
    pass
