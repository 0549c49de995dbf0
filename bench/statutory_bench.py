"""Time the statutory documents (a figure to read, not a timed test).

    python bench/statutory_bench.py [--opinions 5000] [--clauses 300]

Builds the adoption statement of a round with N opinions (each a distinct text) and a
draft of N clauses as blocks, and times their Word and PDF rendering. The PDF is timed
twice: the first compile of a process also finds and loads the system fonts.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from consult.app import create_app
from consult.statutory import pdf, word
from consult.statutory.blocks import Document

CHARS = ("社区养老服务机构应当为老年人提供日间照料助餐助浴助洁健康管理等服务区人民政府按照每百户"
         "不少于三十平方米的标准配建用房收费标准报民政部门备案并在场所显著位置公示接受社会监督")


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(n))


def timed(label: str, render, document: Document) -> None:
    start = time.perf_counter()
    data = render(document)
    print(f"{label:40} {time.perf_counter() - start:6.2f} s  {len(data) / 1e6:5.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opinions", type=int, default=5000)
    parser.add_argument("--clauses", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(1)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SECRET_KEY": "bench"})
    with app.test_request_context():
        statement = Document(title="意见采纳情况说明", filename="statement")
        statement.para(text(rng, 300))
        statement.table(["序号", "条款", "意见", "是否采纳", "理由"],
                        [[i, f"第{i % 300}条", text(rng, 80), "采纳", text(rng, 30)]
                         for i in range(1, args.opinions + 1)], widths=[1, 2, 6, 2, 5])
        draft = Document(title="草案", filename="draft")
        for i in range(1, args.clauses + 1):
            draft.clause(f"第{i}条", "", text(rng, 150) + "\n" + text(rng, 100))
        timed(f"draft, {args.clauses} clauses, PDF (first)", pdf.to_pdf, draft)
        timed(f"draft, {args.clauses} clauses, PDF", pdf.to_pdf, draft)
        timed(f"draft, {args.clauses} clauses, Word", word.to_docx, draft)
        timed(f"statement, {args.opinions} opinions, Word", word.to_docx, statement)
        timed(f"statement, {args.opinions} opinions, PDF", pdf.to_pdf, statement)


if __name__ == "__main__":
    main()
