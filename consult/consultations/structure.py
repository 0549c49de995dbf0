"""The chapters (章) and sections (节) of a draft, above its clauses (pure: no database).

A clause stores the chapter and section it stands in as written ("第一章 总则", "第一节
一般规定"), empty when the draft has none. Here consecutive clauses of one chapter (and,
inside it, of one section) are grouped for display: the nested table of contents, the
headings between clauses, the Word and PDF downloads. Grouping follows the clauses' order,
so a chapter that appears twice (the order of the clauses was changed) shows twice rather
than pulling clauses out of order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

NUMERAL = r"[零〇一二三四五六七八九十百千两\d]+"
# "第一章 总则" (a 编 is a part above chapters: treated as a chapter) and "第一节 …".
CHAPTER = re.compile(rf"^[\s\u3000]*第{NUMERAL}[章编]")
SECTION = re.compile(rf"^[\s\u3000]*第{NUMERAL}节")


class Placed(Protocol):
    chapter: str
    section: str


def heading_kind(line: str) -> str | None:
    """"chapter" for a chapter heading line, "section" for a section's, else None
    (spaces inside the number, as in "第 一 章", are allowed)."""
    compact = re.sub(r"[\s\u3000]+", "", line)
    if CHAPTER.match(compact):
        return "chapter"
    if SECTION.match(compact):
        return "section"
    return None


def place(clause: Placed) -> str:
    """Where a clause stands, for its permalink: "第二章 申请 · 第一节 条件" or ""."""
    return " · ".join(p for p in (clause.chapter, clause.section) if p)


@dataclass
class Section:
    title: str                                  # "" for clauses directly in the chapter
    clauses: list = field(default_factory=list)


@dataclass
class Chapter:
    title: str                                  # "" for clauses outside any chapter
    sections: list[Section] = field(default_factory=list)

    @property
    def clauses(self) -> list:
        return [c for s in self.sections for c in s.clauses]


def outline(clauses: Iterable[Placed]) -> list[Chapter]:
    """Consecutive clauses grouped by chapter, then by section."""
    chapters: list[Chapter] = []
    for clause in clauses:
        chapter, section = clause.chapter or "", clause.section or ""
        if not chapters or chapters[-1].title != chapter:
            chapters.append(Chapter(chapter))
        sections = chapters[-1].sections
        if not sections or sections[-1].title != section:
            sections.append(Section(section))
        sections[-1].clauses.append(clause)
    return chapters


def has_structure(clauses: Iterable[Placed]) -> bool:
    return any(c.chapter or c.section for c in clauses)
