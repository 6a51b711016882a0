"""Speed of two revisions of the model, side by side on the same machine, and whether their outputs
are identical.

    python benchmarks/compare_revisions.py 4461a01                  # that commit vs this checkout
    python benchmarks/compare_revisions.py 4461a01 HEAD --workers 1000000 --months 24 --pairs 3

On a shared machine absolute timings drift by ±30 % between runs; the ratio of two runs made one
after the other does not. Each revision is checked out into a temporary git worktree (the working
tree itself, uncommitted changes included, when the second revision is omitted); the two then run
in turn, A B A B ..., each in a fresh process that builds the model (workers, firms and the
burn-in) and runs ``--months`` months, timing process CPU from building to the end. Printed: each
pair's ratio (after ÷ before), their median and range, and whether the two revisions produced
bit-identical tables (a hash of every output table of the first pair's runs). Appended to
``benchmarks/results/compare_revisions.jsonl``. Not a test: nothing asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "compare_revisions.jsonl"

CHILD = r"""
import hashlib, json, sys, time
root, n, months = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, root)
import abm
if not abm.__file__.startswith(root):
    sys.exit(f"imported abm from {abm.__file__}, not from {root}")
from abm import LaborMarket
t0 = time.process_time()
m = LaborMarket(seed=1, n_workers=n, worker_agents=False)
m.run(months)
cpu = time.process_time() - t0
digest = hashlib.sha256()
for table in ("model_metrics", "cluster_metrics", "firm_metrics", "location_metrics", "flow_metrics"):
    digest.update(getattr(m, table)().to_csv().encode())
print(json.dumps({"cpu_s": cpu, "outputs_sha256": digest.hexdigest()}))
"""


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def run_once(tree: Path, workers: int, months: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(workers), str(months)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"compare_revisions: the run in {tree} failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", help="git revision of the reference (e.g. a commit before a speed change)")
    ap.add_argument("after", nargs="?", help="git revision to compare (default: this working tree, as it is)")
    ap.add_argument("--workers", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--pairs", type=int, default=5, help="before/after pairs to run in turn")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    for name in ("workers", "months", "pairs"):
        if getattr(args, name) < 1:
            ap.error(f"--{name} must be at least 1, got {getattr(args, name)}")

    with tempfile.TemporaryDirectory(prefix="abm-compare-") as tmp:
        trees, labels = [], []
        for which, rev in (("before", args.before), ("after", args.after)):
            if rev is None:
                trees.append(ROOT)
                labels.append("working tree")
                continue
            try:
                sha = git("rev-parse", "--verify", f"{rev}^{{commit}}")
            except subprocess.CalledProcessError:
                ap.error(f"{which}={rev!r} is not a commit of this repository")
            tree = Path(tmp) / which
            git("worktree", "add", "--detach", str(tree), sha)
            trees.append(tree)
            labels.append(sha[:10])
        try:
            ratios, digests = [], []
            for k in range(args.pairs):
                a = run_once(trees[0], args.workers, args.months)
                b = run_once(trees[1], args.workers, args.months)
                ratios.append(b["cpu_s"] / a["cpu_s"])
                digests.append((a["outputs_sha256"], b["outputs_sha256"]))
                print(f"pair {k + 1}: before {a['cpu_s']:.2f} s, after {b['cpu_s']:.2f} s, after/before {ratios[-1]:.3f}",
                      flush=True)
        finally:
            for tree in trees:
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                                   capture_output=True)
    identical = all(x == y for x, y in digests)
    print(f"{labels[0]} → {labels[1]}, {args.workers:,} workers × (burn-in + {args.months} months): "
          f"after/before CPU median {statistics.median(ratios):.3f} (range {min(ratios):.3f}–{max(ratios):.3f}, "
          f"{args.pairs} pairs); outputs {'bit-identical' if identical else 'DIFFERENT'}")
    row = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": platform.machine(),
           "cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()[0],
           "before": labels[0], "after": labels[1], "n_workers": args.workers, "months": args.months,
           "ratios": ratios, "median_ratio": statistics.median(ratios), "outputs_identical": identical}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(f"appended to {args.out}")


if __name__ == "__main__":
    main()
