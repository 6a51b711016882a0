"""Phase 11 — metrics: the output contract, computed once a month from the arrays.

``MODEL_COLUMNS`` documents every model-level column (unit, definition); ``CLUSTER_COLUMNS``,
``FIRM_COLUMNS``, ``LOCATION_COLUMNS`` and ``PAY_COLUMNS`` document the tidy tables returned by
``LaborMarket.cluster_metrics()``, ``firm_metrics()``, ``location_metrics()`` and
``pay_metrics()``. ``docs/outputs.md`` is generated from these dictionaries.

Mismatch index (Şahin, Song, Topa & Violante 2014, AER "Mismatch Unemployment"), over skill
clusters i with vacancies vᵢ and job seekers uᵢ:  M = 1 − Σᵢ (vᵢ/v)^α (uᵢ/u)^(1−α).
"""

from __future__ import annotations

import numpy as np

from abm.arrays import group_medians, median
from abm.state import PayPolicy, WorkerState
from abm.strategies import STRATEGIES
from abm.world import LEVELS, SENIOR

MODEL_COLUMNS: dict[str, tuple[str, str]] = {
    "month": ("months", "months since January of the start year (0 = initial state)"),
    "year": ("year", "calendar time, start_year + month/12"),
    "employed": ("workers", "workers in a job at the end of the month"),
    "unemployed": ("workers", "job seekers (not in a job, not retraining) at the end of the month"),
    "retraining": ("workers", "workers in a retraining programme"),
    "out_of_labor_force": ("workers", "retired workers (cumulative)"),
    "labor_force": ("workers", "employed + unemployed + retraining"),
    "vacancies": ("jobs", "open vacancies at the end of the month"),
    "unemployment_rate": ("share", "unemployed / (employed + unemployed)"),
    "vacancy_rate": ("share", "vacancies / (vacancies + employed)"),
    "hires": ("workers/month", "all entries into employment: market hires + sponsored trainees returning"),
    "market_hires": ("workers/month", "hires through search and matching"),
    "separations": ("workers/month", "all exits from employment: layoffs + quits + retirements + sponsored retraining"),
    "layoffs": ("workers/month", "workers laid off"),
    "quits": ("workers/month", "workers who quit into search"),
    "retirements": ("workers/month", "employed workers who retired"),
    "to_sponsored_retraining": ("workers/month", "employees sent by their firm to retraining"),
    "junior_hires": ("workers/month", "market hires into junior jobs"),
    "rehires": ("workers/month", "market hires by the firm that had laid the worker off"),
    "rehire_share": ("share", "rehires / market hires (0 when no hires)"),
    "ai_rehire_share": ("share", "rehires among hires into ML/AI occupations (0 when none)"),
    "graduates": ("workers/month", "graduates entering as junior job seekers"),
    "promotions": ("workers/month", "promotions to the next level"),
    "relocations": ("workers/month", "hires that moved metro for an onsite job"),
    "mismatch_index": ("index 0-1", "Şahin et al. (2014) mismatch index over skill clusters, α = mismatch_alpha"),
    "ai_premium": ("share", "pay of ML/AI-occupation employees over other software developers (back-end, full-stack, mobile) at equal seniority, location-neutral, minus 1; 0 in 2022 by construction of base pay"),
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
    "senior_vacancy_duration": ("months", "mean age of open senior and staff vacancies"),
    "ai_vacancy_duration": ("months", "mean age of open ML/AI vacancies"),
    "demand_index": ("index", "aggregate tech labour demand D(t), 1 at start"),
    "applications": ("applications/month", "distinct applications sent"),
    "offers_refused": ("offers/month", "offers below the applicant's reservation wage"),
    "public_retraining_spend": ("$/month", "public spending on retraining subsidies"),
}

