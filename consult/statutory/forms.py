"""The statutory record's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from consult.web import BaseForm


class WordImportForm(BaseForm):
    file = FileField(_l("Word file of the draft (.docx)"),
                     description=_l("Chapters (第一章), sections (第一节) and clauses (第一条) "
                                    "are recognised. You see a preview before anything is "
                                    "added."))
