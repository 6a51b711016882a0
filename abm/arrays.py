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

    Rows with zero total weight get -1. Vectorised: one searchsorted over the row-offset
    cumulative distribution.
    """
    n, m = weights.shape
    cum = np.cumsum(weights, axis=1, dtype=np.float64)
    total = cum[:, -1:] if m else np.zeros((n, 1))
    ok = total[:, 0] > 0
    cdf = cum / np.where(total > 0, total, 1.0)
    flat = (cdf + np.arange(n)[:, None]).ravel()
    u = rng.random((n, k)) + np.arange(n)[:, None]
    pos = np.searchsorted(flat, u.ravel(), side="right").reshape(n, k) - np.arange(n)[:, None] * m
    pos = np.minimum(pos, m - 1)
    pos[~ok] = -1
    return pos
