"""Batch throughput: runs per minute of one fixed spec on 1 and 2 local processes and on a Dask
LocalCluster(2) — the same tasks through the same seam (a concurrent.futures.Executor) — plus the
cost of materialising Mesa ``Worker`` agents (``worker_agents``), which batch runs switch off.

    python benchmarks/batch_throughput.py                  # 24 runs of 2,000 workers × 60 months
    python benchmarks/batch_throughput.py --runs 48 --workers 5000 --months 120

Each engine runs ``abm sweep`` in a fresh subprocess, as a user would. Two rates are printed:
*wall* (the whole command: interpreter, imports, cluster start-up, runs, writes) and *batch*
(the sweep's own elapsed time from the manifest: submitting, running and committing the runs).
Two diagnostics say where time goes: *cpu/wall* (CPU seconds of the command and all its
processes per wall second: 2 would be two busy cores) and *busy* (Σ run seconds / (batch seconds ×
workers): the share of worker time spent in runs — the rest is waiting for a first task, an uneven
finish or the parent). A run's own seconds grow when other processes take the cores.
Engines are run in ``--repeat`` interleaved rounds (rotating the order) and the best round is
summarised, because a shared machine slows some rounds down. Not a test: nothing asserts on
time. Appends one JSON line per measurement to
benchmarks/results/batch_throughput.jsonl with date, machine, versions and the load average
(other processes on the machine slow everything down: the load is recorded so numbers can be
judged).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "batch_throughput.jsonl"


def spec_text(runs: int, replicates: int, n_workers: int, months: int) -> str:
    sets = max(1, runs // replicates)
    values = ", ".join(f"{i / max(sets - 1, 1):.4f}" for i in range(sets))
    return f"""[experiment]
name = "throughput"
base = "baseline"
months = {months}
replicates = {replicates}
seed = 5
outputs = ["model", "cluster", "firm"]

[fixed]
n_workers = {n_workers}

