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


def all_distinct(values: np.ndarray) -> bool:
    """Whether the non-negative integers ``values`` are pairwise distinct: a strictly increasing
    array is; otherwise a count (cheaper than ``np.unique``'s sort)."""
    if len(values) < 2 or (np.diff(values) > 0).all():
        return True
    return int(np.bincount(values).max()) <= 1


def first_in_groups(groups: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Indices of the entry with the smallest ``key`` in each group present (ties: the first entry),
    ordered by group. ``groups`` are non-negative integers."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    size = int(groups.max()) + 1
    best = np.full(size, np.inf)
    np.minimum.at(best, groups, key)
    candidate = np.flatnonzero(key == best[groups])
    first = np.full(size, len(groups))  # the lowest candidate index of each group (no sort needed)
    np.minimum.at(first, groups[candidate], candidate)
    return first[first < len(groups)]


def sample_weighted(rng: np.random.Generator, weights: np.ndarray, draws: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``draws[i]`` column indices from row i of a non-negative (n, m) weight matrix, with replacement.

    Returns (row, column) arrays, one entry per draw; rows with zero total weight draw nothing.
    Vectorised with one binary search per draw in the cumulative weights of the whole matrix.
    """
    n, m = weights.shape
    total = weights.sum(axis=1, dtype=np.float64)
    draws = np.where(total > 0, np.broadcast_to(np.asarray(draws, dtype=np.int64), (n,)), 0)
    row = np.repeat(np.arange(n), draws)
    if len(row) == 0 or m == 0:
        return row, np.zeros(0, dtype=np.int64)
    cum = np.cumsum(weights, axis=None, dtype=np.float64)
    start = np.cumsum(total) - total
    # (1 − 1e-12) keeps a draw inside its row against rounding at the row's end
    u = start[row] + rng.random(len(row)) * total[row] * (1.0 - 1e-12)
    col = np.searchsorted(cum, u, side="right") - row * m
    return row, np.clip(col, 0, m - 1)


def sample_entries(rng: np.random.Generator, row: np.ndarray, weight: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Sparse weighted sampling with replacement: entries (``row[j]``, ``weight[j] > 0``), sorted by
    row; draws ``draws[r]`` entries of each row r in proportion to their weights. Returns the
    indices of the drawn entries (rows without entries draw nothing)."""
    if len(row) == 0:
        return np.zeros(0, dtype=np.int64)
    n = len(draws)
    total = np.bincount(row, weights=weight, minlength=n)
    cum = np.cumsum(weight, dtype=np.float64)
    start = np.cumsum(total) - total
    drawn = np.repeat(np.arange(n), np.where(total > 0, draws, 0))
    u = start[drawn] + rng.random(len(drawn)) * total[drawn] * (1.0 - 1e-12)
    pick = np.searchsorted(cum, u, side="right")
    # a draw lands on its row's entries; rounding at a row's end is kept inside the row
    last = np.cumsum(np.bincount(row, minlength=n)) - 1  # each row's last entry (rows are sorted)
    return np.minimum(pick, last[drawn])


def sample_rows(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Draw ``k`` column indices per row of a non-negative (n, m) weight matrix, with replacement;
    returns an (n, k) array, -1 in rows with zero total weight."""
    n, m = weights.shape
    if k == 1 and m <= 32:  # few columns: compare against the row's cumulative weights
        cum = np.cumsum(weights, axis=1)
        total = cum[:, -1] if m else np.zeros(n, dtype=cum.dtype)
        u = rng.random(n).astype(cum.dtype) * total
        pos = np.minimum((cum <= u[:, None]).sum(axis=1), m - 1)
        pos[total <= 0] = -1
        return pos[:, None]
    row, col = sample_weighted(rng, weights, k)
    out = np.full((n, k), -1, dtype=np.int64)
    if len(row):
        first = np.searchsorted(row, row, side="left")
        out[row, np.arange(len(row)) - first] = col
    return out


def sample_table_rows(rng: np.random.Generator, counts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one column for each query ``rows[i]`` in proportion to the integer-valued weights
    ``counts[rows[i]]`` of an (R, m) table; -1 where that row's total is 0.

    For m ≤ 32 columns, the same draws as ``sample_rows(rng, counts[rows].astype(np.float32), 1)``
    (one uniform per query, scaled in float32 by the row's total), without materialising the (n, m) matrix:
    the cumulative weights are integers, so ``cum <= u`` is ``cum <= floor(u)``, and one binary
    search in the table's cumulative weights, each row lifted above the previous one, counts them.
    Exact while totals stay below 2**24 (float32 integers). Cheaper than gathering the rows once
    there are more queries than table rows."""
    R, m = counts.shape
    cum = np.cumsum(counts.astype(np.int64), axis=1)  # (R, m) integers
    total = cum[:, -1] if m else np.zeros(R, dtype=np.int64)
    if total.max(initial=0) >= 2**24:
        raise ValueError("sample_table_rows: a row total reaches 2**24, beyond exact float32 integers")
    lift = np.cumsum(total + 1) - (total + 1)  # row r's cumulative weights lie in [lift[r], lift[r] + total[r]]
    flat = (cum + lift[:, None]).ravel()
    u = rng.random(len(rows)).astype(np.float32) * total[rows].astype(np.float32)
    below = np.searchsorted(flat, lift[rows] + np.floor(u).astype(np.int64), side="right") - rows.astype(np.int64) * m
    pos = np.minimum(below, m - 1)
    pos[total[rows] <= 0] = -1
    return pos


def group_medians(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``values`` within each group 0..n_groups-1 (0 for empty groups)."""
    if n_groups <= np.iinfo(np.int16).max:
        groups = groups.astype(np.int16, copy=False)  # a stable sort of 16-bit keys is a radix sort: ~4× faster
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    ordered = values[order]
    out = np.zeros(n_groups)
    for g in range(n_groups):  # loop over groups (clusters or locations, ≤ ~20)
        out[g] = median(ordered[bounds[g]:bounds[g + 1]])
    return out


def median(x: np.ndarray) -> float:
    """Median of a 1-D array (0 if empty), via one partition (cheaper than np.median's machinery).

    For an even length the lower middle value is the largest of the k smallest, which the partition
    at k has put in front: a max over them is ~7× cheaper than partitioning at (k − 1, k)."""
    n = len(x)
    if n == 0:
        return 0.0
    k = n // 2
    part = np.partition(x, k)
    return float(part[k]) if n % 2 else float(0.5 * (part[:k].max() + part[k]))
