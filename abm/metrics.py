"""Phase 12 — metrics: the output contract, computed once a month from the arrays.

``MODEL_COLUMNS`` documents every model-level column (unit, definition); ``CLUSTER_COLUMNS``,
``FIRM_COLUMNS``, ``LOCATION_COLUMNS``, ``PAY_COLUMNS`` and ``FLOW_COLUMNS`` document the tidy
tables returned by ``LaborMarket.cluster_metrics()``, ``firm_metrics()``, ``location_metrics()``,
``pay_metrics()`` and ``flow_metrics()``. Each table has its collector next to its column
dictionary; all of them read one :class:`Snapshot` of the arrays taken once a month.
``docs/outputs.md`` is generated from these dictionaries.

Mismatch index (Şahin, Song, Topa & Violante 2014, AER "Mismatch Unemployment"), over skill
clusters i with vacancies vᵢ and job seekers uᵢ:  M = 1 − Σᵢ (vᵢ/v)^α (uᵢ/u)^(1−α).

Flow rates follow JOLTS/CPS conventions: per employee at the start of the month (hires,
quits, separations) and per job seeker at the start of the month (job finding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.arrays import group_medians, median
from abm.state import NOT_APPRENTICE, PayPolicy, WorkerState
from abm.strategies import STRATEGIES
from abm.world import LEVELS, N_LEVELS, SENIOR

if TYPE_CHECKING:
    from abm.model import LaborMarket

MODEL_COLUMNS: dict[str, tuple[str, str]] = {
    "month": ("months", "months since January of the start year (0 = the state at the start, with the last burn-in month's flows)"),
    "year": ("year", "calendar time, start_year + month/12"),
    # --- stocks ---
    "employed": ("workers", "workers in a tech job at the end of the month"),
    "unemployed": ("workers", "job seekers (not in a job, not retraining) at the end of the month"),
    "retraining": ("workers", "workers in a retraining programme"),
    "other_work": ("workers", "former tech workers in work outside tech (may come back)"),
    "retired": ("workers", "retired workers (cumulative)"),
    "labor_force": ("workers", "tech labour force: employed + unemployed + retraining"),
    "vacancies": ("jobs", "open postings at the end of the month"),
    "unemployment_rate": ("share", "unemployed / (employed + unemployed)"),
    "vacancy_rate": ("share", "vacancies / (vacancies + employed)"),
    # --- worker flows (per month) ---
    "hires": ("workers/month", "all entries into a job: hires from search, job-to-job moves, sponsored trainees returning"),
    "market_hires": ("workers/month", "hires through search and matching (from search and job to job)"),
    "hires_from_search": ("workers/month", "market hires of job seekers"),
    "job_to_job_moves": ("workers/month", "employees who moved straight to another firm (a quit and a hire)"),
    "separations": ("workers/month", "all exits from a job: layoffs + discharges + quits + retirements + sponsored retraining"),
    "layoffs": ("workers/month", "structural layoffs: cuts by firms above their headcount target (the layoff trackers' count)"),
    "discharges": ("workers/month", "match-specific dismissals (performance, fit)"),
    "quits": ("workers/month", "voluntary quits: job-to-job moves + quits into unemployment"),
    "quits_to_unemployment": ("workers/month", "employees who quit without another job"),
    "retirements": ("workers/month", "employees who retired"),
    "to_sponsored_retraining": ("workers/month", "employees sent by their firm to retraining"),
    "counter_offers": ("workers/month", "employees kept by a counter-offer matching an outside offer"),
    "exits_to_other_work": ("workers/month", "job seekers who took work outside tech"),
    "returns_from_other_work": ("workers/month", "workers who came back from other work to search in tech"),
    "on_the_job_searchers": ("workers/month", "employees who searched this month"),
    "hires_rate": ("share/month", "hires / employed at the start of the month (JOLTS hires rate)"),
    "quits_rate": ("share/month", "quits / employed at the start of the month (JOLTS quits rate)"),
    "layoffs_rate": ("share/month", "(layoffs + discharges) / employed at the start of the month (JOLTS layoffs and discharges)"),
    "separations_rate": ("share/month", "separations / employed at the start of the month (JOLTS total separations)"),
    "job_to_job_share": ("share", "job-to-job moves / market hires (0 when no hires)"),
    "job_finding_rate": ("share/month", "job seekers at the start of the month in a job at its end / job seekers at the start"),
    "job_to_job_pay_gain": ("share", "mean pay rise of job-to-job movers over their last pay (0 when none)"),
    "junior_hires": ("workers/month", "market hires into junior jobs"),
    "rehires": ("workers/month", "market hires by the firm that had laid the worker off"),
    "rehire_share": ("share", "rehires / market hires (0 when no hires)"),
    "ai_rehire_share": ("share", "rehires among hires into ML/AI occupations (0 when none)"),
    "graduates": ("workers/month", "graduates entering as junior job seekers"),
    "promotions": ("workers/month", "promotions to the next level"),
    "relocations": ("workers/month", "hires that moved metro for an onsite job"),
    "mean_tenure": ("months", "mean months employees have been with their current employer"),
    # --- vacancies ---
    "vacancies_posted": ("postings/month", "new postings for new needs"),
    "vacancies_expired": ("postings/month", "postings taken down unfilled at the end of their life"),
    "vacancies_reposted": ("postings/month", "expired postings re-posted (as they were, at higher pay or relaxed)"),
    "vacancies_repriced": ("postings/month", "re-posted at higher pay"),
    "vacancies_relaxed": ("postings/month", "re-posted without the AI-skill requirement (train on the job)"),
    "vacancies_stepped_down": ("postings/month", "re-posted one level below the need (hire a stand-in and train them into it)"),
    "stand_ins": ("workers", "employees hired one level below a need, not yet promoted into it"),
    "vacancies_given_up": ("postings/month", "needs given up after the last re-post (the work is not done)"),
    "vacancies_withdrawn": ("postings/month", "postings withdrawn because demand fell"),
    "mean_vacancy_age": ("months", "mean age of open postings (month − posted)"),
    "senior_vacancy_duration": ("months", "mean recruiting time so far of open senior and staff needs (months since first posted, re-posts included)"),
    "ai_vacancy_duration": ("months", "mean recruiting time so far of open ML/AI needs (months since first posted, re-posts included)"),
    # --- the phenomena ---
    "mismatch_index": ("index 0-1", "Şahin et al. (2014) mismatch index over skill clusters, α = mismatch_alpha"),
    "ai_premium": ("share", "pay of ML/AI-occupation employees over other software developers (back-end, full-stack, mobile) at equal seniority, location- and firm-neutral, minus 1"),
    "remote_onsite_pay_ratio": ("ratio", "mean remote / mean onsite pay within comparable-position cells (pay policy, firm metro, occupation, level), weighted by remote workers"),
    "remote_onsite_pay_ratio_adjusted": ("ratio", "the same, location-adjusted payers only"),
    "remote_onsite_pay_ratio_national": ("ratio", "the same, national-band payers only"),
    "remote_share": ("share", "employees in fully remote jobs"),
    **{f"workers_by_seniority_{lv}": ("workers", f"employed workers at {lv} level") for lv in LEVELS},
    "retraining_enrolled": ("workers", "workers in retraining (stock)"),
    "retraining_started": ("workers/month", "enrolments (unemployed + sponsored)"),
    "retraining_completed": ("workers/month", "programme completions"),
    "retraining_dropouts": ("workers/month", "programme dropouts"),
    "retrained_employment_rate": ("share", "employed share of workers who completed retraining (in the labour force; 0 if none)"),
    "retrained_mean_wage": ("$/year", "mean pay of employed workers who completed retraining (0 if none)"),
    "long_term_unemployed_share": ("share", "job seekers unemployed more than 6 months / job seekers"),
    "mean_unemployment_spell": ("months", "mean current spell of job seekers"),
    "ai_capability": ("0-1", "exogenous AI capability X(t)"),
    "mean_adoption": ("0-1", "mean firm AI adoption"),
    "ai_skill_vacancy_share": ("share", "open vacancies asking for AI skills"),
    "ai_vacancy_seeker_ratio": ("ratio", "vacancies / job seekers in the ML/AI cluster"),
    "legacy_vacancy_seeker_ratio": ("ratio", "vacancies / job seekers in legacy-exposed clusters (QA, PM, docs, front-end)"),
    "median_wage": ("$/year", "median pay of employees"),
    "mean_wage": ("$/year", "mean pay of employees"),
    "demand_index": ("index", "aggregate tech labour demand D(t), 1 at start"),
    "applications": ("applications/month", "distinct applications sent (job seekers and employees)"),
    "offers_refused": ("offers/month", "offers below what the applicant needed (reservation wage, or current job's value + margin)"),
    "public_retraining_spend": ("$/month", "public spending on retraining subsidies"),
    # --- the pipeline as a public good (abm.phases.imitation, abm.phases.pipeline_policy) ---
    "poached_trained_workers": ("workers/month", "job-to-job moves away from the firm that trained the worker (in or after their junior years there)"),
    "juniors_trained": ("workers/month", "juniors promoted to mid at the firm that trained them"),
    "training_repayments": ("$/month", "training repayments bonded movers paid the firms that trained them"),
    "retention_payments": ("$/month", "retention pay firms paid workers they trained"),
    "apprentices": ("workers", "employees in a publicly funded apprenticeship"),
    "apprenticeships_completed": ("workers/month", "apprentices who completed and were promoted to mid"),
    "junior_wage_subsidies": ("$/month", "public junior wage subsidies paid to employers"),
    "apprenticeship_subsidies": ("$/month", "public share of apprentices' pay"),
    "training_levy_receipts": ("$/month", "training levy collected, net of refunds per junior"),
    "public_pipeline_spend": ("$/month", "junior wage subsidies + apprenticeship subsidies − training levy receipts"),
    "strategy_switches": ("firms/month", "firms that switched strategy at a review (imitation)"),
}

CLUSTER_COLUMNS = {
    "month": ("months", "as in the model table"),
    "year": ("year", "as in the model table"),
    "cluster": ("name", "skill cluster (primary cluster of the occupation)"),
    "employed": ("workers", "employees in occupations of the cluster"),
    "unemployed": ("workers", "job seekers whose occupation is in the cluster"),
    "vacancies": ("jobs", "open postings in occupations of the cluster"),
    "hires": ("workers/month", "market hires into the cluster (from search and job to job)"),
    "hires_from_search": ("workers/month", "market hires of job seekers into the cluster"),
    "job_to_job_moves": ("workers/month", "job-to-job moves into the cluster"),
    "layoffs": ("workers/month", "structural layoffs from the cluster"),
    "exits_to_other_work": ("workers/month", "job seekers of the cluster who took work outside tech"),
    "vacancies_expired": ("postings/month", "the cluster's postings taken down unfilled at the end of their life"),
    "vacancy_seeker_ratio": ("ratio", "vacancies / job seekers (job seekers floored at 1)"),
    "mean_vacancy_duration": ("months", "mean age of the cluster's open postings (month − posted)"),
    "mean_recruiting_duration": ("months", "mean recruiting time so far of the cluster's open needs (months since first posted, re-posts included)"),
    "time_to_fill": ("months", "mean recruiting time of needs filled this month, from first posting to hire (NaN if none)"),
    "median_wage": ("$/year", "median pay of the cluster's employees (0 if none)"),
    "wage_index": ("× 2022", "market wage index of the cluster, mean over levels weighted by employees"),
}

FIRM_COLUMNS = {
    "month": ("months", "as in the model table"),
    "year": ("year", "as in the model table"),
    "strategy": ("name", "AI-adoption strategy"),
    "firms": ("firms", "firms following the strategy"),
    "headcount": ("workers", "employees"),
    "juniors": ("workers", "junior employees"),
    "seniors": ("workers", "senior + staff employees"),
    "vacancies": ("jobs", "open vacancies"),
    "output": ("$/month", "output in 2022 pay units"),
    "revenue": ("$/month", "revenue"),
    "wage_bill": ("$/month", "pay of employees"),
    "profit": ("$/month", "revenue − wage bill − other costs"),
    "cumulative_profit": ("$", "profit summed since the start"),
    "mean_adoption": ("0-1", "mean AI adoption"),
    "juniors_trained": ("workers/month", "juniors promoted to mid at the firm that trained them"),
    "trained_workers_lost": ("workers/month", "job-to-job moves away from the firm that trained the worker (its poached trained workers)"),
    "experienced_hires_from_others": ("workers/month", "hires at mid level or above of workers the firm did not train (from search or job to job)"),
    "pipeline_balance": ("workers/month", "juniors_trained − experienced_hires_from_others: who trains (> 0), who takes (< 0)"),
    "retention_payments": ("$/month", "retention pay to workers the firms trained"),
    "public_support": ("$/month", "junior wage and apprenticeship subsidies received − training levy paid"),
    "switched_in": ("firms/month", "firms that switched to the strategy this month"),
    "switched_out": ("firms/month", "firms that switched away from the strategy this month"),
}

LOCATION_COLUMNS = {
    "month": ("months", "as in the model table"),
    "year": ("year", "as in the model table"),
    "location": ("name", "metro or region"),
    "labor_force": ("workers", "employed + unemployed + retraining living there"),
    "employed": ("workers", "employees living there"),
    "unemployed": ("workers", "job seekers living there"),
    "unemployment_rate": ("share", "unemployed / (employed + unemployed)"),
    "median_wage": ("$/year", "median pay of employees living there (0 if none)"),
    "remote_share": ("share", "employees living there in remote jobs"),
}

PAY_COLUMNS = {
    "month": ("months", "as in the model table"),
    "year": ("year", "as in the model table"),
    "pay_policy": ("name", "location_adjusted or national_band"),
    "cluster": ("name", "skill cluster"),
    "remote_workers": ("workers", "remote employees"),
    "onsite_workers": ("workers", "onsite employees"),
    "remote_onsite_pay_ratio": ("ratio", "cell-matched remote/onsite mean pay (NaN if no comparable cells)"),
}

FLOW_COLUMNS = {
    "month": ("months", "as in the model table"),
    "year": ("year", "as in the model table"),
    "from_strategy": ("name", "strategy of the firm the worker left"),
    "to_strategy": ("name", "strategy of the firm the worker joined"),
    "trainer_strategy": ("name", "strategy (now) of the firm where the worker did their junior years; 'none' if not in the model (e.g. mid-career in 2022)"),
    "level": ("name", "seniority level of the new job"),
    "moves": ("workers/month", "job-to-job moves"),
    "moves_from_trainer": ("workers/month", "of which away from the firm that trained the worker (poached trained workers)"),
    "mean_training_months": ("months", "mean months the movers were (or had been) juniors at their trainer (0 when no moves or no trainer)"),
}

#: the trainer-strategy category of workers with no trainer in the model
NO_TRAINER = "none"

POLICY_NAMES = {PayPolicy.LOCATION_ADJUSTED: "location_adjusted", PayPolicy.NATIONAL_BAND: "national_band"}


def mismatch_index(vacancies: np.ndarray, seekers: np.ndarray, alpha: float) -> float:
    """Şahin et al. (2014) mismatch index; 0 when either side is empty."""
    v, u = vacancies.sum(), seekers.sum()
    if v <= 0 or u <= 0:
        return 0.0
    return float(1.0 - np.sum((vacancies / v) ** alpha * (seekers / u) ** (1.0 - alpha)))


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else 0.0


def _cell_ratio(wage, remote, cell, n_cells):
    """Remote-weighted mean over cells of (mean remote pay / mean onsite pay), and remote counts per cell."""
    key = cell * 2 + remote
    sums = np.bincount(key, weights=wage, minlength=2 * n_cells).reshape(n_cells, 2)
    counts = np.bincount(key, minlength=2 * n_cells).reshape(n_cells, 2).astype(float)
    rs, os_, rn, on = sums[:, 1], sums[:, 0], counts[:, 1], counts[:, 0]
    both = (rn > 0) & (on > 0)
    ratio = np.zeros(n_cells)
    ratio[both] = (rs[both] / rn[both]) / (os_[both] / on[both])
    return ratio, np.where(both, rn, 0.0), rn, on


@dataclass
class Snapshot:
    """The arrays every table needs, gathered once a month (employees, job seekers, postings)."""

    state: np.ndarray
    emp: np.ndarray          # indices of employees
    unemp_mask: np.ndarray
    wage: np.ndarray         # pay of employees
    level: np.ndarray        # level of employees
    e_occ: np.ndarray        # occupation of employees
    e_cluster: np.ndarray
    remote: np.ndarray       # employees in remote jobs
    vac_k: np.ndarray        # open postings by cluster
    unemp_k: np.ndarray      # job seekers by cluster
    emp_k: np.ndarray        # employees by cluster
    v_cluster: np.ndarray
    v_age: np.ndarray        # posting ages
    v_need_age: np.ndarray   # recruiting time so far of the open needs
    cell_ratio: tuple        # remote/onsite pay cells: (ratio, weight, remote n, onsite n)

    @classmethod
    def take(cls, model: LaborMarket) -> Snapshot:
        w, v, world, firms = model.workers, model.vacancies, model.world, model.firms
        K, O, M = world.n_clusters, world.n_occupations, world.n_locations
        state = w.view("state")
        occ = w.view("occupation")
        unemp_mask = state == WorkerState.UNEMPLOYED
        emp = np.flatnonzero(state == WorkerState.EMPLOYED)
        e_occ = occ[emp]
        wage, level, remote = w.wage[emp], w.level[emp], w.remote[emp]
        e_firm = w.employer[emp]
        policy = firms.pay_policy[e_firm].astype(np.int64)
        cell = ((policy * M + firms.location[e_firm]) * O + e_occ) * N_LEVELS + level
        v_cluster = world.occupation_cluster[v.view("occupation")]
        e_cluster = world.occupation_cluster[e_occ]
        return cls(
            state=state, emp=emp, unemp_mask=unemp_mask, wage=wage, level=level, e_occ=e_occ,
            e_cluster=e_cluster, remote=remote,
            vac_k=np.bincount(v_cluster, minlength=K).astype(float),
            unemp_k=np.bincount(world.occupation_cluster[occ[unemp_mask]], minlength=K).astype(float),
            emp_k=np.bincount(e_cluster, minlength=K).astype(float),
            v_cluster=v_cluster, v_age=model.month - v.view("posted"), v_need_age=model.month - v.view("first_posted"),
            cell_ratio=_cell_ratio(wage, remote, cell, 2 * M * O * N_LEVELS),
        )


def collect(model: LaborMarket) -> None:
    """Compute this month's metrics into ``model.current`` and append the tidy tables' rows."""
    snap = Snapshot.take(model)
    model.current = model_row(model, snap)
    model.tables["cluster"].append(cluster_rows(model, snap))
    model.tables["firm"].append(firm_rows(model))
    model.tables["location"].append(location_rows(model, snap))
    model.tables["pay"].append(pay_rows(model, snap))
    model.tables["flow"].append(flow_rows(model))


def _ai_premium(model: LaborMarket, snap: Snapshot) -> float:
    """Pay of ML/AI employees over reference developers within level (pay/pay factor: location- and
    firm-neutral), weighted by ML/AI employees."""
    w, world = model.workers, model.world
    neutral = snap.wage / np.maximum(w.pay_factor[snap.emp], 1e-9)
    key = snap.level.astype(np.int64) * 3 + world.premium_group[snap.e_occ]  # group 0 other, 1 ML/AI, 2 reference
    sums = np.bincount(key, weights=neutral, minlength=3 * N_LEVELS).reshape(N_LEVELS, 3)
    ns = np.bincount(key, minlength=3 * N_LEVELS).reshape(N_LEVELS, 3).astype(float)
    ai_sum, ai_n, ot_sum, ot_n = sums[:, 1], ns[:, 1], sums[:, 2], ns[:, 2]
    ok = (ai_n > 0) & (ot_n > 0)
    if not ok.any():
        return 0.0
    return float(np.sum(ai_n[ok] * (ai_sum[ok] / ai_n[ok]) / (ot_sum[ok] / ot_n[ok])) / ai_n[ok].sum() - 1.0)


def model_row(model: LaborMarket, snap: Snapshot) -> dict[str, float]:
    """One row of ``MODEL_COLUMNS``."""
    p, w, v, world, firms, f = model.p, model.workers, model.vacancies, model.world, model.firms, model.flows
    state = snap.state
    E, U, V = len(snap.emp), int(snap.unemp_mask.sum()), v.n
    counts = np.bincount(state, minlength=len(WorkerState))
    R = int(counts[WorkerState.RETRAINING])

    start = model.now.state_at_start
    n0 = len(start)
    E0 = int((start == WorkerState.EMPLOYED).sum()) if n0 else E
    was_u = start == WorkerState.UNEMPLOYED
    U0 = int(was_u.sum())
    found = int((was_u & (state[:n0] == WorkerState.EMPLOYED)).sum())

    ratio, weight, _, _ = snap.cell_ratio
    overall = _ratio((ratio * weight).sum(), weight.sum())
    by_policy = ratio.reshape(2, -1), weight.reshape(2, -1)
    per_policy = [_ratio((by_policy[0][k] * by_policy[1][k]).sum(), by_policy[1][k].sum()) for k in range(2)]

    spell = w.view("spell")[snap.unemp_mask]
    retrained = w.view("retrained")
    retrained_emp = retrained & (state == WorkerState.EMPLOYED)
    retrained_lf = retrained & ((state == WorkerState.EMPLOYED) | (state == WorkerState.UNEMPLOYED))
    legacy = world.legacy_clusters
    v_occ = v.view("occupation")
    seniors_open = v.view("level") >= SENIOR
    ai_open = world.is_ai_occupation[v_occ]
    quits = f["job_to_job_moves"] + f["quits_to_unemployment"]
    separations = f["layoffs"] + f["discharges"] + quits + f["retirements"] + f["to_sponsored_retraining"]
    hires = f["hires"]
    vac_k, unemp_k = snap.vac_k, snap.unemp_k
    return {
        "month": model.month,
        "year": model.year,
        "employed": E,
        "unemployed": U,
        "retraining": R,
        "other_work": int(counts[WorkerState.OTHER_WORK]),
        "retired": int(counts[WorkerState.RETIRED]),
        "labor_force": E + U + R,
        "vacancies": V,
        "unemployment_rate": _ratio(U, E + U),
        "vacancy_rate": _ratio(V, V + E),
        "hires": hires,
        "market_hires": f["market_hires"],
        "hires_from_search": f["hires_from_search"],
        "job_to_job_moves": f["job_to_job_moves"],
        "separations": separations,
        "layoffs": f["layoffs"],
        "discharges": f["discharges"],
        "quits": quits,
        "quits_to_unemployment": f["quits_to_unemployment"],
        "retirements": f["retirements"],
        "to_sponsored_retraining": f["to_sponsored_retraining"],
        "counter_offers": f["counter_offers"],
        "exits_to_other_work": f["exits_to_other_work"],
        "returns_from_other_work": f["returns_from_other_work"],
        "on_the_job_searchers": f["on_the_job_searchers"],
        "hires_rate": _ratio(hires, E0),
        "quits_rate": _ratio(quits, E0),
        "layoffs_rate": _ratio(f["layoffs"] + f["discharges"], E0),
        "separations_rate": _ratio(separations, E0),
        "job_to_job_share": _ratio(f["job_to_job_moves"], f["market_hires"]),
        "job_finding_rate": _ratio(found, U0),
        "job_to_job_pay_gain": _ratio(f["job_to_job_pay_gain_sum"], f["job_to_job_moves"]),
        "junior_hires": f["junior_hires"],
        "rehires": f["rehires"],
        "rehire_share": _ratio(f["rehires"], f["market_hires"]),
        "ai_rehire_share": _ratio(f["ai_rehires"], f["ai_hires"]),
        "graduates": f["graduates"],
        "promotions": f["promotions"],
        "relocations": f["relocations"],
        "mean_tenure": float((model.month - w.hired_month[snap.emp]).mean()) if E else 0.0,
        "vacancies_posted": f["vacancies_posted"],
        "vacancies_expired": f["vacancies_expired"],
        "vacancies_reposted": f["vacancies_reposted"],
        "vacancies_repriced": f["vacancies_repriced"],
        "vacancies_relaxed": f["vacancies_relaxed"],
        "vacancies_stepped_down": f["vacancies_stepped_down"],
        "stand_ins": int(w.view("stand_in").sum()),
        "vacancies_given_up": f["vacancies_given_up"],
        "vacancies_withdrawn": f["vacancies_withdrawn"],
        "mean_vacancy_age": float(snap.v_age.mean()) if V else 0.0,
        "senior_vacancy_duration": float(snap.v_need_age[seniors_open].mean()) if seniors_open.any() else 0.0,
        "ai_vacancy_duration": float(snap.v_need_age[ai_open].mean()) if ai_open.any() else 0.0,
        "mismatch_index": mismatch_index(vac_k, unemp_k, p.mismatch_alpha),
        "ai_premium": _ai_premium(model, snap),
        "remote_onsite_pay_ratio": overall,
        "remote_onsite_pay_ratio_adjusted": per_policy[PayPolicy.LOCATION_ADJUSTED],
        "remote_onsite_pay_ratio_national": per_policy[PayPolicy.NATIONAL_BAND],
        "remote_share": _ratio(int(snap.remote.sum()), E),
        **{f"workers_by_seniority_{lv}": int(c) for lv, c in zip(LEVELS, np.bincount(snap.level, minlength=N_LEVELS))},
        "retraining_enrolled": R,
        "retraining_started": f["retraining_started"],
        "retraining_completed": f["retraining_completed"],
        "retraining_dropouts": f["retraining_dropouts"],
        "retrained_employment_rate": _ratio(int(retrained_emp.sum()), int(retrained_lf.sum())),
        "retrained_mean_wage": _ratio(float(w.view("wage")[retrained_emp].sum()), int(retrained_emp.sum())),
        "long_term_unemployed_share": _ratio(int((spell > 6).sum()), U),
        "mean_unemployment_spell": float(spell.mean()) if U else 0.0,
        "ai_capability": model.now.capability,
        "mean_adoption": float(firms.view("adoption").mean()),
        "ai_skill_vacancy_share": _ratio(int(v.view("ai_required").sum()), V),
        "ai_vacancy_seeker_ratio": _ratio(vac_k[world.ai_cluster], max(unemp_k[world.ai_cluster], 1.0)),
        "legacy_vacancy_seeker_ratio": _ratio(vac_k[legacy].sum(), max(unemp_k[legacy].sum(), 1.0)),
        "median_wage": median(snap.wage),
        "mean_wage": float(snap.wage.mean()) if E else 0.0,
        "demand_index": model.now.demand_index,
        "applications": f["applications"],
        "offers_refused": f["offers_refused"],
        "public_retraining_spend": f["public_retraining_spend"],
        "poached_trained_workers": f["poached_trained_workers"],
        "juniors_trained": int(model.strategy_flows["juniors_trained"].sum()) if "juniors_trained" in model.strategy_flows else 0,
        "training_repayments": float(f["training_repayments"]),
        "retention_payments": float(f["retention_payments"]),
        "apprentices": int((w.view("apprentice_until") != NOT_APPRENTICE).sum()) if p.apprenticeship_slots > 0 else 0,
        "apprenticeships_completed": f["apprenticeships_completed"],
        "junior_wage_subsidies": float(f["junior_wage_subsidies"]),
        "apprenticeship_subsidies": float(f["apprenticeship_subsidies"]),
        "training_levy_receipts": float(f["training_levy_receipts"]),
        "public_pipeline_spend": float(f["junior_wage_subsidies"] + f["apprenticeship_subsidies"] - f["training_levy_receipts"]),
        "strategy_switches": f["strategy_switches"],
    }


def cluster_rows(model: LaborMarket, snap: Snapshot) -> dict[str, np.ndarray]:
    """Rows of ``CLUSTER_COLUMNS`` for this month, one per skill cluster."""
    K = model.world.n_clusters
    cf = model.cluster_flows
    zeros = np.zeros(K)
    filled = cf.get("filled", zeros)
    vac_k = snap.vac_k
    age_sum = np.bincount(snap.v_cluster, weights=snap.v_age, minlength=K)
    need_sum = np.bincount(snap.v_cluster, weights=snap.v_need_age, minlength=K)
    return {
        "month": np.full(K, model.month), "year": np.full(K, model.year), "cluster": np.arange(K),
        "employed": snap.emp_k, "unemployed": snap.unemp_k, "vacancies": vac_k,
        "hires": cf.get("hires", zeros).copy(), "hires_from_search": cf.get("hires_from_search", zeros).copy(),
        "job_to_job_moves": cf.get("job_to_job_moves", zeros).copy(),
        "layoffs": cf.get("layoffs", zeros).copy(), "exits_to_other_work": cf.get("exits_to_other_work", zeros).copy(),
        "vacancies_expired": cf.get("vacancies_expired", zeros).copy(),
        "vacancy_seeker_ratio": vac_k / np.maximum(snap.unemp_k, 1.0),
        "mean_vacancy_duration": np.divide(age_sum, vac_k, out=np.zeros(K), where=vac_k > 0),
        "mean_recruiting_duration": np.divide(need_sum, vac_k, out=np.zeros(K), where=vac_k > 0),
        "time_to_fill": np.divide(cf.get("filled_duration", zeros), filled, out=np.full(K, np.nan), where=filled > 0),
        "median_wage": group_medians(snap.wage, snap.e_cluster, K),
        "wage_index": _level_mean(model.wage_index, model.now.headcount.sum(axis=0), model.world.occupation_cluster),
    }


def _level_mean(index: np.ndarray, employed_ol: np.ndarray, cluster_of: np.ndarray) -> np.ndarray:
    """(K,) a (K, L) index averaged over levels, weighted by employees (plain mean where none)."""
    K = index.shape[0]
    weight = np.zeros_like(index)
    np.add.at(weight, cluster_of, employed_ol)
    total = weight.sum(axis=1)
    return np.where(total > 0, (index * weight).sum(axis=1) / np.maximum(total, 1), index.mean(axis=1))[:K]


def firm_rows(model: LaborMarket) -> dict[str, np.ndarray]:
    """Rows of ``FIRM_COLUMNS`` for this month, one per strategy."""
    firms, v = model.firms, model.vacancies
    S, n = len(STRATEGIES), firms.n
    strat = firms.view("strategy")
    hc = model.now.headcount

    def by(x: np.ndarray) -> np.ndarray:
        return np.bincount(strat, weights=x, minlength=S)

    count = by(np.ones(n))
    sf = model.strategy_flows
    zeros = np.zeros(S)

    def flow(name: str) -> np.ndarray:
        return sf[name].copy() if name in sf else zeros.copy()

    trained, taken = flow("juniors_trained"), flow("experienced_hires_from_others")
    return {
        "month": np.full(S, model.month), "year": np.full(S, model.year), "strategy": np.arange(S),
        "firms": count, "headcount": by(hc.sum(axis=(1, 2))),
        "juniors": by(hc[:, :, 0].sum(axis=1)), "seniors": by(hc[:, :, SENIOR:].sum(axis=(1, 2))),
        "vacancies": by(np.bincount(v.view("firm"), minlength=n).astype(float)),
        "output": by(firms.view("output")), "revenue": by(firms.view("revenue")),
        "wage_bill": by(firms.view("wage_bill")), "profit": by(firms.view("profit")),
        "cumulative_profit": by(firms.view("cumulative_profit")),
        "mean_adoption": by(firms.view("adoption")) / np.maximum(count, 1),
        "juniors_trained": trained, "trained_workers_lost": flow("trained_workers_lost"),
        "experienced_hires_from_others": taken, "pipeline_balance": trained - taken,
        "retention_payments": flow("retention_payments"),
        "public_support": flow("junior_wage_subsidies") + flow("apprenticeship_subsidies") - flow("training_levy_receipts"),
        "switched_in": flow("switched_in"), "switched_out": flow("switched_out"),
    }


def location_rows(model: LaborMarket, snap: Snapshot) -> dict[str, np.ndarray]:
    """Rows of ``LOCATION_COLUMNS`` for this month, one per location."""
    w, M = model.workers, model.world.n_locations
    loc = w.view("location")
    in_lf = (snap.state == WorkerState.EMPLOYED) | snap.unemp_mask | (snap.state == WorkerState.RETRAINING)
    e_loc = loc[snap.emp]
    lf = np.bincount(loc[in_lf], minlength=M).astype(float)
    le = np.bincount(e_loc, minlength=M).astype(float)
    lu = np.bincount(loc[snap.unemp_mask], minlength=M).astype(float)
    return {
        "month": np.full(M, model.month), "year": np.full(M, model.year), "location": np.arange(M),
        "labor_force": lf, "employed": le, "unemployed": lu,
        "unemployment_rate": np.divide(lu, le + lu, out=np.zeros(M), where=(le + lu) > 0),
        "median_wage": group_medians(snap.wage, e_loc, M),
        "remote_share": np.divide(np.bincount(e_loc, weights=snap.remote.astype(float), minlength=M), le,
                                  out=np.zeros(M), where=le > 0),
    }


def pay_rows(model: LaborMarket, snap: Snapshot) -> dict[str, np.ndarray]:
    """Rows of ``PAY_COLUMNS``: per (pay policy, cluster), the cell ratios of its occupations aggregated."""
    world = model.world
    K, O, M = world.n_clusters, world.n_occupations, world.n_locations
    ratio, weight, rn, on = snap.cell_ratio
    oc = np.tile(np.repeat(world.occupation_cluster, N_LEVELS), 2 * M)
    pol = np.repeat(np.arange(2), M * O * N_LEVELS)
    pk = pol * K + oc
    num = np.bincount(pk, weights=ratio * weight, minlength=2 * K)
    den = np.bincount(pk, weights=weight, minlength=2 * K)
    return {
        "month": np.full(2 * K, model.month), "year": np.full(2 * K, model.year),
        "pay_policy": np.repeat(np.arange(2), K), "cluster": np.tile(np.arange(K), 2),
        "remote_workers": np.bincount(pk, weights=rn, minlength=2 * K),
        "onsite_workers": np.bincount(pk, weights=on, minlength=2 * K),
        "remote_onsite_pay_ratio": np.divide(num, den, out=np.full(2 * K, np.nan), where=den > 0),
    }


def flow_rows(model: LaborMarket) -> dict[str, np.ndarray]:
    """Rows of ``FLOW_COLUMNS``: this month's job-to-job moves by (strategy left, strategy joined,
    trainer's strategy, level)."""
    shape = model.moves.shape
    n = model.moves.size
    frm, to, trainer, lv = np.unravel_index(np.arange(n), shape)
    moves = model.moves.ravel()
    return {
        "month": np.full(n, model.month), "year": np.full(n, model.year),
        "from_strategy": frm, "to_strategy": to, "trainer_strategy": trainer, "level": lv,
        "moves": moves.copy(), "moves_from_trainer": model.moves_from_trainer.ravel().copy(),
        "mean_training_months": np.divide(model.move_training_months.ravel(), moves, out=np.zeros(n), where=moves > 0),
    }
