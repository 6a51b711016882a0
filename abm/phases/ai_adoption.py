"""Phase 1 — AI adoption.

An exogenous AI capability path (the scenario's lever) rises logistically and may cool down:

    X(t) = ceiling / (1 + exp(−speed · (year − midpoint))) · (1 − depth · 1[year ≥ cooldown_year])

Each firm's adoption ``a_f`` moves a share ``firm_adoption_rate`` of the way each month towards
its strategy's appetite × X(t) (non-adopters: 0). Adoption drives AI productivity and the demand
for AI-complement roles in the demand phase, and the AI-skill content of the firm's vacancies.
Source: AI skills in 8 % of software job descriptions in 2022, 42 % in 2026 (seeds/001) — the
capability path is calibrated to that (docs/calibration.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.strategies import STRATEGIES

if TYPE_CHECKING:
    from abm.model import LaborMarket
    from abm.params import Params


def capability(p: Params, year: float) -> float:
    """AI capability X at a (fractional) calendar year."""
    # the logistic written with a clipped exponent: no overflow for extreme but valid parameters
    x = p.ai_adoption_ceiling / (1.0 + np.exp(np.clip(-p.ai_adoption_speed * (year - p.ai_adoption_midpoint), -700.0, 700.0)))
    if year >= p.ai_cooldown_year:
        x *= 1.0 - p.ai_cooldown_depth
    return float(x)


def run(model: LaborMarket) -> None:
    p = model.p
    model.now.capability = capability(p, model.year)
    firms = model.firms
    adoption = firms.view("adoption")
    appetite = np.array([s.adoption_appetite for s in STRATEGIES])
    target = appetite[firms.view("strategy")] * model.now.capability
    adoption += p.firm_adoption_rate * (target - adoption)
