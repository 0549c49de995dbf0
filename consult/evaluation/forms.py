"""The evaluators' one form: drawing a random follow-up sample (随机回访)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from consult.surveys.models import SAMPLE_MAX, SEED_MAX
from consult.web import BaseForm


class SampleForm(BaseForm):
    # The service checks both values (422 beside the field; 409 for a seed used before).
    size = StringField(_l("How many participants to draw"),
                       description=_l("From 1 to %(max)d, among the participants who have "
                                      "not rated.", max=SAMPLE_MAX))
    seed = StringField(_l("Seed (optional)"),
                       description=_l("Up to %(max)d letters, digits, “-” or “_”. Leave it "
                                      "empty for a random one; it is shown with the sample so "
                                      "anyone can repeat the draw.", max=SEED_MAX))
