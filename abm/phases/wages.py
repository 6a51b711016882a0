"""Phase 6 — wages: market pay by cluster, location and pay policy; incumbents; reservation wages.

* **Market wage** of occupation o at level l: ``base_pay[o,l] · W_cl`` where ``W_cl`` is the
  market wage index of o's skill cluster c at seniority level l: markets are segmented by skill
  and by seniority (a junior ML market can be slack while the senior one is tight). Pay in the
  start year is the data's (OEWS 2022), so W = 1 through the burn-in, and each market's tightness
  then, θ_cl⁰ (the mean of the burn-in's last 12 months), anchors its wage curve. From January of
  the start year the index moves towards the wage-curve level, closing part of the gap each month:

      W*_cl = (θ_cl / θ_cl⁰)^η,   θ_cl = vacancies_cl / max(job seekers_cl + d · job seekers_c,l+1, 1)
      W_cl ← W_cl + λ · (W*_cl − W_cl)      (λ = ``wage_adjustment_speed``, × ρ when falling)

  (job seekers one level up count with the weight d = ``downgrade_search_weight`` with which they
  apply one level down),
  η = ``wage_tightness_elasticity``, ρ = ``wage_downward_rigidity``, kept within
  [``wage_index_min``, ``wage_index_max``]. The AI premium is not an input: ML/AI roles carry the
  same 2022 pay as other developers (OEWS has no separate code) and earn more only as their
  market tightens relative to the others' (AI premiums 20–50 %: seeds/000, seeds/002, seeds/003).
  The index is also capped by the job's value: a firm never posts more than the output it buys,
  ``W_cl ≤ price / mean pay factor · value_c`` (value_c: the cluster's mean AI productivity × the
  demand boost AI gives complement roles; the price sets the 2022 margin).
* **Pay factor** of a job: the location factor × the firm's pay level. The location factor is the
  firm's metro pay index for onsite jobs and for remote jobs under a national band; for remote
  jobs at a location-adjusted payer the *worker's* metro index, never above the firm's own band —
  remote offers benchmarked to local cost of living instead of San Francisco bands (seeds/000).
  The firm pay level exp(ψ_f) is the firm effect in pay (Card, Heining & Kline 2013): the rungs of
  the job ladder that on-the-job search climbs.
* **Incumbents** close ``incumbent_wage_adjustment`` of the gap to their market wage each month
  when the market pays more, and keep their pay when it pays less: employees' pay does not fall
  while they stay in the job (downward nominal wage rigidity: Bewley 1999; Dickens et al. 2007,
  JEP). New hires are paid the market rate of the month, so falling markets show in offers.
* **Reservation wage** of a job seeker:

      w_res = max(outside wage, min(last wage, going rate) · max(reservation_floor, 1 − reservation_decay · spell))

  where the going rate is the market pay of their occupation and level at their local pay rate
  and the outside wage ``outside_wage`` × the local pay index: job seekers ask for what they
  earned, but not above what the market pays people like them (search theory: the reservation
  wage follows the offer distribution), lower it slowly as the spell lengthens (reservation wages
  are sticky and fall slowly: Krueger & Mueller 2016, AEJ: Policy), and never take tech work for
  less than they could earn outside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.pay import location_factor
from abm.state import WorkerState
from abm.world import N_LEVELS

if TYPE_CHECKING:
    from abm.model import LaborMarket


def market_pay(model: LaborMarket) -> np.ndarray:
    """(O, L) national-rate annual market pay of each occupation and level now."""
    return model.world.base_pay * model.wage_index[model.world.occupation_cluster]


def market_wage(model: LaborMarket, occupation: np.ndarray, level: np.ndarray) -> np.ndarray:
    """National-rate annual pay of jobs now (before the pay factor)."""
    return market_pay(model).ravel()[np.asarray(occupation).astype(np.int64) * N_LEVELS + level]


def pay_factor(model: LaborMarket, firm: np.ndarray, remote: np.ndarray, worker_location: np.ndarray) -> np.ndarray:
    """Pay factor of jobs at ``firm`` (remote or not) held by workers living at ``worker_location``:
    the location factor × the firm's pay level."""
    firms = model.firms
    location = location_factor(model.world.pay_index, firms.location[firm], firms.pay_policy[firm], remote, worker_location)
    return location * firms.pay_level[firm]


