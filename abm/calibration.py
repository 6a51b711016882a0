"""Calibration: the 2022–2026 facts as targets, a report of how close the baseline comes, the
documented search that fitted the calibrated parameters, and forward scenarios from 2026.

The targets are :data:`abm.measures.TARGETS`: each is **computed from model output** (the tidy
tables) and compared with a band accepted around the fact quoted in ``shared/FACTS.md`` (source
article named). Nothing here writes a value into the model: a miss is reported as a miss. Runs go
through :mod:`abm.runs` (the report and the forward scenarios) and a search is an experiment spec
(:mod:`abm.experiments.spec`: a grid, seeds) whose runs are scored by the targets.

    abm calibrate                         # baseline, seeds 1–5, prints and writes the report
    abm calibrate --search experiments/calibration_grid.toml   # re-run the documented search
    abm calibrate --forward               # 2026 → 2035: firms switch strategy in January 2026
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from abm import diagnostics
from abm.experiments.spec import ExperimentSpec
from abm.measures import (
    TARGET_TABLES,
    TARGETS,
    TARGETS_LAST_YEAR,
    calendar_year,
    evaluate,
    overtaking_years,
    per_2022_worker,
)
from abm.params import ParameterError, Params
from abm.runs import MONTHS_MAX, Intervention, Results, RunSpec, run_many
from abm.strategies import BY_NAME

Progress = Callable[[int, int], None]
#: seeds of the calibration report by default (1..5), and the most ``--seeds`` may ask for
DEFAULT_SEEDS = 5
MAX_SEEDS = 1000


# --- running ------------------------------------------------------------------------------------

def target_runs(params: Params, seeds: Sequence[int], months: int) -> list[RunSpec]:
    """One run per seed of ``params`` keeping the tables the targets read."""
    p = params.model_copy(update={"worker_agents": False})
    return [RunSpec(f"seed {s}", p, s, months, tables=TARGET_TABLES) for s in seeds]


def score(results: Sequence[Results]) -> pd.DataFrame:
    """Target values per run (rows, indexed by seed)."""
    return pd.DataFrame([evaluate(r.tables) for r in results], index=pd.Index([r.seed for r in results], name="seed"))


def simulate(params: Params, seeds: Sequence[int], months: int, executor: Executor | None = None,
             progress: Progress | None = None) -> pd.DataFrame:
    """Target values per seed (rows); on ``executor`` when given."""
    return score(run_many(target_runs(params, seeds, months), executor, progress))


def report_table(values: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in TARGETS:
        v = values[t.name]
        mean = float(v.mean())
        rows.append({"target": t.name, "fact": t.fact, "source": t.source,
                     "simulated_mean": mean, "simulated_sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
                     "simulated_min": float(v.min()), "simulated_max": float(v.max()),
                     "band_low": t.low, "band_high": t.high, "result": "pass" if t.passes(mean) else "MISS"})
    return pd.DataFrame(rows)


def loss(values: pd.DataFrame) -> float:
    """Search objective: weighted sum of the seed-mean targets' distances outside their bands."""
    return float(sum(t.weight * t.distance(float(values[t.name].mean())) for t in TARGETS))


