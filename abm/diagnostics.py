"""The diagnostics a labour economist asks for beside the calibration targets (reported, not fitted).

* **The matching function** estimated on the cluster × month panel, as the empirical literature
  estimates it (Petrongolo & Pissarides 2001, "Looking into the black box", JEL):

      log H_ct = μ_c + α log U_c,t−1 + β log V_c,t−1 + ε_ct

  H = hires of job seekers into cluster c in month t, U and V the job seekers and open postings at
  the start of the month, μ_c a fixed effect per run × cluster (OLS on demeaned data). The
  literature finds α ≈ 0.5–0.7 and near-constant returns (α + β ≈ 1). Nothing in the model imposes
  a matching function: H comes out of applications, selection and acceptance.
* **The Beveridge curve** — unemployment rate against vacancy rate, month by month.
* **Retraining evaluated as evaluations measure it** (Card, Kluve & Weber 2018, "What works? A meta
  analysis of recent active labor market program evaluations", JEEA): job seekers who enrol in a
  programme in month t against comparable job seekers who were eligible in the same month and did
  not enrol (same skill cluster and seniority level, both unemployed for at least
  ``retraining_min_spell`` months, never retrained), followed for 6, 12, 24, 36 and 60 months:
  employment in any work (a tech job or other work, as evaluations count it), employment in tech,
  and earnings (tech pay, the outside wage in other work, 0 otherwise). Training evaluations
  typically find a lock-in (negative effect while people train) and positive effects after two to
  three years.

    abm calibrate        # writes these next to the target table (diagnostics.md, *.csv, *.png)
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from abm.measures import calendar_year
from abm.params import Params
from abm.runs import RunSpec, advance, build
from abm.state import WorkerState

#: Months after enrolment at which retraining outcomes are compared.
HORIZONS = (6, 12, 24, 36, 60)


# --- the matching function ------------------------------------------------------------------------------
def matching_function(clusters: Sequence[pd.DataFrame], first_month: int = 13) -> dict[str, float]:
    """OLS of log hires from search on log job seekers and log vacancies at the start of the month,
    with a fixed effect per run × cluster; ``clusters``: one cluster table per run."""
    rows = []
    for run, c in enumerate(clusters):
        c = c.sort_values(["cluster", "month"])
        g = c.groupby("cluster", observed=True)
        rows.append(pd.DataFrame({
            "unit": f"{run}:" + c["cluster"].astype(str), "month": c["month"],
            "H": c["hires_from_search"], "U": g["unemployed"].shift(1), "V": g["vacancies"].shift(1)}))
    d = pd.concat(rows, ignore_index=True)
    d = d[(d["month"] >= first_month) & (d["H"] > 0) & (d["U"] > 0) & (d["V"] > 0)]
    y, x = np.log(d["H"].to_numpy(float)), np.log(d[["U", "V"]].to_numpy(float))
    unit = d["unit"].to_numpy()
    # within transformation: subtract each unit's means
    y_w = y - pd.Series(y).groupby(unit).transform("mean").to_numpy()
    x_w = x - pd.DataFrame(x).groupby(unit).transform("mean").to_numpy()
    coef, *_ = np.linalg.lstsq(x_w, y_w, rcond=None)
    resid = y_w - x_w @ coef
    n, k, units = len(y_w), 2, len(np.unique(unit))
    sigma2 = resid @ resid / max(n - k - units, 1)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x_w.T @ x_w)))
    r2 = 1.0 - (resid @ resid) / (y_w @ y_w) if (y_w @ y_w) > 0 else float("nan")
    return {"alpha_unemployed": float(coef[0]), "alpha_se": float(se[0]), "beta_vacancies": float(coef[1]),
            "beta_se": float(se[1]), "returns_to_scale": float(coef.sum()), "within_r2": float(r2),
            "observations": n, "units": units}


# --- the Beveridge curve ------------------------------------------------------------------------------------
def beveridge(models: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Unemployment and vacancy rates by calendar year, mean over runs (with the runs' min and max)."""
    frames = []
    for run, m in enumerate(models):
        m = m[m["month"] > 0]
        frames.append(m.assign(run=run, cal=calendar_year(m)).groupby(["run", "cal"])[["unemployment_rate", "vacancy_rate"]].mean())
    d = pd.concat(frames).groupby("cal").agg(["mean", "min", "max"])
    d.columns = [f"{a}_{b}" for a, b in d.columns]
    return d.reset_index()


