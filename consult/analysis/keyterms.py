"""Key terms: TF-IDF of a round's opinions against the rest of the site.

A term scores high when many of the round's opinions use it (term frequency, counted
once per opinion) and few opinions elsewhere on the site do (inverse document
frequency over the round plus the background). Overall and per clause: a clause's
terms are scored against the background *and* the round's other clauses, so each
clause shows what is particular to it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence


def document_frequency(docs: Iterable[Sequence[str]]) -> tuple[Counter, int]:
    df: Counter = Counter()
    n = 0
    for toks in docs:
        df.update(set(toks))
        n += 1
    return df, n


def rank(docs: Sequence[Sequence[str]], background_df: Counter, background_n: int, *,
         limit: int = 20, min_docs: int = 2) -> list[dict]:
    """The top terms of ``docs`` (token lists): [{term, docs, score}] best first."""
    df, n = document_frequency(docs)
    if n == 0:
        return []
    total = n + background_n
    floor = min(min_docs, n)
    scored = []
    for term, count in df.items():
        if count < floor:
            continue
        idf = math.log((1 + total) / (1 + count + background_df.get(term, 0))) + 1.0
        scored.append((count / n * idf, count, term))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [{"term": term, "docs": count, "score": round(score, 4)}
            for score, count, term in scored[:limit]]


def key_terms(opinions: Sequence[dict], background_df: Counter, background_n: int, *,
              limit: int = 20, per_clause_limit: int = 8) -> dict:
    """``opinions``: dicts with ``tokens`` and ``clause_id``. Returns overall terms and
    terms per clause id (as a string key, for JSON)."""
    overall = rank([o["tokens"] for o in opinions], background_df, background_n, limit=limit)
    by_clause: dict[int, list] = {}
    for o in opinions:
        if o.get("clause_id") is not None:
            by_clause.setdefault(o["clause_id"], []).append(o["tokens"])
    round_df, round_n = document_frequency(o["tokens"] for o in opinions)
    per_clause = {}
    for clause_id, docs in by_clause.items():
        own_df, own_n = document_frequency(docs)
        # Everything outside this clause: the site plus the round's other opinions.
        other = background_df + (round_df - own_df)
        per_clause[str(clause_id)] = rank(docs, other, background_n + round_n - own_n,
                                          limit=per_clause_limit)
    return {"overall": overall, "per_clause": per_clause}
