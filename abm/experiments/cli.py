"""``abm sweep`` and ``abm report``: the batch front end of the command line."""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def make_executor(args: argparse.Namespace):
    """The one seam where engines plug in: a concurrent.futures.Executor."""
    if args.scheduler or args.local_cluster:
        from distributed import Client, LocalCluster

        if args.scheduler:
            client = Client(args.scheduler)
            cluster = None
        else:
            cluster = LocalCluster(n_workers=args.local_cluster, threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1")
            client = Client(cluster)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.workers or os.cpu_count() or 1) as ex:
            yield ex


def cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from abm.experiments.runner import make_tasks, run_experiment
    from abm.experiments.spec import load_spec
    from abm.experiments.storage import done_sets

    spec = load_spec(args.spec)
    out = Path(args.out) if args.out else Path("results") / spec.experiment.name
    if args.workers_n is not None:
        spec = spec.model_copy(update={"fixed": {**spec.fixed, "n_workers": args.workers_n}})
    if args.chunk_size is not None:
        spec = spec.model_copy(update={"experiment": spec.experiment.model_copy(update={"chunk_size": args.chunk_size})})
    tasks = make_tasks(spec)
    n_runs = sum(len(t.runs) for t in tasks)
    already = done_sets(out)
    skipped = sum(len(t.runs) for t in tasks if t.set_id in already)
    engine = args.scheduler or (f"Dask LocalCluster({args.local_cluster})" if args.local_cluster else f"{args.workers or os.cpu_count()} processes")
    print(f"{spec.experiment.name}: {len({t.set_id for t in tasks})} parameter sets × {spec.experiment.replicates} replicates = "
          f"{n_runs} runs of {spec.experiment.months} months on {engine}; {skipped} already done → {out}", file=sys.stderr)
    t0 = time.perf_counter()
    bar = tqdm(total=n_runs - skipped, unit="run", disable=not sys.stderr.isatty())
    with make_executor(args) as ex:
        manifest = run_experiment(spec, out, executor=ex, progress=lambda k, _: bar.update(k),
                                  limit=args.limit, retry_failed=args.retry_failed)
    bar.close()
    n_fail = len(manifest["failures"])
    print(f"done: {manifest['runs_this_session']} runs this session ({n_fail} failed in total, {skipped} skipped as done) "
          f"in {time.perf_counter() - t0:.1f} s; results in {out} (abm report {out})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from abm.experiments.analysis import report

    written = report(args.results)
    for key, path in written.items():
        print(f"{key}: {path}")
    print((Path(args.results) / "summary.md").read_text(encoding="utf-8"))
    return 0


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run an experiment batch (grid or sample × replicates), resumable",
                       description="Run every parameter set × replicate of an experiment spec (experiments/*.toml), in "
                                   "parallel, writing Parquet results as runs finish. Rerunning the same command resumes.")
    p.add_argument("spec", help="experiment spec TOML (see docs/experiments.md)")
    p.add_argument("--out", help="results directory (default results/<experiment name>)")
    p.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786")
    p.add_argument("--local-cluster", type=int, metavar="N", help="start a Dask LocalCluster with N worker processes")
    p.add_argument("--chunk-size", type=int, help="runs per task (default: all replicates of a parameter set)")
    p.add_argument("--population", dest="workers_n", type=int, help="override n_workers for every run")
    p.add_argument("--limit", type=int, help="run at most this many tasks (for trying a spec out)")
    p.add_argument("--retry-failed", action="store_true", help="run again the parameter sets that had failed runs")
    p.set_defaults(func=cmd_sweep)

    r = sub.add_parser("report", help="plots with replicate confidence bands and a summary table for a batch",
                       description="Turn a results directory into outputs.png (mean ± 95%% CI by year per parameter set), "
                                   "summary.csv/md (final-year means ± CI), overtaking_year.csv and, for Sobol/Morris "
                                   "samples, sensitivity.csv.")
    r.add_argument("results", help="results directory written by abm sweep")
    r.set_defaults(func=cmd_report)
