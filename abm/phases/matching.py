"""Phase 5 — search and matching (explicit frictions, no aggregate matching function imposed).

1. **Eligibility.** A job seeker (unemployed worker) is eligible for a vacancy when the skill gap
   between their skills and the job's profile is at most ``max_skill_gap`` (an AI-skill vacancy
   raises the ML/AI entry of the profile to ``ai_skill_requirement``); the job's level is their
   own or one below; an onsite job is in their metro, or in their region if they are willing to
   relocate; a remote job is in their region or open worldwide.
2. **Applications.** Each seeker sends ``applications_per_month`` applications, each to a random
   eligible vacancy whose market pay at their local rate, plus the bargaining room, meets their
   reservation wage (a job one level down is chosen with relative weight
   ``downgrade_search_weight``). Seekers do not see which vacancies others apply to, so some
   vacancies get many applicants and some none: the urn-ball friction.
3. **Selection.** Each vacancy with applicants offers the job to its best applicant by score
   ``−skill gap + noise + rehire_preference · [the firm laid this worker off]``.
4. **Acceptance.** A worker accepts the best offer whose wage (phase 6's posted wage, raised by up
   to ``bargaining_room`` to meet the reservation wage, plus ``relocation_premium`` when moving)
   meets their reservation wage; refused and unmade offers leave the vacancy open.

Hires therefore rise with both job seekers and vacancies with diminishing returns, and fall when
seekers' skills or places do not fit the vacancies — mismatch (seeds/002, seeds/003).
"""

from __future__ import annotations

import numpy as np

from abm.arrays import first_in_groups, sample_rows
from abm.invariants import InvariantError
from abm.phases import wages
from abm.state import VacancyScope, WorkerState
from abm.world import JUNIOR, skill_gap, skill_gap_rows

N_REGIONS = 3


def location_cells(model) -> int:
    """Number of location cells: one per metro (onsite), one per region (remote), one worldwide."""
    return model.world.n_locations + N_REGIONS + 1


def reach_matrix(world) -> np.ndarray:
    """(2·M, C) which location cells a seeker of group (metro, willing to relocate) can apply to."""
    M = world.n_locations
    region = world.region_codes
    reach = np.zeros((2 * M, M + N_REGIONS + 1), dtype=np.float64)
    for loc in range(M):
        for relocate in (0, 1):
            g = 2 * loc + relocate
            reach[g, loc] = 1.0
            if relocate:
                reach[g, :M] = region == region[loc]
            reach[g, M + region[loc]] = 1.0
            reach[g, M + N_REGIONS] = 1.0
    return reach


def eligibility(model, idx: np.ndarray) -> np.ndarray:
    """(n, 2·O) bool: can workers ``idx`` do each job profile (plain, then AI-skill) within ``max_skill_gap``.

    Cached as bits per worker: a job seeker's skills do not change while they search, so the
    gaps are computed once when they enter search (``eligible_fresh`` is cleared on every change).
    """
    w = model.workers
    n_prof = len(model.job_profiles)
    bit = np.uint64(1) << np.arange(n_prof, dtype=np.uint64)
    stale = idx[~w.eligible_fresh[idx]]
    if len(stale):
        ok = skill_gap(w.skills[stale], model.job_profiles) <= model.p.max_skill_gap
        w.eligible[stale] = (ok * bit).sum(axis=1, dtype=np.uint64)
        w.eligible_fresh[stale] = True
    return (w.eligible[idx][:, None] & bit) != 0


