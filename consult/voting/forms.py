"""The vote form: a stance, a reason and (built with the round's questions by
``questionnaires.forms.answer_form``) one answer field per poll question. Poll questions
are defined with the questionnaire's ``QuestionForm``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.questionnaires.forms import AnsweringForm
from consult.voting.models import REASON_MAX


class VoteForm(AnsweringForm):
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
