"""Phase 2 — firm labour demand by occupation × seniority.

For firm f, occupation o, level l (all in units of 2022 workers):

    demand[f,o,l]       = base[f,o,l] · D(t) · e^{z_f} · max(0, 1 + c · complementarity_o · a_f) · W_c(o),l^−ε
    z_f ← ρ z_f + σ ε,  ε ~ N(0, 1)        (idiosyncratic firm demand: gross flows in every cluster)
    productivity[f,o,l] = 1 + s · substitution_o · level_scale_l · a_f

(c = ``ai_complementarity_scale``, s = ``ai_substitution_scale``; occupation values in occupations.csv;
W_cl the market wage index of the occupation's cluster at that level, ε = ``labour_demand_elasticity``: firms want
fewer workers of a kind that has become dearer — Hamermesh 1993; Lichter, Peichl & Siegloch 2015).
    target[f,o,l]       = strategy.headcount_target(demand, productivity)   (≈ demand / productivity)
    hiring_target       = strategy.hiring_target(target)                    (e.g. junior freeze)

``D(t)`` is the aggregate tech demand index: trend growth, a post-2022 correction spread over
``demand_shock_months`` and an optional sinusoidal cycle. AI productivity is large for code
production, tests and docs and small for judgement roles, and largest for junior tasks (a senior
with AI ships what 2–3 juniors did: seeds/001, seeds/002); complement roles (ML/AI, MLOps,
platform, security, data) gain demand with adoption (ML openings +59 % y/y: seeds/000).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.phases import pipeline_policy
from abm.state import WorkerState
from abm.strategies import STRATEGIES
from abm.world import JUNIOR, cell_index

if TYPE_CHECKING:
    from abm.model import LaborMarket
    from abm.params import Params


def demand_index(p: Params, year: float) -> float:
    """Aggregate tech labour demand relative to the start year (1.0 at start)."""
    t = year - p.start_year
    trend = (1.0 + p.demand_trend) ** t
    shock_progress = np.clip((year - p.demand_shock_year) * 12.0 / p.demand_shock_months, 0.0, 1.0)
    shock = 1.0 + p.demand_shock_size * shock_progress
    cycle = 1.0 + p.demand_cycle_amplitude * np.sin(2.0 * np.pi * t / p.demand_cycle_period)
    return float(trend * shock * cycle)


def headcount(model: LaborMarket) -> np.ndarray:
    """(F, O, L) employed workers by firm × occupation × level, counted from the worker table."""
    w = model.workers
    emp = np.flatnonzero(w.view("state") == WorkerState.EMPLOYED)
    key = cell_index(w.employer[emp], w.occupation[emp], w.level[emp], model.world.n_occupations)
    return np.bincount(key, minlength=model.base_need.size).reshape(model.base_need.shape)


def run(model: LaborMarket) -> None:
    p, world, firms, now = model.p, model.world, model.firms, model.now
    now.demand_index = demand_index(p, model.year)
    shock = firms.view("demand_shock")
    shock *= p.firm_shock_persistence
    shock += p.firm_shock_sd * model.rng.standard_normal(firms.n)
    a = firms.view("adoption")[:, None, None]
    comp = p.ai_complementarity_scale * world.ai_complementarity[None, :, None]
    sub = p.ai_substitution_scale * world.ai_substitution[None, :, None] * world.level_substitution_scale[None, None, :]
    dearer = (model.wage_index[world.occupation_cluster] ** -p.labour_demand_elasticity)[None, :, :]
    demand = model.base_need * (now.demand_index * np.exp(shock))[:, None, None] * np.maximum(1.0 + comp * a, 0.0) * dearer
    subsidised = pipeline_policy.junior_cost_share(model)
    if subsidised is not None:  # a junior that costs the firm less: demand rises at the own-wage elasticity
        demand[:, :, JUNIOR] *= (1.0 - subsidised) ** -p.labour_demand_elasticity
    productivity = 1.0 + sub * a
    target = np.empty_like(demand)
    hiring = np.empty_like(demand)
    strategy = firms.view("strategy")
    for code, strat in enumerate(STRATEGIES):  # loop over strategies, vectorised over their firms
        f = strategy == code
        if not f.any():
            continue
        target[f] = strat.headcount_target(demand[f], productivity[f], model.base_need[f], p)
        hiring[f] = strat.hiring_target(target[f], firms.adoption[: firms.n][f], model.base_need[f], p)
    if p.apprenticeship_slots > 0:  # publicly funded places come on top, whatever the strategy
        places = firms.apprentice_places[: firms.n]
        target[:, :, JUNIOR] += places
        hiring[:, :, JUNIOR] += places
    now.labour_demand = demand
    now.productivity = productivity
    now.target = target
    now.hiring_target = hiring
