"""Suggested themes: TF-IDF features of the opinions, k-means, the number of clusters
chosen by the data (the best mean silhouette over k = 2..12, cosine distance).

Texts that are identical after normalising are clustered once (a pasted campaign must
not pull a theme towards itself) and counted with their copies afterwards.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import cosine_distances
from sklearn.preprocessing import normalize

from consult.analysis.text import compact

MAX_K = 12
SILHOUETTE_SAMPLE = 3000
SVD_ABOVE = 400       # more opinions than this: reduce to SVD_DIMS dense dimensions
SVD_DIMS = 100
CHOOSE_ON = 3000      # k is chosen on a sample of this many opinions


def _identity(tokens):
    return tokens


def choose_k(X, *, k_max: int = MAX_K, seed: int = 0) -> tuple[np.ndarray, int, dict]:
    """Cluster ``X`` (rows L2-normalised) for k in 2..k_max and keep the labels of the
    best silhouette. Returns labels, k and {k: silhouette} for the record."""
    n = X.shape[0]
    k_max = max(2, min(k_max, n // 4))
    big = n > 5000
    scores: dict[int, float] = {}
    best: tuple[float, int, np.ndarray] | None = None
    # Up to SILHOUETTE_SAMPLE rows the silhouette uses every row: their cosine distances
    # are computed once for all k (at most 3,000 x 3,000 = 72 MB) instead of once per k.
    distances = cosine_distances(X) if n <= SILHOUETTE_SAMPLE else None
    for k in range(2, k_max + 1):
        model = (MiniBatchKMeans(n_clusters=k, n_init=3, random_state=seed, batch_size=2048)
                 if big else KMeans(n_clusters=k, n_init=4, random_state=seed))
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            try:
                labels = model.fit_predict(X)
            except ConvergenceWarning:  # fewer distinct opinions than k: so for any larger k
                break
        if len(set(labels.tolist())) < 2:
            continue
        if distances is not None:
            score = float(silhouette_score(distances, labels, metric="precomputed"))
        else:
            score = float(silhouette_score(X, labels, metric="cosine",
                                           sample_size=SILHOUETTE_SAMPLE, random_state=seed))
        scores[k] = round(score, 4)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, labels)
    if best is None:
        return np.zeros(n, dtype=int), 1, scores
    return best[2], best[1], scores


def suggest_themes(opinions: Sequence[dict], *, examples: int = 3,
                   top_terms: int = 6) -> dict:
    """``opinions``: dicts with ``id``, ``kind``, ``body``, ``tokens``, ``support_count``.
    Returns {"k", "silhouette": {k: score}, "themes": [...], "unclustered": n}."""
    # One row per distinct normalised text.
    keys = [o["compact"] if "compact" in o else compact(o["body"]) for o in opinions]
    first_of: dict[str, int] = {}
    copies: list[list[int]] = []
    for i, key in enumerate(keys):
        if key in first_of:
            copies[first_of[key]].append(i)
        else:
            first_of[key] = len(copies)
            copies.append([i])
    docs = [opinions[c[0]]["tokens"] for c in copies]
    if len(docs) < 8:
        return {"k": 0, "silhouette": {}, "themes": [], "unclustered": len(opinions)}
    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=2, max_df=0.5, sublinear_tf=True,
                                 max_features=30000)
    try:
        tfidf = vectorizer.fit_transform(docs)
    except ValueError:  # no term in two opinions
        return {"k": 0, "silhouette": {}, "themes": [], "unclustered": len(opinions)}
    keep = np.flatnonzero(tfidf.getnnz(axis=1) > 0)
    if len(keep) < 8:
        return {"k": 0, "silhouette": {}, "themes": [], "unclustered": len(opinions)}
    tfidf = tfidf[keep]
    if tfidf.shape[0] > SVD_ABOVE and tfidf.shape[1] > SVD_DIMS:
        X = normalize(TruncatedSVD(n_components=SVD_DIMS, random_state=0).fit_transform(tfidf))
    else:
        X = normalize(tfidf)
    if X.shape[0] > CHOOSE_ON:
        # Choose k on a random sample, then cluster everything with that k.
        sample = np.random.default_rng(0).choice(X.shape[0], CHOOSE_ON, replace=False)
        _, k, scores = choose_k(X[sample])
        model = (MiniBatchKMeans(n_clusters=k, n_init=3, random_state=0, batch_size=2048)
                 if X.shape[0] > 5000 else KMeans(n_clusters=k, n_init=4, random_state=0))
        labels = model.fit_predict(X) if k > 1 else np.zeros(X.shape[0], dtype=int)
    else:
        labels, k, scores = choose_k(X)
    terms = vectorizer.get_feature_names_out()
    themes = []
    for label in range(k):
        rows = np.flatnonzero(labels == label)
        if len(rows) == 0:
            continue
        centroid = np.asarray(tfidf[rows].mean(axis=0)).ravel()
        top = [str(terms[j]) for j in centroid.argsort()[::-1][:top_terms] if centroid[j] > 0]
        members = [m for r in rows for m in copies[keep[r]]]
        ranked = sorted(members, key=lambda m: (-opinions[m]["support_count"],
                                                opinions[m]["id"]))
        seen_text: set[str] = set()
        sample = []
        for m in ranked:
            key = keys[m]
            if key not in seen_text:
                seen_text.add(key)
                sample.append(m)
            if len(sample) == examples:
                break
        themes.append({
            "label": int(label),
            "terms": top,
            "size": len(members),
            "distinct": len(rows),
            "supports": int(sum(opinions[m]["support_count"] for m in members)),
            "examples": [{"key": f'{opinions[m]["kind"]}:{opinions[m]["id"]}',
                          "body": opinions[m]["body"][:400],
                          "support_count": opinions[m]["support_count"]} for m in sample],
            "members": [f'{opinions[m]["kind"]}:{opinions[m]["id"]}' for m in members],
        })
    themes.sort(key=lambda t: (-t["size"], t["label"]))
    clustered = sum(t["size"] for t in themes)
    return {"k": k, "silhouette": {str(a): b for a, b in scores.items()}, "themes": themes,
            "unclustered": len(opinions) - clustered}
