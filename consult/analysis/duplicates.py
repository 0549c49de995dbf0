"""Near-duplicate opinions: MinHash over character shingles with LSH banding, then the
exact Jaccard similarity of candidate pairs, grouped as connected components.

Punctuation, spaces and case are ignored, so a pasted campaign with a word or a mark
changed lands in one group, to be read once and counted honestly (by distinct authors).

A shingle is the CRC-32 of three characters. The work is done on arrays (50,000
opinions in about a second): shingles are first packed as exact 64-bit codes (21 bits
per code point) and each distinct one is hashed once, signatures come from a table of
the distinct hashes, band buckets are found by sorting, and candidate pairs are
checked with one sparse product per chunk of pairs."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from consult.analysis.text import compact

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16  # 16 bands of 4 rows: pairs at Jaccard 0.7 meet in a band with p ~ 0.99
THRESHOLD = 0.6
BIG_BUCKET = 12       # bigger buckets (a campaign): each member against the first only
SHINGLES_AT_ONCE = 1 << 13  # signatures: 64 x this many uint64 (4 MiB) at a time
PAIRS_AT_ONCE = 25_000
_rng = np.random.default_rng(20261125)
# One hash function per permutation: xor with a random mask, multiply by a random odd
# 64-bit number (wrapping), mix the high bits down (a multiply-xorshift hash).
_MASK = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64)
_MUL = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_U = np.uint64


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (uint64 arithmetic wraps)."""
    x = x ^ (x >> _U(30))
    x *= _U(0xBF58476D1CE4E5B9)
    x ^= x >> _U(27)
    x *= _U(0x94D049BB133111EB)
    x ^= x >> _U(31)
    return x


