"""Forms of the notification pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField

from consult.accounts.forms import MultiCheckboxField
from consult.notifications.models import Delivery, NotificationKind
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

    delivery = RadioField(
        _l("How to receive these e-mails"),
        description=_l("A digest gathers them in one e-mail a day or a week."),
        validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email_kinds.choices = [(k.value, k.label) for k in NotificationKind]
        self.delivery.choices = [(d.value, d.label) for d in Delivery]
