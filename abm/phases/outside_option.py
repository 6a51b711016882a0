"""Phase 9 — the outside option: job seekers leave tech for other work, and come back.

**Leaving.** A job seeker takes work outside tech with monthly hazard

    h_exit = outside_exit_rate · min(1, spell / outside_exit_spell) · min(1, w_out / w_res)^outside_pay_elasticity

where w_out = ``outside_wage`` × the local pay index is what they can earn elsewhere and w_res
their reservation wage. The hazard rises with the spell (discouragement, and the reservation
wage falls with it) and falls with what they would give up: graduates, whose tech pay is close
to the outside wage, leave sooner than mid-career specialists whose pay elsewhere would fall most
(seeds/003). The unemployed change occupation more the longer they search (Carrillo-Tudela &
Visschers 2023, Econometrica); flows out of the labour force are large (Elsby, Hobijn & Şahin
2015, JME).

**Coming back.** A worker in other work returns to search in tech with monthly hazard

    h_return = return_rate · (θ_cl / θ_cl⁰)^return_tightness_elasticity · exp(−months away / return_memory_months)

θ_cl being the tightness of the market of their skill cluster and level and θ_cl⁰ its tightness at
the start (wages phase): people come back when tech demand recovers, less so the longer they have settled
elsewhere. Their tech skills depreciate by
``skill_depreciation`` a month away (≈ 5 %/year: Edin & Gustavsson 2008) and they expect the
market pay of their occupation at their local rate. The tech labour force is thus endogenous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.phases import wages
from abm.state import WorkerState

if TYPE_CHECKING:
    from abm.model import LaborMarket


def exit_hazard(model: LaborMarket, idx: np.ndarray) -> np.ndarray:
    """Monthly probability that job seekers ``idx`` leave tech for other work."""
    p, w = model.p, model.workers
    outside = p.outside_wage * model.world.pay_index[w.location[idx]]
    ratio = np.minimum(1.0, outside / np.maximum(w.reservation_wage[idx], 1.0))
    discouraged = np.minimum(1.0, w.spell[idx] / p.outside_exit_spell)
    return p.outside_exit_rate * discouraged * ratio**p.outside_pay_elasticity


def return_hazard(model: LaborMarket, idx: np.ndarray) -> np.ndarray:
    """Monthly probability that workers ``idx`` in other work come back to search in tech."""
    p, w = model.p, model.workers
    cluster, level = model.world.occupation_cluster[w.occupation[idx]], w.level[idx]
    relative = model.now.tightness[cluster, level] / model.reference_tightness[cluster, level]
    away = model.month - w.left_tech_month[idx]
    pull = relative ** p.return_tightness_elasticity
    return np.minimum(1.0, p.return_rate * pull * np.exp(-away / p.return_memory_months))


def run(model: LaborMarket) -> None:
    w, rng = model.workers, model.rng
    state = w.view("state")
    away = np.flatnonzero(state == WorkerState.OTHER_WORK)
    seekers = np.flatnonzero(state == WorkerState.UNEMPLOYED)
    # returns are decided before exits, so nobody leaves and comes back in the same month
    back = away[rng.random(len(away)) < return_hazard(model, away)]
    leaving = seekers[rng.random(len(seekers)) < exit_hazard(model, seekers)]
    if len(back):
        months_away = (model.month - w.left_tech_month[back]).astype(np.float32)
        kept = (1.0 - model.p.skill_depreciation) ** months_away
        expected = wages.market_wage(model, w.occupation[back], w.level[back]) * model.world.pay_index[w.location[back]]
        transitions.come_back(model, back, w.skills[back] * kept[:, None], expected)
    transitions.leave_tech(model, leaving)
