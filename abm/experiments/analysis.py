"""Batch analysis: replicate means with 95 % confidence intervals, plots with bands, a summary
table, and Sobol/Morris sensitivity indices for sample specs (SALib)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from abm.experiments.storage import failed_runs, read_table

DEFAULT_OUTPUTS = ("unemployment_rate", "mismatch_index", "ai_premium", "workers_by_seniority_senior",
                   "senior_vacancy_duration", "remote_onsite_pay_ratio_adjusted", "long_term_unemployed_share",
                   "retrained_employment_rate")


def ci_table(df: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Mean, standard error and 95 % normal CI of ``value`` over replicates, grouped by ``by``."""
    g = df.groupby(by, observed=True)[value]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    se = out["sd"].fillna(0.0) / np.sqrt(out["n"].clip(lower=1))
    return out.assign(ci_low=out["mean"] - 1.96 * se, ci_high=out["mean"] + 1.96 * se)


def label(row: pd.Series, varied: list[str]) -> str:
    return ", ".join(f"{k}={row[k]:g}" if isinstance(row[k], float) else f"{k}={row[k]}" for k in varied)


def summary(model: pd.DataFrame, varied: list[str], outputs: list[str]) -> pd.DataFrame:
    """Per parameter set: each output's mean over the final 12 months, mean ± 95 % CI over replicates."""
    last = model[model["month"] > model["month"].max() - 12]
    per_run = last.groupby(["set_id", "replicate", *varied], observed=True)[outputs].mean().reset_index()
    rows = []
    for keys, sub in per_run.groupby(["set_id", *varied], observed=True):
        row = dict(zip(["set_id", *varied], keys if isinstance(keys, tuple) else (keys,)))
        row["replicates"] = len(sub)
        for o in outputs:
            m, sd = sub[o].mean(), sub[o].std(ddof=1) if len(sub) > 1 else 0.0
            half = 1.96 * sd / np.sqrt(len(sub))
            row[o] = f"{m:.4g} ± {half:.2g}"
        rows.append(row)
    return pd.DataFrame(rows)


def plot_outputs(model: pd.DataFrame, varied: list[str], outputs: list[str], path: Path, title: str) -> None:
    """One panel per output: mean over replicates by year, a line and a 95 % band per parameter set."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n = len(outputs)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 3.8 * rows), squeeze=False)
    sets = model.drop_duplicates("set_id").sort_values("set_id")
    cmap = plt.get_cmap("viridis", max(len(sets), 2))
    for ax, o in zip(axes.ravel(), outputs):
        for i, (_, s) in enumerate(sets.iterrows()):
            sub = model[model["set_id"] == s["set_id"]]
            t = ci_table(sub, ["year"], o)
            ax.plot(t["year"], t["mean"], color=cmap(i), lw=1.2, label=label(s, varied) if varied else "runs")
            ax.fill_between(t["year"], t["ci_low"], t["ci_high"], color=cmap(i), alpha=0.2, lw=0)
        ax.set(title=o, xlabel="year")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    if len(sets) <= 12:
        axes.ravel()[0].legend(fontsize=7)
    fig.suptitle(f"{title}: mean over replicates with 95 % CI", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def overtaking_year(firm: pd.DataFrame, leader: str = "counter_cyclical", rival: str = "cutting") -> pd.DataFrame:
    """Per parameter set: the first year ``leader``'s cumulative profit per 2022 worker exceeds ``rival``'s."""
    rows = []
    for set_id, sub in firm.groupby("set_id"):
        base = sub[sub["month"] == 0].groupby("strategy")["headcount"].mean()
        per = sub.assign(per_worker=sub["cumulative_profit"] / sub["strategy"].map(base).clip(lower=1))
        wide = per.groupby(["year", "strategy"])["per_worker"].mean().unstack()
        year = None
        if leader in wide and rival in wide and base.get(leader, 0) > 0 and base.get(rival, 0) > 0:
            ahead = wide.index[(wide[leader] > wide[rival]).to_numpy() & (wide.index > wide.index.min())]
            year = float(np.floor(ahead[0] - 1 / 12 + 1e-9)) if len(ahead) else None
        rows.append({"set_id": set_id, "overtakes_in_year": year})
    return pd.DataFrame(rows)


def sensitivity(model: pd.DataFrame, manifest: dict, outputs: list[str]) -> pd.DataFrame | None:
    """Sobol (first/total order) or Morris (mu*, sigma) indices of final-year outputs."""
    sample = manifest["spec"].get("sample")
    if not sample or sample["method"] == "random":
        return None
    names = list(sample["ranges"])
    problem = {"num_vars": len(names), "names": names, "bounds": [list(sample["ranges"][n]) for n in names]}
    last = model[model["month"] > model["month"].max() - 12]
    y = last.groupby("set_id")[outputs].mean().sort_index()
    x = last.groupby("set_id")[names].first().sort_index().to_numpy()
    rows = []
    for o in outputs:
        if sample["method"] == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y[o].to_numpy(), calc_second_order=False, seed=0)
            rows += [{"output": o, "parameter": n, "S1": res["S1"][i], "ST": res["ST"][i]} for i, n in enumerate(names)]
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, x, y[o].to_numpy(), seed=0)
            rows += [{"output": o, "parameter": n, "mu_star": res["mu_star"][i], "sigma": res["sigma"][i]} for i, n in enumerate(names)]
    return pd.DataFrame(rows)


def report(out: str | Path) -> dict[str, Path]:
    """Write plots and tables for a batch directory; returns what was written."""
    out = Path(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    varied = manifest.get("varied", [])
    outputs = manifest["spec"]["experiment"].get("key_outputs") or list(DEFAULT_OUTPUTS)
    model = read_table(out, "model")
    written: dict[str, Path] = {}
    table = summary(model, varied, outputs)
    table.to_csv(out / "summary.csv", index=False)
    (out / "summary.md").write_text(table.to_string(index=False), encoding="utf-8")
    written["summary"] = out / "summary.csv"
    name = manifest["spec"]["experiment"]["name"]
    if manifest["spec"].get("sample") is None or len(model["set_id"].unique()) <= 12:
        plot_outputs(model, varied, outputs, out / "outputs.png", name)
        written["plot"] = out / "outputs.png"
    if (out / "firm").exists():
        firm = read_table(out, "firm")
        ov = overtaking_year(firm).merge(model.drop_duplicates("set_id")[["set_id", *varied]], on="set_id")
        ov.to_csv(out / "overtaking_year.csv", index=False)
        written["overtaking"] = out / "overtaking_year.csv"
    sens = sensitivity(model, manifest, outputs)
    if sens is not None:
        sens.to_csv(out / "sensitivity.csv", index=False)
        written["sensitivity"] = out / "sensitivity.csv"
    fails = failed_runs(out)
    if fails:
        pd.DataFrame(fails).drop(columns=["traceback"], errors="ignore").to_csv(out / "failures.csv", index=False)
        written["failures"] = out / "failures.csv"
    return written
