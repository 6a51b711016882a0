"""Running a batch: seeds from one root, tasks of several runs, any ``concurrent.futures.Executor``.

* **Runs.** Every run is an :class:`abm.runs.RunSpec` run by :func:`abm.runs.run_one`, the one way
  the project runs the model; this module adds what a batch needs on top: a plan, tasks, files.
* **Seeds.** Run ``i`` (parameter set ``k = i // replicates``, replicate ``r = i % replicates``)
  gets the seed ``SeedSequence(root).spawn(n_runs)[i]`` (63 bits of its state,
  :func:`abm.runs.spawn_seeds`), or replicate ``r``'s seed from the spec's explicit ``seeds``: the
  dataset is identical whatever the engine, the number of processes, the chunking or the resumes.
* **Tasks.** Runs are grouped into tasks of ``chunk_size`` runs so scheduling costs nothing (Dask
  ~1.7 ms a task) and files hold several runs. Automatic: the replicates of one parameter set,
  split when that leaves fewer than ~4 tasks per worker, never below ~0.15 s of work. A task holds
  the runs of one parameter set, or of several consecutive sets when a set has fewer runs than a
  chunk (e.g. 1-replicate samples). One task = one file per table. When tasks last over a second,
  the last two rounds of tasks run one run each, so the batch ends evenly on every worker.
* **Engines.** The one seam is an ``Executor`` (see :mod:`abm.experiments.engines`): a
  ``ProcessPoolExecutor`` locally, ``distributed.Client(...).get_executor()`` for Dask.
* **Nothing lost, nothing twice.** The parent process writes each finished task atomically (data
  files, then the ledger file that commits them); a rerun skips committed runs; a run that raises
  is recorded in the ledger (status "failed", the error and traceback) and the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import os
import platform
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from abm.experiments import storage
from abm.experiments.spec import KEY_COLUMNS, ExperimentSpec
from abm.params import Params
from abm.runs import RunSpec, run_one, spawn_seeds

#: rough cost of one model month: fixed + per worker (seconds; measured on a 2-core machine)
MONTH_COST_S = (2e-3, 1.5e-6)
TARGET_TASK_S = 0.15
#: rounds of tasks (× the workers) at the end of a batch that run one run each
TAIL_ROUNDS = 2
TAIL_MIN_S = 1.0


@dataclass(frozen=True)
class PlannedRun:
    """A run of the batch's plan: its index, parameter set, replicate and seed."""

    run_id: int
    set_id: int
    replicate: int
    seed: int


@dataclass(frozen=True)
class Task:
    """What a worker needs: the runs, each parameter set's full parameters, months, outputs."""

    name: str
    runs: tuple[PlannedRun, ...]
    points: dict[int, dict[str, Any]]   # set_id → varied parameter values (the key columns)
    params: dict[int, dict[str, Any]]   # set_id → every parameter (Params.model_dump())
    months: int
    outputs: tuple[str, ...]
    setup: str | None = None


