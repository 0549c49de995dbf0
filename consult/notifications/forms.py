"""Forms of the notification pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from consult.accounts.forms import MultiCheckboxField
from consult.notifications.models import NotificationKind
from consult.web import BaseForm


class FollowForm(BaseForm):
    next = HiddenField()


class EmptyForm(BaseForm):
    pass


class OpenForm(BaseForm):
    """Open a notification: marks it read, then goes to its link."""


class PreferencesForm(BaseForm):
    email_kinds = MultiCheckboxField(
        _l("Also send me an e-mail when"),
        description=_l("You always see every notification on this page. "
                       "Choose which ones should also reach your inbox."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email_kinds.choices = [(k.value, k.label) for k in NotificationKind]
