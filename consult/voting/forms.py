"""Forms for voting and for defining poll questions.

Poll answers are dynamic (one field per question of the round), so the vote form reads
them from the request itself (``q<question id>`` fields) and the service validates them;
their errors are shown beside their question and in the error summary.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.errors import ServiceError
from consult.voting.models import QUESTION_TEXT_MAX, REASON_MAX
from consult.web import BaseForm


class VoteForm(BaseForm):
    # Rendered as radios by the template (one per Stance); the service checks the value
    # and says so in our words (422 beside the field).
    stance = StringField(_l("Your stance on the draft"),
                         validators=[DataRequired(_l("Choose your stance on the draft."))])
    reason = TextAreaField(
        _l("Your reason (optional)"),
        description=_l("At most %(max)d characters. Shown with the results only as part "
                       "of the counts, never with your name.", max=REASON_MAX),
        validators=[Optional(), Length(max=REASON_MAX, message=_l(
            "The reason can have at most %(max)d characters.", max=REASON_MAX))])

    def __init__(self, *args, questions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.poll_errors: dict[str, str] = {}

    def add_service_error(self, exc: ServiceError) -> None:
        if exc.field and (exc.field == "poll" or exc.field.startswith("q")) \
                and exc.field not in self._fields:
            self.poll_errors[exc.field] = str(exc.message)
        else:
            super().add_service_error(exc)

    @property
    def all_errors(self):
        errors = super().all_errors
        for key, message in self.poll_errors.items():
            errors.append((key if key != "poll" else None, "", message))
        return errors


class QuestionForm(BaseForm):
    text = StringField(_l("Question"), validators=[
        DataRequired(_l("Enter the question.")),
        Length(max=QUESTION_TEXT_MAX, message=_l(
            "The question can have at most %(max)d characters.", max=QUESTION_TEXT_MAX))])
    multiple = BooleanField(_l("People may choose more than one answer"))
    options = TextAreaField(
        _l("Answers, one per line"),
        description=_l("Between 2 and 10 answers, each at most 120 characters."),
        validators=[DataRequired(_l("Give at least 2 answers, one per line."))])