# --- the plan -------------------------------------------------------------------------------------
def plan_runs(spec: ExperimentSpec, n_sets: int | None = None) -> list[PlannedRun]:
    """Every run of the batch: parameter set × replicate, with its seed (see the module docstring)."""
    reps = spec.experiment.replicates
    n_sets = len(spec.points()) if n_sets is None else n_sets
    chosen = spec.experiment.seeds
    seeds = [chosen[i % reps] for i in range(n_sets * reps)] if chosen else spawn_seeds(spec.experiment.seed, n_sets * reps)
    return [PlannedRun(i, i // reps, i % reps, seeds[i]) for i in range(n_sets * reps)]


def estimate_run_seconds(spec: ExperimentSpec) -> float:
    """Rough seconds of one run on one core: its months and burn-in months at :data:`MONTH_COST_S`."""
    p = spec.params_for(spec.points()[0])
    return (spec.experiment.months + p.burn_in_months) * (MONTH_COST_S[0] + MONTH_COST_S[1] * p.n_workers)


def auto_chunk(spec: ExperimentSpec, n_runs: int, parallelism: int) -> int:
    """Runs per task: a parameter set's replicates (several runs per file), split when that leaves fewer
    than ~4 tasks per worker, never below ~0.15 s of work; with 1 replicate, up to 4 sets share a task."""
    need = max(1, math.ceil(TARGET_TASK_S / max(estimate_run_seconds(spec), 1e-6)))
    reps = spec.experiment.replicates
    target = reps if reps > 1 else 4
    spread = max(1, math.ceil(n_runs / (4 * max(parallelism, 1))))
    return max(need, min(target, spread))


def group_tasks(runs: list[PlannedRun], chunk: int) -> list[list[PlannedRun]]:
    """Split each set's runs into near-equal chunks of <= ``chunk``; sets smaller than a chunk share tasks."""
    by_set: dict[int, list[PlannedRun]] = {}
    for r in runs:
        by_set.setdefault(r.set_id, []).append(r)
    tasks: list[list[PlannedRun]] = []
    carry: list[PlannedRun] = []
    for set_runs in by_set.values():
        if len(set_runs) >= chunk:
            if carry:
                tasks.append(carry)
                carry = []
            for part in np.array_split(np.arange(len(set_runs)), math.ceil(len(set_runs) / chunk)):
                tasks.append([set_runs[i] for i in part])
        else:
            carry += set_runs
            if len(carry) >= chunk:
                tasks.append(carry)
                carry = []
    if carry:
        tasks.append(carry)
    return tasks


def split_tail(groups: list[list[PlannedRun]], parallelism: int, run_seconds: float) -> list[list[PlannedRun]]:
    """The last ``TAIL_ROUNDS × parallelism`` tasks split into one run each when tasks last more than
    ``TAIL_MIN_S``: while the last tasks run, no worker waits idle for another to finish a whole chunk
    (the batch ends within about one run)."""
    n = TAIL_ROUNDS * parallelism
    if parallelism <= 1 or max(map(len, groups), default=0) * run_seconds < TAIL_MIN_S:
        return groups
    head, tail = groups[:-n], groups[-n:]
    return head + [[r] for g in tail for r in g]


# --- one task, in a worker -------------------------------------------------------------------------
def _tidy(df: pd.DataFrame, keys: dict[str, Any]) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    for col in df.select_dtypes("category").columns:
        df[col] = df[col].astype(str)
    front = pd.DataFrame({k: np.repeat(np.asarray([v]), len(df)) for k, v in keys.items()})
    return pd.concat([front, df], axis=1)


def execute(task: Task) -> dict[str, Any]:
    """Run every run of a task; returns its tables (as Parquet bytes: :class:`~abm.experiments.storage.Encoded`)
    and one ledger row per run. Never raises for a run."""
    hook = None
    if task.setup:
        mod, _, fn = task.setup.partition(":")
        hook = getattr(importlib.import_module(mod), fn)
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in task.outputs}
    rows = []
    host, pid = socket.gethostname(), os.getpid()
    for run in task.runs:
        t0, c0 = time.perf_counter(), time.process_time()
        keys = {"run_id": run.run_id, "set_id": run.set_id, "replicate": run.replicate, "seed": run.seed,
                **task.points[run.set_id]}
        row: dict[str, Any] = {**keys, "status": "ok", "error": None, "traceback": None}
        try:
            spec = RunSpec(f"run {run.run_id}", Params(**task.params[run.set_id]), run.seed, task.months, tables=task.outputs)
            before = None if hook is None else (lambda model, keys=keys: hook(model, dict(keys)))
            results = run_one(spec, before=before)
            tables = {name: _tidy(results[name], keys) for name in task.outputs}
        except Exception as exc:  # a failing run is recorded; the batch goes on
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:2000],
                       traceback=traceback.format_exc(limit=-8)[-8000:])
        else:
            for name, df in tables.items():
                frames[name].append(df)
        row.update(seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0, host=host, pid=pid,
                   finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        rows.append(row)
    # encoded here, in the worker: the parent only writes bytes (no DataFrames to unpickle, no compression)
    return {"name": task.name, "tables": {k: storage.encode(pd.concat(v, ignore_index=True)) for k, v in frames.items() if v},
            "ledger": rows}


# --- the batch, in the parent -----------------------------------------------------------------------
def ledger_schema(spec: ExperimentSpec, points: list[dict[str, Any]]) -> pa.Schema:
    types = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}
    fields = [pa.field(k, pa.int64()) for k in KEY_COLUMNS]
    for c in spec.columns:
        fields.append(pa.field(c, types.get(type(points[0][c]), pa.string())))
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string()), pa.field("traceback", pa.string()),
               pa.field("seconds", pa.float64()), pa.field("cpu_seconds", pa.float64()), pa.field("host", pa.string()),
               pa.field("pid", pa.int64()),
               pa.field("finished", pa.string())]
    return pa.schema(fields)


