"""The ``abm`` command line.

    abm run [SCENARIO]          run one scenario, print a summary, write tables and plots
    abm params                  list every parameter with unit, range, default and source

Further commands (``sweep``, ``report``, ``app``, ``calibrate``, ``lessons``) are registered by
the modules listed in ``COMMAND_MODULES``; each has a ``register(subparsers)`` function.

One word per meaning in every command: ``--workers`` is the model's size (``n_workers``),
``--processes`` the number of OS processes; old spellings work for one release with a one-line
hint on stderr (:class:`Deprecated`).

Bad input is one line on stderr and exit status 2, never a traceback: option values are checked
while parsing (:func:`int_in`: ``abm run: error: argument --months: 0 is invalid; allowed: an
integer in [1, 1200]``), files and parameters by their readers (:class:`~abm.params.ParameterError`),
and output folders before any run starts (:func:`output_dir`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from abm.params import ParameterError

DEFAULT_SCENARIO = "baseline"
COMMAND_MODULES = ("abm.experiments.cli", "abm.app.cli", "abm.calibration", "abm.lessons.cli")

log = logging.getLogger("abm")

#: most OS processes a command starts per core: more only costs memory (and a typo must not fork thousands)
PROCESSES_PER_CORE = 4


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``abm run: error: argument --months: ...`` (no usage block)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        allowed = "" if "allowed" in message else f"; allowed: what `{self.prog} --help` lists"
        self.exit(2, f"{self.prog}: error: {message}{allowed}\n")


def int_in(lo: int, hi: int, what: str = "") -> Callable[[str], int]:
    """An argparse ``type``: an integer in [lo, hi]; anything else is a one-line error naming the value
    and the range (``what`` says what the number is, e.g. "model size, n_workers")."""
    allowed = f"an integer in [{lo}, {hi}]" + (f" ({what})" if what else "")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is invalid; allowed: {allowed}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is invalid; allowed: {allowed}")
        return value

    parse.__name__ = "int_in"
    return parse


def param_range(name: str) -> tuple[int, int]:
    """The allowed range [lo, hi] of an integer parameter of :class:`~abm.params.Params`."""
    from abm.params import Params

    meta = Params.model_fields[name].metadata
    return (int(next(m.ge for m in meta if hasattr(m, "ge"))), int(next(m.le for m in meta if hasattr(m, "le"))))


def max_processes() -> int:
    """The most OS processes ``--processes`` / ``--local-cluster`` may ask for on this machine."""
    return PROCESSES_PER_CORE * (os.cpu_count() or 1)


def output_dir(path: str | Path, option: str = "--out") -> Path:
    """Create ``path`` (and its parents) and check that files can be written there: a file in the way,
    a folder that cannot be created or is not writable is a one-line :class:`ParameterError` naming
    ``option``, raised before any run starts."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{option} {out} is a file; allowed: a directory (created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise ParameterError(f"{option} {out} cannot be written ({exc.strerror or exc}); allowed: a writable directory") from None
    return out


def output_file(path: str | Path, option: str) -> Path:
    """Check that the file ``path`` can be written (its folder is created): see :func:`output_dir`."""
    target = Path(path)
    if target.is_dir():
        raise ParameterError(f"{option} {target} is a directory; allowed: a file name")
    output_dir(target.parent if str(target.parent) else Path("."), option)
    return target


class Deprecated(argparse.Action):
    """An old spelling of an option: it still works, with a one-line hint on stderr naming the new one."""

    def __init__(self, option_strings: Sequence[str], dest: str, new: str = "", **kwargs: Any) -> None:
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"abm: {option_string} is deprecated and will be removed in the next release; use {self.new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_workers_option(p: argparse.ArgumentParser, *, many: bool = False, default: Any = None,
                       type: Callable[[str], int] | None = None) -> None:  # noqa: A002 - argparse's word
    """``--workers N``: the model's size (the ``n_workers`` parameter), in every command."""
    size = type or int_in(*param_range("n_workers"), what="model size, n_workers")
    p.add_argument("--workers", type=size, nargs="+" if many else None, metavar="N", default=default,
                   help="model size: workers in the model (n_workers)" + ("; one or more sizes" if many else "")
                   + (f" (default {' '.join(map(str, default)) if many else default})" if default else ""))


