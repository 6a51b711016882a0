"""Phase 7 — careers: experience, on-the-job AI learning, mentoring and promotion.

* Employed workers gain a month of experience and time in level; job seekers a month of spell.
* On-the-job AI learning: an employee's ML/AI skill s rises by ``ai_learning_rate · a_f · (1 − s)``
  a month, a_f being the employer's adoption — incumbents at adopting firms keep up, the
  unemployed do not.
* Promotion: after ``months_to_promotion`` in a level, an employee is promoted with monthly hazard
  ``promotion_hazard`` (seniority.csv), if the firm has room at the next level (its hiring target
  exceeds its headcount there; the promoted fill that room before the market does). A junior's
  hazard is scaled by the firm's mentoring capacity, min(1, ``mentees_per_senior`` · seniors /
  juniors): seniors come from mids gaining years, mids from juniors hired and mentored
  (seeds/000). A promotion raises pay in proportion to the occupation's pay ladder.
"""

from __future__ import annotations

import numpy as np

from abm.arrays import pick_in_groups
from abm.state import WorkerState
from abm.world import JUNIOR, SENIOR, STAFF


def mentoring_capacity(model) -> np.ndarray:
    """(F,) share of each firm's juniors its seniors can mentor (≤ 1)."""
    hc = model.headcount.sum(axis=1)  # (F, L)
    seniors = hc[:, SENIOR] + hc[:, STAFF]
    juniors = hc[:, JUNIOR]
    return np.minimum(1.0, model.p.mentees_per_senior * seniors / np.maximum(juniors, 1))


def run(model) -> None:
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
    adoption = model.firms.adoption[np.maximum(w.view("employer"), 0)]
    np.add(s, p.ai_learning_rate * adoption * (1.0 - s), out=s, where=working)

    level = w.level[emp]
    ready = (level < STAFF) & (w.months_in_level[emp] >= world.months_to_promotion[level])
    cand = emp[ready]
    hazard = world.promotion_hazard[w.level[cand]]
    junior = w.level[cand] == JUNIOR
    hazard[junior] *= mentoring_capacity(model)[w.employer[cand[junior]]]
    lucky = cand[rng.random(len(cand)) < hazard]
    next_cell = (w.employer[lucky].astype(np.int64) * world.n_occupations + w.occupation[lucky]) * 4 + w.level[lucky] + 1
    room = np.ceil(np.maximum(model.hiring_target - model.headcount, 0.0)).astype(np.int64).ravel()
    up = lucky[pick_in_groups(rng, next_cell, room)]
    old, occ = w.level[up], w.occupation[up]
    w.wage[up] *= world.base_pay[occ, old + 1] / world.base_pay[occ, old]
    w.level[up] = old + 1
    w.months_in_level[up] = 0
    model.flows["promotions"] += len(up)
