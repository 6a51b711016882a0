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
import os
import threading
import time
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
    has threads, and a forked copy of them would be unsafe). Its processes end with the server,
    also when the server is killed (:func:`exit_with_server`)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(POOL_PROCESSES, mp_context=multiprocessing.get_context("forkserver"),
                                        initializer=exit_with_server, initargs=(os.getpid(),))
        return _pool


def exit_with_server(server_pid: int, every: float = 1.0) -> None:
    """Pool-process initializer: a daemon thread ends this process once the server is gone.

    A server that exits normally shuts its pool down; one that is killed (``kill -9``, the OOM
    killer, a terminal closed under it) cannot, and a pool process waiting for work would then
    stay forever with its ~200 MB."""
    def watch() -> None:
        while _running(server_pid):
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="abm-exit-with-server", daemon=True).start()


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (dead, not yet reaped by its parent)."""
    if os.path.isdir("/proc/self"):  # Linux: the state letter follows the command in parentheses
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rpartition(")")[2].split()[0] != "Z"
        except FileNotFoundError:
            return False
    try:  # no /proc (macOS): ask the kernel; a zombie then counts as running
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


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
