"""Several seeds in the background: run the worlds of a comparison on N seeds and collect their tables.

A class should see what is robust and what is noise: :func:`run_seeds` runs every world on seeds
``seed, seed + 1, ...`` in a process pool shared by the server (one process, so 30 visitors asking
at once queue instead of starving the page), reports progress, and returns each world's tables
per seed — the chart registry draws the mean and the lowest–highest band over seeds. With a
lesson's "thing to try" it also measures the judged metric on every seed.

:func:`run_world` is the one function the pool runs; it is the seam to the project's runs layer.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Sequence

import pandas as pd

from abm.charts import tables_of
from abm.params import Params

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


def run_world(params: Params, seed: int, months: int, metric: Metric | None = None) -> tuple[dict[str, pd.DataFrame], float | None]:
    """One world on one seed for ``months``: its five tables, and the judged metric if asked."""
    from abm.model import LaborMarket

    model = LaborMarket(seed=seed, params=params).run(months)
    value = None
    if metric is not None:
        from abm.lessons import measure

        value = measure(model, metric.name, metric.window)
    return tables_of(model), value


@dataclass
class SeedRuns:
    """The result (so far) of running worlds on several seeds."""

    labels: tuple[str, ...]
    seeds: tuple[int, ...]
    months: int
    tables: dict[str, list[dict[str, pd.DataFrame]]] = field(default_factory=dict)
    measured: dict[str, list[float]] = field(default_factory=dict)
    done: int = 0
    error: str | None = None

    @property
    def total(self) -> int:
        return len(self.labels) * len(self.seeds)

    @property
    def finished(self) -> bool:
        return self.done == self.total or self.error is not None


def run_seeds(worlds: Sequence[tuple[str, Params]], seeds: Sequence[int], months: int, *, metric: Metric | None = None,
              progress: Callable[[SeedRuns], None] = lambda r: None, cancel: threading.Event | None = None,
              executor: Executor | None = None) -> SeedRuns:
    """Run every world on every seed (same seeds for every world); ``progress`` after each run.

    Results are stored in seed order whatever order the runs finish in. ``cancel`` stops waiting
    (runs already queued still finish in the pool, their results are dropped).
    """
    pool = executor or shared_pool()
    result = SeedRuns(tuple(label for label, _ in worlds), tuple(seeds), months)
    slots: dict[Future, tuple[str, int]] = {}
    for label, params in worlds:
        result.tables[label] = [None] * len(seeds)  # type: ignore[list-item]
        result.measured[label] = [float("nan")] * len(seeds)
        for i, seed in enumerate(seeds):
            slots[pool.submit(run_world, params, seed, months, metric)] = (label, i)
    pending = set(slots)
    while pending:
        if cancel is not None and cancel.is_set():
            for f in pending:
                f.cancel()
            break
        done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        if not done:
            continue
        for f in done:
            label, i = slots[f]
            try:
                tables, value = f.result()
            except Exception as exc:  # noqa: BLE001 - reported in the page as one line
                log.exception("seed run failed")
                result.error = f"{type(exc).__name__}: {exc}"
                continue
            result.tables[label][i] = tables
            result.measured[label][i] = value if value is not None else float("nan")
            result.done += 1
        progress(result)
    return result
