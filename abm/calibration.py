"""Calibration: the 2022–2026 facts as targets, a report of how close the baseline comes, and
the documented search that fitted the calibrated parameters.

Every target is computed **from model output** (the tidy tables) and compared with a band
accepted around the fact quoted in ``shared/FACTS.md`` (source article named). Nothing here
writes a value into the model: a miss is reported as a miss.

    abm calibrate                         # baseline, 5 seeds, prints and writes the report
    abm calibrate --search experiments/calibration_grid.toml   # re-run the documented search
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from abm.params import ParameterError, Params, load_scenario

Tables = dict[str, pd.DataFrame]
LEGACY = ("qa_testing", "program_mgmt", "frontend")


def calendar_year(df: pd.DataFrame) -> pd.Series:
    """Calendar year a monthly row belongs to (row m covers month m of the run; 0 is the start)."""
    return np.floor(df["year"] - 1.0 / 12 + 1e-9).astype(int)


def in_year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return df[(df["month"] > 0) & (calendar_year(df) == year)]


def _cluster(t: Tables, name: str, year: int) -> pd.DataFrame:
    c = in_year(t["cluster"], year)
    return c[c["cluster"] == name]


def ml_ratio(t: Tables) -> float:
    return float(_cluster(t, "ml_ai", 2026)["vacancy_seeker_ratio"].mean())


def legacy_ratio(name: str) -> Callable[[Tables], float]:
    def f(t: Tables) -> float:
        return float(_cluster(t, name, 2026)["vacancy_seeker_ratio"].mean())
    return f


def ai_premium(t: Tables) -> float:
    return float(in_year(t["model"], 2026)["ai_premium"].mean())


def remote_ratio(t: Tables) -> float:
    return float(in_year(t["model"], 2026)["remote_onsite_pay_ratio_adjusted"].mean())


def junior_hiring_change(t: Tables) -> float:
    m = t["model"]
    first = in_year(m, 2022)["junior_hires"].sum()
    last = in_year(m, 2026)["junior_hires"].sum()
    return float(last / first - 1.0) if first > 0 else float("nan")


def ml_vacancy_duration(t: Tables) -> float:
    return float(_cluster(t, "ml_ai", 2026)["mean_vacancy_duration"].mean())


def ml_vs_legacy_duration(t: Tables) -> float:
    legacy = np.mean([_cluster(t, n, 2026)["mean_vacancy_duration"].mean() for n in LEGACY])
    return float(ml_vacancy_duration(t) / legacy) if legacy > 0 else float("nan")


def layoff_rate(t: Tables) -> float:
    """Layoffs per year as a share of employment, 2023–2026."""
    m = t["model"]
    rows = m[(m["month"] > 0) & calendar_year(m).between(2023, 2026)]
    return float(rows["layoffs"].sum() / len(rows) * 12 / rows["employed"].mean())


def layoff_concentration(t: Tables) -> float:
    """Layoff rate in the legacy clusters relative to the whole market, 2023–2026."""
    c = t["cluster"]
    rows = c[(c["month"] > 0) & calendar_year(c).between(2023, 2026)]
    leg = rows[rows["cluster"].isin(LEGACY + ("tech_writing",))]
    all_rate = rows["layoffs"].sum() / rows["employed"].sum()
    return float((leg["layoffs"].sum() / leg["employed"].sum()) / all_rate) if all_rate > 0 else float("nan")


def ai_skill_share(year: int) -> Callable[[Tables], float]:
    def f(t: Tables) -> float:
        return float(in_year(t["model"], year)["ai_skill_vacancy_share"].mean())
    return f


def unemployment_2026(t: Tables) -> float:
    return float(in_year(t["model"], 2026)["unemployment_rate"].mean())


@dataclass(frozen=True)
class Target:
    name: str
    fact: str
    source: str
    low: float
    high: float
    compute: Callable[[Tables], float]
    weight: float = 1.0

    def passes(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.low <= value <= self.high)

    def distance(self, value: float) -> float:
        """0 inside the band; else the miss relative to the band's width (for the search loss)."""
        if not np.isfinite(value):
            return 10.0
        width = (self.high - self.low) if np.isfinite(self.high - self.low) and self.high > self.low else max(abs(self.low), 1.0)
        if value < self.low:
            return (self.low - value) / width
        if value > self.high:
            return (value - self.high) / width
        return 0.0


