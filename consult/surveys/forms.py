"""Forms for answering a survey and for the officials' survey settings and questions.

Custom questions are dynamic (one field per question of the round), so the answer form
reads them from the request (``q<question id>`` fields) and the service validates them;
their errors are shown beside their question and in the error summary.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.errors import ServiceError
from consult.surveys.models import (
    COMMENT_MAX,
    QUESTION_KIND_LABELS,
    QUESTION_TEXT_MAX,
    QuestionKind,
)
from consult.web import BaseForm


class SurveyForm(BaseForm):
    # Rendered as radios by the template; the service checks the values (422 beside them).
    satisfaction = StringField(
        _l("Overall, how satisfied are you with the department's response?"),
        validators=[DataRequired(_l("Choose how satisfied you are with the response."))])
    rating = StringField(
        _l("Rate the response from 1 (very poor) to 5 (very good)"),
        validators=[DataRequired(_l("Choose a rating from 1 to 5."))])
    clarity = StringField(
        _l("How clear is the response, from 1 (very unclear) to 5 (very clear)?"),
        validators=[DataRequired(_l("Choose how clear the response is, from 1 to 5."))])
    heard = StringField(
        _l("Did you feel heard?"),
        validators=[DataRequired(_l("Say whether you felt heard."))])
    comment = TextAreaField(
        _l("Anything else you want the department to know (optional)"),
        description=_l("At most %(max)d characters. The department reads it; it is not "
                       "published.", max=COMMENT_MAX),
        validators=[Optional(), Length(max=COMMENT_MAX, message=_l(
            "Your comment can have at most %(max)d characters.", max=COMMENT_MAX))])

    def __init__(self, *args, questions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.question_errors: dict[str, str] = {}

    def add_service_error(self, exc: ServiceError) -> None:
        if exc.field and (exc.field == "survey" or exc.field.startswith("q")) \
                and exc.field not in self._fields:
            self.question_errors[exc.field] = str(exc.message)
        else:
            super().add_service_error(exc)

    @property
    def all_errors(self):
        errors = super().all_errors
        for key, message in self.question_errors.items():
            errors.append((key if key != "survey" else None, "", message))
        return errors


class SettingsForm(BaseForm):
    open_to_all = BooleanField(
        _l("Let anyone with a verified e-mail address answer, not only the round's "
           "participants"))


class QuestionForm(BaseForm):
    text = StringField(_l("Question"), validators=[
        DataRequired(_l("Enter the question.")),
        Length(max=QUESTION_TEXT_MAX, message=_l(
            "The question can have at most %(max)d characters.", max=QUESTION_TEXT_MAX))])
    kind = RadioField(
        _l("Kind of answer"), default=QuestionKind.SINGLE.value, validate_choice=False,
        choices=[(k.value, QUESTION_KIND_LABELS[k]) for k in QuestionKind],
        validators=[DataRequired(_l("Choose the kind of question."))])
    options = TextAreaField(
        _l("Answers, one per line"),
        description=_l("For single and multiple choice: between 2 and 10 answers, each at "
                       "most 120 characters. Leave empty for a scale or free text."))
