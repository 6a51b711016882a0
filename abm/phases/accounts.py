"""Phase 11 — production and firm accounts.

Output is valued in 2022 pay units: a worker of occupation o and level l produces
``base_pay[o,l]/12 · productivity[f,o,l]`` a month, less the senior time spent mentoring
(``mentoring_load`` senior-months per mentored junior). The firm's market demand is
``Y* = Σ demand[f,o,l] · base_pay[o,l]/12`` (demand phase). Revenue is

    revenue = price · (min(Y, Y*) + excess_output_value · max(0, Y − Y*))

with the price set at start so that the initial margin is ``profit_margin``. Profit = revenue −
wage bill − other costs (severance, recruiting, sponsored retraining). Unfilled jobs lose output;
juniors kept beyond demand cost money now and become seniors later — the trade-off between
cutting and counter-cyclical hiring (seeds/000, seeds/002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.phases.careers import mentoring_capacity
from abm.state import WorkerState
from abm.world import JUNIOR, SENIOR

if TYPE_CHECKING:
    from abm.model import LaborMarket


def monthly_value(model: LaborMarket) -> np.ndarray:
    """(O, L) output of one 2022 worker-month at zero adoption, in dollars."""
    return model.world.base_pay / 12.0


def output(model: LaborMarket, headcount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(F,) output and (F,) market demand, both in 2022 dollars a month."""
    value = monthly_value(model)
    produced = (headcount * model.now.productivity * value).sum(axis=(1, 2))
    juniors = headcount[:, :, JUNIOR].sum(axis=1)
    mentored = juniors * mentoring_capacity(model)
    senior_month = value[:, SENIOR].mean()
    produced = np.maximum(produced - model.p.mentoring_load * mentored * senior_month, 0.0)
    demanded = (model.now.labour_demand * value).sum(axis=(1, 2))
    return produced, demanded


def run(model: LaborMarket) -> None:
    p, firms, w = model.p, model.firms, model.workers
    produced, demanded = output(model, model.now.headcount)
    sold = np.minimum(produced, demanded) + p.excess_output_value * np.maximum(produced - demanded, 0.0)
    emp = np.flatnonzero(w.view("state") == WorkerState.EMPLOYED)
    wage_bill = np.bincount(w.employer[emp], weights=w.wage[emp] / 12.0, minlength=firms.n)
    n = firms.n
    firms.output[:n] = produced
    firms.demanded_output[:n] = demanded
    firms.revenue[:n] = model.price * sold
    firms.wage_bill[:n] = wage_bill
    firms.profit[:n] = firms.revenue[:n] - wage_bill - firms.other_costs[:n]
    firms.cumulative_profit[:n] += firms.profit[:n]
