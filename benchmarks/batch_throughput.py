"""Batch throughput: runs per minute of a fixed spec on 1 and 2 local processes and on a Dask
LocalCluster with 2 workers (the same seam: a concurrent.futures.Executor).

    python benchmarks/batch_throughput.py [--runs 16] [--workers 2000] [--months 60]

Appends the numbers to benchmarks/results/batch_throughput.jsonl with date and machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def spec_text(runs: int, workers: int, months: int) -> str:
    values = ", ".join(f"{i / max(runs - 1, 1):.4f}" for i in range(runs))
    return f"""[experiment]
name = "throughput"
base = "{ROOT / 'experiments' / 'baseline.toml'}"
months = {months}
replicates = 1
seed = 5
outputs = ["model", "cluster", "firm"]
[fixed]
n_workers = {workers}
[grid]
retraining_subsidy = [{values}]
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2000, help="n_workers of each run")
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "batch_throughput.jsonl"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    spec = tmp / "spec.toml"
    spec.write_text(spec_text(args.runs, args.workers, args.months))
    engines = {"1 process": ["--workers", "1"], "2 processes": ["--workers", "2"], "Dask LocalCluster(2)": ["--local-cluster", "2"]}
    rows = []
    for name, extra in engines.items():
        out = tmp / name.replace(" ", "_")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "abm.cli", "sweep", str(spec), "--out", str(out), *extra],
                       check=True, capture_output=True, cwd=ROOT)
        elapsed = time.perf_counter() - t0
        row = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.machine(), "cpus": os.cpu_count(),
               "python": platform.python_version(), "engine": name, "runs": args.runs, "n_workers": args.workers,
               "months": args.months, "elapsed_s": elapsed, "runs_per_minute": 60 * args.runs / elapsed}
        rows.append(row)
        print(f"{name:22} {args.runs} runs ({args.workers} workers × {args.months} months) in {elapsed:5.1f} s "
              f"→ {row['runs_per_minute']:.0f} runs/minute (incl. start-up)", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0]["runs_per_minute"]
    for r in rows[1:]:
        print(f"speed-up of {r['engine']} over 1 process: {r['runs_per_minute'] / base:.2f}×")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
