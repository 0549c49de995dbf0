"""Forms of the triage, response and follow-up pages (choices are set by the views)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from consult.responses.models import (
    ACTION_LABELS,
    ADOPTION_LABELS,
    ActionStatus,
    Adoption,
)
from consult.web import BaseForm


def adoption_choices(blank: str | None = None):
    choices = [(a.value, ADOPTION_LABELS[a]) for a in Adoption]
    return ([("", blank)] if blank is not None else []) + choices


class TriageForm(BaseForm):
    """One opinion's triage (prefix ``t<id>`` keeps the ids unique on the page)."""

    status = SelectField(_l("Outcome"), choices=adoption_choices(_l("Choose…")),
                         validate_choice=False)
    reason = TextAreaField(_l("Reason, shown publicly (required if not adopted)"))
    theme_id = SelectField(_l("Theme"), choices=[], validate_choice=False)
    changed_lineage_id = SelectField(_l("Clause it changed"), choices=[],
                                     validate_choice=False)

    def set_choices(self, themes, clauses) -> None:
        self.theme_id.choices = [("", _l("No theme"))] + [(str(t.id), t.name) for t in themes]
        self.changed_lineage_id.choices = [("", _l("No clause"))] + [
            (str(c.lineage_id), f"{c.number} {c.heading}".strip()) for c in clauses]


class BulkTriageForm(BaseForm):
    ids = SelectMultipleField(_l("Selected opinions"), choices=[], coerce=str,
                              validate_choice=False)
    status = SelectField(_l("Outcome for all selected"),
                         choices=adoption_choices(_l("Keep each one's outcome")),
                         validate_choice=False)
    reason = TextAreaField(_l("Reason (public)"),
                           description=_l("Required when they are not adopted."))
    theme_id = SelectField(_l("Theme for all selected"), choices=[], validate_choice=False)

    def set_choices(self, themes) -> None:
        self.theme_id.choices = [("keep", _l("Keep each one's theme")),
                                 ("none", _l("Remove from its theme"))] + [
            (str(t.id), t.name) for t in themes]


class ThemeForm(BaseForm):
    name = StringField(_l("Theme name"))


class MergeThemeForm(BaseForm):
    into_id = SelectField(_l("Merge into"), choices=[], validate_choice=False)


class ResponseForm(BaseForm):
    summary = TextAreaField(_l("Summary"),
                            description=_l("What the department heard and what it decided, "
                                           "in plain words."))
    changes_note = TextAreaField(_l("What changed in the draft"),
                                 description=_l("A short note shown beside the link to the "
                                                "clause-by-clause comparison."))
    to_version_number = SelectField(_l("Version that answers this round"), choices=[],
                                    validate_choice=False)

    def set_choices(self, numbers) -> None:
        self.to_version_number.choices = [("", _l("No new version yet"))] + [
            (str(n), _l("Version %(number)d", number=n)) for n in numbers]


class ActionForm(BaseForm):
    title = StringField(_l("What will be done"))
    owner_unit = StringField(_l("Responsible unit"))
    due_on = DateField(_l("Due date"), validators=[Optional()])


class ErratumForm(BaseForm):
    body = TextAreaField(_l("Correction"),
                         description=_l("Shown on the response with today's date; the "
                                        "original text stays."))


class EmptyForm(BaseForm):
    pass


class ProgressForm(BaseForm):
    status = SelectField(_l("Status"), choices=[(s.value, ACTION_LABELS[s]) for s in ActionStatus],
                         validate_choice=False)
    body = TextAreaField(_l("What happened"))
    on = DateField(_l("Date"), validators=[Optional()])
    drop_reason = TextAreaField(_l("Reason for dropping (public)"),
                                description=_l("Required when the action is dropped."))


class PublishForm(BaseForm):
    """The confirmation on the preview: the fingerprint of the draft the official saw."""
    seen = HiddenField()
