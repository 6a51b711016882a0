"""Engines: the one seam is a ``concurrent.futures.Executor``.

* :func:`local_processes` — a ``ProcessPoolExecutor`` on this machine (default: all cores); the
  one process pool of the project (:func:`processes` hands it to ``abm.runs.run_many`` for
  ``--processes N`` in ``abm calibrate`` and ``abm lessons check``). On
  Linux it forks (workers start in ~0.1 s with the package already imported; ``forkserver`` took
  ~5 s and ``spawn`` ~11 s here, because importing Mesa costs seconds). Workers ignore Ctrl-C: the
  parent decides what to do with the tasks in flight.
* :func:`dask` — ``distributed.Client(address).get_executor()`` for an existing cluster, or a
  ``LocalCluster`` of N single-threaded worker processes. Before anything runs, every worker is
  asked which ``abm`` it can import; a missing or different version is an error that says how to
  get the package there (install it on the workers, or ``--upload`` a wheel:
  ``client.upload_file``).

No cluster code of our own: Dask starts, schedules and retries; results come back to this process,
which writes them (the workers need no access to the results directory).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from abm.params import ParameterError

#: seconds to wait for a TCP connection to a Dask scheduler, then for Dask's own handshake
PROBE_TIMEOUT_S = 3.0
CONNECT_TIMEOUT_S = 10
#: what ``dask scheduler`` listens on unless told otherwise, and the transports :func:`probe` checks
DASK_DEFAULT_PORT = 8786
PROBED_SCHEMES = ("tcp", "tls", "ws", "wss")


@dataclass
class Engine:
    executor: Executor
    parallelism: int
    name: str


def _worker_init() -> None:  # pragma: no cover - runs in worker processes
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _noop() -> int:  # pragma: no cover - runs in worker processes
    return os.getpid()


@contextmanager
def local_processes(processes: int | None = None) -> Iterator[Engine]:
    """A process pool of ``processes`` processes (default: all cores)."""
    n = processes or os.cpu_count() or 1
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    ex = ProcessPoolExecutor(n, mp_context=ctx, initializer=_worker_init)
    ex.submit(_noop).result()  # start the workers now, before the parent starts any thread (progress bar)
    try:
        yield Engine(ex, n, f"{n} local process{'es' if n > 1 else ''}")
    except BaseException:
        terminate(ex)
        raise
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


@contextmanager
def processes(n: int | None = None) -> Iterator[Executor | None]:
    """The executor for ``--processes N``: a pool of ``n`` local processes (default: all cores), or
    None — run in this process — for one."""
    n = (os.cpu_count() or 1) if n is None else n
    if n < 1:
        raise ParameterError(f"--processes = {n} is invalid; allowed: an integer >= 1")
    if n == 1:
        yield None
        return
    with local_processes(n) as engine:
        yield engine.executor


def terminate(ex: Executor) -> None:
    """Stop a process pool's workers now (a second Ctrl-C): the runs in flight are not committed."""
    for p in list(getattr(ex, "_processes", {}).values() or []):
        try:
            p.terminate()
        except Exception:  # noqa: BLE001 - best effort
            pass


def probe(address: str, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Open (and close) a TCP connection to a Dask scheduler's host and port, so that an unreachable
    address is a one-line :class:`ParameterError` in seconds (Dask itself retries until its timeout).
    Addresses of other transports are left to Dask."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in PROBED_SCHEMES:
        return
    try:
        host, port = parts.hostname, parts.port or DASK_DEFAULT_PORT
    except ValueError:  # a port out of range or not a number
        host = port = None
    if not host or port is None:
        raise ParameterError(f"--scheduler {address!r} is invalid; allowed: tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise ParameterError(f"cannot reach the Dask scheduler at {address} ({exc.strerror or exc}); allowed: the address "
                             "of a running `dask scheduler` (tcp://HOST:PORT)") from None


@contextmanager
def dask(address: str | None = None, local_workers: int | None = None, upload: str | Path | None = None) -> Iterator[Engine]:
    """A Dask executor: on the scheduler at ``address`` or on a new ``LocalCluster(local_workers)``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError("Dask is not installed: pip install 'dask[distributed]' (or abm-techlabor[cluster])") from None
    import logging

    cluster = None
    if address:
        probe(address)
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParameterError(f"cannot connect to the Dask scheduler at {address} ({exc}); allowed: the address of a "
                                 "running `dask scheduler`, e.g. tcp://127.0.0.1:8786") from None
        name = f"Dask scheduler {address}"
    else:
        cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1", silence_logs=logging.ERROR)
        client = Client(cluster)
        name = f"Dask LocalCluster({local_workers})"
    tmp = None
    try:
        if upload:
            tmp = tempfile.mkdtemp(prefix="abm-upload-")
            upload_package(client, Path(upload), Path(tmp))
        check_workers(client)
        parallelism = max(1, sum(client.nthreads().values()))
        ex = client.get_executor(pure=False)
        try:
            yield Engine(ex, parallelism, f"{name}, {parallelism} worker threads")
        finally:
            ex.shutdown(wait=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def upload_package(client: Any, path: Path, tmp: Path) -> None:
    """Send the package to every worker with ``client.upload_file``.

    A pure-Python wheel is a zip with ``abm/`` at its top: Dask puts uploaded ``.zip`` files on the
    workers' ``sys.path``, so the wheel goes up under a ``.zip`` name. The workers still need the
    dependencies (mesa, numpy, pandas, pydantic, ...) installed.
    """
    if not path.exists():
        raise ParameterError(f"--upload {path}: no such file (build one with `pip wheel --no-deps -w dist .`)")
    if path.suffix == ".whl":
        target = tmp / (path.name.split("-")[0] + ".zip")
        shutil.copyfile(path, target)
        path = target
    elif path.suffix not in (".zip", ".egg", ".py"):
        raise ParameterError(f"--upload {path}: expected a .whl, .zip, .egg or .py file")
    client.upload_file(str(path), load=True)


def check_workers(client: Any) -> None:
    """Every worker must import the same ``abm`` version as this process."""
    from abm import __version__
    from abm.experiments.runner import worker_info

    info = client.run(worker_info)
    if not info:
        raise ParameterError("the Dask cluster has no workers")
    for addr, got in sorted(info.items()):
        if got.get("abm") is None:
            raise ParameterError(
                f"Dask worker {addr} cannot import abm ({got.get('error')}, python {got.get('python')}): install "
                f"abm-techlabor=={__version__} on every worker (pip install abm-techlabor=={__version__}, or the wheel), "
                "or pass --upload dist/abm_techlabor-*.whl (see docs/experiments.md)")
        if got["abm"] != __version__:
            raise ParameterError(f"Dask worker {addr} has abm {got['abm']}, this process has abm {__version__}: install "
                                 "the same version on every worker (or --upload the wheel)")
