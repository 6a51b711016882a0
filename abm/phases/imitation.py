"""Phase 0 (first of the month) — strategy review and imitation: firms copy strategies that pay.

Firms are not locked into their AI strategy. Each firm keeps a moving average of its profit per
worker (annual dollars; time constant R = ``strategy_review_months``), from last month's profit and
headcount h_f:

    π_f ← π_f + (12 · profit_f / h_f − π_f) / R            (firms with h_f > 0)

Firm f reviews its strategy in the months t ≥ R with (t + f) mod R = 0: every R months, staggered
across firms. At a review it observes ``imitation_sample`` rivals drawn at random (with
replacement, itself excluded), each with noise,

    π̂_j = π_j + ``imitation_noise`` · σ_π · ε_j,   ε_j ~ N(0, 1),   σ_π the cross-firm s.d. of π,

averages what it saw by strategy and takes the best strategy s* other than its own. It switches to
s* with probability

    P(switch) = min(1, ``imitation_rate`` · max(0, π̂_s* − π_f) / π̄),   π̄ = mean |π| over firms

— proportional imitation (Schlag 1998, "Why imitate, and if so, how?", JET): the bigger the gap
it sees, the likelier it copies; firms copy routines that pay (Nelson & Winter 1982). A switch
costs ``switch_cost_months`` months of the firm's wage bill (a re-organisation month) and goes
through ``abm.transitions.switch_strategy``; the firm then follows the new strategy's targets, and
its AI adoption moves towards the new appetite by itself. The share of firms per strategy
(``firm_metrics()["firms"]``) becomes an output that moves: does the market tip to all-cutting
when every firm that trains juniors sees its trained workers hired away (seeds/000, seeds/002)?

With ``imitation_rate = 0`` (the default) the phase does nothing at all: no random draw, so every
result of the fixed-strategy model is reproduced bit for bit. It is also idle during the burn-in:
the 2022 strategy mix is the scenario's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions

if TYPE_CHECKING:
    from abm.model import LaborMarket


def update_profit_per_worker(model: LaborMarket) -> np.ndarray:
    """Move each firm's average profit per worker towards last month's; returns the (F,) mask of firms
    with employees (the only ones whose profit per worker can be observed)."""
    firms = model.firms
    headcount = model.now.headcount.sum(axis=(1, 2))
    staffed = headcount > 0
    latest = 12.0 * firms.view("profit") / np.maximum(headcount, 1)
    avg = firms.view("profit_per_worker")
    first = staffed & np.isnan(avg)
    avg[first] = latest[first]
    later = staffed & ~first
    avg[later] += (latest[later] - avg[later]) / model.p.strategy_review_months
    return staffed & ~np.isnan(avg)


def due_for_review(model: LaborMarket) -> np.ndarray:
    """(F,) firms whose review falls in this month: (month + firm) mod R = 0, from month R on."""
    R = model.p.strategy_review_months
    if model.month < R:
        return np.zeros(model.firms.n, dtype=bool)
    return (np.arange(model.firms.n) + model.month) % R == 0


def choose(model: LaborMarket, reviewing: np.ndarray, observable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reviews of firms ``reviewing``: returns (firms that switch, their new strategy codes)."""
    p, rng, firms, S = model.p, model.rng, model.firms, model.n_strategies
    none = np.zeros(0, dtype=np.int64)
    pool = np.flatnonzero(observable)
    if len(reviewing) == 0 or len(pool) < 2:
        return none, none
    avg = firms.profit_per_worker[: firms.n]
    scale = float(np.abs(avg[pool]).mean())
    if scale <= 0:
        return none, none
    rival = pool[rng.integers(0, len(pool), (len(reviewing), p.imitation_sample))]
    seen = avg[rival] + p.imitation_noise * float(avg[pool].std()) * rng.standard_normal(rival.shape)
    valid = rival != reviewing[:, None]
    row = np.broadcast_to(np.arange(len(reviewing))[:, None], rival.shape)
    key = (row * S + firms.strategy[rival])[valid]
    total = np.bincount(key, weights=seen[valid], minlength=len(reviewing) * S).reshape(-1, S)
    count = np.bincount(key, minlength=len(reviewing) * S).reshape(-1, S)
    mean = np.where(count > 0, total / np.maximum(count, 1), -np.inf)
    own = firms.strategy[reviewing]
    mean[np.arange(len(reviewing)), own] = -np.inf
    best = mean.argmax(axis=1)
    gap = mean[np.arange(len(reviewing)), best] - avg[reviewing]
    gap = np.where(np.isfinite(gap), np.maximum(gap, 0.0), 0.0) / scale
    switch = rng.random(len(reviewing)) < np.minimum(1.0, p.imitation_rate * gap)
    return reviewing[switch], best[switch]


def run(model: LaborMarket) -> None:
    if model.p.imitation_rate == 0 or model.in_burn_in:
        return
    observable = update_profit_per_worker(model)
    reviewing = np.flatnonzero(due_for_review(model) & observable)
    model.flows["strategy_reviews"] += len(reviewing)
    firm, strategy = choose(model, reviewing, observable)
    transitions.switch_strategy(model, firm, strategy.astype(np.int8))
