"""Reading a draft from a Word file (.docx, with python-docx): its title, chapters (章),
sections (节), clauses (条) with their paragraphs (款) and items (项, "（一）…"), and what
could not be placed, for a preview before anything is saved.

The preview is only read, never stored: the official checks it, fixes the text it shows
(beside what was flagged) and sends it to the working copy's ordinary import
(``consultations.services.import_clauses``), which parses it the same way.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.errors import ValidationFailed

NUMERAL = r"[零〇一二三四五六七八九十百千两\d]+"
CHAPTER = re.compile(rf"^第{NUMERAL}[章编]")
SECTION = re.compile(rf"^第{NUMERAL}节")
ARTICLE = re.compile(rf"^第{NUMERAL}条")
ITEM = re.compile(rf"^[（(]{NUMERAL}[)）]")
MAX_PARAGRAPHS = 20_000


@dataclass
class Clause:
    number: str
    chapter: str
    section: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(1 for p in self.paragraphs if ITEM.match(p))


@dataclass
class Preview:
    title: str = ""
    chapters: list[str] = field(default_factory=list)
    sections: int = 0
    clauses: list[Clause] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # text before the first clause
    lines: list[str] = field(default_factory=list)     # the text for the import

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def paragraphs_of(data: bytes, *, field_name: str = "file") -> list[str]:
    """The non-empty paragraphs of a Word file, in order (422 when it cannot be read).
    python-docx and lxml are imported here, by the first Word file, not at start."""
    import docx  # noqa: PLC0415 - heavy (python-docx, lxml): Word files only
    from docx.opc.exceptions import PackageNotFoundError  # noqa: PLC0415
    from lxml.etree import LxmlError  # noqa: PLC0415

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, LxmlError):
        raise ValidationFailed(_l("This Word file cannot be read. Open it in Word, save it "
                                  "again as .docx and upload it again."),
                               field=field_name) from None
    out = []
    for paragraph in document.paragraphs:
        text = paragraph.text.replace("\u3000", " ").strip()
        if text:
            out.append(text)
        if len(out) > MAX_PARAGRAPHS:
            raise ValidationFailed(_l("The file has too many paragraphs to be a draft."),
                                   field=field_name)
    return out


def preview(paragraphs: list[str], *, field_name: str = "file") -> Preview:
    """The structure of a draft's paragraphs. A file without any "第…条" is not a draft
    (422): there is nothing to import clause by clause."""
    result = Preview()
    chapter = section = ""
    current: Clause | None = None
    for text in paragraphs:
        compact = text.replace(" ", "")
        if CHAPTER.match(compact):
            chapter, section, current = text, "", None
            result.chapters.append(text)
            result.lines.append(text)
        elif SECTION.match(compact):
            section, current = text, None
            result.sections += 1
            result.lines.append(text)
        elif ARTICLE.match(compact):
            number = ARTICLE.match(compact)[0]
            current = Clause(number=number, chapter=chapter, section=section,
                             paragraphs=[text])
            result.clauses.append(current)
            result.lines.append(text)
        elif current is not None:
            current.paragraphs.append(text)
            result.lines.append(text)
        elif not result.title and not result.chapters:
            result.title = text
        else:
            result.unplaced.append(text)
    if not result.clauses:
        raise ValidationFailed(_l("No clauses were found: a draft's clauses begin "
                                  "\u201c第一条\u201d, \u201c第二条\u201d… Check that this is "
                                  "the draft, or paste its text instead."), field=field_name)
    return result
