"""``abm sweep`` and ``abm report``: the batch front end of the command line.

Exit codes of ``abm sweep``: 0 every run done and none failed; 1 the batch finished but some runs
failed (recorded in the manifest and the ``runs`` table) or the engine failed; 2 bad spec or
options; 130 interrupted (Ctrl-C) — rerun the same command to resume.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from abm.experiments.runner import Summary

#: tasks that did not verify named one a line, then counted
MAX_DAMAGE_LINES = 5

SWEEP_HELP = """\
Run every parameter set × replicate of an experiment spec (experiments/*.toml; format in
docs/experiments.md) in parallel, writing tidy Parquet tables as tasks finish.

Resuming: rerunning the same command skips every run already committed (after Ctrl-C, a kill -9,
a crash or --limit) and runs the rest; the results directory refuses a spec whose runs differ.
Seeds come from the spec's root seed (numpy SeedSequence, one child per run), so the dataset is
the same on any engine, any number of processes and any chunking.

Engines: local processes by default (all cores; --processes N); --local-cluster N or --scheduler
ADDRESS run the same tasks on Dask (Dask workers need the abm package: see --upload and
docs/experiments.md). --workers N sets the model size (n_workers) of every run.

Exit status: 0 all runs ok; 1 some runs failed (recorded, the batch went on) or the engine failed;
2 invalid spec or options; 130 interrupted (rerun to resume)."""

REPORT_HELP = """\
Turn a results directory written by `abm sweep` into a report in RESULTS/report/ (or --out):
  report.md            the index: what ran, the figures, the summary tables
  summary.csv / .md    per parameter set and output: mean, sd and 95 % CI over replicates of each
                       run's mean over its final months (and per calendar year with [report] years)
  timeseries.png       each key output by month: mean over replicates ± 95 % CI band per set
  final.png            final-window mean ± 95 % CI against the x parameter (lines: other factors)
and, when the spec asks for them ([report] figures) or the data allows: heatmap.png (two-factor
grids), profit_by_strategy.png + overtaking.csv (the year counter-cyclical firms' cumulative
profit per 2022 worker overtakes cutting firms' for good), pay_by_cluster.png + pay_by_cluster.csv
(remote/onsite pay ratio by cluster against the x parameter), beveridge.png (vacancy against
unemployment rate per set), sensitivity.csv/.png (SALib Sobol S1/ST or Morris mu*/sigma for
[sample] specs), failures.csv. Confidence intervals use Student's t with replicates − 1 degrees
of freedom. A partial batch is reported as far as it got."""


def _engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from abm.experiments import engines

    if args.scheduler or args.local_cluster:
        return engines.dask(address=args.scheduler, local_workers=args.local_cluster, upload=args.upload)
    return engines.local_processes(args.processes)


def _old_workers_meaning(args: argparse.Namespace) -> None:
    """``abm sweep --workers N`` meant N processes before ``--workers`` became the model size in every
    command. For one release a value too small for a model (< the smallest n_workers) still means
    processes, with a one-line hint."""
    from abm.cli import param_range
    from abm.params import ParameterError, Params

    smallest = next(m.ge for m in Params.model_fields["n_workers"].metadata if hasattr(m, "ge"))
    if args.workers is not None and args.workers < smallest and args.processes is not None:
        raise ParameterError(f"--workers {args.workers} is invalid with --processes; allowed: a model size in "
                             f"[{smallest}, {param_range('n_workers')[1]}] (n_workers)")
    if args.workers is not None and args.workers < smallest:
        print(f"abm sweep: --workers {args.workers} read as {args.workers} processes (its old meaning); --workers is the "
              f"model size now and processes are --processes {args.workers} (the old meaning goes in the next release)",
              file=sys.stderr)
        args.processes, args.workers = args.workers, None


def cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from abm.cli import output_dir, parse_assignments
    from abm.experiments.engines import probe
    from abm.experiments.runner import check_out, estimate_run_seconds, run_batch
    from abm.experiments.spec import load_spec
    from abm.params import ParameterError

    _old_workers_meaning(args)
    if args.processes is not None and (args.scheduler or args.local_cluster):
        raise ParameterError(f"--processes {args.processes} sets local processes; allowed with Dask: the workers in "
                             "--local-cluster N or on the cluster")
    if args.upload and not (args.scheduler or args.local_cluster):
        raise ParameterError(f"--upload {args.upload} needs a Dask engine; allowed with --scheduler or --local-cluster")
    if args.upload and not Path(args.upload).is_file():
        raise ParameterError(f"--upload {args.upload}: no such file; allowed: a .whl, .zip, .egg or .py file (build a "
                             "wheel with `pip wheel --no-deps -w dist .`)")
    spec = load_spec(args.spec)
    fixed = parse_assignments(args.set or [])
    if args.workers is not None:
        if "n_workers" in fixed:
            raise ParameterError(f"--set n_workers={fixed['n_workers']!r} and --workers {args.workers} both set the model "
                                 "size; allowed: one of them")
        fixed["n_workers"] = args.workers
    if fixed or args.chunk_size is not None:
        spec = spec.with_overrides(fixed=fixed, chunk_size=args.chunk_size)
    out = Path(args.out) if args.out else Path("results") / spec.experiment.name
    n_sets = len(spec.points())
    n_runs = n_sets * spec.experiment.replicates
    est = estimate_run_seconds(spec)
    head = (f"{spec.experiment.name}: {n_sets} parameter set{'s' * (n_sets != 1)} × {spec.experiment.replicates} "
            f"replicate{'s' * (spec.experiment.replicates != 1)} = {n_runs} runs of {spec.experiment.months} months "
            f"(~{est:.1f} s each on one core, roughly) → {out}")
    if args.dry_run:
        print(head)
        print(f"varied: {', '.join(spec.columns) or 'nothing'}; method {spec.method}; outputs {', '.join(spec.experiment.outputs)}")
        if spec.rounded:
            print(f"integer parameters sampled and rounded to the nearest integer: {', '.join(spec.rounded)}")
        return 0
    check_out(spec, out)  # before any engine starts: another spec's folder, no scheduler or a bad --out cost nothing
    if args.scheduler:
        probe(args.scheduler)
    output_dir(out)
    print(head, file=sys.stderr, flush=True)
    tty = sys.stderr.isatty()
    bar = None

    def started(s: Summary) -> None:
        nonlocal bar
        for d in s.damaged[:MAX_DAMAGE_LINES]:
            runs = f"{d.runs} run(s)" if d.runs is not None else "its runs"
            print(f"not verified, running {runs} again: {d.problem}", file=sys.stderr, flush=True)
        if len(s.damaged) > MAX_DAMAGE_LINES:
            print(f"... and {len(s.damaged) - MAX_DAMAGE_LINES} more task(s) not verified (see manifest.json, sessions)",
                  file=sys.stderr, flush=True)
        limit = f", {s.limited} left for later (--limit)" if s.limited else ""
        print(f"engine: {engine_name}; {s.skipped} runs already done{limit}; {s.total - s.skipped - s.limited} to run in "
              f"{s.n_tasks} tasks of ≤ {s.chunk_size}", file=sys.stderr, flush=True)
        size = shutil.get_terminal_size((100, 24))  # tqdm's own probe gives -1 on PTYs without a size: no bar
        bar = tqdm(total=s.total - s.skipped - s.limited, unit="run", disable=not tty, ncols=max(size.columns, 60),
                   nrows=max(size.lines, 5), desc=spec.experiment.name, smoothing=0.1)

    failed = 0

    def progress(ok: int, bad: int) -> None:
        nonlocal failed
        failed += bad
        if bar is not None:
            bar.update(ok + bad)
            if bad:
                bar.set_postfix(failed=failed)

    def interrupted(n: int) -> None:
        print(f"\ninterrupted: waiting for {n} task(s) in flight to finish and be saved (Ctrl-C again to stop now)",
              file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    summary = None
    engine_name = ""
    try:
        with _engine(args) as engine:
            engine_name = engine.name
            summary = run_batch(spec, out, engine.executor, parallelism=engine.parallelism, engine=engine.name,
                                limit=args.limit, retry_failed=args.retry_failed, progress=progress,
                                on_start=started, on_interrupt=interrupted)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(f"\ninterrupted: stopped after {time.perf_counter() - t0:.1f} s; runs in flight were dropped. "
              f"Rerun the same command to resume:\n  abm sweep {args.spec} --out {out}", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    print(f"{spec.experiment.name}: {summary.line()}")
    if summary.failed_total:
        print(f"{summary.failed_total} failed run(s) in this batch: see {out / 'manifest.json'} (\"failures\") or the "
              f"runs table; `--retry-failed` runs them again", file=sys.stderr)
    if summary.engine_error:
        print(f"engine error: {summary.engine_error} ({summary.lost} runs not done; rerun to resume)", file=sys.stderr)
    if summary.status == "interrupted" or summary.remaining:
        print(f"rerun the same command to resume: abm sweep {args.spec} --out {out}", file=sys.stderr)
    else:
        print(f"results: {out}   next: abm report {out}")
    if summary.status == "interrupted":
        return 130
    return 1 if (summary.failed_total or summary.engine_error) else 0


def cmd_report(args: argparse.Namespace) -> int:
    from abm.cli import output_dir
    from abm.experiments.analysis import report
    from abm.experiments.storage import load_manifest

    res = Path(args.results)
    load_manifest(res)  # a results folder of `abm sweep`, before anything is written
    dest = output_dir(args.out or res / "report")
    outputs = [c.strip() for c in args.outputs.split(",")] if args.outputs else None
    written = report(res, out=dest, outputs=outputs, window_months=args.window_months)
    for key, path in written.items():
        print(f"{key:20} {path}")
    return 0


def sweep_workers(text: str) -> int:
    """``abm sweep --workers``: a model size; for one release also 1..(smallest size − 1), the old meaning
    (processes: see :func:`_old_workers_meaning`)."""
    from abm.cli import int_in, max_processes, param_range

    lo, hi = param_range("n_workers")
    try:
        return int_in(1, max_processes())(text)
    except argparse.ArgumentTypeError:
        return int_in(lo, hi, what="model size, n_workers")(text)


def register(sub: argparse._SubParsersAction) -> None:
    from abm.cli import add_processes_option, add_workers_option, int_in, max_processes
    from abm.experiments.spec import CHUNK_MAX, MAX_RUNS
    from abm.runs import MONTHS_MAX

    p = sub.add_parser("sweep", help="run an experiment batch (grid or sample × replicates), parallel and resumable",
                       description=SWEEP_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", metavar="EXPERIMENT.toml", help="experiment spec (see docs/experiments.md)")
    p.add_argument("--out", metavar="DIR", help="results directory (default: results/<experiment name>); rerun with the "
                                                "same DIR to resume")
    add_processes_option(p, default_text=f"all cores, here {os.cpu_count()}; not with --scheduler/--local-cluster")
    add_workers_option(p, type=sweep_workers)
    eng = p.add_mutually_exclusive_group()
    eng.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786 "
                                                            "(workers need abm installed, or --upload)")
    eng.add_argument("--local-cluster", type=int_in(1, max_processes(), what="Dask worker processes"), metavar="N", help="start a Dask LocalCluster of N single-threaded "
                                                                    "worker processes on this machine and run on it")
    p.add_argument("--upload", metavar="WHEEL", help="with Dask: send this wheel (or .zip/.egg/.py) to every worker with "
                                                     "client.upload_file before running (dependencies must be installed there)")
    p.add_argument("--chunk-size", type=int_in(1, CHUNK_MAX, what="runs per task"), metavar="K", help="runs per task (default: automatic, tasks of >= ~0.15 s "
                                                               "and >= 4 tasks per worker); does not change results")
    p.add_argument("--limit", type=int_in(1, MAX_RUNS, what="runs this session"), metavar="N", help="run at most N of the remaining runs this session (try a spec "
                                                          "out; rerun without it to finish)")
    p.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed (otherwise a "
                                                               "resume skips them: they are deterministic)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="extra fixed parameter for every run, e.g. "
                                                                       "--set quit_rate=0.01 (repeatable; a new plan: use a new --out)")
    p.add_argument("--dry-run", action="store_true", help="validate the spec, print the plan and exit")
    p.set_defaults(func=cmd_sweep)

    r = sub.add_parser("report", help="plots with replicate confidence bands, summary tables and sensitivity indices",
                       description=REPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("results", metavar="RESULTS_DIR", help="results directory written by abm sweep")
    r.add_argument("--out", metavar="DIR", help="where to write the report (default: RESULTS_DIR/report)")
    r.add_argument("--outputs", metavar="COL,COL", help="model-table columns to plot and summarise (default: the spec's "
                                                        "[report] outputs, else a standard set)")
    r.add_argument("--window-months", type=int_in(1, MONTHS_MAX, what="months"), metavar="N", help="average each run over its final N months for the "
                                                                  "summary (default: the spec's, else 12)")
    r.set_defaults(func=cmd_report)
