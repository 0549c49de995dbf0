"""A document as plain blocks (title, headings, paragraphs, tables, clauses), written once
per document by ``documents.py`` and turned into Word by ``word.py`` and into PDF by
``pdf.py``: both formats say the same thing because they render the same blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    title: str
    filename: str                     # without extension
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def subtitle(self, text: str) -> None:
        self.blocks.append({"t": "meta", "text": text})

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append({"t": "h", "text": text, "level": level})

    def para(self, text: str) -> None:
        for part in text.replace("\r\n", "\n").split("\n\n"):
            if part.strip():
                self.blocks.append({"t": "p", "text": part.strip()})

    def table(self, head: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        """``widths``: relative column widths (the PDF and Word layouts share them)."""
        self.blocks.append({"t": "table", "head": head, "widths": widths,
                            "rows": [[str(cell) for cell in row] for row in rows]})

    def clause(self, number: str, heading: str, body: str) -> None:
        self.blocks.append({"t": "clause", "number": number, "heading": heading,
                            "body": body})

    def characters(self) -> int:
        """How much text the document holds (what typesetting time grows with)."""
        total = 0
        for block in self.blocks:
            if block["t"] == "table":
                total += sum(len(cell) for row in block["rows"] for cell in row)
            else:
                total += sum(len(v) for v in block.values() if isinstance(v, str))
        return total

    def data(self) -> dict[str, Any]:
        return {"title": self.title, "blocks": self.blocks}
