"""Every template global, filter and context value of the app, registered once, here.

None of them touches the database: a page shows what its view passed in (the view asks
the services, and calls other domains' section functions by name), so reading a view is
enough to know what its page queries. What is here formats, labels, links and checks
permissions on objects already loaded.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from consult import i18n
from consult.accounts.forms import LocaleForm
from consult.admin import audit_labels
from consult.consultations import structure
from consult.consultations.diff import inline_diff
from consult.main.display import elder_mode
from consult.moderation.models import FlagReason
from consult.moderation.services import text_of
from consult.notifications.models import NotificationKind
from consult.participation.models import CHANNEL_LABELS, Channel, CommentStance
from consult.participation.services import can_still_edit
from consult.responses.models import ADOPTION_LABELS, Adoption
from consult.rounds import lifecycle
from consult.security.permissions import check
from consult.security.sanitize import linkify
from consult.suggestions import deadlines
from consult.surveys.models import SCALE, Heard, Satisfaction
from consult.voting.models import Stance
from consult.web import IdUrls


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
    i18n.install_template_gettext(app.jinja_env)
    app.jinja_env.globals.update(
        # accounts, security, i18n
        can=can,
        csrf_token=generate_csrf,
        get_locale=i18n.current_locale,
        locale_form=lambda: LocaleForm(formdata=None),
        LOCALE_NAMES=i18n.LOCALE_NAMES,
        html_lang=i18n.html_lang,
        elder_mode=elder_mode,
        # links and labels of long lists, worked out once per list
        id_urls=IdUrls,
        labels_of=labels_of,
        # rounds
        round_state=lifecycle.state_view,
        round_state_class=lifecycle.state_class,
        round_states=lifecycle.with_states,
        current_round=lifecycle.current_of,
        days_between=days_between,
        # participation, responses, suggestions, moderation, notifications
        can_edit_comment=can_still_edit,
        adoption_label=adoption_label,
        channel_label=channel_label,
        suggestion_overdue=deadlines.is_overdue,
        notification_kind=notification_kind,
        FLAG_REASONS=list(FlagReason),
        # voting and surveys: the fixed choices of their forms (labels are lazy)
        STANCES=list(Stance),
        COMMENT_STANCES=list(CommentStance),
        SURVEY_CHOICES={"satisfaction": [(s.value, s.label) for s in Satisfaction],
                        "heard": [(h.value, h.label) for h in Heard],
                        "scale": [(str(v), str(v)) for v in SCALE]},
    )
    app.jinja_env.filters.update(
        datetime=i18n.format_datetime_filter,
        datetime_min=i18n.datetime_min,
        day=day,
        relative=i18n.relative,
        linkify=linkify,
        proposal_diff=proposal_diff,
        outline=structure.outline,
        clause_place=structure.place,
        moderation_text=text_of,
        audit_action=audit_labels.action_label,
        audit_object=audit_labels.object_label,
        audit_details=audit_labels.details,
    )


def can(name: str, obj: Any = None) -> bool:
    """``can("round.close", round)``: show a button only when its POST would pass (the
    server checks again)."""
    return check(current_user, name, obj)


def labels_of(members) -> dict[Any, str]:
    """{member: its label in the current language} of an enum's ``members``, for a list
    that shows one per row (a label is looked up in the catalog each time it is read)."""
    return {member: str(member.label) for member in members}


def days_between(delta) -> int:
    return max(0, int(delta.total_seconds() // 86400))


def channel_label(value: str) -> str:
    try:
        return str(CHANNEL_LABELS[Channel(value)])
    except ValueError:
        return value


def adoption_label(value: str) -> str:
    try:
        return str(ADOPTION_LABELS[Adoption(value)])
    except ValueError:
        return _("Not triaged yet")


def notification_kind(value: str) -> NotificationKind | None:
    try:
        return NotificationKind(value)
    except ValueError:
        return None


def day(value, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def proposal_diff(proposed: str | None, original: str | None) -> Markup:
    """The proposed wording with its changes against the clause marked (<ins>/<del>)."""
    if not proposed:
        return Markup("")
    return inline_diff(original or "", proposed)