# --- retraining, as evaluations measure it --------------------------------------------------------------------
def retraining_panel(spec: RunSpec) -> pd.DataFrame:
    """One run of ``spec`` followed worker by worker: one row per (enrolment month t, eligible job
    seeker) with whether they enrolled, their cell (skill cluster × level) and their employment and
    earnings at each horizon (NaN past the run's end)."""
    model = build(spec)
    p, w, world = model.p, model.workers, model.world
    states: list[np.ndarray] = []
    earnings: list[np.ndarray] = []
    cohorts: list[pd.DataFrame] = []
    prev: dict[str, np.ndarray] = {}

    def observe(_: int) -> None:
        state = w.view("state").copy()
        if prev:
            k = len(prev["state"])
            eligible = (prev["state"] == WorkerState.UNEMPLOYED) & (prev["spell"] >= p.retraining_min_spell) & ~prev["retrained"]
            enrolled = eligible & (state[:k] == WorkerState.RETRAINING)
            stayed = eligible & (state[:k] == WorkerState.UNEMPLOYED)
            who = np.flatnonzero(enrolled | stayed)
            cohorts.append(pd.DataFrame({"t": len(states), "worker": who, "enrolled": enrolled[who],
                                         "cell": prev["cell"][who]}))
        states.append(state)
        outside = p.outside_wage * world.pay_index[w.view("location")]
        pay = np.where(state == WorkerState.EMPLOYED, w.view("wage"), np.where(state == WorkerState.OTHER_WORK, outside, 0.0))
        earnings.append(pay.astype(np.float32))
        prev.update(state=state, spell=w.view("spell").copy(), retrained=w.view("retrained").copy(),
                    cell=world.occupation_cluster[w.view("occupation")].astype(np.int64) * 4 + w.view("level"))

    observe(0)
    advance(model, spec.horizon, spec.interventions, progress=observe)
    if not cohorts:
        return pd.DataFrame()
    panel = pd.concat(cohorts, ignore_index=True)
    last = len(states) - 1
    for h in HORIZONS:
        at = panel["t"].to_numpy() + h
        ok = at <= last
        emp = np.full(len(panel), np.nan)
        tech = np.full(len(panel), np.nan)
        pay = np.full(len(panel), np.nan)
        for t in np.unique(at[ok]):
            rows = np.flatnonzero(ok & (at == t))
            ids = panel["worker"].to_numpy()[rows]
            tech[rows] = states[t][ids] == WorkerState.EMPLOYED
            emp[rows] = tech[rows].astype(bool) | (states[t][ids] == WorkerState.OTHER_WORK)
            pay[rows] = earnings[t][ids]
        panel[f"employed_{h}"] = emp
        panel[f"tech_{h}"] = tech
        panel[f"earnings_{h}"] = pay
    return panel.assign(seed=spec.seed)


def _panel_run(spec: RunSpec) -> pd.DataFrame:
    return retraining_panel(spec)


