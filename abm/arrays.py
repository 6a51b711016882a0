"""Small vectorised helpers shared by the phases (group ranks, sampling by weights)."""

from __future__ import annotations

import numpy as np


def rank_within_groups(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank (0, 1, …) of each entry within its group, ordered by ``key`` ascending."""
    order = np.lexsort((key, groups))
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - first
    return rank


def pick_in_groups(rng: np.random.Generator, groups: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Mask choosing at random ``quota[g]`` of the entries of each group g."""
    return rank_within_groups(groups, rng.random(len(groups))) < quota[groups]


def first_in_groups(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Indices of the entry with the smallest ``key`` in each group present (ties: first)."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = float(key.min()), float(key.max())
    # one float sort key: group + key scaled into [0, 0.5]
    composite = groups.astype(np.float64) + (key - lo) / (2.0 * (hi - lo) + 1e-12)
    order = np.argsort(composite, kind="stable")
    g = groups[order]
    head = np.ones(len(g), dtype=bool)
    head[1:] = g[1:] != g[:-1]
    return order[head]


def sample_rows(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Draw ``k`` column indices per row of a non-negative (n, m) weight matrix, with replacement.

    Rows with zero total weight get -1. Vectorised: each draw counts the cumulative weights below
    a uniform draw scaled to the row total.
    """
    n, m = weights.shape
    cum = np.cumsum(weights, axis=1, dtype=np.float64)
    total = cum[:, -1] if m else np.zeros(n)
    u = rng.random((n, k)) * total[:, None]
    pos = (cum[:, None, :] <= u[:, :, None]).sum(axis=2)
    pos = np.minimum(pos, m - 1)
    pos[total <= 0] = -1
    return pos


def group_medians(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``values`` within each group 0..n_groups-1 (0 for empty groups)."""
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    ordered = values[order]
    out = np.zeros(n_groups)
    for g in range(n_groups):  # loop over groups (clusters or locations, ≤ ~20)
        out[g] = median(ordered[bounds[g]:bounds[g + 1]])
    return out


def median(x: np.ndarray) -> float:
    """Median of a 1-D array (0 if empty), via one partition (cheaper than np.median's machinery)."""
    n = len(x)
    if n == 0:
        return 0.0
    k = n // 2
    part = np.partition(x, (k - 1, k) if n % 2 == 0 else k)
    return float(part[k]) if n % 2 else float(0.5 * (part[k - 1] + part[k]))
