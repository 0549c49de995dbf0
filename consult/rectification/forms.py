"""Forms of the case pages. Choices are checked by the services (422 beside the field)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from consult.rectification.models import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    RESOLUTION_LABELS,
)
from consult.surveys.models import SATISFACTION_LABELS
from consult.web import BaseForm


class FollowUpForm(BaseForm):
    on = DateField(_l("Date of the follow-up"), validators=[Optional()])
    channel = SelectField(_l("How the rater was contacted"), validate_choice=False,
                          choices=[("", _l("Choose…"))] + [
                              (c.value, label) for c, label in CHANNEL_LABELS.items()])
    note = TextAreaField(_l("What the rater said"))


class ResolveForm(BaseForm):
    resolution = RadioField(_l("Outcome"), validate_choice=False, choices=[
        (r.value, label) for r, label in RESOLUTION_LABELS.items()])
    note = TextAreaField(_l("What was done, or why nothing will be (public)"))
    erratum_id = SelectField(_l("Erratum published for it"), choices=[],
                             validate_choice=False)
    action_id = SelectField(_l("Follow-up action for it"), choices=[], validate_choice=False)

    def set_choices(self, errata, actions) -> None:
        self.erratum_id.choices = [("", _l("None"))] + [
            (str(e.id), e.body[:80]) for e in errata]
        self.action_id.choices = [("", _l("None"))] + [
            (str(a.id), a.title[:80]) for a in actions]


class AppealForm(BaseForm):
    reason = TextAreaField(_l("Why the rating is mistaken or abusive"))


class DecideForm(BaseForm):
    outcome = RadioField(_l("Decision"), validate_choice=False, choices=[
        (o.value, label) for o, label in OUTCOME_LABELS.items()])
    reason = TextAreaField(_l("Reason (public)"))


class RerateForm(BaseForm):
    satisfaction = RadioField(_l("How satisfied are you now?"), validate_choice=False,
                              choices=[(s.value, label)
                                       for s, label in SATISFACTION_LABELS.items()])
    comment = TextAreaField(_l("Anything to add (optional)"))


class DeadlineForm(BaseForm):
    due_days = StringField(_l("Working days to follow up and rectify or explain"))
