"""Near-duplicate opinions: MinHash over character shingles with LSH banding, then the
exact Jaccard similarity of candidate pairs, grouped with union-find.

Punctuation, spaces and case are ignored, so a pasted campaign with a word or a mark
changed lands in one group, to be read once and counted honestly (by distinct authors).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from consult.analytics.opinions.text import compact

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16  # 16 bands of 4 rows: pairs at Jaccard 0.7 meet in a band with p ~ 0.99
THRESHOLD = 0.6
_rng = np.random.default_rng(20261125)
# One hash function per permutation: xor with a random mask, multiply by a random odd
# 64-bit number (wrapping), mix the high bits down (a multiply-xorshift hash).
_MASK = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64)
_MUL = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    s = compact(text)
    if len(s) <= k:
        return {zlib.crc32(s.encode())} if s else set()
    return {zlib.crc32(s[i:i + k].encode()) for i in range(len(s) - k + 1)}


def signature(sh: set[int]) -> np.ndarray:
    h = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    v = (h[None, :] ^ _MASK[:, None]) * _MUL[:, None]  # uint64 arithmetic wraps
    v ^= v >> np.uint64(29)
    return v.min(axis=1)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def find_groups(texts: Sequence[str], *, threshold: float = THRESHOLD,
                min_length: int = 8) -> list[list[int]]:
    """Groups (lists of indexes into ``texts``, 2+ each, largest first) of texts whose
    shingle sets have Jaccard similarity >= ``threshold`` (transitively)."""
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sets: list[set[int]] = []
    buckets: dict[tuple, list[int]] = defaultdict(list)
    exact: dict[str, int] = {}
    rows = PERMUTATIONS // BANDS
    for i, text in enumerate(texts):
        key = compact(text)
        sh = shingles(text) if len(key) >= min_length else set()
        sets.append(sh)
        if not sh:
            continue
        if key in exact:  # identical after normalising: no need to hash again
            parent[find(i)] = find(exact[key])
            continue
        exact[key] = i
        sig = signature(sh)
        for b in range(BANDS):
            buckets[(b, sig[b * rows:(b + 1) * rows].tobytes())].append(i)
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        # Small buckets: every pair; big ones (a campaign): each against the first.
        pairs = ([(a, b) for n, a in enumerate(members) for b in members[n + 1:]]
                 if len(members) <= 12 else [(members[0], b) for b in members[1:]])
        for a, b in pairs:
            if (a, b) in checked or find(a) == find(b):
                continue
            checked.add((a, b))
            if jaccard(sets[a], sets[b]) >= threshold:
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(texts)):
        groups[find(i)].append(i)
    found = [sorted(g) for g in groups.values() if len(g) >= 2]
    found.sort(key=lambda g: (-len(g), g[0]))
    return found


def duplicate_groups(opinions: Sequence[dict], *, limit: int = 50) -> list[dict]:
    """``opinions``: dicts with ``id``, ``kind``, ``body``, ``author_id``,
    ``support_count``. Each group: its opinions' keys, distinct authors, the sample text."""
    out = []
    for idx in find_groups([o["body"] for o in opinions]):
        members = [opinions[i] for i in idx]
        lead = max(members, key=lambda o: (o["support_count"], -o["id"]))
        out.append({
            "size": len(members),
            "authors": len({o["author_id"] for o in members}),
            "supports": sum(o["support_count"] for o in members),
            "sample": lead["body"],
            "lead": f'{lead["kind"]}:{lead["id"]}',
            "members": [f'{o["kind"]}:{o["id"]}' for o in members],
        })
    return out[:limit]