def run(model) -> None:
    p, w, v, world, rng, firms = model.p, model.workers, model.vacancies, model.world, model.rng, model.firms
    seekers = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)
    model.flows["job_seekers"] += len(seekers)
    if len(seekers) == 0 or v.n == 0:
        return
    O, L, M = world.n_occupations, 4, world.n_locations
    C = location_cells(model)

    # --- vacancies by market cell (occupation, level, ai, location cell) ---------------------
    vfirm = v.view("firm")
    vloc = firms.location[vfirm]
    vscope = v.view("scope")
    loc_cell = np.where(vscope == VacancyScope.ONSITE, vloc,
                        np.where(vscope == VacancyScope.REMOTE_REGION, M + world.region_codes[vloc], M + N_REGIONS))
    mcell = ((v.view("occupation").astype(np.int64) * L + v.view("level")) * 2 + v.view("ai_required")) * C + loc_cell
    counts = np.bincount(mcell, minlength=O * L * 2 * C).astype(np.float64)
    reach = model.reach
    reachable = (counts.reshape(O * L * 2, C) @ reach.T).reshape(O, L, 2, -1)  # (O, L, 2, G)
    by_group = reachable.transpose(3, 1, 0, 2).reshape(-1, O, 2)  # (G·L, O, 2)

    # --- seekers' eligibility and application weights ----------------------------------------
    group = 2 * w.location[seekers].astype(np.int64) + w.will_relocate[seekers]
    level = w.level[seekers].astype(np.int64)
    eligible = eligibility(model, seekers).reshape(len(seekers), 2, O).transpose(0, 2, 1)  # (S, O, 2)
    weight = np.zeros((len(seekers), O, 2, 2))
    local_index = world.pay_index[w.location[seekers]]
    ceiling = w.reservation_wage[seekers] / (1.0 + p.bargaining_room)
    occ_wage = world.base_pay * model.wage_index[world.occupation_cluster][:, None]  # (O, L)
    for down in (0, 1):  # apply at own level, or one below
        lv = np.maximum(level - down, 0)
        ok = (level - down) >= JUNIOR
        worth_it = occ_wage[:, lv].T * local_index[:, None] >= ceiling[:, None]  # (S, O): pay meets reservation
        weight[:, :, down, :] = eligible * by_group[group * L + lv] * (ok[:, None] & worth_it)[:, :, None]
    weight[:, :, 1, :] *= p.downgrade_search_weight
    pick = sample_rows(rng, weight.reshape(len(seekers), -1), p.applications_per_month)

    app_seeker = np.repeat(np.arange(len(seekers)), p.applications_per_month)
    pick = pick.ravel()
    sent = pick >= 0
    app_seeker, pick = app_seeker[sent], pick[sent]
    occ, down, ai = np.unravel_index(pick, (O, 2, 2))
    app_level = level[app_seeker] - down

    # --- which vacancy: a location cell by counts, then uniform within the market cell -------
    cell_base = ((occ * L + app_level) * 2 + ai) * C
    loc_weight = counts.reshape(-1, C)[cell_base // C] * reach[group[app_seeker]]
    lc = sample_rows(rng, loc_weight, 1)[:, 0]
    cell = cell_base + lc
    order = np.argsort(mcell, kind="stable")
    start = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    vac = order[start[cell] + (rng.random(len(cell)) * counts[cell]).astype(np.int64)]
    key = np.unique(app_seeker.astype(np.int64) * v.n + vac, return_index=True)[1]
    app_seeker, vac, occ, ai = app_seeker[key], vac[key], occ[key], ai[key]
    model.flows["applications"] += len(vac)

    # --- each vacancy offers to its best applicant --------------------------------------------
    worker = seekers[app_seeker]
    rehire = w.laid_off_by[worker] == vfirm[vac]
    gap = skill_gap_rows(w.skills[worker], model.job_profiles[ai * O + occ])
    score = -gap + p.hiring_noise * rng.standard_normal(len(vac)) + p.rehire_preference * rehire
    best = first_in_groups(vac, -score)
    o_worker, o_vac = worker[best], vac[best]

    # --- offers, reservation wages, acceptance ---------------------------------------------------
    o_firm = vfirm[o_vac]
    remote = vscope[o_vac] != VacancyScope.ONSITE
    factor = wages.pay_factor(model, o_firm, remote, w.location[o_worker])
    offer = wages.market_wage(model, v.occupation[o_vac], v.level[o_vac]) * factor
    moving = ~remote & (w.location[o_worker] != firms.location[o_firm])
    required = w.reservation_wage[o_worker] * (1.0 + p.relocation_premium * moving)
    acceptable = required <= offer * (1.0 + p.bargaining_room)
    wage = np.maximum(offer, required)
    idx = np.flatnonzero(acceptable)
    take = idx[first_in_groups(o_worker[idx], -wage[idx])]
    model.flows["offers"] += len(o_vac)
    model.flows["offers_refused"] += len(o_vac) - len(take)

    hire(model, o_worker[take], o_vac[take], wage[take], factor[take], remote[take], moving[take])


def hire(model, worker: np.ndarray, vac: np.ndarray, wage: np.ndarray, factor: np.ndarray,
         remote: np.ndarray, moving: np.ndarray) -> None:
    """Fill vacancies ``vac`` with ``worker`` at ``wage`` and record the flows."""
    w, v, firms = model.workers, model.vacancies, model.firms
    if len(np.unique(vac)) != len(vac) or len(np.unique(worker)) != len(worker):
        raise InvariantError("a vacancy would be filled twice or a worker hired twice in one month")
    firm = v.firm[vac]
    occupation, level = v.occupation[vac], v.level[vac]
    rehired = w.laid_off_by[worker] == firm
    w.months_in_level[worker] = np.where(w.level[worker] == level, w.months_in_level[worker], 0)
    w.state[worker] = WorkerState.EMPLOYED
    w.employer[worker] = firm
    w.occupation[worker] = occupation
    w.level[worker] = level
    w.wage[worker] = wage
    w.pay_factor[worker] = factor
    w.remote[worker] = remote
    w.location[worker] = np.where(moving, firms.location[firm], w.location[worker])
    w.spell[worker] = 0
    retrained = w.retrained[worker]

    f = model.flows
    f["hires"] += len(worker)
    f["market_hires"] += len(worker)
    f["junior_hires"] += int((level == JUNIOR).sum())
    f["rehires"] += int(rehired.sum())
    f["ai_hires"] += int(model.world.is_ai_occupation[occupation].sum())
    f["ai_rehires"] += int((rehired & model.world.is_ai_occupation[occupation]).sum())
    f["relocations"] += int(moving.sum())
    f["retrained_hires"] += int(retrained.sum())
    f["retrained_hire_wage_sum"] += float(wage[retrained].sum())
    model.count_by_cluster("hires", occupation)
    model.count_by_cluster("filled_duration", occupation, weights=model.month - v.posted[vac])
    model.count_by_cluster("filled", occupation)
    is_senior = level >= 2
    f["senior_filled"] += int(is_senior.sum())
    f["senior_filled_duration"] += float((model.month - v.posted[vac])[is_senior].sum())
    firms.other_costs[: firms.n] += np.bincount(firm, weights=wage * model.p.hiring_cost, minlength=firms.n)
    filled = np.zeros(v.n, dtype=bool)
    filled[vac] = True
    v.keep(~filled)