def shingle_codes(keys: Sequence[str], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """The k-character shingles (k <= 3) of non-empty compact texts as exact 64-bit
    codes (21 bits per code point), all texts' concatenated, with each text's start in
    them (``len(keys) + 1`` offsets). A text of k characters or fewer is one shingle."""
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    padded = [s if len(s) >= k else s + "\0" * (k - len(s)) for s in keys]
    lens = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    cp = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    code = cp[: len(cp) - k + 1].copy()
    for j in range(1, k):
        code <<= _U(21)
        code |= cp[j: len(cp) - k + 1 + j]
    counts = lens - k + 1
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    starts = np.cumsum(lens) - lens
    # Shingle positions inside each text (those crossing into the next text are dropped).
    pos = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], counts)
    return code[pos], offsets


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``codes`` (sorted) and each code's index among them."""
    ordered = np.sort(codes)
    new = np.empty(len(ordered), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    values = ordered[new]
    return values, np.searchsorted(values, codes)


def crc_shingles(values: np.ndarray) -> np.ndarray:
    """The CRC-32 (of the UTF-8 text) of each packed shingle code; a code padded with
    NUL (a text shorter than a shingle: NUL never survives ``compact``) is its text."""
    mask = (1 << 21) - 1
    out = np.empty(len(values), dtype=np.uint64)
    for i, v in enumerate(values.tolist()):
        chars = "".join(chr((v >> (21 * j)) & mask) for j in range(SHINGLE - 1, -1, -1))
        out[i] = zlib.crc32(chars.rstrip("\0").encode())
    return out


def signatures(hashes: np.ndarray, index: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The MinHash signature (PERMUTATIONS values) of each text: (texts, PERMUTATIONS).
    ``hashes``: the distinct shingle hashes; ``index``: each text shingle's among them.
    The permutations are applied once per distinct shingle, into a table."""
    n = len(offsets) - 1
    table = hashes.astype(np.uint64)[:, None] ^ _MASK[None, :]
    table *= _MUL[None, :]  # uint64 arithmetic wraps
    table ^= table >> _U(29)
    out = np.empty((n, PERMUTATIONS), dtype=np.uint64)
    buffer = np.empty((SHINGLES_AT_ONCE, PERMUTATIONS), dtype=np.uint64)
    first = 0
    while first < n:
        # As many texts as fit in SHINGLES_AT_ONCE shingles (at least one).
        last = int(np.searchsorted(offsets, offsets[first] + SHINGLES_AT_ONCE, side="right")) - 1
        last = min(n, max(last, first + 1))
        lo, hi = offsets[first], offsets[last]
        rows = buffer[: hi - lo] if hi - lo <= len(buffer) else np.empty(
            (hi - lo, PERMUTATIONS), dtype=np.uint64)
        np.take(table, index[lo:hi], axis=0, out=rows)
        out[first:last] = np.minimum.reduceat(rows, offsets[first:last] - lo, axis=0)
        first = last
    return out


def _unique_rows(pairs: np.ndarray, n: int) -> np.ndarray:
    code = pairs[:, 0] * n + pairs[:, 1]
    code.sort()
    keep = np.empty(len(code), dtype=bool)
    keep[:1] = True
    np.not_equal(code[1:], code[:-1], out=keep[1:])
    code = code[keep]
    return np.stack([code // n, code % n], axis=1)


def candidate_pairs(sig: np.ndarray, *, bands: int = BANDS) -> np.ndarray:
    """Pairs (i < j, unique) of rows of ``sig`` that agree on every row of some band:
    all pairs of a bucket, or each member with the first in buckets over BIG_BUCKET."""
    n = sig.shape[0]
    rows = sig.shape[1] // bands
    part = sig[:, : bands * rows].reshape(n, bands, rows)
    key = part[:, :, 0].copy()
    for r in range(1, rows):
        key = _mix(key) ^ part[:, :, r]
    key = np.ascontiguousarray(_mix(key).T)
    found = []
    for b in range(bands):
        order = np.argsort(key[b], kind="stable")  # equal keys keep ascending rows
        col = key[b, order]
        starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for m in (np.flatnonzero(np.bincount(sizes)[2:]) + 2).tolist():
            members = order[starts[sizes == m][:, None] + np.arange(m)]
            if m <= BIG_BUCKET:
                a, c = np.triu_indices(m, 1)
                found.append(np.stack([members[:, a].ravel(), members[:, c].ravel()], axis=1))
            else:
                lead = np.repeat(members[:, :1], m - 1, axis=1)
                found.append(np.stack([lead.ravel(), members[:, 1:].ravel()], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return _unique_rows(np.concatenate(found).astype(np.int64), n)


def jaccard_pairs(index: np.ndarray, offsets: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of each pair of texts; ``index``:
    each shingle's distinct-code number (``_distinct``)."""
    n = len(offsets) - 1
    if len(pairs) == 0:
        return np.zeros(0)
    # Rows as sets: sorted, repeated shingles of a text once (CSR in canonical form).
    width = int(index.max()) + 1
    cell = np.repeat(np.arange(n, dtype=np.int64) * width, np.diff(offsets))
    cell += index
    cell.sort()
    keep = np.empty(len(cell), dtype=bool)
    keep[:1] = True
    np.not_equal(cell[1:], cell[:-1], out=keep[1:])
    cell = cell[keep]
    del keep
    size = np.bincount(cell // width, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(size, out=indptr[1:])
    S = sparse.csr_matrix((np.ones(len(cell), dtype=np.float32),
                           (cell % width).astype(np.int32), indptr), shape=(n, width))
    del cell
    out = np.empty(len(pairs))
    for lo in range(0, len(pairs), PAIRS_AT_ONCE):
        a, b = pairs[lo: lo + PAIRS_AT_ONCE, 0], pairs[lo: lo + PAIRS_AT_ONCE, 1]
        inter = np.asarray(S[a].multiply(S[b]).sum(axis=1)).ravel()
        out[lo: lo + len(a)] = inter / (size[a] + size[b] - inter)
    return out


def find_groups(texts: Sequence[str], *, threshold: float = THRESHOLD,
                min_length: int = 8, keys: Sequence[str] | None = None) -> list[list[int]]:
    """Groups (lists of indexes into ``texts``, 2+ each, largest first) of texts whose
    shingle sets have Jaccard similarity >= ``threshold`` (transitively). ``keys``: the
    texts' ``compact`` forms when the caller has them already."""
    n = len(texts)
    if n == 0:
        return []
    if keys is None:
        keys = [compact(t) for t in texts]
    edges: list[tuple[int, int]] = []
    exact: dict[str, int] = {}
    hashed: list[int] = []
    for i, key in enumerate(keys):
        if len(key) < min_length or not key:
            continue
        if key in exact:  # identical after normalising: no need to hash again
            edges.append((exact[key], i))
            continue
        exact[key] = i
        hashed.append(i)
    codes, offsets = shingle_codes([keys[i] for i in hashed])
    values, index = _distinct(codes)
    del codes
    # Shingles are sets of CRC-32 values: two shingles with one CRC are one element.
    hashes, element = _distinct(crc_shingles(values))
    index = element[index]
    pairs = candidate_pairs(signatures(hashes, index, offsets))
    similar = pairs[jaccard_pairs(index, offsets, pairs) >= threshold]
    index = np.asarray(hashed, dtype=np.int64)
    a = np.concatenate([np.array([e[0] for e in edges], dtype=np.int64), index[similar[:, 0]]])
    b = np.concatenate([np.array([e[1] for e in edges], dtype=np.int64), index[similar[:, 1]]])
    graph = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    size = np.bincount(label)
    groups: dict[int, list[int]] = {}
    for i in np.flatnonzero(size[label] >= 2).tolist():
        groups.setdefault(int(label[i]), []).append(i)
    found = list(groups.values())  # each ascending, since i ascends
    found.sort(key=lambda g: (-len(g), g[0]))
    return found


def duplicate_groups(opinions: Sequence[dict], *, limit: int = 50) -> list[dict]:
    """``opinions``: dicts with ``id``, ``kind``, ``body``, ``author_id``,
    ``support_count`` (and ``compact`` if already computed). Each group: its opinions'
    keys, distinct authors, the sample text."""
    keys = [o["compact"] if "compact" in o else compact(o["body"]) for o in opinions]
    out = []
    for idx in find_groups([o["body"] for o in opinions], keys=keys):
        members = [opinions[i] for i in idx]
        lead = max(members, key=lambda o: (o["support_count"], -o["id"]))
        out.append({
            "size": len(members),
            # An opinion received offline has no author: each is its own sender.
            "authors": len({o["author_id"] for o in members} - {None})
            + sum(o["author_id"] is None for o in members),
            "supports": sum(o["support_count"] for o in members),
            "sample": lead["body"],
            "lead": f'{lead["kind"]}:{lead["id"]}',
            "members": [f'{o["kind"]}:{o["id"]}' for o in members],
        })
    return out[:limit]
