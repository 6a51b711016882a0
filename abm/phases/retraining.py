"""Phase 8 — retraining: enrolment, progress, dropout and completion.

* **Who enrols.** A job seeker unemployed for at least ``retraining_min_spell`` months (and not
  retrained before) considers the occupation with the best prospect, tightness θ_o (vacancies per
  job seeker) discounted by programme length, among occupations tighter than their own. They
  enrol with monthly probability

      retraining_uptake · (s₀ + (1 − s₀) · subsidy) · min(1, expected pay / reservation wage)^κ

  (s₀ = ``retraining_self_funded_uptake``, κ = ``retraining_pay_cut_aversion``): a subsidy raises
  uptake; a large pay cut (a senior re-entering one level lower) deters it — mid-career workers are
  too senior to retrain cheaply (seeds/003). Firms also sponsor incumbents (separations phase).
* **How long.** ``(retraining_base_months + retraining_months_per_gap · gap) · retraining_length_scale``
  months, gap being the skill gap to the target occupation: QA or program management → ML or
  security takes 2–3 years (seeds/003).
* **Dropout** with monthly hazard ``retraining_dropout`` (back to search).
* **Completion.** Skills rise to ``retraining_proficiency`` × the target profile, but the ML/AI
  skill reached falls by ``retraining_target_drift`` × the rise of AI capability during training
  — the target moves while people train (seeds/003). The worker changes occupation and re-enters
  one level lower (``retraining_level_drop``); sponsored trainees return to their firm, others search.
"""

from __future__ import annotations

import numpy as np

from abm.phases import wages
from abm.state import NO_FIRM, NO_OCC, WorkerState
from abm.world import skill_gap, skill_gap_rows


def programme_months(model, idx: np.ndarray, target: np.ndarray) -> np.ndarray:
    p = model.p
    gap = skill_gap_rows(model.workers.skills[idx], model.world.profiles[target])
    months = (p.retraining_base_months + p.retraining_months_per_gap * gap) * p.retraining_length_scale
    return np.maximum(np.rint(months), 1).astype(np.int32)


def enrol(model, idx: np.ndarray, target: np.ndarray, sponsor: np.ndarray) -> None:
    """Put workers ``idx`` into a programme towards occupation ``target`` (sponsor firm or NO_FIRM)."""
    w = model.workers
    w.state[idx] = WorkerState.RETRAINING
    w.training_target[idx] = target
    w.training_left[idx] = programme_months(model, idx, target)
    w.training_start_capability[idx] = model.capability
    w.training_sponsor[idx] = sponsor
    model.flows["retraining_started"] += len(idx)


def occupation_tightness(model) -> np.ndarray:
    """(O,) vacancies per job seeker by occupation."""
    O = model.world.n_occupations
    w = model.workers
    vac = np.bincount(model.vacancies.view("occupation"), minlength=O)
    seek = np.bincount(w.view("occupation")[w.view("state") == WorkerState.UNEMPLOYED], minlength=O)
    return vac / np.maximum(seek, 1)


def run(model) -> None:
    _progress(model)
    _enrol_unemployed(model)


def _progress(model) -> None:
    p, w, rng, world, firms = model.p, model.workers, model.rng, model.world, model.firms
    r = np.flatnonzero(w.view("state") == WorkerState.RETRAINING)
    if len(r) == 0:
        return
    sponsored = w.training_sponsor[r] != NO_FIRM
    sp_firm = w.training_sponsor[r[sponsored]]
    firms.other_costs[: firms.n] += np.bincount(
        sp_firm, weights=p.retraining_cost * (1.0 - p.retraining_subsidy) + p.sponsored_wage_share * w.last_wage[r[sponsored]] / 12.0,
        minlength=firms.n)
    model.flows["public_retraining_spend"] += p.retraining_cost * p.retraining_subsidy * len(r)

    w.training_left[r] -= 1
    drop = rng.random(len(r)) < p.retraining_dropout
    dropped = r[drop & (w.training_left[r] > 0)]
    w.state[dropped] = WorkerState.UNEMPLOYED
    w.training_target[dropped] = NO_OCC
    w.training_sponsor[dropped] = NO_FIRM
    w.reservation_wage[dropped] = w.last_wage[dropped]
    w.eligible_fresh[dropped] = False
    model.flows["retraining_dropouts"] += len(dropped)

    done = r[w.training_left[r] <= 0]
    if len(done) == 0:
        return
    target = w.training_target[done]
    ai = world.ai_cluster
    reached = p.retraining_proficiency * world.profiles[target]
    moved = p.retraining_target_drift * np.maximum(model.capability - w.training_start_capability[done], 0.0)
    reached[:, ai] = np.maximum(reached[:, ai] - moved, 0.0)
    w.skills[done] = np.maximum(w.skills[done], reached)
    new_level = model.level_after_retraining(w.level[done])
    w.level[done] = new_level
    w.occupation[done] = target
    w.months_in_level[done] = 0
    w.retrained[done] = True
    w.eligible_fresh[done] = False
    w.training_target[done] = NO_OCC
    model.flows["retraining_completed"] += len(done)

    sponsor = w.training_sponsor[done]
    back = done[sponsor != NO_FIRM]
    firm = w.training_sponsor[back]
    remote = w.location[back] != firms.location[firm]
    factor = wages.pay_factor(model, firm, remote, w.location[back])
    w.state[back] = WorkerState.EMPLOYED
    w.employer[back] = firm
    w.remote[back] = remote
    w.pay_factor[back] = factor
    w.wage[back] = wages.market_wage(model, w.occupation[back], w.level[back]) * factor
    w.training_sponsor[back] = NO_FIRM
    model.flows["hires"] += len(back)
    model.flows["sponsored_returns"] += len(back)

    search = done[sponsor == NO_FIRM]
    w.state[search] = WorkerState.UNEMPLOYED
    w.spell[search] = 0
    expected = wages.market_wage(model, w.occupation[search], w.level[search]) * world.pay_index[w.location[search]]
    w.last_wage[search] = expected
    w.reservation_wage[search] = expected


def _enrol_unemployed(model) -> None:
    p, w, rng, world = model.p, model.workers, model.rng, model.world
    state = w.view("state")
    cand = np.flatnonzero((state == WorkerState.UNEMPLOYED) & (w.view("spell") >= p.retraining_min_spell) & ~w.view("retrained"))
    if len(cand) == 0:
        return
    theta = occupation_tightness(model)
    gaps = skill_gap(w.skills[cand], world.profiles)  # (n, O)
    months = (p.retraining_base_months + p.retraining_months_per_gap * gaps) * p.retraining_length_scale
    prospect = theta[None, :] / (1.0 + months / 12.0)
    own = w.occupation[cand]
    prospect[np.arange(len(cand)), own] = -1.0
    prospect[theta[None, :] <= theta[own][:, None]] = -1.0
    target = prospect.argmax(axis=1)
    has_target = prospect[np.arange(len(cand)), target] > 0
    expected = wages.market_wage(model, target, model.level_after_retraining(w.level[cand])) * world.pay_index[w.location[cand]]
    pay_ratio = np.minimum(1.0, expected / np.maximum(w.reservation_wage[cand], 1.0))
    prob = (p.retraining_uptake * (p.retraining_self_funded_uptake + (1 - p.retraining_self_funded_uptake) * p.retraining_subsidy)
            * pay_ratio**p.retraining_pay_cut_aversion)
    go = has_target & (rng.random(len(cand)) < prob)
    enrol(model, cand[go], target[go], np.full(int(go.sum()), NO_FIRM, dtype=np.int32))
