"""Batch analysis: replicate means with 95 % confidence intervals, summary tables, the year one
strategy overtakes another, remote/onsite pay by cluster, SALib sensitivity indices, and
:func:`report`, which writes all of it (with :mod:`abm.experiments.figures`) for ``abm report``.

Every function takes tidy DataFrames as stored by ``abm sweep`` (key columns ``run_id``,
``set_id``, ``replicate``, ``seed`` and the varied parameters), so it works the same on a batch
read with pandas, with DuckDB, or a subset of it.

Confidence intervals are over replicates (independent runs of one parameter set):
mean ± t(0.975, n−1) · sd / √n (Student's t: with 3–5 replicates the normal 1.96 is too narrow);
no interval with one replicate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.experiments.spec import ReportSpec
from abm.experiments.storage import ResultsError, read_ledger, read_table, verify
from abm.experiments.storage import load_manifest as storage_manifest
from abm.measures import KEY_OUTPUTS, calendar_years, in_year, overtaking_years, per_2022_worker, suggest
from abm.params import ParameterError

LEVEL = 0.95


# --- statistics ------------------------------------------------------------------------------------
def t_quantile(n: np.ndarray | int, level: float = LEVEL) -> np.ndarray:
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(n > 1, stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)), np.nan)


def replicate_ci(df: pd.DataFrame, by: list[str], value: str, level: float = LEVEL) -> pd.DataFrame:
    """Mean, sd, n and the ``level`` CI of ``value`` over the rows of each ``by`` group (NaN values skipped)."""
    g = df.groupby(by, observed=True, sort=True)[value]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    half = t_quantile(out["n"].to_numpy(), level) * out["sd"].to_numpy() / np.sqrt(out["n"].clip(lower=1).to_numpy())
    return out.assign(ci_low=out["mean"] - half, ci_high=out["mean"] + half)


def per_run(model: pd.DataFrame, outputs: list[str], columns: list[str], *, window_months: int | None = None,
            year: int | None = None) -> pd.DataFrame:
    """One row per run: each output's mean over the run's final ``window_months`` (or calendar ``year``)."""
    keys = [c for c in ("run_id", "set_id", "replicate", *columns) if c in model]
    if year is not None:
        sub = in_year(model, year)
    else:
        last = model.groupby("run_id")["month"].transform("max")
        sub = model[model["month"] > last - window_months]
    return sub.groupby(keys, observed=True, sort=True)[outputs].mean().reset_index()


def summary(model: pd.DataFrame, columns: list[str], outputs: list[str], window_months: int = 12,
            years: list[int] | tuple[int, ...] = ()) -> pd.DataFrame:
    """Tidy summary: per parameter set × output × period, mean / sd / n / 95 % CI over replicates."""
    periods: list[tuple[str, pd.DataFrame]] = [(f"final {window_months} months", per_run(model, outputs, columns, window_months=window_months))]
    periods += [(str(y), per_run(model, outputs, columns, year=y)) for y in years]
    frames = []
    for label, runs in periods:
        if runs.empty:
            continue
        for o in outputs:
            ci = replicate_ci(runs, ["set_id", *columns], o)
            frames.append(ci.assign(output=o, period=label))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out[["set_id", *columns, "output", "period", "n", "mean", "sd", "ci_low", "ci_high"]]


# --- firm strategies: the overtaking year ---------------------------------------------------------
def profit_per_worker(firm: pd.DataFrame) -> pd.DataFrame:
    """The firm table with ``profit_per_worker``: cumulative profit per worker the strategy's firms
    employed at month 0, per run (:func:`abm.measures.per_2022_worker`)."""
    return firm.assign(profit_per_worker=per_2022_worker(firm).to_numpy())


def _overtake(months: np.ndarray, years: np.ndarray, lead: np.ndarray, rival: np.ndarray) -> tuple[float, float]:
    """(first year ahead, year ahead for good) of ``lead`` over ``rival`` over the months of a run
    (the initial state left out); NaN where not (:func:`abm.measures.overtaking_years`)."""
    run = months > 0
    return overtaking_years(calendar_years(years[run]), lead[run], rival[run])


def overtaking(firm: pd.DataFrame, columns: list[str], leader: str = "counter_cyclical", rival: str = "cutting") -> pd.DataFrame:
    """Per parameter set: the calendar year ``leader``'s cumulative profit per 2022 worker overtakes
    ``rival``'s for good (ahead from then to the horizon), on the replicate-mean curves and per run."""
    per = profit_per_worker(firm)
    per = per[per["strategy"].isin([leader, rival])]
    rows = []
    keys = ["set_id", *columns]
    for key, sub in per.groupby(keys, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        wide = sub.pivot_table(index=["run_id", "month", "year"], columns="strategy", values="profit_per_worker",
                               observed=True).reset_index()
        row: dict[str, Any] = dict(zip(keys, key))
        if leader not in wide or rival not in wide:
            rows.append({**row, "runs": sub["run_id"].nunique(), "note": f"no {leader if leader not in wide else rival} firms"})
            continue
        mean = wide.groupby(["month", "year"])[[leader, rival]].mean().reset_index()
        first, good = _overtake(mean["month"].to_numpy(), mean["year"].to_numpy(), mean[leader].to_numpy(), mean[rival].to_numpy())
        run_years = np.array([_overtake(r["month"].to_numpy(), r["year"].to_numpy(), r[leader].to_numpy(),
                                        r[rival].to_numpy())[1] for _, r in wide.groupby("run_id")], dtype=float)
        last = wide[wide["month"] == wide["month"].max()]
        gap = (last[leader] - last[rival]).to_numpy()
        half = t_quantile(len(gap))[()] * gap.std(ddof=1) / np.sqrt(len(gap)) if len(gap) > 1 else np.nan
        if np.isnan(gap).all():
            rows.append({**row, "runs": len(run_years), "note": f"no {leader} or {rival} firms"})
            continue
        rows.append({**row, "overtakes_for_good_year": good, "first_ahead_year": first,
                     "runs": len(run_years), "runs_overtaking": int(np.isfinite(run_years).sum()),
                     "run_year_min": np.nanmin(run_years) if np.isfinite(run_years).any() else np.nan,
                     "run_year_median": np.nanmedian(run_years) if np.isfinite(run_years).any() else np.nan,
                     "run_year_max": np.nanmax(run_years) if np.isfinite(run_years).any() else np.nan,
                     "final_gap_per_worker": float(np.nanmean(gap)), "final_gap_ci95": float(half), "note": ""})
    cols = [*keys, "overtakes_for_good_year", "first_ahead_year", "runs", "runs_overtaking", "run_year_min",
            "run_year_median", "run_year_max", "final_gap_per_worker", "final_gap_ci95", "note"]
    return pd.DataFrame(rows, columns=cols)


# --- remote pay by cluster ------------------------------------------------------------------------
def pay_ratio_by_cluster(pay: pd.DataFrame, columns: list[str], window_months: int = 12,
                         by: str = "cluster") -> pd.DataFrame:
    """Remote/onsite pay ratio per set × ``by`` (cluster or pay_policy) over the final months:
    cells weighted by their remote workers within each run, then mean ± 95 % CI over replicates."""
    last = pay.groupby("run_id")["month"].transform("max")
    sub = pay[(pay["month"] > last - window_months) & pay["remote_onsite_pay_ratio"].notna() & (pay["remote_workers"] > 0)]
    sub = sub.assign(w=sub["remote_workers"].astype(float), wr=sub["remote_workers"] * sub["remote_onsite_pay_ratio"])
    keys = ["run_id", "set_id", "replicate", *columns, by]
    g = sub.groupby(keys, observed=True)[["w", "wr"]].sum().reset_index()
    g["ratio"] = g["wr"] / g["w"]
    ci = replicate_ci(g, ["set_id", *columns, by], "ratio")
    return ci


# --- sensitivity (SALib) ------------------------------------------------------------------------------
def sensitivity(model: pd.DataFrame, manifest: dict[str, Any], outputs: list[str], window_months: int = 12) -> tuple[pd.DataFrame | None, str]:
    """Sobol (S1, ST with confidence) or Morris (mu*, sigma) indices of the final-window outputs."""
    sample = manifest["spec"].get("sample")
    if not sample or sample.get("method") not in ("sobol", "morris"):
        return None, ""
    names = list(sample["ranges"])
    problem = {"num_vars": len(names), "names": names, "bounds": [list(map(float, sample["ranges"][n])) for n in names]}
    runs = per_run(model, outputs, [], window_months=window_months)
    y_all = runs.groupby("set_id")[outputs].mean().reindex(range(manifest["n_sets"]))
    missing = int(y_all.isna().all(axis=1).sum())
    if missing:
        return None, f"sensitivity skipped: {missing} of {manifest['n_sets']} sample points have no successful run"
    rows, skipped = [], []
    x = pd.DataFrame(manifest["sets"]).sort_values("set_id")[names].to_numpy(dtype=float)
    for o in outputs:
        y = y_all[o].to_numpy(dtype=float)
        if np.isnan(y).any() or np.nanstd(y) == 0:
            skipped.append(o)
            continue
        if sample["method"] == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=bool(sample.get("second_order", False)), seed=0)
            rows += [{"output": o, "parameter": n, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                      "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]} for i, n in enumerate(names)]
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, x, y, num_levels=int(sample.get("levels", 4)), seed=0)
            rows += [{"output": o, "parameter": n, "mu_star": res["mu_star"][i], "mu_star_conf": res["mu_star_conf"][i],
                      "mu": res["mu"][i], "sigma": res["sigma"][i]} for i, n in enumerate(names)]
    note = f"no indices for {', '.join(skipped)} (constant or missing values)" if skipped else ""
    return (pd.DataFrame(rows) if rows else None), note


# --- the report ---------------------------------------------------------------------------------------
def load_manifest(results: str | Path) -> dict[str, Any]:
    """The manifest of a results directory (:func:`abm.experiments.storage.load_manifest`)."""
    return storage_manifest(Path(results))


def set_labels(manifest: dict[str, Any]) -> pd.DataFrame:
    """set_id, the varied columns and a short label per parameter set (from the factors)."""
    sets = pd.DataFrame(manifest["sets"])
    factors = manifest["factors"]

    def lab(row: pd.Series) -> str:
        return ", ".join(f"{k}={row[k]:g}" if isinstance(row[k], float) else f"{k}={row[k]}" for k in factors) or "all runs"

    return sets.assign(label=sets.apply(lab, axis=1) if len(sets) else [])


def _fmt(m: float, lo: float, hi: float) -> str:
    if not np.isfinite(m):
        return "–"
    if not np.isfinite(lo):
        return f"{m:.4g}"
    return f"{m:.4g} ± {(hi - lo) / 2:.2g}"


def markdown_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append("–" if not np.isfinite(v) else f"{v:.4g}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_markdown(summ: pd.DataFrame, factors: list[str]) -> str:
    parts = []
    for period, sub in summ.groupby("period", sort=False):
        sub = sub.assign(cell=[_fmt(m, lo, hi) for m, lo, hi in zip(sub["mean"], sub["ci_low"], sub["ci_high"])])
        wide = sub.pivot_table(index=["set_id", *factors], columns="output", values="cell", aggfunc="first", sort=False)
        n = sub.groupby("set_id")["n"].max()
        wide = wide.reset_index()
        wide.insert(len(factors) + 1, "replicates", wide["set_id"].map(n))
        order = list(dict.fromkeys(sub["output"]))
        parts.append(f"**{period}** — mean ± 95 % CI half-width over replicates\n\n"
                     + markdown_table(wide[["set_id", *factors, "replicates", *order]]))
    return "\n\n".join(parts)


def report(results: str | Path, out: str | Path | None = None, outputs: list[str] | None = None,
           window_months: int | None = None) -> dict[str, Path]:
    """Write the report of a batch directory (see ``abm report --help``); returns what was written."""
    from abm.experiments import figures
    from abm.metrics import MODEL_COLUMNS

    results = Path(results)
    manifest = load_manifest(results)
    damaged = verify(results)
    if damaged:
        raise ResultsError(f"{results}: {len(damaged)} task(s) do not verify ({damaged[0].problem}); allowed: verified "
                           f"data only — run `abm sweep {manifest.get('spec_file') or 'SPEC'} --out {results}` to run "
                           "their runs again")
    rspec = ReportSpec(**manifest["spec"].get("report", {}))
    outputs = list(outputs or rspec.outputs or KEY_OUTPUTS)
    bad = [o for o in outputs if o not in MODEL_COLUMNS]
    if bad:
        raise ParameterError(f"--outputs: unknown model column '{bad[0]}'{suggest(bad[0], list(MODEL_COLUMNS))}; allowed: "
                             "the model-table columns in docs/outputs.md")
    window = window_months or rspec.window_months
    factors, columns = manifest["factors"], manifest["columns"]
    x = rspec.x or (factors[0] if factors else None)
    name = manifest["name"]
    dest = Path(out) if out else results / "report"
    dest.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    notes: list[str] = []
    labels = set_labels(manifest)
    ledger = read_ledger(results)
    n_ok = int((ledger["status"] == "ok").sum()) if len(ledger) else 0
    fails = ledger[ledger["status"] == "failed"] if len(ledger) else ledger
    if n_ok == 0:
        raise ResultsError(f"{results} has no successful runs yet; allowed: a folder with at least one finished run "
                           f"(run `abm sweep {manifest.get('spec_file') or 'SPEC'} --out {results}`)")
    if manifest.get("rounded"):
        notes.append(f"integer parameter(s) {', '.join(manifest['rounded'])}: the sampled values were rounded to the "
                     "nearest integer (the sets in manifest.json hold the values run)")
    if len(ledger) < manifest["n_runs"]:
        notes.append(f"partial batch: {len(ledger)} of {manifest['n_runs']} runs committed; rerun `abm sweep` to finish")
    if len(fails):
        notes.append(f"{len(fails)} run(s) failed; see failures.csv")
        cols = [c for c in ("run_id", "set_id", "replicate", "seed", *columns, "error") if c in fails]
        fails[cols].to_csv(dest / "failures.csv", index=False)
        written["failures"] = dest / "failures.csv"

    need = ["run_id", "set_id", "replicate", *columns, "month", "year", *outputs]
    extra = [c for c in ("unemployment_rate", "vacancy_rate") if c not in need and "beveridge" in rspec.figures]
    model = read_table(results, "model", columns=list(dict.fromkeys(need + extra))) if "model" in manifest["outputs"] else None
    figs: list[tuple[str, str]] = []
    if model is not None:
        summ = summary(model, columns, outputs, window, rspec.years)
        summ.to_csv(dest / "summary.csv", index=False)
        (dest / "summary.md").write_text(summary_markdown(summ, factors) + "\n", encoding="utf-8")
        written["summary"] = dest / "summary.csv"
        written["summary_md"] = dest / "summary.md"
        if figures.timeseries(model, labels, outputs, x, dest / "timeseries.png", title=name):
            figs.append(("timeseries.png", "Key outputs by month: mean over replicates ± 95 % CI per parameter set"))
        if factors and figures.final(summ[summ["period"] == f"final {window} months"], factors, outputs, x,
                                     dest / "final.png", title=f"{name}: mean of the final {window} months",
                                     sample=manifest["method"] != "grid"):
            figs.append(("final.png", f"Final-{window}-month mean ± 95 % CI against {x}"))
        grid_axes = [k for k, v in manifest["spec"].get("grid", {}).items() if not (v and isinstance(v[0], dict))]
        if ("heatmap" in rspec.figures or (len(factors) == 2 and len(grid_axes) == 2)) and len(factors) == 2:
            if figures.heatmap(summ[summ["period"] == f"final {window} months"], factors, outputs, dest / "heatmap.png", title=name):
                figs.append(("heatmap.png", f"Final-{window}-month means on the two-factor grid"))
        if "beveridge" in rspec.figures:
            figures.beveridge(model, labels, dest / "beveridge.png", title=name)
            figs.append(("beveridge.png", "Beveridge curves: vacancy against unemployment rate (replicate means), by set"))
        sens, note = sensitivity(model, manifest, outputs, window)
        if note:
            notes.append(note)
        if sens is not None:
            sens.to_csv(dest / "sensitivity.csv", index=False)
            written["sensitivity"] = dest / "sensitivity.csv"
            figures.sensitivity(sens, dest / "sensitivity.png", title=name)
            figs.append(("sensitivity.png", "Sensitivity indices (SALib)"))
    ov = None
    if "firm" in manifest["outputs"] and ("profit_by_strategy" in rspec.figures or not rspec.figures):
        firm = read_table(results, "firm", columns=["run_id", "set_id", "replicate", *columns, "month", "year", "strategy",
                                                    "headcount", "cumulative_profit"])
        ov = overtaking(firm, columns)
        ov.to_csv(dest / "overtaking.csv", index=False)
        written["overtaking"] = dest / "overtaking.csv"
        if "profit_by_strategy" in rspec.figures:
            figures.profit_by_strategy(profit_per_worker(firm), labels, ov, dest / "profit_by_strategy.png", title=name)
            figs.append(("profit_by_strategy.png", "Cumulative profit per 2022 worker by strategy (mean ± 95 % CI); "
                                                   "dashed: the year counter-cyclical overtakes cutting for good"))
    pay_tab = None
    if "pay" in manifest["outputs"] and ("pay_by_cluster" in rspec.figures or not rspec.figures):
        pay = read_table(results, "pay")
        pay_tab = pay_ratio_by_cluster(pay, columns, window)
        pol = pay_ratio_by_cluster(pay, columns, window, by="pay_policy")
        pd.concat([pay_tab.rename(columns={"cluster": "group"}).assign(by="cluster"),
                   pol.rename(columns={"pay_policy": "group"}).assign(by="pay_policy")]).to_csv(dest / "pay_by_cluster.csv", index=False)
        written["pay_by_cluster"] = dest / "pay_by_cluster.csv"
        if "pay_by_cluster" in rspec.figures and x is not None:
            figures.pay_by_cluster(pay_tab, pol, x, factors, dest / "pay_by_cluster.png", title=name)
            figs.append(("pay_by_cluster.png", f"Remote/onsite pay ratio (final {window} months) by cluster and by pay "
                                               f"policy against {x}"))
    pipeline_md: list[str] = []
    pipeline_figures = [f for f in rspec.figures if f.startswith(("pipeline_", "strategy_mix", "policy_cost"))]
    if pipeline_figures:  # issue 11: who pays for the pipeline (abm.experiments.pipeline)
        from abm.experiments import pipeline

        p_figs, pipeline_md, p_written = pipeline.report_section(
            lambda table, cols: read_table(results, table, columns=cols), manifest, labels, pipeline_figures, dest)
        figs += p_figs
        written.update(p_written)
    for fname, _ in figs:
        written[fname] = dest / fname

    # the index
    md = [f"# {name}", "", manifest.get("description", ""), "",
          f"- runs: {n_ok} ok, {len(fails)} failed, {manifest['n_runs']} planned ({manifest['n_sets']} parameter sets × "
          f"{manifest['replicates']} replicates, {manifest['months']} months, root seed {manifest['root_seed']})",
          f"- varied: {', '.join(factors) or 'nothing'}" + (f" (and {', '.join(manifest['derived'])} as the remainder)" if manifest["derived"] else ""),
          f"- abm {manifest['versions']['abm']}, data: `{results}` (tables {', '.join(manifest['outputs'])}, runs)", ""]
    md += [f"> {n}" for n in notes] + ([""] if notes else [])
    for fname, caption in figs:
        md += [f"## {caption}", "", f"![{fname}]({fname})", ""]
    md += pipeline_md
    if model is not None:
        md += ["## Summary", "", (dest / "summary.md").read_text(encoding="utf-8"), ""]
    if ov is not None and len(ov):
        md += ["## Counter-cyclical vs cutting: the overtaking year", "",
               "Calendar year from which counter-cyclical firms' cumulative profit per 2022 worker stays above cutting "
               "firms' to the horizon (replicate-mean curves; per-run years in overtaking.csv). Empty: never (for good).", "",
               markdown_table(ov.drop(columns=manifest["derived"])), ""]
    if "sensitivity" in written:
        md += ["## Sensitivity indices", "", markdown_table(pd.read_csv(dest / "sensitivity.csv")), ""]
    (dest / "report.md").write_text("\n".join(md), encoding="utf-8")
    written["report"] = dest / "report.md"
    return written


__all__ = ["replicate_ci", "per_run", "summary", "overtaking", "profit_per_worker", "pay_ratio_by_cluster", "sensitivity",
           "report"]
