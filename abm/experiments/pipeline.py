"""Report pieces for the pipeline experiments (issue 11, ``experiments/pipeline_public_good.toml``):
does the counter-cyclical bet pay, for whom, and what closes the gap at what public cost.

Four figures (``[report] figures``), each with 95 % confidence bands over replicates
(:func:`abm.experiments.analysis.replicate_ci`) and a CSV of the numbers behind it:

``pipeline_payoff``  counter-cyclical minus cutting firms' cumulative profit per 2022 worker by year,
                     in the sets where strategies stay fixed (no switches; with imitation the firms
                     behind a strategy's line change, so a per-strategy profit line means little);
``strategy_mix``     the share of firms per strategy by year in the sets where firms switched
                     (imitation), with the year counter-cyclical firms die out and the year one
                     strategy holds ≥ ``TIPPED`` of the firms (per run; median and count);
``pipeline_seniors`` the senior stock (senior + staff employees) and the senior vacancy age by year
                     2028–2035;
``policy_cost``      per public policy: cumulative public pipeline spend to the end of ``COST_YEAR``,
                     the extra seniors in ``COST_YEAR`` over the same scenario without the policy, and
                     the public cost per extra senior.

A parameter set's *policy* is its values of the public levers (:data:`POLICY_PARAMS`); its
*scenario* is its values of every other varied parameter. A policy's comparison set is the set
with the same scenario and every public lever at 0. With the same seeds for every set (``seeds =
[...]`` in the spec) the comparison is paired by replicate — the same initial world with and
without the policy — and its CI is that of the paired differences; otherwise Welch's.
The cost per extra senior is a ratio of means; its CI is a percentile bootstrap over replicates
(``BOOTSTRAP`` draws, fixed seed), reported only when the extra seniors' CI excludes 0.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from abm.experiments.analysis import LEVEL, markdown_table, profit_per_worker, replicate_ci, t_quantile
from abm.experiments.figures import _grid, _panels, _save
from abm.measures import calendar_year, in_year, in_years
from abm.strategies import STRATEGY_NAMES

#: public levers: a set's policy is its values of these (0 everywhere = no policy)
POLICY_LEVERS = ("junior_wage_subsidy", "apprenticeship_slots", "training_levy")
#: parameters that shape a public policy (its levers and their settings)
POLICY_PARAMS = POLICY_LEVERS + ("junior_subsidy_cap", "junior_subsidy_months", "apprenticeship_pay_share",
                                 "apprenticeship_months", "apprenticeship_completion", "levy_refund_per_junior")
#: the year the public cost per extra senior is measured in (spend summed from the start to its end)
COST_YEAR = 2032
#: years of the senior figure
SENIOR_YEARS = (2028, 2035)
#: a strategy "has taken over" when it holds at least this share of the firms
TIPPED = 0.95
#: bootstrap draws for the CI of the cost per extra senior
BOOTSTRAP = 2000
FIGURES = ("pipeline_payoff", "strategy_mix", "pipeline_seniors", "policy_cost")
NEEDS = {"pipeline_payoff": "firm", "strategy_mix": "firm", "pipeline_seniors": "model", "policy_cost": "model"}
MODEL_COLUMNS = ("public_pipeline_spend", "workers_by_seniority_senior", "workers_by_seniority_staff",
                 "senior_vacancy_duration", "strategy_switches")
FIRM_COLUMNS = ("strategy", "firms", "headcount", "cumulative_profit", "switched_in")


# --- sets: policy and scenario -----------------------------------------------------------------------------
def describe_sets(labels: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """``labels`` with ``policy`` (the public levers' values, "no policy" when all 0), ``scenario``
    (the other varied values) and ``reference`` (set_id of the same scenario without a policy, or −1)."""
    policy_cols = [f for f in factors if f in POLICY_PARAMS]
    other = [f for f in factors if f not in POLICY_PARAMS]

    def fmt(row: pd.Series, c: str) -> str:
        return f"{c}={row[c]:g}" if isinstance(row[c], float) else f"{c}={row[c]}"

    def policy(row: pd.Series) -> str:
        on = [c for c in policy_cols if c in POLICY_LEVERS and row[c] != 0]
        if not on:
            return "no policy"
        return ", ".join(fmt(row, c) for c in policy_cols if c in on or c not in POLICY_LEVERS)

    out = labels.copy()
    out["policy"] = [policy(r) for _, r in out.iterrows()]
    out["scenario"] = [", ".join(fmt(r, c) for c in other) or "all runs" for _, r in out.iterrows()]
    none = out[out["policy"] == "no policy"]
    ref = dict(zip(none["scenario"], none["set_id"]))
    out["reference"] = out["scenario"].map(ref).fillna(-1).astype(int)
    return out


def _switching_sets(firm: pd.DataFrame) -> set[int]:
    """Sets in which some firm switched strategy in some run."""
    return set(firm.loc[firm["switched_in"] > 0, "set_id"].unique())


# --- numbers --------------------------------------------------------------------------------------------------
def payoff(firm: pd.DataFrame, leader: str = "counter_cyclical", rival: str = "cutting") -> pd.DataFrame:
    """Per set × calendar year (end of year): ``leader`` − ``rival`` cumulative profit per 2022 worker,
    mean and 95 % CI over runs (the runs' own differences: firms of both strategies share a run)."""
    per = profit_per_worker(firm)
    per = per[per["strategy"].isin([leader, rival]) & (per["month"] > 0)]
    per = per.assign(calendar_year=calendar_year(per))
    last = per.groupby(["run_id", "calendar_year"])["month"].transform("max")
    end = per[per["month"] == last]
    wide = end.pivot_table(index=["run_id", "set_id", "calendar_year"], columns="strategy", values="profit_per_worker",
                           observed=True).reset_index()
    if leader not in wide or rival not in wide:
        return pd.DataFrame(columns=["set_id", "calendar_year", "mean", "sd", "n", "ci_low", "ci_high"])
    wide["gap"] = wide[leader] - wide[rival]
    return replicate_ci(wide.dropna(subset=["gap"]), ["set_id", "calendar_year"], "gap")


def strategy_shares(firm: pd.DataFrame) -> pd.DataFrame:
    """Per run × calendar year × strategy: the mean share of firms following the strategy that year."""
    f = firm[firm["month"] > 0]
    f = f.assign(calendar_year=calendar_year(f))
    total = f.groupby(["run_id", "month"])["firms"].transform("sum")
    f = f.assign(share=f["firms"] / total.clip(lower=1))
    return f.groupby(["run_id", "set_id", "calendar_year", "strategy"], observed=True)["share"].mean().reset_index()


def _first_year_for_good(years: np.ndarray, ok: np.ndarray) -> float:
    """First year from which ``ok`` holds to the end (NaN if it does not hold at the end)."""
    if len(ok) == 0 or not ok[-1]:
        return np.nan
    bad = np.flatnonzero(~ok)
    return float(years[bad[-1] + 1]) if len(bad) else float(years[0])


def tipping(shares: pd.DataFrame) -> pd.DataFrame:
    """Per set: the final year's share of each strategy (mean ± CI), and over runs the year counter-cyclical
    firms die out for good and the year one strategy holds ≥ TIPPED of the firms for good (median, runs)."""
    rows = []
    for set_id, sub in shares.groupby("set_id"):
        final_year = sub["calendar_year"].max()
        row: dict[str, Any] = {"set_id": set_id, "runs": sub["run_id"].nunique()}
        last = sub[sub["calendar_year"] == final_year]
        for s in STRATEGY_NAMES:
            ci = replicate_ci(last[last["strategy"] == s].assign(k=0), ["k"], "share")
            row[f"{s}_share_{final_year}"] = float(ci["mean"].iloc[0]) if len(ci) else 0.0
            row[f"{s}_share_ci95"] = float((ci["ci_high"] - ci["ci_low"]).iloc[0] / 2) if len(ci) else np.nan
        extinct_years: list[float] = []
        tipped_years: list[float] = []
        winner: list[str] = []
        for _, run in sub.groupby("run_id"):
            wide = run.pivot_table(index="calendar_year", columns="strategy", values="share", observed=False).fillna(0.0)
            years = wide.index.to_numpy()
            cc = wide["counter_cyclical"].to_numpy() if "counter_cyclical" in wide else np.zeros(len(years))
            extinct_years.append(_first_year_for_good(years, cc <= 0))
            top = wide.max(axis=1).to_numpy()
            tipped_years.append(_first_year_for_good(years, top >= TIPPED))
            winner.append(str(wide.iloc[-1].idxmax()) if top[-1] >= TIPPED else "")
        extinct, tipped = np.array(extinct_years), np.array(tipped_years)
        row.update(cc_extinct_runs=int(np.isfinite(extinct).sum()),
                   cc_extinct_year_median=float(np.nanmedian(extinct)) if np.isfinite(extinct).any() else np.nan,
                   tipped_runs=int(np.isfinite(tipped).sum()),
                   tipped_year_median=float(np.nanmedian(tipped)) if np.isfinite(tipped).any() else np.nan,
                   tipped_to=", ".join(sorted({w for w in winner if w})))
        rows.append(row)
    return pd.DataFrame(rows)


def seniors(model: pd.DataFrame) -> pd.DataFrame:
    """Per set × year of SENIOR_YEARS: senior stock (senior + staff) and senior vacancy age, annual means,
    mean and 95 % CI over runs (tidy: one row per set × year × output)."""
    sub = in_years(model, *SENIOR_YEARS)
    sub = sub.assign(calendar_year=calendar_year(sub),
                     senior_stock=sub["workers_by_seniority_senior"] + sub["workers_by_seniority_staff"])
    runs = sub.groupby(["run_id", "set_id", "calendar_year"])[["senior_stock", "senior_vacancy_duration"]].mean().reset_index()
    return pd.concat([replicate_ci(runs, ["set_id", "calendar_year"], o).assign(output=o)
                      for o in ("senior_stock", "senior_vacancy_duration")], ignore_index=True)


def _runs_for_cost(model: pd.DataFrame) -> pd.DataFrame:
    """Per run: public spend from the start to the end of COST_YEAR ($) and the senior stock in COST_YEAR."""
    spend = in_years(model, 0, COST_YEAR).groupby("run_id")["public_pipeline_spend"].sum()
    year = in_year(model, COST_YEAR)
    stock = (year["workers_by_seniority_senior"] + year["workers_by_seniority_staff"]).groupby(year["run_id"]).mean()
    keys = model.groupby("run_id")[["set_id", "replicate"]].first()
    return keys.assign(spend=spend, seniors=stock).dropna().reset_index()


def policy_cost(model: pd.DataFrame, sets: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Per set with a public policy: spend to the end of COST_YEAR, extra seniors in COST_YEAR over its
    reference set (paired by replicate when both have the same seeds), cost per extra senior, with 95 % CIs."""
    runs = _runs_for_cost(model)
    seeds = model.groupby("run_id")["seed"].first() if "seed" in model else None
    rng = np.random.default_rng(seed)
    rows = []
    for _, s in sets.iterrows():
        if s["reference"] < 0 or s["reference"] == s["set_id"]:
            continue
        a = runs[runs["set_id"] == s["set_id"]].sort_values("replicate")
        b = runs[runs["set_id"] == s["reference"]].sort_values("replicate")
        if len(a) < 2 or len(b) < 2:
            continue
        paired = (seeds is not None and len(a) == len(b)
                  and (seeds.loc[a["run_id"]].to_numpy() == seeds.loc[b["run_id"]].to_numpy()).all())
        if paired:
            diff = a["seniors"].to_numpy() - b["seniors"].to_numpy()
            extra, half = diff.mean(), t_quantile(len(diff))[()] * diff.std(ddof=1) / np.sqrt(len(diff))
            idx = rng.integers(0, len(a), (BOOTSTRAP, len(a)))
            boot_extra = diff[idx].mean(axis=1)
            boot_spend = a["spend"].to_numpy()[idx].mean(axis=1)
        else:
            va, vb = a["seniors"].var(ddof=1) / len(a), b["seniors"].var(ddof=1) / len(b)
            dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if va + vb > 0 else len(a) + len(b) - 2
            extra = a["seniors"].mean() - b["seniors"].mean()
            half = t_quantile(dof + 1)[()] * np.sqrt(va + vb)
            ia, ib = rng.integers(0, len(a), (BOOTSTRAP, len(a))), rng.integers(0, len(b), (BOOTSTRAP, len(b)))
            boot_extra = a["seniors"].to_numpy()[ia].mean(axis=1) - b["seniors"].to_numpy()[ib].mean(axis=1)
            boot_spend = a["spend"].to_numpy()[ia].mean(axis=1)
        spend = replicate_ci(a.assign(k=0), ["k"], "spend").iloc[0]
        gain_known = extra - half > 0 or extra + half < 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = boot_spend / boot_extra
        lo, hi = np.percentile(ratio, [50 * (1 - LEVEL), 50 * (1 + LEVEL)]) if gain_known else (np.nan, np.nan)
        rows.append({"set_id": s["set_id"], "scenario": s["scenario"], "policy": s["policy"], "reference": s["reference"],
                     "runs": len(a), "paired": paired,
                     f"spend_to_{COST_YEAR}": spend["mean"], "spend_ci95": (spend["ci_high"] - spend["ci_low"]) / 2,
                     f"extra_seniors_{COST_YEAR}": extra, "extra_seniors_ci95": half,
                     "cost_per_extra_senior": spend["mean"] / extra if gain_known else np.nan,
                     "cost_per_extra_senior_ci_low": lo, "cost_per_extra_senior_ci_high": hi,
                     "note": "" if gain_known else "no detectable gain in seniors (its CI includes 0)"})
    return pd.DataFrame(rows)


# --- figures -------------------------------------------------------------------------------------------------
def _wrap(title: str) -> str:
    return textwrap.fill(title, 48)


def _band(ax: Axes, x: pd.Series, ci: pd.DataFrame, label: str, color: Any, scale: float = 1.0) -> None:
    ax.plot(x, ci["mean"] / scale, label=label, color=color, lw=1.3)
    ax.fill_between(x, ci["ci_low"] / scale, ci["ci_high"] / scale, color=color, alpha=0.15, lw=0)


def _policy_colors(sets: pd.DataFrame) -> dict[str, str]:
    return {p: ("k" if p == "no policy" else f"C{i % 10}") for i, p in enumerate(dict.fromkeys(sets["policy"]))}


def figure_payoff(gaps: pd.DataFrame, sets: pd.DataFrame, path: Path, title: str) -> bool:
    shown = sets[sets["set_id"].isin(gaps["set_id"].unique())]
    scenarios = list(dict.fromkeys(shown["scenario"]))[:12]
    if not scenarios:
        return False
    fig, axes = _grid(len(scenarios))
    colors = _policy_colors(sets)
    for ax, scen in zip(axes, scenarios):
        for _, s in shown[shown["scenario"] == scen].iterrows():
            g = gaps[gaps["set_id"] == s["set_id"]]
            _band(ax, g["calendar_year"] + 1, g, s["policy"], colors[s["policy"]], scale=1e3)
        ax.axhline(0, color="grey", lw=0.7)
        ax.set(title=_wrap(scen), xlabel="year", ylabel="counter-cyclical − cutting, $k per 2022 worker")
        ax.title.set_fontsize(8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    _save(fig, path, f"{title}: does the counter-cyclical bet pay for the firm?")
    return True


def figure_mix(shares: pd.DataFrame, sets: pd.DataFrame, path: Path, title: str) -> bool:
    shown = _panels(sets[sets["set_id"].isin(shares["set_id"].unique())], n_max=12)
    if shown.empty:
        return False
    fig, axes = _grid(len(shown))
    for ax, (_, s) in zip(axes, shown.iterrows()):
        sub = shares[shares["set_id"] == s["set_id"]]
        for i, name in enumerate(STRATEGY_NAMES):
            ci = replicate_ci(sub[sub["strategy"] == name], ["calendar_year"], "share")
            if len(ci):
                _band(ax, ci["calendar_year"] + 0.5, ci, name, f"C{i}")
        ax.set(title=_wrap(f"{s['scenario']} · {s['policy']}"), xlabel="year", ylabel="share of firms", ylim=(0, 1))
        ax.title.set_fontsize(8)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    _save(fig, path, f"{title}: the strategy mix under imitation")
    return True


def figure_seniors(tab: pd.DataFrame, sets: pd.DataFrame, path: Path, title: str) -> bool:
    scenarios = list(dict.fromkeys(sets["scenario"]))
    scenarios = [scenarios[i] for i in np.unique(np.linspace(0, len(scenarios) - 1, min(len(scenarios), 4)).round().astype(int))]
    if tab.empty or not scenarios:
        return False
    fig, axes = plt.subplots(2, len(scenarios), figsize=(4.6 * len(scenarios), 7.0), squeeze=False)
    colors = _policy_colors(sets)
    for col, scen in enumerate(scenarios):
        for row, (output, unit) in enumerate((("senior_stock", "senior + staff employees"),
                                              ("senior_vacancy_duration", "months (open senior needs)"))):
            ax = axes[row, col]
            for _, s in sets[sets["scenario"] == scen].iterrows():
                g = tab[(tab["set_id"] == s["set_id"]) & (tab["output"] == output)]
                _band(ax, g["calendar_year"] + 0.5, g, s["policy"], colors[s["policy"]])
            ax.set(title=_wrap(scen) if row == 0 else "", xlabel="year", ylabel=unit)
            ax.title.set_fontsize(8)
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    _save(fig, path, f"{title}: senior stock (top) and senior vacancy age (bottom), {SENIOR_YEARS[0]}–{SENIOR_YEARS[1]}")
    return True


def figure_cost(cost: pd.DataFrame, path: Path, title: str) -> bool:
    if cost.empty:
        return False
    policies = list(dict.fromkeys(cost["policy"]))
    fig, axes = _grid(len(policies), w=5.0, h=3.8)
    for ax, pol in zip(axes, policies):
        sub = cost[cost["policy"] == pol].reset_index(drop=True)
        x, y = sub[f"extra_seniors_{COST_YEAR}"], sub[f"spend_to_{COST_YEAR}"] / 1e6
        ax.errorbar(x, y, xerr=sub["extra_seniors_ci95"], yerr=sub["spend_ci95"] / 1e6, fmt="o", ms=4, capsize=2)
        for i, (xi, yi) in enumerate(zip(x, y)):
            ax.annotate(str(i), (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.axvline(0, color="grey", lw=0.7)
        ax.axhline(0, color="grey", lw=0.7)
        ax.set(title=_wrap(pol), xlabel=f"extra seniors in {COST_YEAR} (vs no policy)", ylabel=f"public spend to {COST_YEAR}, $ million")
        ax.title.set_fontsize(8)
        ax.grid(alpha=0.3)
    _save(fig, path, f"{title}: public cost and extra seniors (points: scenarios, numbered as in policy_cost.csv)")
    return True


# --- the report section ----------------------------------------------------------------------------------------
def report_section(read: Callable[[str, list[str]], pd.DataFrame], manifest: dict[str, Any], labels: pd.DataFrame,
                   figures: Sequence[str], dest: Path
                   ) -> tuple[list[tuple[str, str]], list[str], dict[str, Path]]:
    """The pipeline figures asked for: returns (figures and captions, report.md lines, files written).
    ``read(table, columns)`` reads a table of the batch."""
    name, factors, columns = manifest["name"], manifest["factors"], manifest["columns"]
    keys = ["run_id", "set_id", "replicate", "seed", *columns, "month", "year"]
    sets = describe_sets(labels, factors)
    figs: list[tuple[str, str]] = []
    md: list[str] = []
    written: dict[str, Path] = {}
    model = read("model", keys + list(MODEL_COLUMNS)) if "model" in manifest["outputs"] else None
    firm = read("firm", keys + list(FIRM_COLUMNS)) if "firm" in manifest["outputs"] else None
    switching = _switching_sets(firm) if firm is not None else set()

    if "pipeline_payoff" in figures and firm is not None:
        gaps = payoff(firm[~firm["set_id"].isin(switching)])
        gaps.merge(sets[["set_id", "scenario", "policy"]], on="set_id").to_csv(dest / "pipeline_payoff.csv", index=False)
        written["pipeline_payoff"] = dest / "pipeline_payoff.csv"
        if figure_payoff(gaps, sets, dest / "pipeline_payoff.png", name):
            figs.append(("pipeline_payoff.png", "Counter-cyclical minus cutting firms' cumulative profit per 2022 worker "
                                                "(mean ± 95 % CI over runs), sets with fixed strategies; above 0: the bet pays for the firm"))
        final = gaps[gaps["calendar_year"] == gaps["calendar_year"].max()].merge(sets[["set_id", "scenario", "policy"]], on="set_id")
        final = final.assign(gap_k=final["mean"] / 1e3, ci95_k=(final["ci_high"] - final["ci_low"]) / 2e3)
        md += ["## Does the counter-cyclical bet pay for the firm?", "",
               f"Counter-cyclical − cutting cumulative profit per 2022 worker at the end of {int(gaps['calendar_year'].max()) if len(gaps) else ''}"
               " ($ thousand, mean ± 95 % CI half-width over runs; sets with fixed strategies).", "",
               markdown_table(final[["set_id", "scenario", "policy", "n", "gap_k", "ci95_k"]]), ""]
    if "strategy_mix" in figures and firm is not None:
        shares = strategy_shares(firm[firm["set_id"].isin(switching)])
        tip = tipping(shares) if len(shares) else pd.DataFrame()
        if len(tip):
            tip = sets[["set_id", "scenario", "policy"]].merge(tip, on="set_id")
            tip.to_csv(dest / "strategy_mix.csv", index=False)
            written["strategy_mix"] = dest / "strategy_mix.csv"
            md += ["## The strategy mix under imitation", "",
                   f"Share of firms per strategy in the final year (mean over runs), and per run the year counter-cyclical "
                   f"firms die out for good and the year one strategy holds ≥ {TIPPED:.0%} of firms for good (median over "
                   "the runs where it happens; how many runs).", "",
                   markdown_table(tip.drop(columns=[c for c in tip if c.endswith("_ci95")])), ""]
        if figure_mix(shares, sets, dest / "strategy_mix.png", name):
            figs.append(("strategy_mix.png", "Share of firms per strategy under imitation (mean ± 95 % CI over runs)"))
    if "pipeline_seniors" in figures and model is not None:
        tab = seniors(model)
        tab.merge(sets[["set_id", "scenario", "policy"]], on="set_id").to_csv(dest / "pipeline_seniors.csv", index=False)
        written["pipeline_seniors"] = dest / "pipeline_seniors.csv"
        if figure_seniors(tab, sets, dest / "pipeline_seniors.png", name):
            figs.append(("pipeline_seniors.png", f"Senior stock and senior vacancy age {SENIOR_YEARS[0]}–{SENIOR_YEARS[1]} "
                                                 "by public policy (mean ± 95 % CI over runs)"))
    if "policy_cost" in figures and model is not None:
        cost = policy_cost(model, sets)
        if len(cost):
            cost.to_csv(dest / "policy_cost.csv", index=False)
            written["policy_cost"] = dest / "policy_cost.csv"
            show = cost.assign(**{f"spend_to_{COST_YEAR}_M": cost[f"spend_to_{COST_YEAR}"] / 1e6,
                                  "cost_per_extra_senior_M": cost["cost_per_extra_senior"] / 1e6,
                                  "ci_low_M": cost["cost_per_extra_senior_ci_low"] / 1e6,
                                  "ci_high_M": cost["cost_per_extra_senior_ci_high"] / 1e6})
            md += [f"## Public cost per extra senior in {COST_YEAR}", "",
                   f"Public pipeline spend from the start to the end of {COST_YEAR} ($ million), extra senior + staff "
                   f"employees in {COST_YEAR} over the same scenario without the policy (± 95 % CI; paired by replicate "
                   "when the seeds match) and the cost per extra senior ($ million, bootstrap 95 % CI).", "",
                   markdown_table(show[["set_id", "scenario", "policy", "runs", f"spend_to_{COST_YEAR}_M",
                                        f"extra_seniors_{COST_YEAR}", "extra_seniors_ci95", "cost_per_extra_senior_M",
                                        "ci_low_M", "ci_high_M", "note"]]), ""]
        if figure_cost(cost, dest / "policy_cost.png", name):
            figs.append(("policy_cost.png", f"Public spend to {COST_YEAR} against extra seniors in {COST_YEAR} "
                                            "(± 95 % CI), one panel per policy"))
    for fname, _ in figs:
        written[fname] = dest / fname
    return figs, md, written
