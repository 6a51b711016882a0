"""A sweep on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1 (the dask command of this environment), as a user starts them on a cluster. The sweep
against the scheduler's address gives the same dataset as on local processes; once the scheduler is
gone, the same command is a one-line error within seconds.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from abm.files import baseline_path

ROOT = Path(__file__).resolve().parents[1]
ABM = [sys.executable, "-m", "abm.cli"]
DASK = str(Path(sys.executable).parent / "dask")
pytest.importorskip("distributed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, procs: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert all(p.poll() is None for p in procs), "a dask process ended early"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the scheduler did not listen on {port}")


def table(out: Path, name: str) -> pd.DataFrame:
    df = pd.read_parquet(out / name)
    keys = [c for c in ("run_id", "month", "strategy") if c in df.columns]
    return df.sort_values(keys).reset_index(drop=True)


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` + two single-threaded ``dask worker`` processes; yields the address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = [open(tmp_path / f"dask-{k}.log", "w") for k in range(3)]  # noqa: SIM115 - closed below
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=logs[0], stderr=subprocess.STDOUT, cwd=tmp_path)]
    try:
        wait_for_port(port, procs)
        for k in (1, 2):
            procs.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--nworkers", "1", "--host",
                                           "127.0.0.1", "--no-dashboard", "--name", f"w{k}"],
                                          stdout=logs[k], stderr=subprocess.STDOUT, cwd=tmp_path))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, procs
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        for f in logs:
            f.close()


def test_a_sweep_on_a_dask_scheduler_gives_the_local_dataset(cluster, tmp_path):
    address, procs = cluster
    spec = tmp_path / "spec.toml"
    spec.write_text(textwrap.dedent(f"""
        [experiment]
        name = "on_dask"
        base = "{baseline_path()}"
        months = 12
        replicates = 2
        seed = 3
        outputs = ["model", "firm"]
        [fixed]
        n_workers = 600
        [grid]
        quit_rate = [0.01, 0.02, 0.03]
    """))
    sweep = [*ABM, "sweep", str(spec)]
    dask = subprocess.run([*sweep, "--out", str(tmp_path / "dask"), "--scheduler", address], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert dask.returncode == 0, dask.stderr
    assert f"Dask scheduler {address}, 2 worker threads" in dask.stderr and "complete: 6 done" in dask.stdout
    local = subprocess.run([*sweep, "--out", str(tmp_path / "local"), "--processes", "2"], capture_output=True,
                           text=True, cwd=ROOT, timeout=600)
    assert local.returncode == 0, local.stderr
    for name in ("model", "firm"):
        pd.testing.assert_frame_equal(table(tmp_path / "dask", name), table(tmp_path / "local", name), check_exact=True)
    ledger = pd.read_parquet(tmp_path / "dask" / "runs")
    assert sorted(ledger["run_id"]) == list(range(6)) and (ledger["status"] == "ok").all()
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["engine"].startswith(f"Dask scheduler {address}")

    # the scheduler is gone: the same command is one line, in seconds
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)
    t0 = time.perf_counter()
    gone = subprocess.run([*sweep, "--out", str(tmp_path / "gone"), "--scheduler", address], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert gone.returncode == 2 and "Traceback" not in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1 and address in gone.stderr
    assert time.perf_counter() - t0 < 20  # interpreter start-up included; the probe itself waits at most 3 s
