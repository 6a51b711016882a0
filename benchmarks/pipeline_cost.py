"""What the pipeline mechanisms of issue 11 cost: share of a model month spent in them at 10⁵ workers.

    python benchmarks/pipeline_cost.py                    # 10^5 workers, 24 timed months, every lever on
    python benchmarks/pipeline_cost.py --workers 20000 --months 36

The model is built with every pipeline lever on (retention pay, a repayment clause, strategy
imitation with a review every month so that every month has reviews, junior wage subsidy,
apprenticeships, training levy) and run for a few warm-up months; then every month is timed, and
so is each piece of the new code: the two new phases (``imitation``, ``pipeline_policy``) and the
hooks elsewhere (the demand response to junior subsidies, the on-the-job comparison of retained
and bonded workers, retention in the search probability, the poaching record and apprenticeships
in ``transitions.hire``, the strategy switch). The same is done with every lever off (the
default), where only the always-on bookkeeping (the poaching record) runs. Target: the new code
< 10 % of a month. Results are printed and appended to benchmarks/results/pipeline_cost.jsonl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

from abm import LaborMarket, __version__, transitions
from abm.phases import imitation, pipeline_policy

ALL_LEVERS = dict(retention_pay_share=0.1, training_repayment_months=3.0, imitation_rate=1.0, strategy_review_months=1,
                  junior_wage_subsidy=0.4, apprenticeship_slots=10.0, training_levy=0.02)

#: (module, function name) of each piece of the new code that runs inside a month
TIMED = [(imitation, "run"), (pipeline_policy, "run"), (pipeline_policy, "junior_cost_share"),
         (pipeline_policy, "needed_to_move"), (pipeline_policy, "retention_factor"),
         (transitions, "_record_moves"), (transitions, "_start_apprenticeships")]


def measure(n_workers: int, months: int, warm_up: int, levers: dict) -> dict:
    model = LaborMarket(seed=1, n_workers=n_workers, worker_agents=False, **levers)
    model.run(warm_up)
    spent = {f"{mod.__name__.rsplit('.', 1)[-1]}.{name}": 0.0 for mod, name in TIMED}
    depth = [0]  # a piece called from another timed piece counts only in the outer one
    originals = []
    for mod, name in TIMED:
        fn = getattr(mod, name)
        key = f"{mod.__name__.rsplit('.', 1)[-1]}.{name}"

        def timed(*args, _fn=fn, _key=key, **kw):
            if depth[0]:
                return _fn(*args, **kw)
            depth[0] += 1
            t0 = time.perf_counter()
            try:
                return _fn(*args, **kw)
            finally:
                spent[_key] += time.perf_counter() - t0
                depth[0] -= 1

        originals.append((mod, name, fn))
        setattr(mod, name, timed)
    try:
        t0 = time.perf_counter()
        model.run(months)
        total = time.perf_counter() - t0
    finally:
        for mod, name, fn in originals:
            setattr(mod, name, fn)
    new_code = sum(spent.values())
    return {"n_workers": n_workers, "months": months, "levers": "all on" if levers else "all off (default)",
            "month_ms": 1e3 * total / months, "new_code_ms": 1e3 * new_code / months,
            "new_code_share": new_code / total, "pieces_ms": {k: 1e3 * v / months for k, v in spent.items()},
            "strategy_switches": int(model.model_metrics()["strategy_switches"].tail(months).sum())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--warm-up", type=int, default=6)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "pipeline_cost.jsonl"))
    args = ap.parse_args()
    rows = []
    for levers in (ALL_LEVERS, {}):
        row = measure(args.workers, args.months, args.warm_up, levers)
        row.update(date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), machine=platform.node(),
                   cpus=os.cpu_count(), load_average=os.getloadavg()[0], python=platform.python_version(), abm=__version__)
        rows.append(row)
        pieces = ", ".join(f"{k} {v:.2f}" for k, v in row["pieces_ms"].items() if v > 0)
        print(f"{row['levers']:>18}: month {row['month_ms']:.1f} ms, new code {row['new_code_ms']:.2f} ms "
              f"= {100 * row['new_code_share']:.1f} % of a month  ({pieces})", file=sys.stdout)
    with open(args.out, "a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
