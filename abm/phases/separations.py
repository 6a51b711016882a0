"""Phase 3 — separations: layoffs chosen by strategy, sponsored retraining, quits and discharges.

**Layoffs.** For each firm × occupation the strategy's target gives an excess

    excess = headcount − target · (1 + tolerance) − layoff_slack     (> 0 only)
    cuts   = ⌊excess · layoff_speed + u⌋,  u ~ U(0, 1)        (stochastic rounding)

shared over the levels in proportion to how far each is above its target. The slack absorbs the
rounding of fractional targets, so firms do not churn. The ``cuts`` workers of a cell are drawn at
random. Firms whose strategy sponsors retraining send a share ``sponsor_share`` of them to a
programme towards the occupation the firm is shortest of; the rest are laid off (severance paid)
and remember the firm. Layoffs concentrate where AI substitutes (QA, docs, program management,
generalist front-end: seeds/002–004) because that is where targets fall. Each firm's
``layoff_risk`` (layoffs over about the last year / headcount, an exponentially weighted sum with a
12-month memory) is what its employees see when they decide to search (matching phase).

**Match separations.** Each other employee quits into unemployment with probability ``quit_rate``
or is discharged (performance, fit) with probability ``discharge_rate``, both scaled by

    1 + new_match_separation_boost · exp(−tenure / 12 months)

— separations fall with tenure, new matches are the fragile ones (Farber 1994; Jovanovic 1979).
Quits into another job are not here: they come from on-the-job search (matching phase). JOLTS:
quits ≈ 2 %, layoffs and discharges ≈ 1 % of employment a month (BLS JOLTS 2024).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.arrays import pick_in_groups
from abm.phases import retraining
from abm.state import WorkerState
from abm.strategies import STRATEGIES
from abm.world import cell_index

if TYPE_CHECKING:
    from abm.model import LaborMarket

#: months of memory of a firm's layoff record (the layoff risk its employees see)
LAYOFF_MEMORY_MONTHS = 12.0
#: months over which a new match's extra separation hazard fades (e-folding time)
NEW_MATCH_MONTHS = 12.0


def per_firm(model: LaborMarket, attr: str) -> np.ndarray:
    """(F,) a strategy property (e.g. ``layoff_speed``) evaluated for each firm's strategy."""
    values = np.array([getattr(s, attr)(model.p) for s in STRATEGIES])
    return values[model.firms.view("strategy")]


def layoff_quota(rng: np.random.Generator, headcount: np.ndarray, target: np.ndarray, tolerance: np.ndarray,
                 speed: np.ndarray, slack: float) -> np.ndarray:
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


def run(model: LaborMarket) -> None:
    model.firms.view("layoff_risk")[:] *= 1.0 - 1.0 / LAYOFF_MEMORY_MONTHS
    _layoffs(model)
    _match_separations(model)


def _layoffs(model: LaborMarket) -> None:
    p, w, rng, now = model.p, model.workers, model.rng, model.now
    tolerance = per_firm(model, "layoff_tolerance")[:, None]
    speed = per_firm(model, "layoff_speed")[:, None]
    cuts = layoff_quota(rng, now.headcount, now.target, tolerance, speed, p.layoff_slack).ravel()
    if not cuts.any():
        return

    # employees in a cell that cuts: over whole columns (most workers are employed), in row order
    employer = w.view("employer")
    working = w.view("state") == WorkerState.EMPLOYED
    cell = cell_index(np.maximum(employer, 0), w.view("occupation"), w.view("level"), model.world.n_occupations)
    cand = np.flatnonzero(working & (cuts[cell] > 0))
    leaving = cand[pick_in_groups(rng, cell[cand], cuts)]

    firm = w.employer[leaving]
    sponsor = rng.random(len(leaving)) < per_firm(model, "sponsor_share")[firm]
    # a sponsored worker retrains towards the occupation its firm is shortest of (if any)
    shortage = (now.hiring_target - now.headcount).sum(axis=2)  # (F, O)
    best = shortage.argmax(axis=1)
    sponsor &= (shortage[firm, best[firm]] > 0) & (best[firm] != w.occupation[leaving])
    to_train = leaving[sponsor]
    target_occ = best[firm[sponsor]]
    transitions.lay_off(model, leaving[~sponsor])
    transitions.enrol(model, to_train, target_occ, firm[sponsor].astype(np.int32),
                      retraining.programme_months(model, to_train, target_occ))


def _match_separations(model: LaborMarket) -> None:
    p, w, rng = model.p, model.workers, model.rng
    stay = np.flatnonzero(w.view("state") == WorkerState.EMPLOYED)
    tenure = model.month - w.hired_month[stay]
    boost = 1.0 + p.new_match_separation_boost * np.exp(-tenure / NEW_MATCH_MONTHS)
    u = rng.random(len(stay))
    quit_p = p.quit_rate * boost
    quits = u < quit_p
    discharged = ~quits & (u < quit_p + p.discharge_rate * boost)
    transitions.quit_to_search(model, stay[quits])
    transitions.discharge(model, stay[discharged])

