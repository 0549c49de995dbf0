"""Clause-by-clause comparison of two draft versions (pure: no database, no Flask).

Clauses are aligned by ``lineage_id`` (the same clause across versions). Each row
says whether the clause was added, removed, changed (heading or text), moved (its place
in the order changed relative to the clauses around it), renumbered (its number changed),
moved to another chapter or section, or is unchanged, and carries the text with changes
marked by ``<ins>``/``<del>``: character by character for Chinese, word by word for
English and other Latin-script text. A clause's number is a label, never diffed inside
("第十四条" with a changed numeral reads as another clause): a renumbered clause
carries its old and new numbers whole. All text is escaped; the markup is built with
markupsafe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Protocol

from markupsafe import Markup, escape

from consult.consultations.structure import place

ADDED, REMOVED, CHANGED, MOVED, UNCHANGED = "added", "removed", "changed", "moved", "unchanged"
RENUMBERED, REGROUPED = "renumbered", "regrouped"  # regrouped: another chapter/section

# A run of word characters in Latin-like scripts is one token (word-level diff);
# whitespace runs are one token; everything else, in particular each CJK character
# and punctuation mark, is a token of its own (character-level diff).
_TOKEN = re.compile(
    r"[0-9A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]+"
    r"(?:['’.\-][0-9A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]+)*"
    r"|\s+|.",
    re.S,
)
# Below this similarity a changed text reads better as "all removed, all added".
_REWRITE_RATIO = 0.25


class ClauseLike(Protocol):
    lineage_id: int
    number: str
    heading: str
    body: str
    chapter: str
    section: str


@dataclass(frozen=True)
class ClauseText:
    """A plain clause, for callers that do not have model rows."""

    lineage_id: int
    number: str
    heading: str
    body: str
    chapter: str = ""
    section: str = ""


@dataclass
class ClauseDiff:
    lineage_id: int
    status: str  # added, removed, changed, unchanged (moved is a flag: see ``moved``)
    old: ClauseLike | None
    new: ClauseLike | None
    moved: bool = False
    renumbered: bool = False  # the clause number changed (e.g. after a removal)
    regrouped: bool = False   # it now stands in another chapter or section
    number: Markup = field(default_factory=Markup)
    heading: Markup = field(default_factory=Markup)
    body: Markup = field(default_factory=Markup)
    old_position: int | None = None
    new_position: int | None = None

    @property
    def changed(self) -> bool:
        return self.status == CHANGED

    @property
    def place(self) -> str:
        """The chapter and section it stands in (in the new version, or the old one for a
        removed clause), e.g. "第二章 申请 · 第一节 条件"."""
        clause = self.new if self.new is not None else self.old
        return place(clause) if clause is not None else ""

    @property
    def old_place(self) -> str:
        return place(self.old) if self.old is not None else ""

    @property
    def statuses(self) -> list[str]:
        """Every label that applies, e.g. ["changed", "moved"]."""
        out = [self.status] if self.status != UNCHANGED or not (
            self.moved or self.renumbered or self.regrouped) else []
        if self.moved:
            out.append(MOVED)
        if self.renumbered:
            out.append(RENUMBERED)
        if self.regrouped:
            out.append(REGROUPED)
        return out


@dataclass
class VersionDiff:
    rows: list[ClauseDiff]

    @property
    def counts(self) -> dict[str, int]:
        counts = {ADDED: 0, REMOVED: 0, CHANGED: 0, MOVED: 0, UNCHANGED: 0, RENUMBERED: 0,
                  REGROUPED: 0}
        for row in self.rows:
            counts[row.status] += 1
            if row.moved:
                counts[MOVED] += 1
            if row.renumbered:
                counts[RENUMBERED] += 1
            if row.regrouped:
                counts[REGROUPED] += 1
        return counts

    @property
    def identical(self) -> bool:
        return all(r.status == UNCHANGED and not r.moved and not r.renumbered
                   and not r.regrouped for r in self.rows)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def inline_diff(old: str, new: str) -> Markup:
    """``new`` with what was removed in ``<del>`` and what was added in ``<ins>``."""
    old, new = old or "", new or ""
    if old == new:
        return Markup(escape(new))
    a, b = tokens(old), tokens(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < _REWRITE_RATIO:
        return _wrap("del", old) + _wrap("ins", new)
    parts: list[Markup] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(Markup(escape("".join(a[i1:i2]))))
        else:
            if i2 > i1:
                parts.append(_wrap("del", "".join(a[i1:i2])))
            if j2 > j1:
                parts.append(_wrap("ins", "".join(b[j1:j2])))
    return Markup("").join(parts)


def _wrap(tag: str, text: str) -> Markup:
    if not text:
        return Markup("")
    return Markup("<{0}>{1}</{0}>").format(Markup(tag), text)


def _stable_lineages(old_order: Sequence[int], new_order: Sequence[int]) -> set[int]:
    """The largest set of common clauses that kept their relative order (not "moved")."""
    matcher = SequenceMatcher(None, list(old_order), list(new_order), autojunk=False)
    stable: set[int] = set()
    for block in matcher.get_matching_blocks():
        stable.update(old_order[block.a:block.a + block.size])
    return stable


def diff_versions(old: Iterable[ClauseLike], new: Iterable[ClauseLike]) -> VersionDiff:
    """Rows in the new version's order; a removed clause appears where it used to be."""
    old_list, new_list = list(old), list(new)
    old_by = {c.lineage_id: (i, c) for i, c in enumerate(old_list)}
    new_by = {c.lineage_id: (i, c) for i, c in enumerate(new_list)}
    common_old = [c.lineage_id for c in old_list if c.lineage_id in new_by]
    common_new = [c.lineage_id for c in new_list if c.lineage_id in old_by]
    stable = _stable_lineages(common_old, common_new)

    rows: list[ClauseDiff] = []
    # Removed clauses are emitted right after the row of the old clause preceding them.
    removed_after: dict[int | None, list[ClauseLike]] = {}
    previous_kept: int | None = None
    for c in old_list:
        if c.lineage_id in new_by:
            previous_kept = c.lineage_id
        else:
            removed_after.setdefault(previous_kept, []).append(c)

    def emit_removed(after: int | None) -> None:
        for c in removed_after.pop(after, []):
            rows.append(ClauseDiff(
                lineage_id=c.lineage_id, status=REMOVED, old=c, new=None,
                number=_wrap("del", c.number), heading=_wrap("del", c.heading),
                body=_wrap("del", c.body), old_position=old_by[c.lineage_id][0] + 1))

    emit_removed(None)
    for j, c in enumerate(new_list):
        if c.lineage_id not in old_by:
            rows.append(ClauseDiff(
                lineage_id=c.lineage_id, status=ADDED, old=None, new=c,
                number=_wrap("ins", c.number), heading=_wrap("ins", c.heading),
                body=_wrap("ins", c.body), new_position=j + 1))
            continue
        i, o = old_by[c.lineage_id]
        # A new number or chapter alone (the clauses were renumbered or regrouped) is
        # not a change of the text. The number is shown whole: the new one, and the old
        # one beside it when it changed (``renumbered``).
        same = (o.heading, o.body) == (c.heading, c.body)
        rows.append(ClauseDiff(
            lineage_id=c.lineage_id, status=UNCHANGED if same else CHANGED, old=o, new=c,
            moved=c.lineage_id not in stable, renumbered=o.number != c.number,
            regrouped=place(o) != place(c),
            number=Markup(escape(c.number)), heading=inline_diff(o.heading, c.heading),
            body=inline_diff(o.body, c.body), old_position=i + 1, new_position=j + 1))
        emit_removed(c.lineage_id)
    for rest in list(removed_after):
        emit_removed(rest)
    return VersionDiff(rows=rows)


def same_text(old: Iterable[ClauseLike], new: Iterable[ClauseLike]) -> bool:
    """True when two clause lists say exactly the same, in the same order."""
    def key(cs: Iterable[ClauseLike]) -> list[tuple]:
        return [(c.number, c.heading, c.body, c.chapter, c.section) for c in cs]
    return key(old) == key(new)
