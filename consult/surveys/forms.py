"""Forms for answering a survey and for the officials' survey settings.

The department's own questions get one answer field each (``q<question id>``) when the
form is built by ``questionnaires.forms.answer_form``; they are defined with the
questionnaire's ``QuestionForm``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.questionnaires.forms import AnsweringForm
from consult.surveys.models import COMMENT_MAX
from consult.web import BaseForm


class SurveyForm(AnsweringForm):
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


class SettingsForm(BaseForm):
    open_to_all = BooleanField(
        _l("Let anyone with a verified e-mail address answer, not only the round's "
           "participants"))