def add_processes_option(p: argparse.ArgumentParser, *, old: Sequence[str] = (), default_text: str = "all cores") -> None:
    """``--processes N``: OS processes running models in parallel, in every command (``old``: deprecated spellings)."""
    count = int_in(1, max_processes(), what=f"OS processes, at most {PROCESSES_PER_CORE} per core")
    p.add_argument("--processes", type=count, metavar="N", help=f"OS processes to run models in parallel (default: {default_text})")
    for spelling in old:
        p.add_argument(spelling, dest="processes", type=count, action=Deprecated, new="--processes", help=argparse.SUPPRESS)


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


#: ``--set`` keys that are options of ``abm run``, not parameters: the option to use instead.
RUN_OPTIONS = {"seed": "--seed S", "scenario": "the SCENARIO argument", "params": "--set KEY=VALUE per parameter",
               "out": "--out DIR"}


def parse_assignments(items: list[str], option: str = "--set") -> dict[str, object]:
    """``key=value`` strings → dict; values parsed as TOML scalars (numbers, booleans, strings)."""
    import tomllib

    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"{option} {item!r} is invalid; allowed: KEY=VALUE with KEY a parameter (abm params)")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw.strip()
    return out


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from abm import charts
    from abm.files import NAME_PATTERN, load_scenario
    from abm.params import Params
    from abm.report import summary_table
    from abm.runs import RunSpec, run_one

    ref = args.scenario or DEFAULT_SCENARIO
    meta, base = load_scenario(ref)
    overrides = parse_assignments(args.set or [])
    for key, value in overrides.items():
        if key in RUN_OPTIONS:
            raise ParameterError(f"--set {key}={value!r}: '{key}' is not a parameter; allowed: {RUN_OPTIONS[key]}")
    if args.workers is not None:
        if "n_workers" in overrides:
            raise ParameterError(f"--set n_workers={overrides['n_workers']!r} and --workers {args.workers} both set the model "
                                 "size; allowed: one of them")
        overrides["n_workers"] = args.workers
    params = Params.make(base, **overrides)
    name = meta.get("name", Path(ref).stem)
    if not args.out and not re.fullmatch(NAME_PATTERN, name):
        raise ParameterError(f"scenario file name {name!r} cannot name a folder in results/; allowed: a [scenario] name "
                             "(letters, digits, '_', '.', '-') or --out DIR")
    spec = RunSpec(name, params, args.seed, args.months).check()
    out = output_dir(args.out if args.out else Path("results") / name)  # before the run: no work lost to a bad --out
    t0 = time.perf_counter()
    with tqdm(total=spec.horizon, desc=name, unit="month", disable=not sys.stderr.isatty(), leave=False) as bar:
        res = run_one(spec, progress=lambda k: bar.update(1))
    elapsed = time.perf_counter() - t0

    files = {"model": "model", "cluster": "clusters", "firm": "firms", "location": "locations", "pay": "pay", "flow": "flows"}
    for table, file in files.items():
        res[table].to_csv(out / f"{file}.csv", index=False)
    print(f"{name}: {params.n_workers:,} workers, {res.n_firms} firms, {res.months} months, seed {res.seed} "
          f"— {elapsed:.1f} s")
    print(summary_table(res.model, res.cluster, res.firm).to_string())
    if not args.no_plots:
        fig = charts.overview(res.tables, title=f"{name} (seed {res.seed})")
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
    parser = Parser(prog="abm", description="Agent-based model of the AI-era tech labour market.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write its tables and plots",
                         description="Run one scenario (default: the shipped baseline), print a summary, "
                                     "write CSV tables and an overview plot.")
    run.add_argument("scenario", nargs="?", help="a scenario .toml file or a shipped scenario's name "
                                                 "(baseline, lesson_mismatch, ...; default: baseline)")
    run.add_argument("--seed", type=int_in(0, 2**63 - 1, what="random seed"), default=1, help="random seed (default 1)")
    run.add_argument("--months", type=int_in(*param_range("months"), what="months, like the 'months' parameter"),
                     help="months to simulate (default: the scenario's 'months')")
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
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command: bad input (:class:`ParameterError`) is one line on stderr and exit 2; a
    file the system refuses to read or write (disk full, permissions) one line and exit 1."""
    try:
        return int(args.func(args))
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
