"""The ``abm`` command line.

    abm run [SCENARIO]          run one scenario, print a summary, write tables and plots
    abm params                  list every parameter with unit, range, default and source

Further commands (``sweep``, ``report``, ``app``, ``calibrate``, ``lessons``) are registered by
the modules listed in ``COMMAND_MODULES``; each has a ``register(subparsers)`` function.

One word per meaning in every command: ``--workers`` is the model's size (``n_workers``),
``--processes`` the number of OS processes; old spellings work for one release with a one-line
hint on stderr (:class:`Deprecated`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from abm.params import ParameterError

DEFAULT_SCENARIO = "baseline"
COMMAND_MODULES = ("abm.experiments.cli", "abm.app.cli", "abm.calibration", "abm.lessons.cli")

log = logging.getLogger("abm")


class Deprecated(argparse.Action):
    """An old spelling of an option: it still works, with a one-line hint on stderr naming the new one."""

    def __init__(self, option_strings: Sequence[str], dest: str, new: str = "", **kwargs: Any) -> None:
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"abm: {option_string} is deprecated and will be removed in the next release; use {self.new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_workers_option(p: argparse.ArgumentParser, *, many: bool = False, default: Any = None) -> None:
    """``--workers N``: the model's size (the ``n_workers`` parameter), in every command."""
    p.add_argument("--workers", type=int, nargs="+" if many else None, metavar="N", default=default,
                   help="model size: workers in the model (n_workers)" + ("; one or more sizes" if many else "")
                   + (f" (default {' '.join(map(str, default)) if many else default})" if default else ""))


def add_processes_option(p: argparse.ArgumentParser, *, old: Sequence[str] = (), default_text: str = "all cores") -> None:
    """``--processes N``: OS processes running models in parallel, in every command (``old``: deprecated spellings)."""
    p.add_argument("--processes", type=int, metavar="N", help=f"OS processes to run models in parallel (default: {default_text})")
    for spelling in old:
        p.add_argument(spelling, dest="processes", type=int, action=Deprecated, new="--processes", help=argparse.SUPPRESS)


@contextmanager
def runs_progress(desc: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over runs on stderr (on a terminal only); yields ``progress(done, total)`` for
    :func:`abm.runs.run_many`."""
    from tqdm import tqdm

    with tqdm(unit="run", desc=desc, disable=not sys.stderr.isatty(), leave=False) as bar:
        def update(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield update


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


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from abm.files import load_scenario
    from abm.params import Params
    from abm.plots import overview
    from abm.report import summary_table
    from abm.runs import RunSpec, run_one

    ref = args.scenario or DEFAULT_SCENARIO
    meta, base = load_scenario(ref)
    overrides = parse_assignments(args.set or [])
    if args.workers is not None:
        overrides["n_workers"] = args.workers
    params = Params.make(base, **overrides)
    name = meta.get("name", Path(ref).stem)
    spec = RunSpec(name, params, args.seed, args.months)
    t0 = time.perf_counter()
    with tqdm(total=spec.horizon, desc=name, unit="month", disable=not sys.stderr.isatty(), leave=False) as bar:
        res = run_one(spec, progress=lambda k: bar.update(1))
    elapsed = time.perf_counter() - t0

    out = Path(args.out) if args.out else Path("results") / name
    out.mkdir(parents=True, exist_ok=True)
    files = {"model": "model", "cluster": "clusters", "firm": "firms", "location": "locations", "pay": "pay", "flow": "flows"}
    for table, file in files.items():
        res[table].to_csv(out / f"{file}.csv", index=False)
    print(f"{name}: {params.n_workers:,} workers, {res.n_firms} firms, {res.months} months, seed {res.seed} "
          f"— {elapsed:.1f} s")
    print(summary_table(res.model, res.cluster, res.firm).to_string())
    if not args.no_plots:
        fig = overview(res.model, res.cluster, res.firm, title=f"{name} (seed {res.seed})")
        fig.savefig(out / "overview.png", dpi=90)
        print(f"plots: {out / 'overview.png'}")
    print(f"tables: {out}/{{{','.join(files.values())}}}.csv")
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
                         description="Run one scenario (default: the shipped baseline), print a summary, "
                                     "write CSV tables and an overview plot.")
    run.add_argument("scenario", nargs="?", help="a scenario .toml file or a shipped scenario's name "
                                                 "(baseline, lesson_mismatch, ...; default: baseline)")
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--months", type=int, help="months to simulate (default: the scenario's 'months')")
    add_workers_option(run)
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