@dataclass
class Summary:
    """What a session did (printed at the end of ``abm sweep``; also in the manifest's sessions)."""

    out: Path
    total: int = 0
    skipped: int = 0        # committed in earlier sessions (ok or failed)
    done: int = 0           # finished this session, ok
    failed: int = 0         # finished this session, raised (recorded)
    lost: int = 0           # not finished because the engine failed (will run on resume)
    elapsed_s: float = 0.0
    run_seconds: float = 0.0
    status: str = "running"  # complete | incomplete | interrupted | engine-error
    failed_total: int = 0    # failed runs in the whole batch (all sessions)
    engine_error: str | None = None
    n_tasks: int = 0
    chunk_size: int = 0
    limited: int = 0        # runs left out by --limit
    damaged: tuple[storage.Damage, ...] = ()  # committed tasks whose files did not verify: run again

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - self.done - self.failed

    def line(self) -> str:
        rate = f", {60 * (self.done + self.failed) / self.elapsed_s:.0f} runs/min" if self.elapsed_s > 0 and self.done + self.failed else ""
        per = f", {self.run_seconds / (self.done + self.failed):.2f} s/run" if self.done + self.failed else ""
        parts = [f"{self.done} done", f"{self.failed} failed", f"{self.skipped} skipped (already done)"]
        if self.lost:
            parts.append(f"{self.lost} lost to engine errors")
        return (f"{self.status}: {', '.join(parts)}; {self.remaining} of {self.total} remaining — "
                f"{self.elapsed_s:.1f} s{per}{rate}")


def _versions() -> dict[str, str]:
    import mesa

    from abm import __version__

    return {"abm": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "pyarrow": pa.__version__, "mesa": mesa.__version__}


