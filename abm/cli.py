"""The ``abm`` command line.

    abm run [SCENARIO]          run one scenario, print a summary, write tables and plots
    abm params                  list every parameter with unit, range, default and source

Further commands (``sweep``, ``report``, ``app``, ``calibrate``, ...) are registered by the
modules listed in ``COMMAND_MODULES``; each has a ``register(subparsers)`` function.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
import time
from pathlib import Path

from abm.params import ParameterError

DEFAULT_SCENARIO = Path("experiments/baseline.toml")
COMMAND_MODULES = ("abm.experiments.cli", "abm.app.cli", "abm.calibration")

log = logging.getLogger("abm")


def parse_assignments(items: list[str]) -> dict[str, object]:
    """``key=value`` strings → dict; values parsed as TOML scalars (numbers, booleans, strings)."""
    import tomllib

    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"--set expects key=value, got {item!r}")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw.strip()
    return out


def _progress_bar(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="month", disable=not sys.stderr.isatty(), leave=False)


def cmd_run(args: argparse.Namespace) -> int:
    from abm.model import LaborMarket
    from abm.params import load_scenario
    from abm import charts
    from abm.report import summary_table

    scenario = Path(args.scenario) if args.scenario else DEFAULT_SCENARIO
    meta, params = load_scenario(scenario) if scenario.exists() or args.scenario else ({"name": "baseline"}, None)
    overrides = parse_assignments(args.set or [])
    if args.workers is not None:
        overrides["n_workers"] = args.workers
    name = meta.get("name", scenario.stem)
    t0 = time.perf_counter()
    model = LaborMarket(seed=args.seed, params=params, **overrides)
    months = args.months if args.months is not None else model.p.months
    with _progress_bar(months, name) as bar:
        model.run(months, progress=lambda k: bar.update(1))
    elapsed = time.perf_counter() - t0

    out = Path(args.out) if args.out else Path("results") / name
    out.mkdir(parents=True, exist_ok=True)
    tables = {"model": model.model_metrics(), "clusters": model.cluster_metrics(), "firms": model.firm_metrics(),
              "locations": model.location_metrics(), "pay": model.pay_metrics()}
    for key, df in tables.items():
        df.to_csv(out / f"{key}.csv", index=False)
    print(f"{name}: {model.p.n_workers:,} workers, {model.firms.n} firms, {months} months, seed {model.seed} "
          f"— {elapsed:.1f} s")
    print(summary_table(tables["model"], tables["clusters"], tables["firms"]).to_string())
    if not args.no_plots:
        fig = charts.overview(charts.tables_of(model), title=f"{name} (seed {model.seed})")
        fig.savefig(out / "overview.png", dpi=90)
        print(f"plots: {out / 'overview.png'}")
    print(f"tables: {out}/{{{','.join(tables)}}}.csv")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from abm.params import Params

    for row in Params.describe():
        rng = f"[{row['min']}, {row['max']}]" if row["min"] is not None else ""
        print(f"{row['name']:32} {row['default']!s:>10} {rng:>22} {row['unit']:>22}  {row['description']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="abm", description="Agent-based model of the AI-era tech labour market.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write its tables and plots",
                         description="Run one scenario (default experiments/baseline.toml), print a summary, "
                                     "write CSV tables and an overview plot.")
    run.add_argument("scenario", nargs="?", help="scenario TOML file (default: experiments/baseline.toml or built-in defaults)")
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--months", type=int, help="months to simulate (default: the scenario's 'months')")
    run.add_argument("--workers", type=int, help="override n_workers")
    run.add_argument("--set", action="append", metavar="KEY=VALUE", help="override any parameter (repeatable)")
    run.add_argument("--out", help="output directory (default results/<scenario name>)")
    run.add_argument("--no-plots", action="store_true", help="skip the overview plot")
    run.set_defaults(func=cmd_run)

    params = sub.add_parser("params", help="list all parameters with units, ranges, defaults and sources")
    params.set_defaults(func=cmd_params)

    for name in COMMAND_MODULES:
        try:
            present = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # the parent package is not there either
            present = False
        if present:
            importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return args.func(args)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