INF = float("inf")
TARGETS: tuple[Target, ...] = (
    Target("ml_ai_vacancies_per_seeker_2026", "AI talent demand/supply ≈ 3.2:1; 3–5× more openings than qualified candidates", "seeds/003, seeds/002", 2.0, 5.0, ml_ratio),
    *(Target(f"{n}_vacancies_per_seeker_2026", f"legacy cluster {n}: more job seekers than vacancies", "seeds/002–004", 0.0, 1.0, legacy_ratio(n)) for n in LEGACY),
    Target("ai_pay_premium_2026", "AI premiums 20–40 %, up to 41–50 % at equal level", "seeds/000, seeds/002, seeds/003", 0.20, 0.50, ai_premium),
    Target("remote_onsite_pay_ratio_2026", "remote roles pay 70–90 % of onsite (location-adjusted payers)", "seeds/000", 0.70, 0.90, remote_ratio),
    Target("junior_hiring_change_2022_2026", "entry-level hiring −73 %", "seeds/001", -0.80, -0.60, junior_hiring_change),
    Target("ml_ai_vacancy_duration_2026", "production ML recruiting cycles ≥ 6 months", "seeds/002", 6.0, 36.0, ml_vacancy_duration),
    Target("ml_ai_vs_legacy_vacancy_duration", "ML vacancies last well above legacy ones (≥ 1.5×)", "seeds/002", 1.5, INF, ml_vs_legacy_duration),
    Target("annual_layoff_rate_2023_2026", "layoffs of a few % of the tech workforce a year (~150k/yr of ~4–5M)", "seeds/000, seeds/003, seeds/004", 0.02, 0.05, layoff_rate),
    Target("layoff_concentration_legacy", "layoffs concentrated in QA, docs, PM, front-end (≥ 1.2× average rate)", "seeds/002–004", 1.2, INF, layoff_concentration),
    Target("ai_skill_vacancy_share_2022", "AI skills in 8 % of software job descriptions in 2022", "seeds/001", 0.05, 0.12, ai_skill_share(2022)),
    Target("ai_skill_vacancy_share_2026", "AI skills in 42 % of software job descriptions in 2026", "seeds/001", 0.35, 0.50, ai_skill_share(2026)),
    Target("unemployment_rate_2026", "tech unemployment a few per cent while openings stay high (context)", "seeds/001, seeds/003", 0.02, 0.07, unemployment_2026, 0.5),
)


# --- running ------------------------------------------------------------------------------------

def run_tables(params: Params, seed: int, months: int) -> Tables:
    from abm.model import LaborMarket

    m = LaborMarket(seed=seed, params=params.model_copy(update={"worker_agents": False})).run(months)
    return {"model": m.model_metrics(), "cluster": m.cluster_metrics(), "firm": m.firm_metrics()}


def evaluate(tables: Tables) -> dict[str, float]:
    return {t.name: t.compute(tables) for t in TARGETS}


def _evaluate_run(args: tuple[Params, int, int]) -> dict[str, float]:
    params, seed, months = args
    return evaluate(run_tables(params, seed, months))


def simulate(params: Params, seeds: list[int], months: int, workers: int = 0) -> pd.DataFrame:
    """Target values per seed (rows) — in parallel processes when ``workers`` > 1."""
    jobs = [(params, s, months) for s in seeds]
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            values = list(ex.map(_evaluate_run, jobs))
    else:
        values = [_evaluate_run(j) for j in jobs]
    return pd.DataFrame(values, index=pd.Index(seeds, name="seed"))


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

def load_grid(path: Path) -> tuple[dict, dict[str, list]]:
    """A grid file: ``[search]`` (seeds) and ``[grid]`` — each key a parameter with a list of
    values, or any name with a list of tables of coupled parameter values (e.g. strategy mixes)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    grid = data.get("grid", {})
    settings = data.get("search", {})
    for key, values in grid.items():
        names = [k for v in values if isinstance(v, dict) for k in v] or [key]
        for name in names:
            if name not in Params.model_fields:
                raise ParameterError(f"{path}: grid key '{name}' is not a parameter")
    return settings, grid


def grid_points(grid: dict[str, list]) -> list[dict]:
    """Cartesian product of the grid's axes; a coupled axis contributes all keys of one table."""
    points = []
    for combo in itertools.product(*grid.values()):
        point: dict = {}
        for key, value in zip(grid, combo):
            point.update(value if isinstance(value, dict) else {key: value})
        points.append(point)
    return points


def search(base: Params, grid: dict[str, list], seeds: list[int], months: int, workers: int) -> pd.DataFrame:
    """Evaluate every grid point on the same seeds; rows sorted by loss (best first)."""
    rows = []
    for point in grid_points(grid):
        values = simulate(Params.make(base, **point), seeds, months, workers)
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