[grid]
retraining_subsidy = [{values}]
"""


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    info = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "host": platform.node()}
    for pkg in ("abm-techlabor", "mesa", "numpy", "pandas", "pyarrow", "distributed"):
        try:
            info[f"v_{pkg}"] = version(pkg)
        except PackageNotFoundError:
            pass
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return float("nan")


def cpu_of_children() -> float:
    """CPU seconds (user + system) of every finished child process of this one, and theirs."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def sweep(spec: Path, out: Path, args: list[str]) -> tuple[float, float, dict]:
    """Run ``abm sweep``: wall seconds, CPU seconds of the command and all its processes, its session."""
    t0, c0 = time.perf_counter(), cpu_of_children()
    r = subprocess.run([sys.executable, "-m", "abm.cli", "sweep", str(spec), "--out", str(out), *args],
                       capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - t0, cpu_of_children() - c0
    if r.returncode != 0:
        raise SystemExit(f"abm sweep {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    manifest = json.loads((out / "manifest.json").read_text())
    return wall, cpu, manifest["sessions"][-1]


def busy_share(out: Path, session: dict) -> float:
    """Share of the batch's worker time spent in runs: Σ run seconds / (batch seconds × workers).
    The rest is time a worker waited: for its first task, at the end (an uneven finish), or on the parent."""
    import pandas as pd

    seconds = pd.read_parquet(out / "runs", columns=["seconds"])["seconds"].sum()
    return float(seconds / (session["elapsed_s"] * session["parallelism"]))


def cpu_per_run(out: Path) -> float:
    """Mean CPU seconds of a run (its worker process's CPU time): what a run costs whatever the load."""
    import pandas as pd

    return float(pd.read_parquet(out / "runs", columns=["cpu_seconds"])["cpu_seconds"].mean())


def agents_cost(n_workers: int, months: int, repeats: int) -> dict:
    """In-process: one run with and without Worker agents, interleaved, median of ``repeats``."""
    code = f"""
import json, statistics, time
from abm import LaborMarket
t = {{True: [], False: []}}
for k in range({repeats}):
    for flag in (True, False):
        t0 = time.perf_counter()
        LaborMarket(seed=k, n_workers={n_workers}, worker_agents=flag).run({months})
        t[flag].append(time.perf_counter() - t0)
print(json.dumps({{"agents_on_s": statistics.median(t[True]), "agents_off_s": statistics.median(t[False])}}))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=24, help="runs in the batch (default 24)")
    ap.add_argument("--replicates", type=int, default=3, help="replicates per parameter set (default 3)")
    ap.add_argument("--workers", type=int, default=2000, help="model size: n_workers of each run (default 2000)")
    ap.add_argument("--months", type=int, default=60, help="months per run (default 60)")
    ap.add_argument("--repeat", type=int, default=2, help="rounds over the engines (interleaved; best is reported)")
    ap.add_argument("--agents-sizes", default="2000,20000", help="n_workers for the worker_agents comparison")
    ap.add_argument("--out", default=str(RESULTS), help="JSON-lines file to append to")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="abm-bench-"))
    spec = tmp / "spec.toml"
    spec.write_text(spec_text(args.runs, args.replicates, args.workers, args.months))
    runs = max(1, args.runs // args.replicates) * args.replicates
    engines = {
        "1 process": ["--processes", "1"],
        "2 processes": ["--processes", "2"],
        "Dask LocalCluster(2)": ["--local-cluster", "2"],
        "2 processes, worker_agents on": ["--processes", "2", "--set", "worker_agents=true"],
    }
    now = dt.datetime.now().isoformat(timespec="seconds")
    common = {"date": now, **machine(), "runs": runs, "n_workers": args.workers, "months": args.months,
              "replicates": args.replicates}
    rows = []
    print(f"{runs} runs of {args.workers:,} workers × {args.months} months (tables model, cluster, firm); "
          f"{os.cpu_count()} CPUs; load average {load()}; {args.repeat} round(s), engines interleaved", flush=True)
    print(f"{'engine':32} {'wall s':>7} {'runs/min':>9} {'batch s':>8} {'runs/min':>9} {'s/run':>6} {'tasks':>6} "
          f"{'cpu/wall':>8} {'busy':>5} {'load':>5}", flush=True)
    names = list(engines)
    for rep in range(args.repeat):
        order = names[rep % len(names):] + names[:rep % len(names)]  # rotate, so no engine always runs first
        for name in order:
            out = tmp / f"{name.replace(' ', '_').replace(',', '')}-{rep}"
            before = load()
            wall, cpu, session = sweep(spec, out, engines[name])
            busy, run_cpu = busy_share(out, session), cpu_per_run(out)
            row = {**common, "benchmark": "batch", "engine": name, "round": rep, "wall_s": round(wall, 3),
                   "batch_s": session["elapsed_s"], "runs_per_minute_wall": round(60 * runs / wall, 1),
                   "runs_per_minute_batch": round(60 * runs / session["elapsed_s"], 1),
                   "mean_run_s": session["run_seconds_mean"], "tasks": session["tasks"], "chunk_size": session["chunk_size"],
                   "cpu_s": round(cpu, 2), "cpu_per_wall": round(cpu / wall, 2), "busy_share": round(busy, 3),
                   "run_cpu_s": round(run_cpu, 3), "parallelism": session["parallelism"],
                   "load_before": before, "load_after": load()}
            rows.append(row)
            print(f"{name:32} {wall:7.1f} {row['runs_per_minute_wall']:9.0f} {session['elapsed_s']:8.1f} "
                  f"{row['runs_per_minute_batch']:9.0f} {session['run_seconds_mean']:6.2f} {session['tasks']:6d} "
                  f"{row['cpu_per_wall']:8.2f} {busy:5.2f} {before:5.1f}", flush=True)
            shutil.rmtree(out, ignore_errors=True)
    best = {n: max((r for r in rows if r["engine"] == n), key=lambda r: r["runs_per_minute_batch"]) for n in names}
    print(f"\nbest of {args.repeat} (runs/min, batch | wall):")
    for n in names:
        b = best[n]
        print(f"  {n:32} {b['runs_per_minute_batch']:6.0f} | {b['runs_per_minute_wall']:4.0f}"
              + (f"   ×{b['runs_per_minute_batch'] / best[names[0]]['runs_per_minute_batch']:.2f} of 1 process" if n != names[0] else ""))
    one = min(r["run_cpu_s"] for r in rows if r["engine"] == names[0])
    print("\nload-independent view (best round): CPU s per run; busy share; CPU outside runs (start-up, imports,\n"
          "scheduling, writes) as a share of the command's CPU; projected speed-up on idle cores =\n"
          "workers × busy × (CPU per run on 1 process / CPU per run here):")
    for n in names:
        b = best[n]
        outside = 1 - runs * b["run_cpu_s"] / b["cpu_s"] if b["cpu_s"] else float("nan")
        proj = b["parallelism"] * b["busy_share"] * one / b["run_cpu_s"]
        b["projected_speedup"] = round(proj, 2)
        print(f"  {n:32} {b['run_cpu_s']:6.3f} s/run  busy {b['busy_share']:.3f}  outside runs {outside:5.1%}  "
              f"projected ×{proj:.2f}")
    print("\nworker_agents (one run in-process, median of 5, interleaved):")
    for n in [int(x) for x in args.agents_sizes.split(",") if x]:
        before = load()
        res = agents_cost(n, args.months, 5)
        row = {**common, "benchmark": "worker_agents", "n_workers": n, **{k: round(v, 3) for k, v in res.items()},
               "ratio_on_off": round(res["agents_on_s"] / res["agents_off_s"], 3), "load_before": before, "load_after": load()}
        rows.append(row)
        print(f"  {n:>7,} workers × {args.months} months: agents on {res['agents_on_s']:.2f} s, off {res['agents_off_s']:.2f} s "
              f"→ {row['ratio_on_off']:.2f}×", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    print(f"\nappended {len(rows)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
