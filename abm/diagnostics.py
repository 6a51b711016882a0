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
* **The cost of job loss — who is hurt by a layoff** (Jacobson, LaLonde & Sullivan 1993, "Earnings
  losses of displaced workers", AER; Davis & von Wachter 2011, "Recessions and the costs of job
  loss", BPEA): workers laid off in month t against workers of the same month, cluster and level
  who kept their job, followed like the trainees; overall, in the legacy clusters and the others,
  for juniors and for mid-level and above. The literature finds earnings 30–40 % lower in the first
  year and still 15–25 % lower five years on.

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
from abm.world import JUNIOR, N_LEVELS

#: Months after enrolment (or layoff) at which outcomes are compared.
HORIZONS = (6, 12, 24, 36, 60)
#: comparison workers drawn per cell and month for the displacement study
DISPLACEMENT_COMPARISONS = 30


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
def worker_panels(spec: RunSpec, comparisons_per_cell: int = DISPLACEMENT_COMPARISONS) -> dict[str, pd.DataFrame]:
    """One run of ``spec`` followed worker by worker, for the two evaluations.

    ``"retraining"``: one row per (enrolment month t, eligible job seeker) — ``treated`` = enrolled in
    month t; the comparison: eligible in the same month and still searching.
    ``"displacement"``: one row per (month t, worker employed at the end of t − 1) — ``treated`` =
    laid off by that employer in month t (a structural layoff: :func:`abm.transitions.lay_off`); the
    comparison: up to ``comparisons_per_cell`` workers of the same cell drawn at random among those
    who kept their job through month t (a separate random stream: the model's draws are untouched).
    A worker laid off again by the firm that laid them off before is not counted (rare).

    Each row has the worker's cell (skill cluster × level), whether the cluster is a legacy one, the
    level, earnings in month t − 1 and employment and earnings at each horizon (NaN past the run's end)."""
    model = build(spec)
    p, w, world = model.p, model.workers, model.world
    legacy = np.isin(np.arange(len(world.cluster_names)), world.legacy_clusters)
    pick = np.random.default_rng([spec.seed, 2011])  # comparison draws, apart from the model's stream
    states: list[np.ndarray] = []
    earnings: list[np.ndarray] = []
    cohorts: dict[str, list[pd.DataFrame]] = {"retraining": [], "displacement": []}
    prev: dict[str, np.ndarray] = {}

    def observe(_: int) -> None:
        state = w.view("state").copy()
        outside = p.outside_wage * world.pay_index[w.view("location")]
        pay = np.where(state == WorkerState.EMPLOYED, w.view("wage"), np.where(state == WorkerState.OTHER_WORK, outside, 0.0))
        if prev:
            k, t = len(prev["state"]), len(states)
            cell = prev["cell"]

            def cohort(who: np.ndarray, treated: np.ndarray) -> pd.DataFrame:
                cluster, level = np.divmod(cell[who], N_LEVELS)
                return pd.DataFrame({"t": t, "worker": who, "treated": treated, "cell": cell[who],
                                     "legacy": legacy[cluster], "level": level, "earnings_before": prev["pay"][who]})

            eligible = (prev["state"] == WorkerState.UNEMPLOYED) & (prev["spell"] >= p.retraining_min_spell) & ~prev["retrained"]
            enrolled = eligible & (state[:k] == WorkerState.RETRAINING)
            stayed = eligible & (state[:k] == WorkerState.UNEMPLOYED)
            who = np.flatnonzero(enrolled | stayed)
            cohorts["retraining"].append(cohort(who, enrolled[who]))

            employed = prev["state"] == WorkerState.EMPLOYED
            laid_off = employed & (w.view("laid_off_by")[:k] == prev["employer"]) & (prev["laid_off_by"] != prev["employer"])
            kept = employed & (state[:k] == WorkerState.EMPLOYED) & (w.view("employer")[:k] == prev["employer"])
            displaced = np.flatnonzero(laid_off)
            if len(displaced):
                pool = np.flatnonzero(kept & np.isin(cell, np.unique(cell[displaced])))
                pool = pool[pick.permutation(len(pool))]
                first = pd.Series(cell[pool]).groupby(cell[pool]).cumcount().to_numpy() < comparisons_per_cell
                who = np.concatenate([displaced, np.sort(pool[first])])
                cohorts["displacement"].append(cohort(who, np.arange(len(who)) < len(displaced)))
        states.append(state)
        earnings.append(pay.astype(np.float32))
        prev.update(state=state, spell=w.view("spell").copy(), retrained=w.view("retrained").copy(), pay=pay,
                    employer=w.view("employer").copy(), laid_off_by=w.view("laid_off_by").copy(),
                    cell=world.occupation_cluster[w.view("occupation")].astype(np.int64) * N_LEVELS + w.view("level"))

    observe(0)
    advance(model, spec.horizon, spec.interventions, progress=observe)
    return {name: _follow(pd.concat(frames, ignore_index=True), states, earnings).assign(seed=spec.seed)
            if frames else pd.DataFrame() for name, frames in cohorts.items()}


def _follow(panel: pd.DataFrame, states: list[np.ndarray], earnings: list[np.ndarray]) -> pd.DataFrame:
    """Add each row's employment (any work), tech employment and earnings ``h`` months after its month."""
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
    return panel


def event_study(panels: Sequence[pd.DataFrame], label: str = "trainees") -> pd.DataFrame:
    """The treated against comparable untreated workers of the same month and cell, at each horizon:
    the treated-weighted mean of the within-(month, cell) differences, per run; then mean, min and max
    over runs. Columns are named after the treated group (``label``: trainees, displaced)."""
    rows = []
    for panel in panels:
        if panel.empty:
            continue
        for h in HORIZONS:
            d = panel.dropna(subset=[f"employed_{h}"])
            cols = [f"employed_{h}", f"tech_{h}", f"earnings_{h}", "earnings_before"]
            g = d.groupby(["t", "cell", "treated"])[cols].mean().unstack("treated")
            n_t = d[d["treated"]].groupby(["t", "cell"]).size()
            g = g.dropna()
            if g.empty:
                continue
            weight = n_t.reindex(g.index).fillna(0).to_numpy()
            if weight.sum() == 0:
                continue

            def avg(col: str, arm: bool, g: pd.DataFrame = g, weight: np.ndarray = weight) -> float:
                return float(np.average(g[(col, arm)].to_numpy(), weights=weight))

            rows.append({"seed": int(panel["seed"].iloc[0]), "months_after": h, label: int(weight.sum()),
                         f"employed_{label}": avg(f"employed_{h}", True), "employed_comparison": avg(f"employed_{h}", False),
                         f"tech_{label}": avg(f"tech_{h}", True), "tech_comparison": avg(f"tech_{h}", False),
                         f"earnings_{label}": avg(f"earnings_{h}", True), "earnings_comparison": avg(f"earnings_{h}", False),
                         f"earnings_before_{label}": avg("earnings_before", True)})
    per_run = pd.DataFrame(rows)
    if per_run.empty:
        return per_run
    per_run["employment_effect"] = per_run[f"employed_{label}"] - per_run["employed_comparison"]
    per_run["tech_employment_effect"] = per_run[f"tech_{label}"] - per_run["tech_comparison"]
    per_run["earnings_effect"] = per_run[f"earnings_{label}"] - per_run["earnings_comparison"]
    # the loss as a share of the treated's own earnings the month before (the displacement literature's unit)
    before = per_run[f"earnings_before_{label}"]
    per_run["earnings_effect_share"] = per_run["earnings_effect"] / before.where(before > 0)
    cols = [label, f"employed_{label}", "employed_comparison", "employment_effect", f"tech_{label}",
            "tech_comparison", "tech_employment_effect", f"earnings_{label}", "earnings_comparison", "earnings_effect",
            f"earnings_before_{label}", "earnings_effect_share"]
    out = per_run.groupby("months_after")[cols].agg(["mean", "min", "max"])
    out.columns = [f"{a}_{b}" if b != "mean" else a for a, b in out.columns]
    return out.reset_index()


#: who is hurt by a layoff: the displacement study within these groups of workers (legacy = the
#: clusters whose work AI substitutes, :attr:`abm.world.World.legacy_clusters`)
DISPLACED_GROUPS: dict[str, str] = {"all": "", "legacy clusters": "legacy", "other clusters": "~legacy",
                                    "juniors": f"level == {JUNIOR}", "mid and above": f"level > {JUNIOR}"}


def displacement_study(panels: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """:func:`event_study` of layoffs, overall and within each of :data:`DISPLACED_GROUPS`."""
    frames = []
    for group, rows in DISPLACED_GROUPS.items():
        chosen = [panel.query(rows) if rows and not panel.empty else panel for panel in panels]
        study = event_study(chosen, label="displaced")
        if not study.empty:
            frames.append(study.assign(group=group))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def evaluations(params: Params, seeds: Sequence[int], months: int, executor: Executor | None = None) -> dict[str, pd.DataFrame]:
    """The retraining event study (:func:`event_study`) and the displacement study
    (:func:`displacement_study`) over ``seeds`` (runs on ``executor`` when given)."""
    base = RunSpec("evaluations", params.model_copy(update={"worker_agents": False}), 0, months, tables=())
    specs = [replace(base, seed=s) for s in seeds]
    panels = list(executor.map(worker_panels, specs)) if executor is not None else [worker_panels(s) for s in specs]
    return {"retraining": event_study([pn["retraining"] for pn in panels], label="trainees"),
            "displacement": displacement_study([pn["displacement"] for pn in panels])}


# --- the report ---------------------------------------------------------------------------------------------------
def write(out: Path, clusters: Sequence[pd.DataFrame], models: Sequence[pd.DataFrame],
          studies: dict[str, pd.DataFrame]) -> list[Path]:
    """Write the diagnostics (markdown, CSVs, figures) into ``out``; ``studies``: :func:`evaluations`.
    Returns the files."""
    from matplotlib.figure import Figure

    mf = matching_function(clusters)
    bev = beveridge(models)
    events, displaced = studies["retraining"], studies["displacement"]
    files = [out / "matching_function.csv", out / "beveridge.csv", out / "retraining_event_study.csv",
             out / "beveridge.png", out / "retraining_event_study.png", out / "diagnostics.md",
             out / "displacement_study.csv", out / "displacement_study.png"]
    pd.DataFrame([mf]).to_csv(files[0], index=False)
    bev.to_csv(files[1], index=False)
    events.to_csv(files[2], index=False)
    displaced.to_csv(files[6], index=False)

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

    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    if not displaced.empty:
        for group, color in (("all", "#000000"), ("legacy clusters", "#D55E00"), ("other clusters", "#0072B2"),
                             ("juniors", "#009E73")):
            d = displaced[displaced["group"] == group]
            for ax, col, scale in ((axes[0], "earnings_effect_share", 100), (axes[1], "tech_employment_effect", 100)):
                ax.plot(d["months_after"], scale * d[col], "-o", color=color, label=group)
        for ax, label in ((axes[0], "earnings (% of own pay before the layoff)"), (axes[1], "tech employment (percentage points)")):
            ax.axhline(0, color="grey", lw=0.8)
            ax.set(xlabel="months after the layoff", ylabel=label, xticks=list(HORIZONS))
            ax.legend(fontsize=8)
        fig.suptitle("Laid-off workers minus comparable workers who kept their job (same month, cluster and level)")
    fig.tight_layout()
    fig.savefig(files[7], dpi=120)

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
    lines += ["", "## The cost of job loss: who is hurt by a layoff", "",
              "Workers laid off in month t (structural layoffs: the firms' AI and demand cuts) against workers of the same "
              "month, skill cluster and level who kept their job (a random sample of up to "
              f"{DISPLACEMENT_COMPARISONS} per cell and month). Earnings as above, and as a share of the laid-off "
              "workers' own pay the month before.", "", "![displacement study](displacement_study.png)", ""]
    if not displaced.empty:
        show = displaced[["group", "months_after", "displaced", "earnings_effect", "earnings_effect_share",
                          "earnings_effect_share_min", "earnings_effect_share_max", "tech_employment_effect",
                          "employment_effect"]].round(3)
        lines += [show.to_markdown(index=False) if _has_tabulate() else show.to_string(index=False), "",
                  "- Literature: displaced workers' earnings fall by 30–40 % in the first year and stay 15–25 % below "
                  "comparable non-displaced workers' five years on (Jacobson, LaLonde & Sullivan 1993; Couch & Placzek "
                  "2010; Davis & von Wachter 2011), more when the market is slack."]
    files[5].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def _has_tabulate() -> bool:
    import importlib.util

    return importlib.util.find_spec("tabulate") is not None
