"""Time the clause diff of two 300-clause versions (a figure to read, not a timed test).

    python bench/diff_bench.py [--clauses 300] [--repeat 5]

Version 2 changes every 7th clause a little, rewrites every 50th, removes 5, adds 5 and
moves 3, like a real second reading. Prints the best and median time of the diff alone
and of the diff plus rendering the markup to a string.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from consult.consultations.diff import ClauseText, diff_versions

SENTENCES = [
    "社区养老服务机构应当为老年人提供日间照料、助餐、助浴、助洁、健康管理等服务。",
    "区人民政府应当按照每百户不少于三十平方米的标准配建社区养老服务用房。",
    "Operators shall publish their prices and the results of the annual quality review.",
    "收费标准应当报区民政部门备案，并在服务场所显著位置公示，接受社会监督。",
]


def versions(n: int) -> tuple[list[ClauseText], list[ClauseText]]:
    old = [ClauseText(i, f"第{i}条", f"条款{i}",
                      "".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)))
           for i in range(1, n + 1)]
    new = []
    for c in old:
        if c.lineage_id % 60 == 0:
            continue  # removed
        body = c.body
        if c.lineage_id % 7 == 0:
            body = body.replace("应当", "可以").replace("shall", "may")
        if c.lineage_id % 50 == 0:
            body = "本条改写为：" + SENTENCES[0][::-1]
        new.append(ClauseText(c.lineage_id, c.number, c.heading, body))
    for k in range(5):
        new.insert(k * 50, ClauseText(10_000 + k, f"新增{k}", "", SENTENCES[k % 4]))
    for k in range(3):
        new.insert(k * 30, new.pop(-1 - k * 20))  # moved
    return old, new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clauses", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    old, new = versions(args.clauses)
    diff_times, render_times = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = diff_versions(old, new)
        t1 = time.perf_counter()
        html = "".join(str(r.number) + str(r.heading) + str(r.body) for r in result.rows)
        t2 = time.perf_counter()
        diff_times.append(t1 - t0)
        render_times.append(t2 - t0)
    counts = result.counts
    print(f"clause diff bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"Python {platform.python_version()} on {platform.machine()} "
          f"({os.cpu_count()} CPUs)")
    print(f"{len(old)} -> {len(new)} clauses, "
          f"{sum(len(c.body) for c in old)} -> {sum(len(c.body) for c in new)} characters; "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"diff:          best {min(diff_times) * 1000:7.1f} ms, "
          f"median {statistics.median(diff_times) * 1000:7.1f} ms")
    print(f"diff + markup: best {min(render_times) * 1000:7.1f} ms, "
          f"median {statistics.median(render_times) * 1000:7.1f} ms ({len(html)} characters)")


if __name__ == "__main__":
    main()
