"""Run every benchmark in this folder and record its numbers (``make bench``).

    python benchmarks/run_all.py            # scaling (10^4, 10^5, 10^6 workers) + batch throughput + pipeline cost
    python benchmarks/run_all.py --quick    # scaling at 10^4 and 10^5 only, no batch benchmark
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes only, skip the batch benchmark")
    args = ap.parse_args()
    runs = [[sys.executable, str(HERE / "scaling.py")] + (["--sizes", "10000", "100000"] if args.quick else [])]
    if not args.quick and (HERE / "batch_throughput.py").exists():
        runs.append([sys.executable, str(HERE / "batch_throughput.py")])
    if not args.quick:
        runs.append([sys.executable, str(HERE / "pipeline_cost.py")])
    status = 0
    for cmd in runs:
        print("==>", " ".join(Path(c).name if i else c for i, c in enumerate(cmd)), flush=True)
        status |= subprocess.call(cmd)
    return status


if __name__ == "__main__":
    sys.exit(main())
