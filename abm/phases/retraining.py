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

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.phases import wages
from abm.state import NO_FIRM, WorkerState
from abm.world import skill_gap, skill_gap_rows

if TYPE_CHECKING:
    from abm.model import LaborMarket


def programme_months(model: LaborMarket, idx: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Length of the programme of workers ``idx`` towards occupations ``target`` (grows with the skill gap)."""
    p = model.p
    gap = skill_gap_rows(model.workers.skills[idx], model.world.profiles[target])
    months = (p.retraining_base_months + p.retraining_months_per_gap * gap) * p.retraining_length_scale
    return np.maximum(np.rint(months), 1).astype(np.int32)


def occupation_tightness(model: LaborMarket) -> np.ndarray:
    """(O,) vacancies per job seeker by occupation."""
    O = model.world.n_occupations
    w = model.workers
    vac = np.bincount(model.vacancies.view("occupation"), minlength=O)
    seek = np.bincount(w.view("occupation")[w.view("state") == WorkerState.UNEMPLOYED], minlength=O)
    return vac / np.maximum(seek, 1)


def run(model: LaborMarket) -> None:
    _progress(model)
    _enrol_unemployed(model)


def _progress(model: LaborMarket) -> None:
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
    transitions.drop_out(model, r[drop & (w.training_left[r] > 0)])

    done = r[w.training_left[r] <= 0]
    if len(done) == 0:
        return
    target = w.training_target[done]
    ai = world.ai_cluster
    reached = p.retraining_proficiency * world.profiles[target]
    moved = p.retraining_target_drift * np.maximum(model.now.capability - w.training_start_capability[done], 0.0)
    reached[:, ai] = np.maximum(reached[:, ai] - moved, 0.0)
    transitions.complete(model, done, np.maximum(w.skills[done], reached), model.level_after_retraining(w.level[done]))

    back = done[w.training_sponsor[done] != NO_FIRM]
    firm = w.training_sponsor[back]
    remote = w.location[back] != firms.location[firm]
    factor = wages.pay_factor(model, firm, remote, w.location[back])
    transitions.return_to_sponsor(model, back, wages.market_wage(model, w.occupation[back], w.level[back]) * factor, factor, remote)

    search = done[w.state[done] == WorkerState.RETRAINING]
    expected = wages.market_wage(model, w.occupation[search], w.level[search]) * world.pay_index[w.location[search]]
    transitions.search_after_training(model, search, expected)


def _enrol_unemployed(model: LaborMarket) -> None:
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
    idx, tgt = cand[go], target[go]
    transitions.enrol(model, idx, tgt, np.full(len(idx), NO_FIRM, dtype=np.int32), programme_months(model, idx, tgt))
