"""Workspace forms: they collect input; the services validate it (422 beside the field)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField

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


class BulkAnswerForm(BaseForm):
    """The question inbox's "answer several at once" (prefix "many"): the ticked questions,
    one text; the confirmation page posts it again with its signed confirmation."""
    ids = SelectMultipleField(_l("Selected questions"), choices=[], coerce=str,
                              validate_choice=False)
    body = TextAreaField(_l("One answer for all selected questions"),
                         description=_l("Published under each question, in your "
                                        "department's name; each asker is notified."))
    confirmation = HiddenField()


class NoteForm(BaseForm):
    body = TextAreaField(_l("Internal note"),
                         description=_l("Only officials of the department see it. Up to "
                                        "%(limit)d characters.", limit=NOTE_MAX))


class TemplateForm(BaseForm):
    department_id = SelectField(_l("Department"), choices=[], validate_choice=False)
    purpose = SelectField(_l("Used for"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), description=_l("A short name to find it in the list."))
    body = TextAreaField(_l("Text"), description=_l("Inserted into the form, where it can be "
                                                    "edited before it is sent."))

    def set_choices(self, departments, purposes) -> None:
        self.department_id.choices = [(str(d.id), d.name) for d in departments]
        self.purpose.choices = [(p.value, p.label) for p in purposes]
