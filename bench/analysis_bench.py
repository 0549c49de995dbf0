"""Opinion analysis time and peak memory for generated rounds of N opinions.

    python bench/analysis_bench.py                      # 10,000 and 50,000
    python bench/analysis_bench.py --sizes 2000 10000   # other sizes
    python bench/analysis_bench.py --json bench/results-analysis.json

Each size runs in a fresh subprocess (so peak RSS is that run's own): opinions are
generated from the phrases of tests/data/opinions_zh_en.json (Chinese and English,
four topics, with a pasted campaign of 2 % near-duplicates), N/2 participants support
~6 comments each in two camps, and half of them vote. The whole pipeline runs
(tokens, near-duplicates, key terms, themes, opinion groups) without a database.
Target: under 60 s for 50,000 opinions. Peak MiB is the run's whole process (imports,
jieba's dictionary and the generated data included: about 290 MiB before the analysis
starts at 50,000). The load average before each size is recorded beside its figures:
on a shared machine wall seconds exceed CPU seconds by about the share others take.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def generate(n: int, seed: int = 7):
    with open(os.path.join(ROOT, "tests", "data", "opinions_zh_en.json"), encoding="utf-8") as f:
        data = json.load(f)
    rng = random.Random(seed)
    by_topic: dict[str, list[str]] = {}
    for o in data["opinions"]:
        if o["topic"] != "campaign":
            by_topic.setdefault(o["topic"], []).append(o["body"])
    topics = sorted(by_topic)
    campaign = data["opinions"][-1]["body"]
    fillers = ["另外", "同时", "我家附近", "据我了解", "总的来说", "Also,", "In my street,",
               "去年开始", "每天早上", "周末"]
    opinions = []
    for i in range(n):
        if rng.random() < 0.02:
            body = campaign.replace("坚决", rng.choice(["坚决", "强烈", "坚决地"]))
        else:
            topic = rng.choice(topics)
            a, b = rng.sample(by_topic[topic], 2)
            body = f"{rng.choice(fillers)}{a[: rng.randint(12, len(a))]}{b[rng.randint(0, 8):]}"
        opinions.append({"id": i + 1, "kind": "comment", "author_id": i % (n // 2 + 1),
                         "clause_id": rng.randint(1, 12), "body": body,
                         "support_count": rng.randint(0, 20)})
    participants = n // 2
    supports, stances = set(), []
    camp_a = [o["id"] for o in opinions[: n // 4]]
    camp_b = [o["id"] for o in opinions[n // 4: n // 2]]
    shared = [o["id"] for o in opinions[n // 2: n // 2 + 50]]
    for u in range(participants):
        own = camp_a if u % 2 else camp_b
        for c in rng.sample(own[:200], 5):
            supports.add((u, c))
        supports.add((u, rng.choice(shared)))
        if u % 2 == 0 or rng.random() < 0.5:
            stances.append((u, "support" if u % 2 else "oppose"))
    return opinions, sorted(supports), stances


def one(n: int) -> dict:
    from consult.analysis import pipeline, text

    text.configure(os.path.join(tempfile.gettempdir(), "consult-bench-jieba"))
    opinions, supports, stances = generate(n)
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    result = pipeline.analyse(opinions, [], supports, stances)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": n, "seconds": round(seconds, 1), "cpu": round(cpu, 1),
            "peak_mib": round(peak_kib / 1024),
            "themes": result["themes"]["k"], "duplicate_groups": len(result["duplicates"]),
            "groups": result["groups"]["k"], "participants": result["groups"]["participants"],
            "timings": result["timings"], "json_kib": round(len(json.dumps(result)) / 1024),
            "peak_before_analysis_mib": round(before_kib / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    res: dict = {"benchmark": "opinion analysis",
                 "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                 "command": " ".join(["python", "bench/analysis_bench.py", *sys.argv[1:]]),
                 "target": "under 60 s for 50,000 opinions",
                 "load_average": {"start": [round(x, 2) for x in os.getloadavg()]},
                 "results": []}
    print(f"# opinion analysis · {platform.node()} · {os.cpu_count()} CPUs · load "
          f"{os.getloadavg()[0]:.1f} · {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    print(f"{'opinions':>9} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9} {'themes':>7} "
          f"{'dup groups':>11} "
          f"{'groups':>7} {'result KiB':>11} {'load':>5}  steps (s)")
    for n in args.sizes:
        load = [round(x, 2) for x in os.getloadavg()]
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True,
                             text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["load_average_before"] = load
        res["results"].append(r)
        steps = " ".join(f"{k}={v:.1f}" for k, v in r["timings"].items())
        print(f"{r['n']:>9,} {r['seconds']:>8} {r['cpu']:>6} {r['peak_mib']:>9} {r['themes']:>7} "
              f"{r['duplicate_groups']:>11} {r['groups']:>7} {r['json_kib']:>11} {load[0]:>5}  "
              f"{steps}", flush=True)
    res["load_average"]["end"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
