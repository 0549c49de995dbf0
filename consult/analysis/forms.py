from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length

from consult.web import BaseForm


class AcceptThemeForm(BaseForm):
    name = StringField(_l("Theme name"), validators=[Length(max=120)])


class EmptyForm(BaseForm):
    pass
