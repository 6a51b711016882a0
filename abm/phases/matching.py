"""Phase 5 — search and matching, for job seekers and employees searching on the job.

No aggregate matching function is imposed: hires come out of explicit frictions.

1. **Who searches.** Every job seeker (unemployed). Each employee searches with probability

       s_i = min(1, ojs_search_rate · (1 + ojs_pay_gap_weight · max(0, w*_i / w_i − 1)
                                       + ojs_layoff_risk_weight · layoff risk of the employer
                                       + ojs_remote_weight · [prefers remote, holds an onsite job]))

   where w*_i is the market pay of their occupation and level at their local pay rate: the
   underpaid, those at firms that lay off and those who want remote work search more (Faberman,
   Mueller, Şahin & Topa 2022, Econometrica).
2. **Eligibility.** A searcher is eligible for a posting when the skill gap between their skills
   and the job's profile is at most ``max_skill_gap`` (an AI-skill posting raises the ML/AI entry
   of the profile to ``ai_skill_requirement``); the job's level is their own or one below; an
   onsite job is in their metro, or in their region if they are willing to relocate; a remote job
   is in their region or open worldwide.
3. **Applications.** A job seeker sends ``applications_per_month`` applications, an employee
   ``ojs_applications``, each to a random eligible posting whose market pay at their local rate,
   plus the bargaining room, meets what they need from a job (a posting one level down with
   relative weight ``downgrade_search_weight``). Searchers do not see where others apply, so some
   postings get many applicants and some none: the urn-ball friction.
4. **Selection.** Each posting with applicants offers the job to its best applicant by score
   ``−skill gap + noise + rehire_preference · [the firm laid this worker off]``.
5. **Offers.** Pay = market pay × location factor × firm pay level × (1 + the need's premium),
   raised by up to ``bargaining_room`` to meet what the worker needs (+ ``relocation_premium``
   when moving). Workers compare job *values*: pay × (1 + ``remote_amenity_value``) for a fully
   remote job if they prefer remote work (Mas & Pallais 2017). A job seeker needs their
   reservation wage; an employee needs the value of their current job × (1 + ``job_switch_margin``),
   more if their trainer pays them retention or a training repayment clause binds them
   (``abm.phases.pipeline_policy``).
6. **Acceptance.** A worker takes the best acceptable offer. With probability
   ``counter_offer_rate`` the current employer of a worker about to leave matches the offer's
   value, if it is not cutting that role (Postel-Vinay & Robin 2002); the worker stays.
   Otherwise an employee's move is a job-to-job transition: a quit for the old firm, a hire for
   the new. Refused and unmade offers leave the posting open.

Hires rise with both searchers and vacancies with diminishing returns and fall when searchers'
skills or places do not fit the vacancies — mismatch (seeds/002, seeds/003). Employees compete
with job seekers for the same postings, and firms that pay more poach from firms that pay less:
the job ladder (Burdett & Mortensen 1998).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.arrays import first_in_groups, sample_entries, sample_rows, sample_table_rows
from abm.phases import pipeline_policy, wages
from abm.state import VacancyScope, WorkerState
from abm.world import JUNIOR, N_LEVELS, cell_index, skill_gap, skill_gap_rows

if TYPE_CHECKING:
    from abm.model import LaborMarket
    from abm.world import World

N_REGIONS = 3


def location_cells(model: LaborMarket) -> int:
    """Number of location cells: one per metro (onsite), one per region (remote), one worldwide."""
    return model.world.n_locations + N_REGIONS + 1


def reach_matrix(world: World) -> np.ndarray:
    """(2·M, C) which location cells a searcher of group (metro, willing to relocate) can apply to."""
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


def eligibility(model: LaborMarket, idx: np.ndarray) -> np.ndarray:
    """(n, 2·O) 0/1: can workers ``idx`` do each job profile (each occupation without, then with the
    AI-skill requirement) within ``max_skill_gap``.

    Cached as bits per worker. A change of skills (retraining, time outside tech) clears
    ``eligible_fresh``; on-the-job AI learning raises only the ML/AI skill, so the bits also keep
    ``ai_skill_to_qualify``, the ML/AI skill at which the first job the worker cannot do yet
    would open up, and the careers phase clears the cache when the skill reaches it — exact, and
    the gaps are recomputed only for the few who cross.
    """
    w = model.workers
    O = model.world.n_occupations
    stale = idx[~w.eligible_fresh[idx]]
    if len(stale):
        ok, qualify = _gaps(model, w.skills[stale])
        w.eligible[stale] = (ok * _BITS[: 2 * O]).sum(axis=1, dtype=np.uint64)
        w.ai_skill_to_qualify[stale] = qualify
        w.eligible_fresh[stale] = True
    bits = w.eligible[idx].astype("<u8").view(np.uint8).reshape(len(idx), 8)  # bit k = profile k
    return np.unpackbits(bits, axis=1, count=2 * O, bitorder="little")


def _gaps(model: LaborMarket, skills: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For workers with ``skills``: which job profiles they can do (n, 2·O), and the lowest ML/AI
    skill at which one they cannot do yet would open up (n,), inf if none ever would."""
    profiles, max_gap = model.job_profiles, model.p.max_skill_gap
    ai = model.world.ai_cluster
    norm = (profiles**2).sum(axis=1)  # (m,)
    part = np.maximum(profiles[None, :, :] - skills[:, None, :], 0.0) * profiles[None, :, :]  # (n, m, K)
    gap = part.sum(axis=2) / norm
    ok = gap <= max_gap
    p_ai = profiles[:, ai]
    without_ai = gap - part[:, :, ai] / norm
    # gap ≤ max_gap  ⇔  p_ai · (p_ai − s_ai) ≤ (max_gap − gap without the AI term) · norm
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = p_ai - (max_gap - without_ai) * norm / p_ai
    needed = np.where(~ok & (p_ai > 0) & (without_ai <= max_gap), needed, np.inf)
    return ok, needed.min(axis=1).astype(np.float32)


