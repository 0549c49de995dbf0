"""Opinion groups, as Polis finds them: who supports which comments.

A participant x comment matrix (1 = supports) plus one column per ballot stance is
projected to two dimensions by PCA (centred, so overall activity does not dominate)
and clustered by k-means with k = 2..5 chosen by silhouette. For each group:
*representative* comments, supported far more inside the group than outside, and the
*consensus* comments supported by a good share of every group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.metrics import silhouette_score

MIN_PARTICIPANTS = 8
MIN_VOTES = 2           # a participant needs this many supports/stances to be placed
MIN_COMMENT_VOTES = 2   # a comment needs this many supports to be a column
CONSENSUS_SHARE = 0.5   # supported by at least half of every group (smoothed)
REPNESS_RATIO = 1.5     # supported 1.5x more inside the group than outside
REPNESS_MIN_SHARE = 0.5  # ... and by at least half of the group (smoothed)
MAP_POINTS = 1500


def opinion_groups(supports: Sequence[tuple[int, int]],
                   stances: Sequence[tuple[int, str]] = (), *,
                   seed: int = 0, k_max: int = 5) -> dict:
    """``supports``: (user_id, comment_id) pairs; ``stances``: (user_id, stance).

    Returns {"status": "ok"|"too_few", "k", "groups": [{"size", "representative":
    [{comment_id, in_share, out_share}], "stance": {...}}], "consensus": [...],
    "points": [[x, y, group]...], "participants": n}."""
    columns = sorted({c for _, c in supports})
    col_count: dict[int, int] = {}
    for _, c in supports:
        col_count[c] = col_count.get(c, 0) + 1
    columns = [c for c in columns if col_count[c] >= MIN_COMMENT_VOTES]
    stance_names = sorted({s for _, s in stances})
    col_index = {c: j for j, c in enumerate(columns)}
    stance_index = {s: len(columns) + j for j, s in enumerate(stance_names)}
    votes: dict[int, int] = {}
    for u, c in supports:
        if c in col_index:
            votes[u] = votes.get(u, 0) + 1
    for u, _ in stances:
        votes[u] = votes.get(u, 0) + 1
    users = sorted(u for u, n in votes.items() if n >= MIN_VOTES)
    width = len(columns) + len(stance_names)
    if len(users) < MIN_PARTICIPANTS or width < 2:
        return {"status": "too_few", "participants": len(users), "k": 0, "groups": [],
                "consensus": [], "points": []}
    row_index = {u: i for i, u in enumerate(users)}
    rows, cols = [], []
    for u, c in supports:
        if u in row_index and c in col_index:
            rows.append(row_index[u])
            cols.append(col_index[c])
    for u, s in stances:
        if u in row_index:
            rows.append(row_index[u])
            cols.append(stance_index[s])
    M = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(users), width))
    M.data[:] = 1.0  # duplicates (should not happen: one support per user) stay 1
    if width > 2 and M.shape[0] > 2:
        if M.shape[0] * width <= 20_000_000:
            coords = PCA(n_components=2, random_state=seed).fit_transform(M.toarray())
        else:  # huge: centre implicitly through PCA's sparse path
            coords = PCA(n_components=2, svd_solver="arpack",
                         random_state=seed).fit_transform(M)
    else:
        coords = TruncatedSVD(n_components=2, random_state=seed).fit_transform(M)
    best = None
    scores = {}
    for k in range(2, min(k_max, len(users) - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(coords)
        if len(set(labels.tolist())) < 2:
            continue
        score = float(silhouette_score(coords, labels, sample_size=min(len(users), 3000),
                                       random_state=seed))
        scores[str(k)] = round(score, 4)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, labels)
    if best is None:
        return {"status": "too_few", "participants": len(users), "k": 0, "groups": [],
                "consensus": [], "points": []}
    _, k, labels = best
    # Order groups by size (group 0 the largest) for stable display.
    order = sorted(range(k), key=lambda g: -int((labels == g).sum()))
    relabel = np.empty(k, dtype=int)
    for new, old in enumerate(order):
        relabel[old] = new
    labels = relabel[labels]
    counts = np.array([(labels == g).sum() for g in range(k)])
    per_group = np.vstack([np.asarray(M[labels == g].sum(axis=0)).ravel() for g in range(k)])
    total = per_group.sum(axis=0)
    groups = []
    for g in range(k):
        n_in, n_out = counts[g], len(users) - counts[g]
        p_in = (per_group[g] + 1) / (n_in + 2)
        p_out = (total - per_group[g] + 1) / (n_out + 2)
        ratio = p_in / p_out
        rep = []
        for j in np.argsort(-(ratio * p_in))[:len(columns) + len(stance_names)]:
            if (j >= len(columns) or ratio[j] < REPNESS_RATIO or per_group[g][j] < 2
                    or p_in[j] < REPNESS_MIN_SHARE):
                continue
            rep.append({"comment_id": int(columns[j]), "in_share": round(float(p_in[j]), 3),
                        "out_share": round(float(p_out[j]), 3),
                        "supports": int(per_group[g][j])})
            if len(rep) == 5:
                break
        stance = {s: int(per_group[g][stance_index[s]]) for s in stance_names}
        groups.append({"group": g, "size": int(n_in), "representative": rep,
                       "stance": stance})
    consensus = []
    shares = (per_group[:, :len(columns)] + 1) / (counts[:, None] + 2)
    low = shares.min(axis=0)
    for j in np.argsort(-low):
        if low[j] < CONSENSUS_SHARE:
            break
        consensus.append({"comment_id": int(columns[j]), "min_share": round(float(low[j]), 3),
                          "shares": [round(float(x), 3) for x in shares[:, j]]})
        if len(consensus) == 10:
            break
    step = max(1, len(users) // MAP_POINTS)
    points = [[round(float(coords[i, 0]), 4), round(float(coords[i, 1]), 4), int(labels[i])]
              for i in range(0, len(users), step)]
    return {"status": "ok", "participants": len(users), "k": k, "silhouette": scores,
            "groups": groups, "consensus": consensus, "points": points,
            "user_groups": {str(u): int(labels[row_index[u]]) for u in users}
            if len(users) <= 5000 else {}}