def event_study(panels: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Trainees against comparable non-trainees of the same month and cell, at each horizon: the
    treated-weighted mean of the within-(month, cell) differences, per run; then mean, min and max
    over runs."""
    rows = []
    for panel in panels:
        if panel.empty:
            continue
        for h in HORIZONS:
            d = panel.dropna(subset=[f"employed_{h}"])
            g = d.groupby(["t", "cell", "enrolled"])[[f"employed_{h}", f"tech_{h}", f"earnings_{h}"]].mean().unstack("enrolled")
            n_t = d[d["enrolled"]].groupby(["t", "cell"]).size()
            g = g.dropna()
            if g.empty:
                continue
            weight = n_t.reindex(g.index).fillna(0).to_numpy()
            if weight.sum() == 0:
                continue
            def avg(col: str, arm: bool, g: pd.DataFrame = g, weight: np.ndarray = weight) -> float:
                return float(np.average(g[(col, arm)].to_numpy(), weights=weight))

            rows.append({"seed": int(panel["seed"].iloc[0]), "months_after": h, "trainees": int(weight.sum()),
                         "employed_trainees": avg(f"employed_{h}", True), "employed_comparison": avg(f"employed_{h}", False),
                         "tech_trainees": avg(f"tech_{h}", True), "tech_comparison": avg(f"tech_{h}", False),
                         "earnings_trainees": avg(f"earnings_{h}", True), "earnings_comparison": avg(f"earnings_{h}", False)})
    per_run = pd.DataFrame(rows)
    if per_run.empty:
        return per_run
    per_run["employment_effect"] = per_run["employed_trainees"] - per_run["employed_comparison"]
    per_run["tech_employment_effect"] = per_run["tech_trainees"] - per_run["tech_comparison"]
    per_run["earnings_effect"] = per_run["earnings_trainees"] - per_run["earnings_comparison"]
    cols = ["trainees", "employed_trainees", "employed_comparison", "employment_effect", "tech_trainees",
            "tech_comparison", "tech_employment_effect", "earnings_trainees", "earnings_comparison", "earnings_effect"]
    out = per_run.groupby("months_after")[cols].agg(["mean", "min", "max"])
    out.columns = [f"{a}_{b}" if b != "mean" else a for a, b in out.columns]
    return out.reset_index()


def retraining_evaluation(params: Params, seeds: Sequence[int], months: int, executor: Executor | None = None) -> pd.DataFrame:
    """The event study of :func:`event_study` over ``seeds`` (runs on ``executor`` when given)."""
    base = RunSpec("retraining evaluation", params.model_copy(update={"worker_agents": False}), 0, months, tables=())
    specs = [replace(base, seed=s) for s in seeds]
    panels = list(executor.map(_panel_run, specs)) if executor is not None else [_panel_run(s) for s in specs]
    return event_study(panels)


# --- the report ---------------------------------------------------------------------------------------------------
def write(out: Path, clusters: Sequence[pd.DataFrame], models: Sequence[pd.DataFrame], events: pd.DataFrame) -> list[Path]:
    """Write the diagnostics (markdown, CSVs, figures) into ``out``; returns the files."""
    from matplotlib.figure import Figure

    mf = matching_function(clusters)
    bev = beveridge(models)
    files = [out / "matching_function.csv", out / "beveridge.csv", out / "retraining_event_study.csv",
             out / "beveridge.png", out / "retraining_event_study.png", out / "diagnostics.md"]
    pd.DataFrame([mf]).to_csv(files[0], index=False)
    bev.to_csv(files[1], index=False)
    events.to_csv(files[2], index=False)

    from abm.charts import static

    fig = Figure(figsize=(5.5, 4.5))
    static.draw("beveridge", {"model": models[0]}, fig.add_subplot(), title="Beveridge curve (the first seed, month by month)")
    fig.tight_layout()
    fig.savefig(files[3], dpi=120)

    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    if not events.empty:
        h = events["months_after"]
        for ax, col, scale, label in ((axes[0], "employment_effect", 100, "employment (percentage points)"),
                                      (axes[1], "earnings_effect", 1e-3, "earnings ($ thousand a year)")):
            ax.axhline(0, color="grey", lw=0.8)
            ax.fill_between(h, scale * events[f"{col}_min"], scale * events[f"{col}_max"], color="#0072B2", alpha=0.2,
                            label="range over seeds")
            ax.plot(h, scale * events[col], "-o", color="#0072B2", label="mean over seeds")
            ax.set(xlabel="months after enrolment", ylabel=label, xticks=list(HORIZONS))
            ax.legend(fontsize=8)
        fig.suptitle("Retraining: trainees minus comparable non-trainees of the same month, cluster and level")
    fig.tight_layout()
    fig.savefig(files[4], dpi=120)

    lines = ["# Diagnostics (reported beside the targets, not fitted)", "",
             "## Matching function (cluster × month panel, fixed effects per run × cluster)", "",
             "log H = μ + α log U + β log V: hires of job seekers on job seekers and open postings at the start of the month.", "",
             f"- α (job seekers) = {mf['alpha_unemployed']:.3f} (s.e. {mf['alpha_se']:.3f}); "
             f"β (vacancies) = {mf['beta_vacancies']:.3f} (s.e. {mf['beta_se']:.3f}); α + β = {mf['returns_to_scale']:.3f}; "
             f"within R² = {mf['within_r2']:.3f}; {mf['observations']} cluster-months, {mf['units']} units.",
             "- Literature: α ≈ 0.5–0.7, near-constant returns (Petrongolo & Pissarides 2001).", "",
             "## Beveridge curve", "", "![Beveridge curve](beveridge.png)", "",
             bev.round(4).to_markdown(index=False) if _has_tabulate() else bev.round(4).to_string(index=False), "",
             "## Retraining evaluated as evaluations measure it", "",
             "Trainees (enrolled from unemployment in month t) against job seekers eligible in the same month, "
             "same skill cluster and level, who did not enrol. Employment = any work (a tech job or other work); "
             "tech employment = a tech job; earnings = tech pay, the outside wage in other work, else 0.", "",
             "![retraining event study](retraining_event_study.png)", ""]
    if not events.empty:
        show = events[["months_after", "trainees", "employed_trainees", "employed_comparison", "employment_effect",
                       "employment_effect_min", "employment_effect_max", "tech_employment_effect", "earnings_effect"]].round(3)
        lines += [show.to_markdown(index=False) if _has_tabulate() else show.to_string(index=False), "",
                  "- Literature: a lock-in while people train, positive effects after 2–3 years "
                  "(Card, Kluve & Weber 2018)."]
    files[5].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def _has_tabulate() -> bool:
    import importlib.util

    return importlib.util.find_spec("tabulate") is not None
