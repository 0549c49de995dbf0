"""Workspace forms: they collect input; the services validate it (422 beside the field)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField

from consult.web import BaseForm
from consult.workspace.models import NOTE_MAX


def colleague_choices(users) -> list[tuple[str, str]]:
    return [("", str(_l("Nobody")))] + [(str(u.id), u.display_name) for u in users]


class AssignForm(BaseForm):
    assignee_id = SelectField(_l("Assigned to"), choices=[], validate_choice=False)


class BulkAssignForm(BaseForm):
    """Submitted by the triage page's bulk form (prefix "bulk"): the ticked rows."""
    ids = SelectMultipleField(_l("Selected opinions"), choices=[], coerce=str,
                              validate_choice=False)
    assignee_id = SelectField(_l("Assign the selected to"), choices=[], validate_choice=False)


class NoteForm(BaseForm):
    body = TextAreaField(_l("Internal note"),
                         description=_l("Only officials of the department see it. Up to "
                                        "%(limit)d characters.", limit=NOTE_MAX))
