"""Phase 6 — wages: market pay by cluster, location and pay policy; incumbents; reservation wages.

* **Market wage** of occupation o at level l: ``base_pay[o,l] · W_c`` where ``W_c`` is the
  market wage index of o's skill cluster c (1.0 in the start year). A wage curve sets the level
  the index moves towards, and the index closes part of the gap each month:

      W*_c = (θ_c / θ_ref)^η,   θ_c = vacancies_c / max(job seekers_c, 1)
      W_c ← W_c + λ · (W*_c − W_c)      (λ = ``wage_adjustment_speed``, × ρ when falling)

  (η = ``wage_tightness_elasticity``, ρ = ``wage_downward_rigidity``), kept within
  [``wage_index_min``, ``wage_index_max``]. The AI premium is not an input: ML/AI roles carry the
  same 2022 pay as other developers (OEWS has no separate code) and earn more only while their
  market is tighter (AI premiums 20–50 %: seeds/000, seeds/002, seeds/003).
  The index is also capped by the job's value: a firm never posts more than the output it buys,
  ``W_c ≤ price / mean pay factor · value_c`` (value_c: the cluster's mean AI productivity × the
  demand boost AI gives complement roles; the price sets the 2022 margin).
* **Location factor** of a job's pay: the firm's metro pay index for onsite jobs and for remote
  jobs under a national band; for remote jobs at a location-adjusted payer the *worker's* metro
  index, never above the firm's own band — remote offers benchmarked to local cost of living
  instead of San Francisco bands (seeds/000).
* **Incumbents** close ``incumbent_wage_adjustment`` of the gap to their market wage each month.
* **Reservation wage** of a job seeker: last wage × max(``reservation_floor``,
  1 − ``reservation_decay`` · months unemployed) — the outside option falls with the spell.
"""

from __future__ import annotations

import numpy as np

from abm.pay import location_factor
from abm.state import WorkerState


def market_wage(model, occupation: np.ndarray, level: np.ndarray) -> np.ndarray:
    """National-rate annual pay of a job now (before the location factor)."""
    world = model.world
    table = world.base_pay * model.wage_index[world.occupation_cluster][:, None]  # (O, L)
    return table.ravel()[occupation.astype(np.int64) * 4 + level]


def pay_factor(model, firm: np.ndarray, remote: np.ndarray, worker_location: np.ndarray) -> np.ndarray:
    """Location factor of pay for jobs at ``firm`` (remote or not) held by workers living at ``worker_location``."""
    firms = model.firms
    return location_factor(model.world.pay_index, firms.location[firm], firms.pay_policy[firm], remote, worker_location)


def cluster_tightness(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cluster: (vacancies, job seekers, tightness θ = vacancies / max(seekers, 1))."""
    world, w, v = model.world, model.workers, model.vacancies
    K = world.n_clusters
    vac = np.bincount(world.occupation_cluster[v.view("occupation")], minlength=K)
    seekers = w.view("state") == WorkerState.UNEMPLOYED
    unemp = np.bincount(world.occupation_cluster[w.view("occupation")[seekers]], minlength=K)
    return vac, unemp, vac / np.maximum(unemp, 1)


def cluster_value(model) -> np.ndarray:
    """(K,) employment-weighted mean value multiplier of each cluster's jobs (1 where empty):
    AI productivity × the demand boost AI gives complement roles at the employer."""
    a = model.firms.view("adoption")[:, None]
    boost = np.maximum(1.0 + model.p.ai_complementarity_scale * model.world.ai_complementarity[None, :] * a, 0.0)  # (F, O)
    hc = model.headcount
    value = np.einsum("fol,fol,fo->o", hc, model.productivity, boost)
    count = hc.sum(axis=(0, 2))
    K, cl = model.world.n_clusters, model.world.occupation_cluster
    num = np.bincount(cl, weights=value, minlength=K)
    den = np.bincount(cl, weights=count, minlength=K)
    return np.divide(num, den, out=np.ones(K), where=den > 0)


def run(model) -> None:
    p, w = model.p, model.workers
    _, _, theta = cluster_tightness(model)
    level = (np.maximum(theta, 1e-3) / p.tightness_reference) ** p.wage_tightness_elasticity
    cap = np.minimum(p.wage_index_max, model.price / model.mean_pay_factor * cluster_value(model))
    goal = np.clip(level, p.wage_index_min, np.maximum(cap, p.wage_index_min))
    gap = goal - model.wage_index
    speed = p.wage_adjustment_speed * np.where(gap > 0, 1.0, p.wage_downward_rigidity)
    model.wage_index = model.wage_index + speed * gap

    state = w.view("state")
    wage = w.view("wage")
    target = market_wage(model, w.view("occupation"), w.view("level")) * w.view("pay_factor")
    np.add(wage, p.incumbent_wage_adjustment * (target - wage), out=wage, where=state == WorkerState.EMPLOYED)

    unemp = np.flatnonzero(state == WorkerState.UNEMPLOYED)
    decay = np.maximum(p.reservation_floor, 1.0 - p.reservation_decay * w.spell[unemp])
    w.reservation_wage[unemp] = w.last_wage[unemp] * decay