def market_tightness(model: LaborMarket) -> np.ndarray:
    """(K, L) tightness θ of each skill cluster × level market: postings per job seeker, seekers
    one level up counted with the weight with which they apply one level down (floored at 1)."""
    world, w, v = model.world, model.workers, model.vacancies
    K, cl = world.n_clusters, world.occupation_cluster
    vac = np.bincount(cl[v.view("occupation")].astype(np.int64) * N_LEVELS + v.view("level"),
                      minlength=K * N_LEVELS).reshape(K, N_LEVELS)
    seeking = w.view("state") == WorkerState.UNEMPLOYED
    unemp = np.bincount(cl[w.view("occupation")[seeking]].astype(np.int64) * N_LEVELS + w.view("level")[seeking],
                        minlength=K * N_LEVELS).reshape(K, N_LEVELS).astype(float)
    unemp[:, :-1] += model.p.downgrade_search_weight * unemp[:, 1:]
    return vac / np.maximum(unemp, 1.0)


def cluster_value(model: LaborMarket) -> np.ndarray:
    """(K,) employment-weighted mean value multiplier of each cluster's jobs (1 where empty):
    AI productivity × the demand boost AI gives complement roles at the employer."""
    a = model.firms.view("adoption")[:, None]
    boost = np.maximum(1.0 + model.p.ai_complementarity_scale * model.world.ai_complementarity[None, :] * a, 0.0)  # (F, O)
    hc = model.now.headcount
    value = np.einsum("fol,fol,fo->o", hc, model.now.productivity, boost)
    count = hc.sum(axis=(0, 2))
    K, cl = model.world.n_clusters, model.world.occupation_cluster
    num = np.bincount(cl, weights=value, minlength=K)
    den = np.bincount(cl, weights=count, minlength=K)
    return np.divide(num, den, out=np.ones(K), where=den > 0)


def run(model: LaborMarket) -> None:
    p, w = model.p, model.workers
    theta = market_tightness(model)
    model.now.tightness = theta
    if model.in_burn_in:  # 2022 pay is the data's: the index stays at 1 (the model records θ⁰)
        _reservation_wages(model)
        return
    level = (np.maximum(theta, 1e-3) / model.reference_tightness) ** p.wage_tightness_elasticity
    cap = np.minimum(p.wage_index_max, model.price / model.mean_pay_factor * cluster_value(model))[:, None]
    goal = np.clip(level, p.wage_index_min, np.maximum(cap, p.wage_index_min))
    gap = goal - model.wage_index
    speed = p.wage_adjustment_speed * np.where(gap > 0, 1.0, p.wage_downward_rigidity)
    model.wage_index = model.wage_index + speed * gap

    state = w.view("state")
    wage = w.view("wage")
    target = market_wage(model, w.view("occupation"), w.view("level")) * w.view("pay_factor")
    raise_ = p.incumbent_wage_adjustment * np.maximum(target - wage, 0.0)  # pay never falls in the job
    np.add(wage, raise_, out=wage, where=state == WorkerState.EMPLOYED)

    _reservation_wages(model)


def _reservation_wages(model: LaborMarket) -> None:
    p, w = model.p, model.workers
    unemp = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)
    local = model.world.pay_index[w.location[unemp]]
    going = market_wage(model, w.occupation[unemp], w.level[unemp]) * local
    decay = np.maximum(p.reservation_floor, 1.0 - p.reservation_decay * w.spell[unemp])
    w.reservation_wage[unemp] = np.maximum(p.outside_wage * local, np.minimum(w.last_wage[unemp], going) * decay)