_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def amenity(model: LaborMarket, idx: np.ndarray, remote: np.ndarray) -> np.ndarray:
    """Value of a job per dollar of pay for workers ``idx``: 1 + remote_amenity_value if it is fully
    remote and they prefer remote work, else 1."""
    return 1.0 + model.p.remote_amenity_value * (remote & model.workers.prefers_remote[idx])


def search_probability(model: LaborMarket, emp: np.ndarray) -> np.ndarray:
    """Monthly probability that each employee in ``emp`` searches on the job (module docstring, step 1).

    Computed over whole columns and then taken at ``emp`` (most workers are employed: cheaper than
    gathering each column by index)."""
    p, w, world = model.p, model.workers, model.world
    going = (wages.market_pay(model)[:, :, None] * world.pay_index[None, None, :]).ravel()  # (O, L, M) going rates
    cell = (w.view("occupation").astype(np.int64) * N_LEVELS + w.view("level")) * world.n_locations + w.view("location")
    going_rate = going[cell][emp]
    pay = w.wage[emp]
    if p.retention_pay_share > 0:  # retention pay is pay too
        pay = pay * pipeline_policy.retention_factor(model, emp)
    pay_gap = np.maximum(going_rate / pay - 1.0, 0.0)
    risk = model.firms.layoff_risk[w.employer[emp]]
    wants_remote = (w.view("prefers_remote") & ~w.view("remote"))[emp]
    return np.minimum(1.0, p.ojs_search_rate * (1.0 + p.ojs_pay_gap_weight * pay_gap + p.ojs_layoff_risk_weight * risk
                                                 + p.ojs_remote_weight * wants_remote))


