"""The statutory record's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from consult.statutory.attachments import KINDS
from consult.uploads import allowed_label
from consult.web import BaseForm


class WordImportForm(BaseForm):
    file = FileField(_l("Word file of the draft (.docx)"),
                     description=_l("Chapters (第一章), sections (第一节) and clauses (第一条) "
                                    "are recognised. You see a preview before anything is "
                                    "added."))


class AttachmentForm(BaseForm):
    title = StringField(_l("Title (optional)"),
                        description=_l("As people will see it, e.g. 起草说明 or 立法依据. "
                                       "Without one, the file's name is shown."))
    file = FileField(_l("Document"),
                     description=_l("Accepted: %(kinds)s.", kinds=allowed_label(KINDS)))


class DeleteAttachmentForm(BaseForm):
    reason = TextAreaField(_l("Why is it removed?"),
                           description=_l("Needed once the consultation is published: kept "
                                          "in the audit log."))
