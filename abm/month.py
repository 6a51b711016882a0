"""What the phases of one month hand each other: the declared month state ``model.now``.

Each phase reads the model's tables (``abm.state``) and this small record; nothing else passes
between phases. The fields say which phase writes them and which read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MonthState:
    """The month's shared quantities (arrays are (F, O, L): firm × occupation × seniority level)."""

    #: exogenous AI capability X(t), 0–1 — written by ai_adoption; read by demand, retraining, demographics
    capability: float = 0.0
    #: aggregate tech labour demand D(t), 1 at the start — written by demand; read by metrics
    demand_index: float = 1.0
    #: labour demand in 2022 worker units — written by demand; read by wages, accounts
    labour_demand: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    #: AI productivity multiplier of a worker — written by demand; read by wages, accounts
    productivity: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    #: workers each firm wants to keep — written by demand; read by separations, matching (counter-offers)
    target: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    #: headcount each firm hires up to (e.g. 0 juniors under a freeze) — written by demand; read by
    #: separations (sponsored retraining), vacancies, careers (promotion room)
    hiring_target: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.int64))
    #: employees — recounted by demand, kept current by every transition (``abm.transitions``); read by all
    headcount: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.int64))
    #: vacancies per job seeker by skill cluster — written by wages; read by the model (wage-curve anchor)
    tightness: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: each worker's state at the start of the month — written by the model before the phases; read by
    #: metrics (flow rates: hires per employee at the start, job finding of those unemployed at the start)
    state_at_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
