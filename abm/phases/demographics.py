"""Phase 9 — demographics: retirements out, graduate cohorts in.

* **Retirement and exit.** Every worker in the labour force (employed, seeking or retraining)
  retires with monthly hazard ``retirement_rate``, or ``late_retirement_rate`` once their
  experience exceeds ``late_career_years``; job seekers also leave the tech labour force (other
  sectors, discouragement) with hazard ``unemployed_exit_rate``. Retirees stay as rows in the OUT_OF_LABOR_FORCE state. A retiring
  employee is a separation; seniors leaving is one side of the pipeline (seeds/000).
* **Graduates.** Each month Poisson(``graduate_rate`` · labour force / 12) graduates enter as
  junior job seekers: occupation by ``graduate_share`` tilted towards tight occupations
  (share ∝ graduate_share · (θ_o / mean θ)^``graduate_choice_elasticity``), metro by ``workforce_share``, skills at
  junior proficiency, ML/AI skill ``graduate_ai_readiness · ai_skill_requirement · X(t)``
  (curricula follow AI capability). Their reservation wage is the local junior market wage.
* **Relocation** happens in matching (onsite jobs in another metro of the region, for workers
  willing to move, at ``relocation_premium`` extra pay; housing and family make it hard: seeds/003).
"""

from __future__ import annotations

import numpy as np

from abm.phases import wages
from abm.phases.retraining import occupation_tightness
from abm.population import draw_skills
from abm.state import NO_FIRM, WorkerState
from abm.world import JUNIOR


def run(model) -> None:
    _retire(model)
    _graduate(model)


def _retire(model) -> None:
    p, w, rng = model.p, model.workers, model.rng
    state = w.view("state")
    active = np.flatnonzero(state != WorkerState.OUT_OF_LABOR_FORCE)
    late = w.experience[active] >= p.late_career_years * 12
    hazard = np.where(late, p.late_retirement_rate, p.retirement_rate)
    hazard = hazard + p.unemployed_exit_rate * (state[active] == WorkerState.UNEMPLOYED)
    out = active[rng.random(len(active)) < hazard]
    employed = out[w.state[out] == WorkerState.EMPLOYED]
    model.flows["retirements"] += len(employed)
    model.flows["retirements_total"] += len(out)
    w.state[out] = WorkerState.OUT_OF_LABOR_FORCE
    w.employer[out] = NO_FIRM
    w.wage[out] = 0.0
    w.remote[out] = False
    w.training_sponsor[out] = NO_FIRM


def graduate_mix(model) -> np.ndarray:
    """Graduates' occupation shares: the shipped mix tilted towards tight occupations."""
    theta = occupation_tightness(model)
    mean = max(float(theta.mean()), 1e-9)
    tilt = (np.maximum(theta, 1e-3) / mean) ** model.p.graduate_choice_elasticity
    mix = model.world.graduate_share * tilt
    return mix / mix.sum()


def _graduate(model) -> None:
    p, w, rng, world = model.p, model.workers, model.rng, model.world
    labour_force = int((w.view("state") != WorkerState.OUT_OF_LABOR_FORCE).sum())
    n = int(rng.poisson(p.graduate_rate * labour_force / 12.0))
    if n == 0:
        return
    occupation = rng.choice(world.n_occupations, n, p=graduate_mix(model)).astype(np.int16)
    level = np.full(n, JUNIOR, dtype=np.int8)
    location = rng.choice(world.n_locations, n, p=world.workforce_share).astype(np.int16)
    skills = draw_skills(world, occupation, level, rng)
    ai_skill = min(1.0, p.graduate_ai_readiness * p.ai_skill_requirement * model.capability)
    skills[:, world.ai_cluster] = np.maximum(skills[:, world.ai_cluster], ai_skill)
    expected = wages.market_wage(model, occupation, level) * world.pay_index[location]
    idx = w.append(
        state=np.full(n, WorkerState.UNEMPLOYED, dtype=np.int8),
        occupation=occupation,
        level=level,
        skills=skills,
        location=location,
        will_relocate=rng.random(n) < p.relocation_willingness,
        last_wage=expected,
        reservation_wage=expected,
        entry_month=np.full(n, model.month, dtype=np.int32),
    )
    model.flows["graduates"] += n
    model.on_new_workers(idx)
