"""Scaling benchmark: time and peak memory of the model at 10⁴, 10⁵ and 10⁶ workers, side by side
with the cost of a trivial Mesa ``shuffle_do`` step over as many plain agents.

    python benchmarks/scaling.py                 # 10^4, 10^5, 10^6 workers × 120 months
    python benchmarks/scaling.py --sizes 10000 --months 156

Each size runs in a fresh process (so peak RSS is that run's own). Results are printed and
appended to benchmarks/results/scaling.jsonl with the date, machine and package version.
Targets (not tests): a model month cheaper per worker than the trivial Mesa step; 10⁶ workers ×
120 months in ≤ 60 s and ≤ 2 GB peak.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import mesa
from abm import LaborMarket
n, months, mesa_steps, agents = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
if mesa_steps:
    class A(mesa.Agent):
        def step(self): pass
    class M(mesa.Model):
        def __init__(self): super().__init__(rng=1); A.create_agents(self, n)
        def step(self): self.agents.shuffle_do("step")
    mm = M(); t0 = time.perf_counter()
    for _ in range(mesa_steps): mm.step()
    mesa_ns = (time.perf_counter() - t0) / (mesa_steps * n) * 1e9
    del mm
else:
    mesa_ns = None
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter(); m = LaborMarket(seed=1, n_workers=n, worker_agents=agents); t_init = time.perf_counter() - t0
t0 = time.perf_counter(); m.run(months); t_run = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n_workers": n, "months": months, "worker_agents": agents, "init_s": t_init, "run_s": t_run,
                  "model_ns_per_worker_month": t_run / (n * months) * 1e9, "mesa_trivial_ns_per_agent_step": mesa_ns,
                  "peak_rss_mb": peak / 1024, "rss_before_model_mb": rss0 / 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--mesa-steps", type=int, default=10, help="trivial Mesa steps to time per size (0 = skip)")
    ap.add_argument("--worker-agents", choices=["auto", "on", "off"], default="auto",
                    help="materialise Worker agents: auto = on up to 10^5 workers, off above")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "scaling.jsonl"))
    args = ap.parse_args()
    from abm import __version__

    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
            "machine": platform.machine(), "cpus": os.cpu_count(), "abm": __version__}
    rows = []
    for n in args.sizes:
        agents = {"on": True, "off": False}.get(args.worker_agents, n <= 100_000)
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(args.months), str(args.mesa_steps), "1" if agents else "0"],
                             capture_output=True, text=True, check=True)
        row = {**meta, **json.loads(out.stdout.strip().splitlines()[-1])}
        rows.append(row)
        ratio = (row["model_ns_per_worker_month"] / row["mesa_trivial_ns_per_agent_step"]) if row["mesa_trivial_ns_per_agent_step"] else float("nan")
        print(f"{n:>9,} workers × {args.months} months (worker agents {'on' if agents else 'off'}): "
              f"init {row['init_s']:.1f} s, run {row['run_s']:.1f} s, "
              f"{row['model_ns_per_worker_month']:.0f} ns/worker-month vs Mesa trivial {row['mesa_trivial_ns_per_agent_step'] or float('nan'):.0f} ns/agent-step "
              f"(ratio {ratio:.2f}), peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    print(f"appended to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