CLUSTER_COLUMNS = {
    "month": ("months", "as in the model table"),
    "year": ("year", "as in the model table"),
    "cluster": ("name", "skill cluster (primary cluster of the occupation)"),
    "employed": ("workers", "employees in occupations of the cluster"),
    "unemployed": ("workers", "job seekers whose occupation is in the cluster"),
    "vacancies": ("jobs", "open vacancies in occupations of the cluster"),
    "hires": ("workers/month", "market hires into the cluster"),
    "layoffs": ("workers/month", "layoffs from the cluster"),
    "vacancy_seeker_ratio": ("ratio", "vacancies / job seekers (job seekers floored at 1)"),
    "mean_vacancy_duration": ("months", "mean age of the cluster's open vacancies"),
    "time_to_fill": ("months", "mean age at filling of vacancies filled this month (NaN if none)"),
    "median_wage": ("$/year", "median pay of the cluster's employees (0 if none)"),
    "wage_index": ("× 2022", "market wage index of the cluster"),
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


def collect(model) -> None:
    """Compute this month's metrics into ``model.current`` and append the tidy tables' rows."""
    p, w, v, world, firms, f = model.p, model.workers, model.vacancies, model.world, model.firms, model.flows
    K, O = world.n_clusters, world.n_occupations
    state = w.view("state")
    occ = w.view("occupation")
    emp_mask = state == WorkerState.EMPLOYED
    unemp_mask = state == WorkerState.UNEMPLOYED
    emp = np.flatnonzero(emp_mask)
    E, U = len(emp), int(unemp_mask.sum())
    R = int((state == WorkerState.RETRAINING).sum())
    V = v.n
    wage = w.wage[emp]
    level = w.level[emp]
    e_occ = occ[emp]
    e_cluster = world.occupation_cluster[e_occ]
    u_cluster = world.occupation_cluster[occ[unemp_mask]]
    v_occ = v.view("occupation")
    v_cluster = world.occupation_cluster[v_occ]
    v_age = model.month - v.view("posted")
    vac_k = np.bincount(v_cluster, minlength=K).astype(float)
    unemp_k = np.bincount(u_cluster, minlength=K).astype(float)
    emp_k = np.bincount(e_cluster, minlength=K).astype(float)

    # AI premium: location-neutral pay of ML/AI vs other software developers within level, AI-weighted
    neutral = wage / np.maximum(w.pay_factor[emp], 1e-9)
    # one key per (level, group): group 0 other, 1 ML/AI, 2 the software-developer reference
    group = world.premium_group[e_occ]
    key = level.astype(np.int64) * 3 + group
    sums = np.bincount(key, weights=neutral, minlength=12).reshape(4, 3)
    ns = np.bincount(key, minlength=12).reshape(4, 3).astype(float)
    ai_sum, ai_n, ot_sum, ot_n = sums[:, 1], ns[:, 1], sums[:, 2], ns[:, 2]
    ok = (ai_n > 0) & (ot_n > 0)
    premium = float(np.sum(ai_n[ok] * (ai_sum[ok] / ai_n[ok]) / (ot_sum[ok] / ot_n[ok])) / ai_n[ok].sum() - 1.0) if ok.any() else 0.0

    # remote/onsite pay ratio within (pay policy, occupation, level) cells
    remote = w.remote[emp]
    e_firm = w.employer[emp]
    policy = firms.pay_policy[e_firm].astype(np.int64)
    Mloc = world.n_locations
    cell = ((policy * Mloc + firms.location[e_firm]) * O + e_occ) * 4 + level
    ratio, weight, rn, on = _cell_ratio(wage, remote, cell, 2 * Mloc * O * 4)
    overall = _ratio((ratio * weight).sum(), weight.sum())
    by_policy = ratio.reshape(2, -1), weight.reshape(2, -1)
    per_policy = [_ratio((by_policy[0][k] * by_policy[1][k]).sum(), by_policy[1][k].sum()) for k in range(2)]

    spell = w.view("spell")[unemp_mask]
    retrained = w.view("retrained") & (state != WorkerState.OUT_OF_LABOR_FORCE)
    retrained_emp = retrained & emp_mask
    legacy = world.legacy_clusters
    seniors_open = v.view("level") >= SENIOR
    ai_open = world.is_ai_occupation[v_occ]
    hires = f["hires"]
    separations = f["layoffs"] + f["quits"] + f["retirements"] + f["to_sponsored_retraining"]

    cur = {
        "month": model.month,
        "year": model.year,
        "employed": E,
        "unemployed": U,
        "retraining": R,
        "out_of_labor_force": int((state == WorkerState.OUT_OF_LABOR_FORCE).sum()),
        "labor_force": E + U + R,
        "vacancies": V,
        "unemployment_rate": _ratio(U, E + U),
        "vacancy_rate": _ratio(V, V + E),
        "hires": hires,
        "market_hires": f["market_hires"],
        "separations": separations,
        "layoffs": f["layoffs"],
        "quits": f["quits"],
        "retirements": f["retirements"],
        "to_sponsored_retraining": f["to_sponsored_retraining"],
        "junior_hires": f["junior_hires"],
        "rehires": f["rehires"],
        "rehire_share": _ratio(f["rehires"], f["market_hires"]),
        "ai_rehire_share": _ratio(f["ai_rehires"], f["ai_hires"]),
        "graduates": f["graduates"],
        "promotions": f["promotions"],
        "relocations": f["relocations"],
        "mismatch_index": mismatch_index(vac_k, unemp_k, p.mismatch_alpha),
        "ai_premium": premium,
        "remote_onsite_pay_ratio": overall,
        "remote_onsite_pay_ratio_adjusted": per_policy[PayPolicy.LOCATION_ADJUSTED],
        "remote_onsite_pay_ratio_national": per_policy[PayPolicy.NATIONAL_BAND],
        "remote_share": _ratio(int(remote.sum()), E),
        **{f"workers_by_seniority_{lv}": int(c) for lv, c in zip(LEVELS, np.bincount(level, minlength=4))},
        "retraining_enrolled": R,
        "retraining_started": f["retraining_started"],
        "retraining_completed": f["retraining_completed"],
        "retraining_dropouts": f["retraining_dropouts"],
        "retrained_employment_rate": _ratio(int(retrained_emp.sum()), int((retrained & (state != WorkerState.RETRAINING)).sum())),
        "retrained_mean_wage": _ratio(float(w.view("wage")[retrained_emp].sum()), int(retrained_emp.sum())),
        "long_term_unemployed_share": _ratio(int((spell > 6).sum()), U),
        "mean_unemployment_spell": float(spell.mean()) if U else 0.0,
        "ai_capability": model.capability,
        "mean_adoption": float(firms.view("adoption").mean()),
        "ai_skill_vacancy_share": _ratio(int(v.view("ai_required").sum()), V),
        "ai_vacancy_seeker_ratio": _ratio(vac_k[world.ai_cluster], max(unemp_k[world.ai_cluster], 1.0)),
        "legacy_vacancy_seeker_ratio": _ratio(vac_k[legacy].sum(), max(unemp_k[legacy].sum(), 1.0)),
        "median_wage": median(wage),
        "mean_wage": float(wage.mean()) if E else 0.0,
        "senior_vacancy_duration": float(v_age[seniors_open].mean()) if seniors_open.any() else 0.0,
        "ai_vacancy_duration": float(v_age[ai_open].mean()) if ai_open.any() else 0.0,
        "demand_index": model.demand_index,
        "applications": f["applications"],
        "offers_refused": f["offers_refused"],
        "public_retraining_spend": f["public_retraining_spend"],
    }
    model.current = cur

    # --- tidy tables -------------------------------------------------------------------------
    month, year = model.month, model.year
    cf = model.cluster_flows
    filled = cf["filled"]
    age_sum = np.bincount(v_cluster, weights=v_age, minlength=K)
    model.tables["cluster"].append({
        "month": np.full(K, month), "year": np.full(K, year), "cluster": np.arange(K),
        "employed": emp_k, "unemployed": unemp_k, "vacancies": vac_k,
        "hires": cf["hires"].copy(), "layoffs": cf["layoffs"].copy(),
        "vacancy_seeker_ratio": vac_k / np.maximum(unemp_k, 1.0),
        "mean_vacancy_duration": np.divide(age_sum, vac_k, out=np.zeros(K), where=vac_k > 0),
        "time_to_fill": np.divide(cf["filled_duration"], filled, out=np.full(K, np.nan), where=filled > 0),
        "median_wage": group_medians(wage, e_cluster, K),
        "wage_index": model.wage_index.copy(),
    })

    S = len(STRATEGIES)
    n = firms.n
    strat = firms.view("strategy")
    hc = model.headcount
    by = lambda x: np.bincount(strat, weights=x, minlength=S)  # noqa: E731
    model.tables["firm"].append({
        "month": np.full(S, month), "year": np.full(S, year), "strategy": np.arange(S),
        "firms": by(np.ones(n)), "headcount": by(hc.sum(axis=(1, 2))),
        "juniors": by(hc[:, :, 0].sum(axis=1)), "seniors": by(hc[:, :, SENIOR:].sum(axis=(1, 2))),
        "vacancies": by(np.bincount(v.view("firm"), minlength=n).astype(float)),
        "output": by(firms.view("output")), "revenue": by(firms.view("revenue")),
        "wage_bill": by(firms.view("wage_bill")), "profit": by(firms.view("profit")),
        "cumulative_profit": by(firms.view("cumulative_profit")),
        "mean_adoption": by(firms.view("adoption")) / np.maximum(by(np.ones(n)), 1),
    })

    loc = w.view("location")
    active = state != WorkerState.OUT_OF_LABOR_FORCE
    e_loc = loc[emp]
    lf = np.bincount(loc[active], minlength=Mloc).astype(float)
    le = np.bincount(e_loc, minlength=Mloc).astype(float)
    lu = np.bincount(loc[unemp_mask], minlength=Mloc).astype(float)
    model.tables["location"].append({
        "month": np.full(Mloc, month), "year": np.full(Mloc, year), "location": np.arange(Mloc),
        "labor_force": lf, "employed": le, "unemployed": lu,
        "unemployment_rate": np.divide(lu, le + lu, out=np.zeros(Mloc), where=(le + lu) > 0),
        "median_wage": group_medians(wage, e_loc, Mloc),
        "remote_share": np.divide(np.bincount(e_loc, weights=remote.astype(float), minlength=Mloc), le, out=np.zeros(Mloc), where=le > 0),
    })

    # pay: per (policy, cluster), aggregating the cell ratios of occupations in the cluster
    oc = np.tile(np.repeat(world.occupation_cluster, 4), 2 * Mloc)
    pol = np.repeat(np.arange(2), Mloc * O * 4)
    pk = pol * K + oc
    num = np.bincount(pk, weights=ratio * weight, minlength=2 * K)
    den = np.bincount(pk, weights=weight, minlength=2 * K)
    model.tables["pay"].append({
        "month": np.full(2 * K, month), "year": np.full(2 * K, year),
        "pay_policy": np.repeat(np.arange(2), K), "cluster": np.tile(np.arange(K), 2),
        "remote_workers": np.bincount(pk, weights=rn, minlength=2 * K),
        "onsite_workers": np.bincount(pk, weights=on, minlength=2 * K),
        "remote_onsite_pay_ratio": np.divide(num, den, out=np.full(2 * K, np.nan), where=den > 0),
    })