def plot_report(table: pd.DataFrame, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(table), 1, figsize=(8, 1.0 * len(table) + 1))
    for ax, (_, r) in zip(axes, table.iterrows()):
        hi = r["band_high"] if np.isfinite(r["band_high"]) else max(r["simulated_max"], r["band_low"]) * 1.5 + 1e-9
        ax.axvspan(r["band_low"], hi, color="C2" if r["result"] == "pass" else "C3", alpha=0.2)
        ax.errorbar([r["simulated_mean"]], [0], xerr=[[r["simulated_mean"] - r["simulated_min"]], [r["simulated_max"] - r["simulated_mean"]]],
                    fmt="o", color="k")
        ax.set_yticks([])
        ax.set_title(f"{r['target']} — {r['result']}", fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
    fig.suptitle("Calibration: simulated (mean, min–max over seeds) vs accepted band", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def format_table(table: pd.DataFrame) -> str:
    lines = [f"{'target':36} {'simulated mean ± sd [min, max]':36} {'band':18} result  fact (source)"]
    for _, r in table.iterrows():
        sim = f"{r['simulated_mean']:.3g} ± {r['simulated_sd']:.2g} [{r['simulated_min']:.3g}, {r['simulated_max']:.3g}]"
        band = f"[{r['band_low']:g}, {r['band_high']:g}]"
        lines.append(f"{r['target']:36} {sim:36} {band:18} {r['result']:6}  {r['fact']} ({r['source']})")
    return "\n".join(lines)


# --- the documented search ------------------------------------------------------------------------

def search(spec: ExperimentSpec, executor: Executor | None = None, progress: Progress | None = None) -> pd.DataFrame:
    """Score every parameter set of an experiment spec (a grid on the same seeds) by the targets;
    one row per set, sorted by loss (best first)."""
    from abm.experiments.runner import plan_runs

    points = spec.points()
    plan = plan_runs(spec, len(points))
    params = [spec.run_params(p) for p in points]
    runs = [RunSpec(f"set {r.set_id}, seed {r.seed}", params[r.set_id], r.seed, spec.experiment.months, tables=TARGET_TABLES)
            for r in plan]
    results = run_many(runs, executor, progress)
    rows = []
    for k, point in enumerate(points):
        values = score([res for r, res in zip(plan, results) if r.set_id == k])
        rows.append({**point, "loss": loss(values),
                     "passes": int(sum(t.passes(float(values[t.name].mean())) for t in TARGETS)),
                     **{t.name: float(values[t.name].mean()) for t in TARGETS}})
    return pd.DataFrame(rows).sort_values("loss", kind="stable").reset_index(drop=True)


# --- forward scenarios 2026 → 2035 from the calibrated state ---------------------------------------

FORWARD_VARIANTS: dict[str, dict[str, str]] = {
    "baseline mix": {},
    "junior freeze everywhere": {"recomposing": "cutting", "counter_cyclical": "cutting", "non_adopting": "cutting"},
    "counter-cyclical turn": {"cutting": "counter_cyclical"},
}


def forward_runs(params: Params, seeds: Sequence[int], switch: int = 48, horizon: int = 156) -> list[RunSpec]:
    """Every forward variant on every seed: firms switch strategy after ``switch`` months."""
    p = params.model_copy(update={"worker_agents": False})
    return [RunSpec(f"{name}, seed {s}", p, s, horizon, (Intervention(switch + 1, switch=remap),) if remap else (),
                    tables=("model", "firm"))
            for name, remap in FORWARD_VARIANTS.items() for s in seeds]


def forward(params: Params, seeds: Sequence[int], switch: int = 48, horizon: int = 156, executor: Executor | None = None,
            progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Run each forward variant (firms switch strategy in January 2026) on every seed.

    Returns 'pipeline': senior stock, junior stock and senior vacancy age by variant and year (seed
    means), and 'profit': cumulative profit per 2022 worker by strategy and year in the baseline mix
    (accumulated from January 2026).
    """
    results = run_many(forward_runs(params, seeds, switch, horizon), executor, progress)
    pipe, profit = [], []
    for i, name in enumerate(FORWARD_VARIANTS):
        for k, seed in enumerate(seeds):
            r = results[i * len(seeds) + k]
            m = r.model
            m = m[m["month"] > 0].assign(cal=calendar_year)
            yearly = m.groupby("cal").agg(
                seniors=("workers_by_seniority_senior", "mean"), staff=("workers_by_seniority_staff", "mean"),
                juniors=("workers_by_seniority_junior", "mean"), senior_vacancy_age=("senior_vacancy_duration", "mean"),
                unemployment=("unemployment_rate", "mean"), junior_hires=("junior_hires", "sum"))
            pipe.append(yearly.assign(variant=name, seed=seed).reset_index())
            if name == "baseline mix":
                f = r.firm.assign(profit_per_worker=lambda d: per_2022_worker(d, "profit"))
                f = f[f["month"] > switch].assign(cal=calendar_year)
                cum = f.groupby(["strategy", "cal"], observed=True)["profit_per_worker"].sum().groupby(level=0, observed=True).cumsum()
                profit.append(cum.rename("cumulative_profit_per_worker").reset_index().assign(seed=seed))
    pipeline = pd.concat(pipe).groupby(["variant", "cal"]).mean(numeric_only=True).drop(columns="seed").reset_index()
    prof = pd.concat(profit).groupby(["strategy", "cal"], observed=True)["cumulative_profit_per_worker"].mean().reset_index()
    return {"pipeline": pipeline, "profit": prof}


def overtaking_year(profit: pd.DataFrame, leader: str = "counter_cyclical", rival: str = "cutting") -> int | None:
    """First calendar year in which ``leader``'s cumulative profit per worker exceeds ``rival``'s."""
    wide = profit.pivot(index="cal", columns="strategy", values="cumulative_profit_per_worker")
    if leader not in wide or rival not in wide:
        return None
    first, _ = overtaking_years(wide.index.to_numpy(), wide[leader].to_numpy(dtype=float), wide[rival].to_numpy(dtype=float))
    return int(first) if np.isfinite(first) else None


def plot_forward(result: dict[str, pd.DataFrame], path: Path) -> None:
    import matplotlib.pyplot as plt

    pipe, prof = result["pipeline"], result["profit"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for name, sub in pipe.groupby("variant"):
        axes[0].plot(sub["cal"], sub["seniors"] + sub["staff"], marker="o", label=name)
        axes[1].plot(sub["cal"], sub["senior_vacancy_age"], marker="o", label=name)
    axes[0].set(title="Senior + staff employed", xlabel="year", ylabel="workers")
    axes[1].set(title="Mean age of open senior vacancies", xlabel="year", ylabel="months")
    for name, sub in prof.groupby("strategy", observed=True):
        strategy = BY_NAME[str(name)]  # its label and colour
        axes[2].plot(sub["cal"], sub["cumulative_profit_per_worker"] / 1e3, marker="o", label=strategy.label,
                     color=strategy.colour)
    axes[2].set(title="Profit per 2022 worker since 2026 (baseline mix)", xlabel="year", ylabel="$ thousand")
    for ax in axes:
        ax.axvline(2026, color="grey", lw=0.5)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# --- command line -----------------------------------------------------------------------------------

def cmd_calibrate(args: argparse.Namespace) -> int:
    from abm.cli import output_dir, runs_progress
    from abm.experiments.engines import processes
    from abm.experiments.spec import load_spec
    from abm.files import load_scenario

    t0 = time.perf_counter()
    if args.search:
        if args.seeds is not None:
            raise ParameterError(f"--seeds {args.seeds} does not apply to --search; allowed: the spec's [experiment] seeds "
                                 "(or replicates)")
        spec = load_spec(args.search)
        if args.workers is not None:
            spec = spec.with_overrides(fixed={"n_workers": args.workers})
        out = output_dir(args.out)
        with processes(args.processes) as ex, runs_progress("calibrate --search") as progress:
            result = search(spec, ex, progress)
        result.to_csv(out / "search.csv", index=False)
        print(result.head(15).to_string())
        print(f"{len(result)} grid points × {spec.experiment.replicates} seeds in {time.perf_counter() - t0:.0f} s "
              f"→ {out / 'search.csv'}")
        return 0
    meta, base = load_scenario(args.scenario)
    if args.workers is not None:
        base = Params.make(base, n_workers=args.workers)
    shortest = (TARGETS_LAST_YEAR + 1 - base.start_year) * 12
    if not args.forward and args.months < shortest:
        raise ParameterError(f"--months {args.months} is too short: the targets read the years up to {TARGETS_LAST_YEAR} "
                             f"(start year {base.start_year}); allowed: --months in [{shortest}, {MONTHS_MAX}]")
    seeds = list(range(1, (args.seeds or DEFAULT_SEEDS) + 1))
    out = output_dir(args.out)
    if args.forward:
        with processes(args.processes) as ex, runs_progress("calibrate --forward") as progress:
            result = forward(base, seeds, executor=ex, progress=progress)
        result["pipeline"].to_csv(out / "forward_pipeline.csv", index=False)
        result["profit"].to_csv(out / "forward_profit.csv", index=False)
        plot_forward(result, out / "forward.png")
        pipe = result["pipeline"]
        cols = ["variant", "cal", "juniors", "seniors", "staff", "senior_vacancy_age", "unemployment", "junior_hires"]
        print(pipe[pipe["cal"].isin([2025, 2026, 2028, 2029, 2030, 2032, 2034])][cols].round(2).to_string(index=False))
        print("cumulative profit per 2022 worker since 2026, $ thousand:")
        print(result["profit"].pivot(index="cal", columns="strategy", values="cumulative_profit_per_worker").div(1e3).round(1).to_string())
        year = overtaking_year(result["profit"])
        print("counter-cyclical overtakes cutting in cumulative profit per worker: " + (str(year) if year else "not by 2034"))
        print(f"({time.perf_counter() - t0:.0f} s) written: {out}/forward_{{pipeline,profit}}.csv, forward.png")
        return 0
    with processes(args.processes) as ex, runs_progress("calibrate") as progress:
        results = run_many(target_runs(base, seeds, args.months), ex, progress)
        studies = diagnostics.evaluations(base, seeds, args.months, ex) if not args.no_diagnostics else None
    values = score(results)
    table = report_table(values)
    print(f"calibration of {meta.get('name', args.scenario)}: {base.n_workers:,} workers, seeds {seeds}, "
          f"{args.months} months ({time.perf_counter() - t0:.0f} s)")
    print(format_table(table))
    n_pass = int((table["result"] == "pass").sum())
    print(f"{n_pass}/{len(table)} targets inside their bands")
    values.to_csv(out / "calibration_runs.csv")
    table.to_csv(out / "calibration.csv", index=False)
    (out / "calibration.md").write_text(table.to_markdown(index=False) if _has_tabulate() else table.to_string(), encoding="utf-8")
    plot_report(table, out / "calibration.png")
    (out / "calibration.json").write_text(json.dumps({"passes": n_pass, "targets": len(table), "seeds": seeds,
                                                      "n_workers": base.n_workers, "months": args.months}), encoding="utf-8")
    print(f"written: {out}/calibration.{{csv,md,png,json}}")
    if studies is not None:
        files = diagnostics.write(out, [r.tables["cluster"] for r in results], [r.tables["model"] for r in results], studies)
        events, displaced = studies["retraining"], studies["displacement"]
        mf = pd.read_csv(files[0]).iloc[0]
        print(f"matching function: α (job seekers) {mf['alpha_unemployed']:.2f}, β (vacancies) {mf['beta_vacancies']:.2f}, "
              f"α+β {mf['returns_to_scale']:.2f} (literature: α ≈ 0.5–0.7, α+β ≈ 1)")
        if not events.empty:
            print("retraining, trainees − comparable non-trainees, employment (pp): " + ", ".join(
                f"+{int(r.months_after)} mo {100 * r.employment_effect:+.1f}" for r in events.itertuples()))
        if not displaced.empty:
            print("laid off − comparable workers who kept their job, earnings (% of own pay before): " + ", ".join(
                f"+{int(r.months_after)} mo {100 * r.earnings_effect_share:+.0f}"
                for r in displaced[displaced["group"] == "all"].itertuples()))
        print(f"written: {out}/diagnostics.md and its tables and figures")
    return 0


def _has_tabulate() -> bool:
    import importlib.util

    return importlib.util.find_spec("tabulate") is not None


def register(sub: argparse._SubParsersAction) -> None:
    from abm.cli import add_processes_option, add_workers_option, int_in

    p = sub.add_parser("calibrate", help="report how close the baseline comes to the 2022–2026 facts",
                       description="Run the baseline over several seeds and compare each calibration target "
                                   "(computed from model output) with the band accepted around its fact.")
    p.add_argument("scenario", nargs="?", default="baseline",
                   help="scenario to calibrate: a .toml file or a shipped scenario's name (default: baseline)")
    p.add_argument("--seeds", type=int_in(1, MAX_SEEDS, what="seeds 1..N"), help=f"number of seeds: 1..N (default {DEFAULT_SEEDS})")
    p.add_argument("--months", type=int_in(1, MONTHS_MAX, what="months from January of the start year"), default=156, help="months from January 2022 (default 156 = through 2034: the vacancy-growth target needs the whole horizon)")
    add_workers_option(p)
    add_processes_option(p)
    p.add_argument("--out", default="results/calibration", help="output directory")
    p.add_argument("--search", metavar="SPEC.toml", help="re-run a documented grid search: an experiment spec whose "
                                                         "runs are scored by the targets (e.g. experiments/calibration_grid.toml)")
    p.add_argument("--no-diagnostics", action="store_true",
                   help="skip the diagnostics (matching function, Beveridge curve, retraining event study, cost of job loss)")
    p.add_argument("--forward", action="store_true",
                   help="forward scenarios 2026→2035 from the calibrated state (pipeline; counter-cyclical vs cutting)")
    p.set_defaults(func=cmd_calibrate)
