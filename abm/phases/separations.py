"""Phase 3 — separations: layoffs chosen by strategy, sponsored retraining, quits.

For each firm × occupation × level cell the strategy's target gives an excess

    excess = headcount − target · (1 + tolerance) − layoff_slack     (> 0 only)
    cuts   = ⌊excess · layoff_speed + u⌋,  u ~ U(0, 1)        (stochastic rounding)

The slack (default one worker) absorbs the rounding of fractional targets, so firms do not churn.

The ``cuts`` workers of a cell are drawn at random. Firms whose strategy sponsors retraining send
a share ``sponsor_share`` of them to a programme towards the occupation the firm is shortest of
(they leave employment and come back when trained); the rest are laid off (severance paid) and
remember the firm that laid them off. Quits: each remaining employee quits into search with
probability ``quit_rate``. Layoffs concentrate where AI substitutes (QA, docs, program management,
generalist front-end: seeds/002–004) because that is where targets fall.
"""

from __future__ import annotations

import numpy as np

from abm.arrays import pick_in_groups
from abm.phases import retraining
from abm.state import NO_FIRM, WorkerState
from abm.strategies import STRATEGIES


def _per_firm(model, attr: str) -> np.ndarray:
    values = np.array([getattr(s, attr)(model.p) for s in STRATEGIES])
    return values[model.firms.view("strategy")]


def layoff_quota(rng, headcount, target, tolerance, speed, slack) -> np.ndarray:
    """(F, O, L) layoffs: decided per firm × occupation, shared over the levels in proportion to how
    far each is above its target (stochastic rounding, never more than a level's excess)."""
    excess = np.maximum(headcount.sum(axis=2) - target.sum(axis=2) * (1.0 + tolerance) - slack, 0.0)  # (F, O)
    total = np.floor(excess * speed + rng.random(excess.shape))
    quota = np.zeros(headcount.shape, dtype=np.int64)
    f, o = np.nonzero(total > 0)  # only the few firm × occupation pairs that cut this month
    if len(f):
        over = np.maximum(headcount[f, o] - target[f, o], 0.0)  # (n, L)
        room = over.sum(axis=1)
        n_cut = np.minimum(total[f, o], np.floor(room))
        share = over / np.where(room > 0, room, 1.0)[:, None]
        quota[f, o] = np.minimum(np.floor(share * n_cut[:, None] + rng.random(share.shape)), np.floor(over))
    return quota


def run(model) -> None:
    p, w, rng, world = model.p, model.workers, model.rng, model.world
    tolerance = _per_firm(model, "layoff_tolerance")[:, None]
    speed = _per_firm(model, "layoff_speed")[:, None]
    cuts = layoff_quota(rng, model.headcount, model.target, tolerance, speed, p.layoff_slack).ravel()

    state = w.view("state")
    emp = np.flatnonzero(state == WorkerState.EMPLOYED)
    O = world.n_occupations
    cell = (w.employer[emp].astype(np.int64) * O + w.occupation[emp]) * 4 + w.level[emp]
    in_cut = cuts[cell] > 0
    cand, cand_cell = emp[in_cut], cell[in_cut]
    leaving = cand[pick_in_groups(rng, cand_cell, cuts)]

    firm = w.employer[leaving]
    sponsor = rng.random(len(leaving)) < _per_firm(model, "sponsor_share")[firm]
    # a sponsored worker retrains towards the occupation its firm is shortest of (if any)
    shortage = (model.hiring_target - model.headcount).sum(axis=2)  # (F, O)
    best = shortage.argmax(axis=1)
    sponsor &= (shortage[firm, best[firm]] > 0) & (best[firm] != w.occupation[leaving])
    to_train, laid_off = leaving[sponsor], leaving[~sponsor]

    model.firms.other_costs[: model.firms.n] += np.bincount(
        w.employer[laid_off], weights=w.wage[laid_off] * p.severance_months / 12.0, minlength=model.firms.n)
    model.count_by_cluster("layoffs", w.occupation[laid_off])
    _leave_employment(w, laid_off)
    w.laid_off_by[laid_off] = firm[~sponsor]

    sponsor_firm = w.employer[to_train]
    target_occ = best[sponsor_firm]
    _leave_employment(w, to_train)
    retraining.enrol(model, to_train, target_occ, sponsor_firm)
    model.flows["to_sponsored_retraining"] += len(to_train)

    stay = np.flatnonzero(state == WorkerState.EMPLOYED)
    quitting = stay[rng.random(len(stay)) < p.quit_rate]
    _leave_employment(w, quitting)
    model.flows["layoffs"] += len(laid_off)
    model.flows["quits"] += len(quitting)


def _leave_employment(w, idx: np.ndarray) -> None:
    """Employed → unemployed bookkeeping (the retraining phase may move them on)."""
    w.state[idx] = WorkerState.UNEMPLOYED
    w.last_wage[idx] = w.wage[idx]
    w.reservation_wage[idx] = w.wage[idx]
    w.wage[idx] = 0.0
    w.employer[idx] = NO_FIRM
    w.remote[idx] = False
    w.spell[idx] = 0
    w.eligible_fresh[idx] = False