def _manifest_base(spec: ExperimentSpec, points: list[dict[str, Any]], runs: list[PlannedRun]) -> dict[str, Any]:
    return {
        "format": 2,  # 2: ledger files record their task's files (rows, bytes, SHA-256)
        "name": spec.experiment.name,
        "description": spec.experiment.description,
        "spec_file": str(spec.path),
        "spec": spec.raw,
        "fingerprint": spec.fingerprint(),
        "method": spec.method,
        "factors": spec.factors,
        "rounded": spec.rounded,
        "derived": spec.derived,
        "columns": spec.columns,
        "outputs": list(spec.experiment.outputs),
        "months": spec.experiment.months,
        "replicates": spec.experiment.replicates,
        "root_seed": spec.experiment.seed,
        "seed_rule": ("run i: seeds[i % replicates] (the spec's explicit seeds)" if spec.experiment.seeds else
                      "run i: SeedSequence(root_seed).spawn(n_runs)[i].generate_state(1, uint64)[0] >> 1")
                     + "; set_id = i // replicates, replicate = i % replicates",
        "n_sets": len(points),
        "n_runs": len(runs),
        "seeds": [r.seed for r in runs],
        "sets": [{"set_id": k, **p} for k, p in enumerate(points)],
        "base_params": spec.base_params.model_dump(),
        "fixed": spec.fixed,
        "batch_overrides": {"worker_agents": False},
        "versions": _versions(),
        "host": {"hostname": socket.gethostname(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "sessions": [],
    }


def _check_compatible(old: dict[str, Any], new: dict[str, Any], out: Path) -> None:
    if old.get("fingerprint") == new["fingerprint"]:
        if old.get("versions", {}).get("abm") != new["versions"]["abm"]:
            raise storage.ResultsError(f"{out} holds results of abm {old['versions'].get('abm')}, this is abm "
                                       f"{new['versions']['abm']}; allowed: one abm version per dataset — use another --out")
        return
    for key in ("months", "replicates", "root_seed", "outputs", "columns", "n_sets"):
        if old.get(key) != new[key]:
            what = f"'{key}' ({old.get(key)!r} there, {new[key]!r} now)"
            break
    else:
        what = ("the parameter sets" if old.get("sets") != new["sets"] else
                "the base scenario" if old.get("base_params") != new["base_params"] else "fixed parameters or the setup hook")
    raise storage.ResultsError(f"{out} holds results of another experiment (spec fingerprint {old.get('fingerprint')} there, "
                               f"{new['fingerprint']} now: {what} changed); a results folder belongs to one spec; allowed: "
                               "the spec of these results, or another --out (or delete the folder to start again)")


def check_out(spec: ExperimentSpec, out: Path) -> None:
    """``out`` can take the batch ``spec``: empty, new, or holding runs of this spec (a one-line
    :class:`~abm.experiments.storage.ResultsError` otherwise). :func:`run_batch` checks it again under its lock."""
    old = storage.read_json(out / storage.MANIFEST) if out.is_dir() else None
    if old is not None:
        points = spec.points()
        _check_compatible(old, _manifest_base(spec, points, plan_runs(spec, len(points))), out)
    elif out.is_dir() and (storage.ledger_files(out) or storage.data_tables(out)):
        raise storage.ResultsError(f"{out} has results but no manifest.json; allowed: an empty folder or one `abm "
                                   "sweep` wrote — use another --out")


def run_batch(spec: ExperimentSpec, out: str | Path, executor: Executor, *, parallelism: int = 1,
              engine: str = "", limit: int | None = None, retry_failed: bool = False,
              progress: Callable[[int, int], None] | None = None,
              on_start: Callable[[Summary], None] | None = None,
              on_interrupt: Callable[[int], None] | None = None) -> Summary:
    """Run (or resume) the batch ``spec`` into ``out`` on ``executor``; returns a :class:`Summary`.

    ``parallelism`` (workers of the executor) sizes the automatic chunks and the number of tasks
    in flight. ``limit`` runs at most that many runs this session. ``retry_failed`` runs again the
    runs recorded as failed. ``progress(ok, failed)`` is called per finished task. The first
    KeyboardInterrupt stops submitting and waits for the tasks in flight (their runs are kept);
    a second one stops at once. Either way the manifest is updated and KeyboardInterrupt re-raised.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    points = spec.points()
    runs = plan_runs(spec, len(points))
    summary = Summary(out=out, total=len(runs))
    with storage.Lock(out):
        manifest = _manifest_base(spec, points, runs)
        check_out(spec, out)
        old = storage.read_json(out / storage.MANIFEST)
        if old is not None:
            manifest["sessions"] = old.get("sessions", [])
        if spec.path is not None and spec.path.exists():
            (out / "spec.toml").write_text(spec.path.read_text(encoding="utf-8"), encoding="utf-8")
        storage.write_json_atomic(manifest, out / storage.MANIFEST)
        storage.clean_uncommitted(out)
        summary.damaged = tuple(storage.verify(out))  # never trust a file that does not verify: run its runs again
        storage.discard(out, list(summary.damaged))
        storage.clean_uncommitted(out)
        if retry_failed:
            storage.forget_failed(out)
        ledger = storage.read_ledger(out)
        finished = set(ledger["run_id"].tolist())
        summary.skipped = len(finished)
        todo = [r for r in runs if r.run_id not in finished]
        if limit is not None and limit < len(todo):
            summary.limited = len(todo) - limit
            todo = todo[:limit]
        chunk = spec.experiment.chunk_size or auto_chunk(spec, len(todo), parallelism)
        session = uuid.uuid4().hex[:6]
        groups = group_tasks(todo, chunk)
        if not spec.experiment.chunk_size:  # automatic chunks: the last ones small, for an even finish
            groups = split_tail(groups, parallelism, estimate_run_seconds(spec))
        set_params = {}
        schema = ledger_schema(spec, points)
        tasks = []
        for g in groups:
            sets = sorted({r.set_id for r in g})
            for k in sets:
                if k not in set_params:
                    set_params[k] = spec.run_params(points[k]).model_dump()
            tasks.append(Task(name=storage.part_name(g[0].set_id, g[0].run_id, session), runs=tuple(g),
                              points={k: points[k] for k in sets}, params={k: set_params[k] for k in sets},
                              months=spec.experiment.months, outputs=tuple(spec.experiment.outputs),
                              setup=spec.experiment.setup))
        summary.n_tasks, summary.chunk_size = len(tasks), chunk
        if on_start:
            on_start(summary)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        interrupted = False
        try:
            _drive(executor, tasks, parallelism, out, schema, summary, progress, on_interrupt)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            summary.elapsed_s = time.perf_counter() - t0
            ledger = storage.read_ledger(out)
            failed = ledger[ledger["status"] == "failed"]
            summary.failed_total = len(failed)
            if interrupted or summary.status == "interrupted":
                summary.status = "interrupted"
            elif summary.engine_error:
                summary.status = "engine-error"
            else:
                summary.status = "complete" if len(ledger) == len(runs) else "incomplete"
            manifest["sessions"].append({
                "started": started, "elapsed_s": round(summary.elapsed_s, 3), "engine": engine,
                "parallelism": parallelism, "chunk_size": chunk, "tasks": summary.n_tasks, "runs_ok": summary.done,
                "runs_failed": summary.failed, "runs_skipped": summary.skipped, "runs_lost": summary.lost,
                "tasks_not_verified": [{"task": d.task, "problem": d.problem, "runs": d.runs} for d in summary.damaged],
                "run_seconds_total": round(summary.run_seconds, 3),
                "run_seconds_mean": round(summary.run_seconds / max(summary.done + summary.failed, 1), 4),
                "status": summary.status, "engine_error": summary.engine_error})
            manifest["status"] = summary.status
            manifest["runs_committed"] = int(len(ledger))
            manifest["runs_ok"] = int((ledger["status"] == "ok").sum())
            manifest["run_seconds"] = {"mean": float(ledger["seconds"].mean()) if len(ledger) else None,
                                       "total": float(ledger["seconds"].sum()) if len(ledger) else 0.0}
            cols = [c for c in ("run_id", "set_id", "replicate", "seed", *spec.columns, "error") if c in failed]
            manifest["failures"] = failed[cols].to_dict("records")
            storage.write_json_atomic(manifest, out / storage.MANIFEST)
    return summary


class _CtrlC:
    """First Ctrl-C (SIGINT): set a flag the loop checks; second: KeyboardInterrupt (stop now)."""

    def __init__(self) -> None:
        self.count = 0
        self.previous: Any = None

    def _handler(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.count >= 2:
            raise KeyboardInterrupt

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _drive(executor: Executor, tasks: list[Task], parallelism: int, out: Path, schema: pa.Schema, summary: Summary,
           progress: Callable[[int, int], None] | None, on_interrupt: Callable[[int], None] | None) -> None:
    """Submit tasks with a bounded number in flight; commit each result as it arrives."""
    window = max(2 * parallelism, 4)
    queue = list(reversed(tasks))
    inflight: dict[Future, Task] = {}
    stopping = False
    with _CtrlC() as ctrl_c:
        while queue or inflight:
            if ctrl_c.count and not stopping:  # first Ctrl-C: finish (and keep) what is running, start nothing
                stopping = True
                summary.status = "interrupted"
                for fut in list(inflight):
                    if fut.cancel():
                        inflight.pop(fut)
                if on_interrupt:
                    on_interrupt(len(inflight))
            while queue and not stopping and len(inflight) < window:
                task = queue.pop()
                try:
                    inflight[executor.submit(execute, task)] = task
                except Exception as exc:  # e.g. a broken process pool
                    summary.engine_error = summary.engine_error or f"{type(exc).__name__}: {exc}"
                    summary.lost += len(task.runs) + sum(len(t.runs) for t in queue)
                    queue.clear()
            if not inflight:
                break
            finished, _ = wait(inflight, timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in finished:
                task = inflight.pop(fut)
                try:
                    res = fut.result()
                except Exception as exc:  # the engine failed (worker died, ...): runs stay undone
                    summary.engine_error = summary.engine_error or f"{type(exc).__name__}: {exc}"
                    summary.lost += len(task.runs)
                    continue
                commit(res, out, schema)
                ok = sum(r["status"] == "ok" for r in res["ledger"])
                summary.done += ok
                summary.failed += len(res["ledger"]) - ok
                summary.run_seconds += sum(r["seconds"] for r in res["ledger"])
                if progress:
                    progress(ok, len(res["ledger"]) - ok)


def commit(res: dict[str, Any], out: Path, schema: pa.Schema) -> None:
    """Write a finished task: its data files, then its ledger file (the commit), which records them."""
    storage.commit(out, res["name"], res["tables"], pd.DataFrame(res["ledger"], columns=schema.names), schema)


def worker_info() -> dict[str, Any]:
    """What a (Dask) worker has installed; used to check workers before a batch."""
    try:
        import abm

        return {"abm": abm.__version__, "path": str(Path(abm.__file__).parent), "python": platform.python_version()}
    except Exception as exc:  # noqa: BLE001 - reported to the user
        return {"abm": None, "error": f"{type(exc).__name__}: {exc}", "python": platform.python_version(),
                "executable": sys.executable}


__all__ = ["Task", "PlannedRun", "Summary", "run_batch", "execute", "plan_runs", "group_tasks", "auto_chunk"]
