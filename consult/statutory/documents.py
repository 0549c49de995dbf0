"""The documents themselves: what the adoption statement, the participation report and a
draft say, as blocks (rendered to Word by ``word.py`` and to PDF by ``pdf.py``).

Every label goes through gettext: a document comes in the reader's language (Chinese by
default), like the page it is downloaded from.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from consult.consultations import structure
from consult.consultations.models import Clause, Consultation, DraftVersion
from consult.responses.models import ADOPTION_LABELS, Adoption
from consult.statutory.blocks import Document
from consult.statutory.models import Attachment
from consult.statutory.record import Record

STATUS_ORDER = list(Adoption)


def _day(moment) -> str:
    return format_date(moment, "long")


def _department(consultation: Consultation) -> str:
    return consultation.department.display_name(str(get_locale() or "zh_CN"))


def _intro(record: Record) -> str:
    r, t = record.round, record.stats["totals"]
    return _(
        "From %(opens)s to %(closes)s, %(department)s consulted the public on "
        "\u201c%(title)s\u201d. %(total)s were received from %(people)s "
        "(%(comments)s and %(questions)s).",
        opens=_day(r.opens_at), closes=_day(r.closed_at or r.closes_at),
        department=_department(r.consultation), title=record.title,
        total=ngettext("%(num)d opinion", "%(num)d opinions", t["total"]),
        people=ngettext("%(num)d person", "%(num)d people", record.authors),
        comments=ngettext("%(num)d comment on the draft", "%(num)d comments on the draft",
                          record.comments),
        questions=ngettext("%(num)d question", "%(num)d questions", record.questions))


def _outcome_line(record: Record) -> str:
    t = record.stats["totals"]
    parts = [_("%(label)s: %(num)d", label=ADOPTION_LABELS[s], num=t[s.value])
             for s in STATUS_ORDER]
    line = _("Of these: %(parts)s.", parts=_("; ").join(parts))
    if t.get("untriaged"):
        line += " " + _("Not triaged yet: %(num)d.", num=t["untriaged"])
    return line


def _header(document: Document, record: Record) -> None:
    r = record.round
    when = record.response.published_at
    document.subtitle(_department(r.consultation) + (" · " + _day(when) if when else ""))
    if record.draft:
        document.subtitle(_("Draft: the response is not published yet."))


def statement(record: Record) -> Document:
    """意见采纳情况说明: the outcome of every opinion, with its reason."""
    document = Document(
        title=_("Statement on the adoption of opinions: %(title)s", title=record.title),
        filename=_("Adoption statement") + f" {record.round.id}")
    _header(document, record)
    document.para(_intro(record) + " " + _outcome_line(record))
    if record.response.summary:
        document.heading(_("Summary"))
        document.para(record.response.summary)
    if record.themes:
        document.heading(_("Replies by theme"))
        for name, count, reply in record.themes:
            document.heading(f"{name} ({ngettext('%(num)d opinion', '%(num)d opinions', count)})",
                             level=2)
            document.para(reply or _("No separate reply to this theme; see the summary."))
    document.heading(_("Opinions and their outcome"))
    rows = []
    for row in record.rows:
        where = row.clause or (_("Question") if row.kind == "question" else _("Whole draft"))
        status = ADOPTION_LABELS[row.status] if row.status else _("Not triaged yet")
        rows.append([row.number, where, row.body, status, row.reason])
    document.table([_("No."), _("Clause"), _("Opinion"), _("Adopted?"), _("Reason given")],
                   rows, widths=[4, 6, 18, 6, 14])
    if record.withheld:
        document.para(ngettext(
            "%(num)d further opinion is not shown (hidden by a moderator, or sent only to "
            "the department): it is counted above, its text is not published.",
            "%(num)d further opinions are not shown (hidden by a moderator, or sent only to "
            "the department): they are counted above, their text is not published.",
            record.withheld))
    return document


def report(record: Record) -> Document:
    """征求意见情况通报: who took part, how many opinions, by channel and by clause."""
    r, t = record.round, record.stats["totals"]
    document = Document(
        title=_("Report on the public consultation: %(title)s", title=record.title),
        filename=_("Participation report") + f" {r.id}")
    _header(document, record)
    document.heading(_("The consultation"))
    days = (r.closes_at - r.opens_at).days
    document.para(_("Draft version %(n)d was open for comments from %(opens)s to %(closes)s "
                    "(%(days)s).", n=r.version.number, opens=_day(r.opens_at),
                    closes=_day(r.closed_at or r.closes_at),
                    days=ngettext("%(num)d day", "%(num)d days", days)))
    for ext in r.extensions:
        document.para(_("The closing date was moved from %(old)s to %(new)s: %(reason)s",
                        old=_day(ext.old_closes_at), new=_day(ext.new_closes_at),
                        reason=ext.reason))
    document.heading(_("Participation"))
    document.table([_("Measure"), _("How many")], [
        [_("People who took part"), record.participants],
        [_("People who gave opinions"), record.authors],
        [_("Opinions"), t["total"]],
        [_("Comments on the draft"), record.comments],
        [_("Questions"), record.questions],
    ], widths=[3, 1])
    document.para(_intro(record) + " " + _outcome_line(record))
    document.heading(_("Opinions by clause"))
    rows = []
    for row in record.stats["rows"]:
        if row["kind"] == "clause":
            where = f"{row['number']} {row['heading']}".strip()
        else:
            where = _("Whole draft") if row["kind"] == "draft" else _("Questions")
        rows.append([where, row["total"], *(row[s.value] for s in STATUS_ORDER)])
    rows.append([_("Total"), t["total"], *(t[s.value] for s in STATUS_ORDER)])
    document.table([_("Clause"), _("Opinions"), *(str(ADOPTION_LABELS[s]) for s in STATUS_ORDER)],
                   rows, widths=[4, 2, 2, 2, 2, 2])
    return document



def draft(consultation: Consultation, version: DraftVersion, clauses: list[Clause],
          attachments: Sequence[Attachment] = ()) -> Document:
    """A published version of the draft: its 起草说明, its clauses and the consultation's
    background documents (named, with where to download them)."""
    document = Document(title=consultation.title,
                        filename=f"{consultation.title} v{version.number}")
    document.subtitle(_("%(department)s · Draft for comments, version %(n)d, %(date)s",
                        department=_department(consultation), n=version.number,
                        date=_day(version.published_at)))
    if version.explanation:
        document.heading(_("Explanation of the draft"))
        document.para(version.explanation)
        document.heading(_("Text of the draft"))
    for chapter in structure.outline(clauses):
        if chapter.title:
            document.heading(chapter.title, level=2)
        for section in chapter.sections:
            if section.title:
                document.heading(section.title, level=3)
            for clause in section.clauses:
                document.clause(clause.number, clause.heading, clause.body)
    if attachments:
        document.heading(_("Background documents"))
        for attachment in attachments:
            document.para(_("%(title)s (%(file)s): %(url)s", title=attachment.title,
                            file=attachment.upload.filename,
                            url=url_for("statutory.attachment", consultation_id=consultation.id,
                                        attachment_id=attachment.id, _external=True)))
    return document
