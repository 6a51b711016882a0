"""Running a batch: seeds from one root, tasks per parameter set, any ``concurrent.futures.Executor``.

* **Seeds.** Run i (parameter set k, replicate r; i = k · replicates + r) gets its seed from
  ``numpy.random.SeedSequence(root).spawn(n_runs)[i]``: the dataset is identical whatever the
  engine, the number of workers or the chunking.
* **Tasks.** A task is all replicates of one parameter set (or ``chunk_size`` of them), so a task
  is long enough (≥ ~100 ms) to amortise scheduling (Dask ~1.7 ms a task) and a parameter set is
  one Parquet file per table.
* **Engines.** The one seam is an ``Executor``: ``ProcessPoolExecutor`` locally (default: all
  cores), ``distributed.Client(...).get_executor()`` for Dask (``--scheduler tcp://host:8786`` or
  ``--local-cluster N``). Workers need this package installed (``pip install abm-techlabor`` or
  the wheel on every worker; see docs/experiments.md).
* **Nothing lost.** The parent writes each finished task atomically; a rerun skips finished
  parameter sets; a run that raises is recorded in failures.jsonl and the batch goes on.
"""

from __future__ import annotations

import os
import time
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from abm.experiments import storage
from abm.experiments.spec import ExperimentSpec

#: fault injection for tests: comma-separated run ids that raise (documented in docs/experiments.md)
FAULT_ENV = "ABM_FAULT_INJECT_RUNS"


@dataclass(frozen=True)
class Task:
    set_id: int
    point: dict[str, Any]
    runs: tuple[tuple[int, int, int], ...]  # (run_id, replicate, seed)
    params: dict[str, Any]
    months: int
    outputs: tuple[str, ...]


def run_seeds(root: int, n_runs: int) -> list[int]:
    return [int(s.generate_state(1, dtype=np.uint32)[0]) for s in np.random.SeedSequence(root).spawn(n_runs)]


def make_tasks(spec: ExperimentSpec) -> list[Task]:
    points = spec.points()
    reps = spec.experiment.replicates
    seeds = run_seeds(spec.experiment.seed, len(points) * reps)
    chunk = spec.experiment.chunk_size or reps
    tasks = []
    for k, point in enumerate(points):
        params = spec.params_for(point).model_copy(update={"worker_agents": False}).model_dump()
        runs = [(k * reps + r, r, seeds[k * reps + r]) for r in range(reps)]
        for start in range(0, reps, chunk):
            tasks.append(Task(k, point, tuple(runs[start:start + chunk]), params, spec.experiment.months, tuple(spec.experiment.outputs)))
    return tasks


def execute(task: Task) -> dict[str, Any]:
    """Run one task (in a worker process); returns its tables and failures, never raises."""
    from abm.model import LaborMarket
    from abm.params import Params

    faults = {int(x) for x in os.environ.get(FAULT_ENV, "").split(",") if x.strip()}
    frames: dict[str, list[pd.DataFrame]] = {t: [] for t in task.outputs}
    failures, timings = [], []
    for run_id, rep, seed in task.runs:
        t0 = time.perf_counter()
        try:
            if run_id in faults:
                raise RuntimeError(f"injected fault in run {run_id} ({FAULT_ENV})")
            m = LaborMarket(seed=seed, params=Params(**task.params)).run(task.months)
            tables = {"model": m.model_metrics, "cluster": m.cluster_metrics, "firm": m.firm_metrics,
                      "location": m.location_metrics, "pay": m.pay_metrics}
            for name in task.outputs:
                df = tables[name]()
                for col in df.select_dtypes("category"):
                    df[col] = df[col].astype(str)
                keys = {"run_id": run_id, "set_id": task.set_id, "replicate": rep, "seed": seed, **task.point}
                frames[name].append(df.assign(**keys))
        except Exception as exc:  # a failing run is recorded, the batch goes on
            failures.append({"run_id": run_id, "set_id": task.set_id, "replicate": rep, "seed": seed,
                             "point": task.point, "error": f"{type(exc).__name__}: {exc}",
                             "traceback": traceback.format_exc(limit=5)})
        timings.append(time.perf_counter() - t0)
    return {"set_id": task.set_id, "tables": {k: pd.concat(v, ignore_index=True) for k, v in frames.items() if v},
            "failures": failures, "timings": timings, "runs": [r[0] for r in task.runs]}


def run_experiment(spec: ExperimentSpec, out: str | Path, executor: Executor | None = None, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None, limit: int | None = None,
                   retry_failed: bool = False) -> dict[str, Any]:
    """Run (or resume) a batch into ``out``; returns the manifest.

    Parameter sets whose model file exists are skipped. ``retry_failed`` first forgets the sets
    that had failed runs, so they run again. ``limit`` runs at most that many tasks (for tests).
    """
    from abm import __version__

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tasks = make_tasks(spec)
    if retry_failed:
        storage.forget_failures(out)
    done = storage.done_sets(out)
    todo = [t for t in tasks if t.set_id not in done]
    if limit is not None:
        todo = todo[:limit]
    manifest_path = out / "manifest.json"
    manifest = {"spec": spec.model_dump(mode="json", exclude={"base_params", "path"}), "spec_file": str(spec.path),
                "base_params": spec.base_params.model_dump() if spec.base_params else None,
                "abm_version": __version__, "root_seed": spec.experiment.seed,
                "seeds": {r[0]: r[2] for t in tasks for r in t.runs}, "n_sets": len({t.set_id for t in tasks}),
                "n_runs": sum(len(t.runs) for t in tasks), "varied": spec.varied}
    storage.write_json_atomic(manifest, manifest_path)
    t0 = time.perf_counter()
    own = executor is None
    if own:
        executor = ProcessPoolExecutor(workers or os.cpu_count() or 1)
    n_done, n_failed, run_times = 0, 0, []
    pending: dict[int, list[dict]] = {}
    try:
        futures = {executor.submit(execute, t): t for t in todo}
        for fut in as_completed(futures):
            res = fut.result()
            set_id = res["set_id"]
            for f in res["failures"]:
                storage.append_failure(out, f)
            n_failed += len(res["failures"])
            pending.setdefault(set_id, []).append(res)
            expected = sum(1 for t in todo if t.set_id == set_id)
            if len(pending[set_id]) == expected:  # all chunks of the set are in: write it
                parts = pending.pop(set_id)
                for table in spec.experiment.outputs:
                    frames = [p["tables"][table] for p in parts if table in p["tables"]]
                    if frames and table != "model":
                        storage.write_atomic(pd.concat(frames, ignore_index=True), storage.set_file(out, table, set_id))
                frames = [p["tables"]["model"] for p in parts if "model" in p["tables"]]
                done_marker = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"set_id": [set_id]})
                # the model table last: its file marks the set as done (failed runs are in failures.jsonl)
                storage.write_atomic(done_marker, storage.set_file(out, "model", set_id))
            n_done += len(res["runs"])
            run_times += res["timings"]
            if progress:
                progress(len(res["runs"]), sum(len(t.runs) for t in todo))
    finally:
        if own:
            executor.shutdown(cancel_futures=True)
    manifest.update({"elapsed_s": time.perf_counter() - t0, "runs_this_session": n_done, "failed_this_session": n_failed,
                     "mean_run_s": float(np.mean(run_times)) if run_times else None,
                     "completed_sets": sorted(storage.done_sets(out)), "failures": storage.failed_runs(out)})
    storage.write_json_atomic(manifest, manifest_path)
    return manifest
