"""Phase 4 — vacancies: withdrawal when demand falls, the life cycle of unfilled postings, new postings.

**The need.** A firm wants, in each firm × occupation × level cell,

    gap = max(0, hiring_target − headcount − returning sponsored trainees)

where a stand-in (an employee hired one level below a need, see below) counts at the level of
the need they are being trained into, not at their own.

**Demand withdrawal.** When more postings are open than ⌈gap⌉, the newest are withdrawn.

**Posting life.** An unfilled posting is taken down with a hazard that rises with its age a
(Weibull life, scale λ = ``vacancy_life_months``, shape k = ``vacancy_life_shape``):

    P(taken down this month | open for a months) = 1 − exp(−[((a+1)/λ)^k − (a/λ)^k])

and the firm decides what to do about the unmet need, by how many times it has re-posted it (r):

1. r ≥ ``vacancy_max_reposts``: **give up the work** — the firm drops the need from its plan: its
   base demand for the cell falls by one worker (the work is not done; the lost output shows in
   the accounts), and the cell is not posted again for ``give_up_months``. Many vacancies are
   never filled but withdrawn (Davis, Faberman & Haltiwanger 2013);
2. r ≥ 1 and the posting asks for AI skills: **relax the requirement** — re-post without the AI
   skill and train on the job (employees learn AI skills at adopting firms, careers phase);
3. r ≥ 2, the posting is above junior level and the firm hires at the level below (a cutting
   firm's junior freeze forbids it): **hire one level down** — re-post at the level below; the
   hire is a *stand-in* who counts towards the need and is promoted into it by the careers phase
   when ready (train on the job). Employers lower requirements when candidates are scarce
   (Modestino, Shoag & Ballance 2016, "Downskilling", Labour Economics);
4. the offer is below the cap ``max_vacancy_pay_premium``: **re-post at higher pay** — the need's
   premium over market pay rises by ``repost_pay_step``;
5. otherwise **re-post** as it was.

A re-posted need keeps the month it was first posted (``first_posted``): the posting's age
(``month − posted``) is what job boards show (1–4 months), the need's age (``month −
first_posted``) is the recruiting cycle (6 months or longer for production ML: seeds/002).

**New postings.** ⌊gap − open + u⌋ postings per cell (u ~ U(0,1): a fractional gap posts with that
probability), except in cells whose need was given up. A posting is fully remote with the share
its firm's remote policy gives (onsite: 0, hybrid: ``hybrid_remote_job_share``, remote-first:
``remote_first_remote_job_share``); a remote posting is open worldwide with probability
``global_remote_share``, else to the firm's region. It asks for AI skills with probability
``ai_skill_vacancy_base + ai_skill_vacancy_sensitivity · a_f`` (8 % of software job descriptions in
2022 → 42 % in 2026: seeds/001).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.arrays import rank_within_groups
from abm.population import remote_job_share
from abm.state import NO_FIRM, VacancyScope, WorkerState
from abm.world import JUNIOR, N_LEVELS, cell_index

if TYPE_CHECKING:
    from abm.model import LaborMarket


def returning_trainees(model: LaborMarket) -> np.ndarray:
    """(F·O·L,) sponsored trainees who will come back to each firm cell."""
    w = model.workers
    r = np.flatnonzero((w.view("state") == WorkerState.RETRAINING) & (w.view("training_sponsor") != NO_FIRM))
    cell = cell_index(w.training_sponsor[r], w.training_target[r], model.level_after_retraining(w.level[r]),
                      model.world.n_occupations)
    return np.bincount(cell, minlength=model.base_need.size)


def withdrawal_probability(age: np.ndarray, life: float, shape: float) -> np.ndarray:
    """Probability a posting open for ``age`` months is taken down over its next month (Weibull life)."""
    a = np.maximum(np.asarray(age, dtype=np.float64), 0.0)
    p = -np.expm1(-(((a + 1.0) / life) ** shape - (a / life) ** shape))
    return np.where(np.asarray(age) < 0, 0.0, p)  # not yet a month old: not due


def vacancy_cells(model: LaborMarket) -> np.ndarray:
    """Cell of the need each open posting serves (firm × occupation × need level)."""
    v = model.vacancies
    return cell_index(v.view("firm"), v.view("occupation"), v.view("need_level"), model.world.n_occupations)


def staffing_by_need(model: LaborMarket) -> np.ndarray:
    """(F·O·L,) employees counted at the level of the need they fill: stand-ins one level up."""
    w, hc = model.workers, model.now.headcount
    s = np.flatnonzero(w.view("stand_in"))
    if len(s) == 0:
        return hc.ravel()
    below = np.bincount(cell_index(w.employer[s], w.occupation[s], w.level[s], model.world.n_occupations),
                        minlength=hc.size).reshape(hc.shape)
    staffed = hc - below
    staffed[:, :, 1:] += below[:, :, :-1]
    return staffed.ravel()


def run(model: LaborMarket) -> None:
    gap = np.maximum(model.now.hiring_target.ravel() - staffing_by_need(model) - returning_trainees(model), 0.0)
    _withdraw_surplus(model, gap)
    _expire(model)
    _post(model, gap)


def _withdraw_surplus(model: LaborMarket, gap: np.ndarray) -> None:
    """Withdraw the newest postings of cells with more open than the (rounded-up) gap."""
    v = model.vacancies
    vcell = vacancy_cells(model)
    surplus = np.maximum(np.bincount(vcell, minlength=gap.size) - np.ceil(gap).astype(np.int64), 0)
    if surplus.any():
        newest_first = rank_within_groups(vcell, -v.view("posted"))
        model.flows["vacancies_withdrawn"] += int((newest_first < surplus[vcell]).sum())
        v.keep(newest_first >= surplus[vcell])


def _expire(model: LaborMarket) -> None:
    """Postings past their life are taken down; the firm re-posts, pays more, relaxes or gives up."""
    p, v, month, f = model.p, model.vacancies, model.month, model.flows
    if v.n == 0:
        return
    age = month - v.view("posted") - 1  # full months already open; postings of this month are not yet due
    expired = np.flatnonzero(model.rng.random(v.n) < withdrawal_probability(age, p.vacancy_life_months, p.vacancy_life_shape))
    if len(expired) == 0:
        return
    f["vacancies_expired"] += len(expired)
    model.count_by_cluster("vacancies_expired", v.occupation[expired])

    reposts = v.reposts[expired]
    give_up = reposts >= p.vacancy_max_reposts
    relax = ~give_up & (reposts >= 1) & v.ai_required[expired]
    level = v.level[expired].astype(np.int64)
    below = cell_index(v.firm[expired], v.occupation[expired], np.maximum(level - 1, 0), model.world.n_occupations)
    hires_below = model.now.hiring_target.reshape(-1)[below] > 0  # e.g. no juniors under a freeze
    not_yet = v.need_level[expired] == v.level[expired]  # one level down at most
    step_down = ~give_up & ~relax & (reposts >= 2) & (level > JUNIOR) & hires_below & not_yet
    premium = v.pay_premium[expired]
    raise_pay = ~give_up & ~relax & ~step_down & (premium + p.repost_pay_step <= p.max_vacancy_pay_premium + 1e-9)

    keep = expired[~give_up]
    v.posted[keep] = month
    v.reposts[keep] += 1
    v.ai_required[expired[relax]] = False
    v.level[expired[step_down]] -= 1
    v.pay_premium[expired[raise_pay]] += np.float32(p.repost_pay_step)
    f["vacancies_reposted"] += len(keep)
    f["vacancies_relaxed"] += int(relax.sum())
    f["vacancies_stepped_down"] += int(step_down.sum())
    f["vacancies_repriced"] += int(raise_pay.sum())

    dropped = expired[give_up]
    if len(dropped):
        f["vacancies_given_up"] += len(dropped)
        need = v.occupation[dropped].astype(np.int64) * N_LEVELS + v.need_level[dropped]
        model.firms.given_up_until[v.firm[dropped], need] = month + p.give_up_months
        cells = cell_index(v.firm[dropped], v.occupation[dropped], v.need_level[dropped], model.world.n_occupations)
        one_less = np.clip(1.0 - 1.0 / np.maximum(model.now.target.reshape(-1)[cells], 1.0), 0.0, 1.0)
        np.multiply.at(model.base_need.reshape(-1), cells, one_less)  # the plan needs one worker fewer
        gone = np.zeros(v.n, dtype=bool)
        gone[dropped] = True
        v.keep(~gone)


def _post(model: LaborMarket, gap: np.ndarray) -> None:
    p, v, rng, firms, month = model.p, model.vacancies, model.rng, model.firms, model.month
    open_now = np.bincount(vacancy_cells(model), minlength=gap.size)
    held = firms.given_up_until[: firms.n].ravel() > month
    new = np.maximum(np.floor(gap - open_now + rng.random(gap.size)).astype(np.int64), 0)
    new[held] = 0
    cells = np.repeat(np.arange(gap.size), new)
    if len(cells) == 0:
        return
    firm, rest = np.divmod(cells, model.world.n_occupations * N_LEVELS)
    occupation, level = np.divmod(rest, N_LEVELS)
    remote = rng.random(len(cells)) < remote_job_share(p, firms.remote_policy[firm])
    worldwide = rng.random(len(cells)) < p.global_remote_share
    scope = np.where(remote, np.where(worldwide, VacancyScope.REMOTE_GLOBAL, VacancyScope.REMOTE_REGION), VacancyScope.ONSITE)
    ai_prob = np.minimum(1.0, p.ai_skill_vacancy_base + p.ai_skill_vacancy_sensitivity * firms.adoption[firm])
    now = np.full(len(cells), month, dtype=np.int32)
    v.append(firm=firm, occupation=occupation, level=level, need_level=level, scope=scope,
             ai_required=rng.random(len(cells)) < ai_prob, posted=now, first_posted=now)
    model.flows["vacancies_posted"] += len(cells)