def run(model: LaborMarket) -> None:
    p, w, rng = model.p, model.workers, model.rng
    state = w.view("state")
    seekers = np.flatnonzero(state == WorkerState.UNEMPLOYED)
    employed = np.flatnonzero(state == WorkerState.EMPLOYED)
    on_the_job = employed[rng.random(len(employed)) < search_probability(model, employed)]
    model.flows["job_seekers"] += len(seekers)
    model.flows["on_the_job_searchers"] += len(on_the_job)
    searchers = np.concatenate([seekers, on_the_job])
    if len(searchers) == 0 or model.vacancies.n == 0:
        return
    is_employed = np.arange(len(searchers)) >= len(seekers)
    # what each searcher needs from a job, in value (pay × amenity): job seekers their reservation
    # wage, employees their current job's value plus the switching margin
    needed = np.empty(len(searchers))
    needed[~is_employed] = w.reservation_wage[seekers]
    needed[is_employed] = (w.wage[on_the_job] * amenity(model, on_the_job, w.remote[on_the_job])
                           * (1.0 + p.job_switch_margin))
    if pipeline_policy.binds_movers(p):
        needed[is_employed] = pipeline_policy.needed_to_move(model, on_the_job, needed[is_employed])
    applicant, vac = _apply(model, searchers, is_employed, needed)
    if len(vac) == 0:
        return
    offered, o_vac = _select(model, searchers[applicant], vac)
    _offer_and_accept(model, offered, o_vac, needed[_position(searchers, offered)])


def _position(searchers: np.ndarray, workers: np.ndarray) -> np.ndarray:
    """Positions of ``workers`` in ``searchers`` (every worker is in it exactly once)."""
    order = np.argsort(searchers, kind="stable")
    return order[np.searchsorted(searchers[order], workers)]


