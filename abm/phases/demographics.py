"""Phase 10 — demographics: retirements out, graduate cohorts in.

* **Retirement.** Every worker not yet retired (employed, seeking, retraining or in other work)
  retires with monthly hazard ``retirement_rate``, or ``late_retirement_rate`` once their
  experience exceeds ``late_career_years``. Retirees stay as rows in the RETIRED state. A retiring
  employee is a separation; seniors leaving is one side of the pipeline (seeds/000). Leaving tech
  for other work is the outside-option phase.
* **Graduates.** Each month Poisson(``graduate_rate`` · labour force / 12) graduates enter as
  junior job seekers: occupation by ``graduate_share`` tilted towards tight occupations
  (share ∝ graduate_share · (θ_o / mean θ)^``graduate_choice_elasticity``), metro by ``workforce_share``, skills at
  junior proficiency, ML/AI skill ``graduate_ai_readiness · ai_skill_requirement · X(t)``
  (curricula follow AI capability); a share ``remote_preference_share`` prefers remote work.
  Their reservation wage is the local junior market wage.
* **Relocation** happens in matching (onsite jobs in another metro of the region, for workers
  willing to move, at ``relocation_premium`` extra pay; housing and family make it hard: seeds/003).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.phases import wages
from abm.phases.retraining import occupation_tightness
from abm.population import draw_skills
from abm.state import IN_LABOR_FORCE, WorkerState
from abm.world import JUNIOR

if TYPE_CHECKING:
    from abm.model import LaborMarket


def run(model: LaborMarket) -> None:
    _retire(model)
    _graduate(model)


def _retire(model: LaborMarket) -> None:
    p, w, rng = model.p, model.workers, model.rng
    active = np.flatnonzero(w.view("state") != WorkerState.RETIRED)
    late = w.experience[active] >= p.late_career_years * 12
    hazard = np.where(late, p.late_retirement_rate, p.retirement_rate)
    transitions.retire(model, active[rng.random(len(active)) < hazard])


def graduate_mix(model: LaborMarket) -> np.ndarray:
    """Graduates' occupation shares: the shipped mix tilted towards tight occupations."""
    theta = occupation_tightness(model)
    mean = max(float(theta.mean()), 1e-9)
    tilt = (np.maximum(theta, 1e-3) / mean) ** model.p.graduate_choice_elasticity
    mix = model.world.graduate_share * tilt
    return mix / mix.sum()


def _graduate(model: LaborMarket) -> None:
    p, w, rng, world = model.p, model.workers, model.rng, model.world
    labour_force = int(np.bincount(w.view("state"), minlength=len(WorkerState))[list(IN_LABOR_FORCE)].sum())
    n = int(rng.poisson(p.graduate_rate * labour_force / 12.0))
    if n == 0:
        return
    occupation = rng.choice(world.n_occupations, n, p=graduate_mix(model)).astype(np.int16)
    level = np.full(n, JUNIOR, dtype=np.int8)
    location = rng.choice(world.n_locations, n, p=world.workforce_share).astype(np.int16)
    skills = draw_skills(world, occupation, level, rng)
    ai_skill = min(1.0, p.graduate_ai_readiness * p.ai_skill_requirement * model.now.capability)
    skills[:, world.ai_cluster] = np.maximum(skills[:, world.ai_cluster], ai_skill)
    expected = wages.market_wage(model, occupation, level) * world.pay_index[location]
    transitions.enter(
        model,
        occupation=occupation,
        level=level,
        skills=skills,
        location=location,
        will_relocate=rng.random(n) < p.relocation_willingness,
        prefers_remote=rng.random(n) < p.remote_preference_share,
        last_wage=expected,
        reservation_wage=expected,
    )
