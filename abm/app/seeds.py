"""Several seeds in the background: run the worlds of a comparison on N seeds and collect their tables.

A class should see what is robust and what is noise: :func:`run_seeds` runs every world on seeds
``seed, seed + 1, ...`` through the runs layer (:func:`abm.runs.run_many`) on a process pool shared
by the server (one process, so 30 visitors asking at once queue instead of starving the page),
reports progress, and returns each world's runs per seed — the chart registry draws the mean and
the lowest–highest band over seeds. With a lesson's "thing to try" it also measures the judged
output on every seed.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

from abm.params import Params
from abm.runs import Results, RunSpec, run_many

log = logging.getLogger(__name__)

SEED_CHOICES = (3, 5, 10)
DEFAULT_SEEDS = 5
POOL_PROCESSES = 1

_pool: Executor | None = None
_pool_lock = threading.Lock()


def shared_pool() -> Executor:
    """The server's process pool for seed runs (created on first use; ``forkserver``: the server
    has threads, and a forked copy of them would be unsafe)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(POOL_PROCESSES, mp_context=multiprocessing.get_context("forkserver"))
        return _pool


@dataclass(frozen=True)
class Metric:
    """A lesson's judged output: the metric name and the years it is averaged over."""

    name: str
    window: tuple[float, float] | None


@dataclass
class SeedRuns:
    """The result of running worlds on several seeds: each world's runs in seed order."""

    labels: tuple[str, ...]
    seeds: tuple[int, ...]
    months: int
    runs: dict[str, list[Results]] = field(default_factory=dict)
    measured: dict[str, list[float]] = field(default_factory=dict)
    error: str | None = None


def run_seeds(worlds: Sequence[tuple[str, Params]], seeds: Sequence[int], months: int, *, metric: Metric | None = None,
              progress: Callable[[int, int], None] = lambda done, total: None,
              executor: Executor | None = None) -> SeedRuns:
    """Run every world on every seed (the same seeds for every world); ``progress(done, total)``
    as runs finish. A failure is reported in ``error`` (one line), not raised."""
    from abm.lessons import measure

    result = SeedRuns(tuple(label for label, _ in worlds), tuple(seeds), months)
    specs = [RunSpec(label, params, seed, months) for label, params in worlds for seed in seeds]
    try:
        done = run_many(specs, executor or shared_pool(), progress)
    except Exception as exc:  # noqa: BLE001 - shown in the page as one line
        log.exception("seed runs failed")
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    for k, (label, _) in enumerate(worlds):
        runs = done[k * len(seeds):(k + 1) * len(seeds)]
        result.runs[label] = runs
        result.measured[label] = [measure(r, metric.name, metric.window) for r in runs] if metric else []
    return result
