"""Phase 4 — vacancy posting and withdrawal.

A firm wants, in each occupation × level cell,

    gap = max(0, hiring_target − headcount − returning sponsored trainees)

and posts ⌊gap − open + u⌋ new vacancies (u ~ U(0,1): a fractional gap posts with that
probability), or withdraws its newest vacancies when more than ⌈gap⌉ are open. A new vacancy is fully remote with the share its remote policy gives (onsite: 0, hybrid:
``hybrid_remote_job_share``, remote-first: ``remote_first_remote_job_share``); a remote vacancy is
open worldwide with probability ``global_remote_share``, else to the firm's region. It asks for AI
skills with probability ``ai_skill_vacancy_base + ai_skill_vacancy_sensitivity · a_f`` (8 % of
software job descriptions in 2022 → 42 % in 2026: seeds/001).
"""

from __future__ import annotations

import numpy as np

from abm.arrays import rank_within_groups
from abm.population import remote_job_share
from abm.state import NO_FIRM, VacancyScope, WorkerState


def cell_of(model, firm: np.ndarray, occupation: np.ndarray, level: np.ndarray) -> np.ndarray:
    return (firm.astype(np.int64) * model.world.n_occupations + occupation) * 4 + level


def returning_trainees(model) -> np.ndarray:
    """(F·O·L,) sponsored trainees who will come back to each firm cell."""
    w = model.workers
    r = np.flatnonzero((w.view("state") == WorkerState.RETRAINING) & (w.view("training_sponsor") != NO_FIRM))
    cell = cell_of(model, w.training_sponsor[r], w.training_target[r], model.level_after_retraining(w.level[r]))
    return np.bincount(cell, minlength=model.base_need.size)


def run(model) -> None:
    p, v, rng, firms = model.p, model.vacancies, model.rng, model.firms
    size = model.base_need.size
    vcell = cell_of(model, v.view("firm"), v.view("occupation"), v.view("level"))
    open_now = np.bincount(vcell, minlength=size)
    gap = np.maximum(model.hiring_target.ravel() - model.headcount.ravel() - returning_trainees(model), 0.0)

    # withdraw the newest vacancies of cells with more open than the (rounded-up) gap
    surplus = np.maximum(open_now - np.ceil(gap).astype(np.int64), 0)
    if surplus.any():
        newest_first = rank_within_groups(vcell, -v.view("posted"))
        model.flows["vacancies_withdrawn"] += int((newest_first < surplus[vcell]).sum())
        v.keep(newest_first >= surplus[vcell])

    # post the missing ones (stochastic rounding: a fractional gap posts with that probability)
    new = np.maximum(np.floor(gap - open_now + rng.random(size)).astype(np.int64), 0)
    cells = np.repeat(np.arange(size), new)
    if len(cells) == 0:
        return
    firm, rest = np.divmod(cells, model.world.n_occupations * 4)
    occupation, level = np.divmod(rest, 4)
    f_policy = firms.remote_policy[firm]
    remote = rng.random(len(cells)) < remote_job_share(p, f_policy)
    worldwide = rng.random(len(cells)) < p.global_remote_share
    scope = np.where(remote, np.where(worldwide, VacancyScope.REMOTE_GLOBAL, VacancyScope.REMOTE_REGION), VacancyScope.ONSITE)
    ai_prob = np.minimum(1.0, p.ai_skill_vacancy_base + p.ai_skill_vacancy_sensitivity * firms.adoption[firm])
    v.append(
        firm=firm, occupation=occupation, level=level, scope=scope,
        ai_required=rng.random(len(cells)) < ai_prob,
        posted=np.full(len(cells), model.month, dtype=np.int32),
    )
    model.flows["vacancies_posted"] += len(cells)