def _forward_run(args: tuple[Params, int, int, int, dict[str, str]]) -> dict[str, pd.DataFrame]:
    from abm.model import LaborMarket
    from abm.strategies import STRATEGY_NAMES

    params, seed, switch, horizon, remap = args
    m = LaborMarket(seed=seed, params=params.model_copy(update={"worker_agents": False})).run(switch)
    strategy = m.firms.view("strategy")
    for old, new in remap.items():
        strategy[strategy == STRATEGY_NAMES.index(old)] = STRATEGY_NAMES.index(new)
    m.run(horizon - switch)
    return {"model": m.model_metrics(), "firm": m.firm_metrics()}


def forward(params: Params, seeds: list[int], switch: int = 48, horizon: int = 156, workers: int = 1) -> dict[str, pd.DataFrame]:
    """Run each forward variant (firms switch strategy in January 2026) on every seed.

    Returns 'pipeline': senior stock, junior stock and senior vacancy age by variant and year (seed
    means), and 'profit': cumulative profit per firm by strategy and year in the baseline mix
    (accumulated from January 2026).
    """
    jobs = [(params, s, switch, horizon, remap) for remap in FORWARD_VARIANTS.values() for s in seeds]
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            results = list(ex.map(_forward_run, jobs))
    else:
        results = [_forward_run(j) for j in jobs]
    pipe, profit = [], []
    for i, (name, _) in enumerate(FORWARD_VARIANTS.items()):
        for k, seed in enumerate(seeds):
            r = results[i * len(seeds) + k]
            m = r["model"]
            m = m[m["month"] > 0].assign(cal=lambda d: calendar_year(d))
            yearly = m.groupby("cal").agg(
                seniors=("workers_by_seniority_senior", "mean"), staff=("workers_by_seniority_staff", "mean"),
                juniors=("workers_by_seniority_junior", "mean"), senior_vacancy_age=("senior_vacancy_duration", "mean"),
                unemployment=("unemployment_rate", "mean"), junior_hires=("junior_hires", "sum"))
            pipe.append(yearly.assign(variant=name, seed=seed).reset_index())
            if name == "baseline mix":
                f = r["firm"]
                size = f[f["month"] == 0].set_index("strategy")["headcount"]  # 2022 workforce of each strategy
                f = f[f["month"] > switch].copy()
                f["cal"] = calendar_year(f)
                f["profit_per_worker"] = f["profit"] / f["strategy"].map(size).astype(float).clip(lower=1)
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
    ahead = wide.index[(wide[leader] > wide[rival]).to_numpy()]
    return int(ahead[0]) if len(ahead) else None


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
        axes[2].plot(sub["cal"], sub["cumulative_profit_per_worker"] / 1e3, marker="o", label=str(name))
    axes[2].set(title="Profit per 2022 worker since 2026 (baseline mix)", xlabel="year", ylabel="$ thousand")
    for ax in axes:
        ax.axvline(2026, color="grey", lw=0.5)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# --- command line -----------------------------------------------------------------------------------

def cmd_calibrate(args: argparse.Namespace) -> int:
    import os

    meta, base = load_scenario(args.scenario)
    if args.workers_n is not None:
        base = Params.make(base, n_workers=args.workers_n)
    seeds = list(range(1, args.seeds + 1))
    procs = args.processes or os.cpu_count() or 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if args.forward:
        result = forward(base, seeds, workers=procs)
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
    if args.search:
        settings, grid = load_grid(Path(args.search))
        seeds = settings.get("seeds", seeds)
        result = search(base, grid, seeds, args.months, procs)
        result.to_csv(out / "search.csv", index=False)
        print(result.head(15).to_string())
        print(f"{len(result)} grid points × {len(seeds)} seeds in {time.perf_counter() - t0:.0f} s → {out / 'search.csv'}")
        return 0
    values = simulate(base, seeds, args.months, procs)
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
    return 0


def _has_tabulate() -> bool:
    import importlib.util

    return importlib.util.find_spec("tabulate") is not None


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="report how close the baseline comes to the 2022–2026 facts",
                       description="Run the baseline over several seeds and compare each calibration target "
                                   "(computed from model output) with the band accepted around its fact.")
    p.add_argument("scenario", nargs="?", default="experiments/baseline.toml", help="scenario to calibrate (default baseline)")
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (1..N; default 5)")
    p.add_argument("--months", type=int, default=60, help="months from January 2022 (default 60 = through 2026)")
    p.add_argument("--workers", dest="workers_n", type=int, help="override n_workers")
    p.add_argument("--processes", type=int, help="parallel processes (default: all cores)")
    p.add_argument("--out", default="results/calibration", help="output directory")
    p.add_argument("--search", metavar="GRID.toml", help="re-run the documented grid search instead of the report")
    p.add_argument("--forward", action="store_true",
                   help="forward scenarios 2026→2035 from the calibrated state (pipeline; counter-cyclical vs cutting)")
    p.set_defaults(func=cmd_calibrate)
