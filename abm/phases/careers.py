"""Phase 7 — careers: experience, on-the-job AI learning, mentoring and promotion.

* Employed workers gain a month of experience and time in level; job seekers a month of spell.
* On-the-job AI learning: an employee's ML/AI skill s rises by ``ai_learning_rate · a_f · (1 − s)``
  a month, a_f being the employer's adoption — incumbents at adopting firms keep up, the
  unemployed do not. When the skill reaches the level at which a job the worker could not do
  opens up, their eligibility for jobs (matching) is re-checked.
* Promotion: after ``months_to_promotion`` in a level, an employee is promoted with monthly hazard
  ``promotion_hazard`` (seniority.csv), if the firm has room at the next level (its hiring target
  exceeds its headcount there; the promoted fill that room before the market does). A junior's
  hazard is scaled by the firm's mentoring capacity, min(1, ``mentees_per_senior`` · seniors /
  juniors): seniors come from mids gaining years, mids from juniors hired and mentored
  (seeds/000). A promotion raises pay in proportion to the occupation's pay ladder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.arrays import pick_in_groups
from abm.state import WorkerState
from abm.world import JUNIOR, SENIOR, STAFF, cell_index

if TYPE_CHECKING:
    from abm.model import LaborMarket


def mentoring_capacity(model: LaborMarket) -> np.ndarray:
    """(F,) share of each firm's juniors its seniors can mentor (≤ 1)."""
    hc = model.now.headcount.sum(axis=1)  # (F, L)
    seniors = hc[:, SENIOR] + hc[:, STAFF]
    juniors = hc[:, JUNIOR]
    return np.minimum(1.0, model.p.mentees_per_senior * seniors / np.maximum(juniors, 1))


def run(model: LaborMarket) -> None:
    p, w, world, rng = model.p, model.workers, model.world, model.rng
    state = w.view("state")
    working = state == WorkerState.EMPLOYED
    emp = np.flatnonzero(working)
    # masked whole-column updates: cheaper than gathering and scattering by index
    np.add(w.view("experience"), 1, out=w.view("experience"), where=working)
    np.add(w.view("months_in_level"), 1, out=w.view("months_in_level"), where=working)
    np.add(w.view("spell"), 1, out=w.view("spell"), where=state == WorkerState.UNEMPLOYED)

    ai = world.ai_cluster
    s = w.view("skills")[:, ai]
    rate = (p.ai_learning_rate * model.firms.view("adoption")).astype(np.float32)  # per firm
    learn = np.where(working, rate[np.maximum(w.view("employer"), 0)], np.float32(0.0))
    s += learn * (np.float32(1.0) - s)
    w.view("eligible_fresh")[s >= w.view("ai_skill_to_qualify")] = False  # a new kind of job opens up

    level = w.level[emp]
    ready = (level < STAFF) & (w.months_in_level[emp] >= world.months_to_promotion[level])
    cand = emp[ready]
    hazard = world.promotion_hazard[w.level[cand]]
    junior = w.level[cand] == JUNIOR
    hazard[junior] *= mentoring_capacity(model)[w.employer[cand[junior]]]
    lucky = cand[rng.random(len(cand)) < hazard]
    next_cell = cell_index(w.employer[lucky], w.occupation[lucky], w.level[lucky] + 1, world.n_occupations)
    room = np.ceil(np.maximum(model.now.hiring_target - model.now.headcount, 0.0)).astype(np.int64).ravel()
    transitions.promote(model, lucky[pick_in_groups(rng, next_cell, room)])