def _apply(model: LaborMarket, searchers: np.ndarray, is_employed: np.ndarray, needed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Applications: (position of the applicant in ``searchers``, vacancy row) pairs, distinct."""
    p, w, v, world, rng, firms = model.p, model.workers, model.vacancies, model.world, model.rng, model.firms
    O, L, M = world.n_occupations, N_LEVELS, world.n_locations
    C = location_cells(model)

    # --- postings by market cell (occupation, level, ai, location cell) ---------------------------
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

    # --- application weights: sparse over the (occupation, AI requirement) jobs each can do ---------
    group = 2 * w.location[searchers].astype(np.int64) + w.will_relocate[searchers]
    level = w.level[searchers].astype(np.int64)
    local_index = world.pay_index[w.location[searchers]]
    floor = needed / ((1.0 + p.bargaining_room) * (1.0 + p.remote_amenity_value * w.prefers_remote[searchers]))
    occ_wage = wages.market_pay(model)  # (O, L)
    s_e, profile = np.divmod(np.flatnonzero(eligibility(model, searchers).view(bool)), 2 * O)  # sorted by searcher
    a_e, o_e = np.divmod(profile, O)
    parts = []
    for down in (0, 1):  # apply at own level, or one below
        lv = level[s_e] - down
        ok = lv >= JUNIOR
        s_d, o_d, a_d, lv = s_e[ok], o_e[ok], a_e[ok], lv[ok]
        weight = by_group[group[s_d] * L + lv, o_d, a_d]  # postings they can reach
        weight *= occ_wage[o_d, lv] * local_index[s_d] >= floor[s_d]  # whose pay can meet their need
        if down:
            weight *= p.downgrade_search_weight
        parts.append((s_d, np.full(len(s_d), down), o_d, a_d, weight))
    s_a, d_a, o_a, a_a, w_a = (np.concatenate(x) for x in zip(*parts))
    order = np.argsort(s_a, kind="stable")
    keep = order[w_a[order] > 0]
    sends = np.where(is_employed, p.ojs_applications, p.applications_per_month)
    drawn = keep[sample_entries(rng, s_a[keep], w_a[keep], sends)]
    applicant, occ, ai = s_a[drawn], o_a[drawn], a_a[drawn]
    app_level = level[applicant] - d_a[drawn]

    # --- which posting: a location cell by counts, then uniform within the market cell ------------
    cell_base = ((occ * L + app_level) * 2 + ai) * C
    lc = _location_cell(rng, counts.reshape(-1, C), reach, cell_base // C, group[applicant])
    cell = cell_base + lc
    order = np.argsort(mcell, kind="stable")
    start = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    vac = order[start[cell] + (rng.random(len(cell)) * counts[cell]).astype(np.int64)]
    distinct = np.unique(applicant.astype(np.int64) * v.n + vac, return_index=True)[1]
    model.flows["applications"] += len(distinct)
    return applicant[distinct], vac[distinct]


def _location_cell(rng: np.random.Generator, counts: np.ndarray, reach: np.ndarray, market: np.ndarray,
                   group: np.ndarray) -> np.ndarray:
    """For each application to market cell ``market`` (a row of the (O·L·2, C) posting ``counts``)
    by a searcher of location group ``group``: a location cell in proportion to the postings there
    the searcher can reach. Few applications (small models): gather their rows; many: one search
    in the whole (market cell × group, C) table — the same draws either way."""
    if len(market) < counts.shape[0] * reach.shape[0]:
        return sample_rows(rng, (counts[market] * reach[group]).astype(np.float32), 1)[:, 0]
    reachable = (counts[:, None, :] * reach[None, :, :]).reshape(-1, counts.shape[1])
    return sample_table_rows(rng, reachable, market * reach.shape[0] + group)


def _select(model: LaborMarket, worker: np.ndarray, vac: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each posting with applicants picks its best applicant: returns (worker, vacancy) offers."""
    p, w, v = model.p, model.workers, model.vacancies
    O = model.world.n_occupations
    rehire = w.laid_off_by[worker] == v.firm[vac]
    job = v.ai_required[vac] * O + v.occupation[vac]
    score = -skill_gap_rows(w.skills[worker], model.job_profiles[job], model.job_profile_norm[job]) + p.hiring_noise * model.rng.standard_normal(len(vac)) \
        + p.rehire_preference * rehire
    best = first_in_groups(vac, -score)
    return worker[best], vac[best]


def _offer_and_accept(model: LaborMarket, worker: np.ndarray, vac: np.ndarray, needed: np.ndarray) -> None:
    """Offers with pay; each worker takes the best acceptable one; counter-offers; hires and moves."""
    p, w, v, firms, rng, now = model.p, model.workers, model.vacancies, model.firms, model.rng, model.now
    firm = v.firm[vac]
    remote = v.scope[vac] != VacancyScope.ONSITE
    factor = wages.pay_factor(model, firm, remote, w.location[worker])
    offer = wages.market_wage(model, v.occupation[vac], v.level[vac]) * factor * (1.0 + v.pay_premium[vac])
    moving = ~remote & (w.location[worker] != firms.location[firm])
    job_amenity = amenity(model, worker, remote)
    required = needed * (1.0 + p.relocation_premium * moving) / job_amenity  # pay this job must give
    acceptable = required <= offer * (1.0 + p.bargaining_room)
    wage = np.maximum(offer, required)
    ok = np.flatnonzero(acceptable)
    take = ok[first_in_groups(worker[ok], -(wage[ok] * job_amenity[ok]))]
    model.flows["offers"] += len(vac)
    model.flows["offers_refused"] += len(vac) - len(take)

    # counter-offers: the current employer matches the outside offer's value, unless it is cutting the role
    leaving = take[w.state[worker[take]] == WorkerState.EMPLOYED]
    if p.counter_offer_rate > 0 and len(leaving):
        stayer = worker[leaving]
        cell = cell_index(w.employer[stayer], w.occupation[stayer], w.level[stayer], model.world.n_occupations)
        keeps_role = now.headcount.reshape(-1)[cell] <= np.ceil(now.target.reshape(-1)[cell])
        matched = keeps_role & (rng.random(len(leaving)) < p.counter_offer_rate)
        kept = stayer[matched]
        w.wage[kept] = np.maximum(w.wage[kept], wage[leaving[matched]] * job_amenity[leaving[matched]]
                                  / amenity(model, kept, w.remote[kept]))
        model.flows["counter_offers"] += len(kept)
        drop = np.zeros(len(vac), dtype=bool)
        drop[leaving[matched]] = True
        take = take[~drop[take]]

    transitions.hire(model, worker[take], vac[take], wage[take], factor[take], remote[take], moving[take])
