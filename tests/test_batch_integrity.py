"""Batch results that check themselves: nothing lost, nothing twice, nothing damaged trusted.

* ``kill -9`` at random moments and resume: every run exactly once, and the dataset bit-identical
  to the same batch run without interruption; no temporary file left behind.
* A data file truncated, emptied, changed or deleted (or a ledger file torn) is detected: ``abm
  report`` refuses with one line, ``abm sweep`` says which file did not verify and runs its runs
  again, and the dataset is again identical to the uninterrupted one.
* ``--limit`` sessions then a resume complete the batch.
* Every committed task records its files (rows, bytes, SHA-256) in its ledger file.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from abm.experiments import storage
from abm.files import baseline_path

ROOT = Path(__file__).resolve().parents[1]
ABM = [sys.executable, "-m", "abm.cli"]
N_SETS, MONTHS = 8, 24
TABLES = ("model", "firm", "cluster")


def write_spec(folder: Path) -> Path:
    values = ", ".join(f"{i / (N_SETS - 1):.4f}" for i in range(N_SETS))
    path = folder / "spec.toml"
    path.write_text(textwrap.dedent(f"""
        [experiment]
        name = "integrity"
        base = "{baseline_path()}"
        months = {MONTHS}
        replicates = 1
        seed = 7
        outputs = {json.dumps(list(TABLES))}

        [fixed]
        n_workers = 800

        [grid]
        retraining_subsidy = [{values}]
    """))
    return path


def sweep(spec: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ABM, "sweep", str(spec), "--out", str(out), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def dataset(out: Path) -> dict[str, pd.DataFrame]:
    """Every table of a batch, in a fixed row order, and the ledger's plan columns."""
    tables = {}
    for t in TABLES:
        df = pd.read_parquet(out / t)
        keys = [c for c in ("run_id", "month", "strategy", "cluster") if c in df.columns]
        tables[t] = df.sort_values(keys, kind="stable").reset_index(drop=True)
    ledger = pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)
    tables["runs"] = ledger[["run_id", "set_id", "replicate", "seed", "retraining_subsidy", "status"]]
    return tables


def assert_same(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    assert list(got["runs"]["run_id"]) == list(range(N_SETS)), "every run exactly once"
    for t in want:
        assert not got[t].duplicated([c for c in ("run_id", "month", "strategy", "cluster") if c in got[t]]).any()
        pd.testing.assert_frame_equal(got[t], want[t], check_exact=True)


def committed(out: Path) -> int:
    n = 0
    for f in storage.ledger_files(out):
        try:
            n += pq.read_metadata(f).num_rows
        except Exception:  # noqa: BLE001 - a file being renamed into place
            pass
    return n


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """The batch run without interruption: its spec and dataset."""
    folder = tmp_path_factory.mktemp("integrity")
    spec = write_spec(folder)
    r = sweep(spec, folder / "ref", "--processes", "2", "--chunk-size", "1")
    assert r.returncode == 0, r.stderr
    return spec, dataset(folder / "ref")


def test_every_committed_task_records_its_files(reference, tmp_path):
    spec, _ = reference
    out = spec.parent / "ref"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 2 and manifest["fingerprint"]
    for f in storage.ledger_files(out):
        record = json.loads(pq.read_schema(f).metadata[storage.FILES_KEY])
        assert set(record) == set(TABLES)
        for table, rec in record.items():
            data = out / table / f.name
            assert rec["bytes"] == data.stat().st_size and rec["sha256"] == storage.sha256_of(data)
            assert rec["rows"] == pq.read_metadata(data).num_rows > 0
    assert storage.verify(out) == []


def test_random_kill_9_and_resume_give_the_uninterrupted_dataset(reference, tmp_path):
    spec, want = reference
    out = tmp_path / "out"
    rng = random.Random(13)
    for _attempt in range(3):  # kill -9 at a random moment, three times, then finish
        before = committed(out)
        proc = subprocess.Popen([*ABM, "sweep", str(spec), "--out", str(out), "--processes", "2", "--chunk-size", "1"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.time() + 300
            target = before + 1
            while committed(out) < target and proc.poll() is None and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.6))  # land anywhere: in a run, between a task's files, in a rename
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes
            proc.wait()
        if committed(out) >= N_SETS:
            break
    r = sweep(spec, out, "--processes", "2")
    assert r.returncode == 0, r.stderr
    assert "complete" in r.stdout and "Traceback" not in r.stderr
    assert_same(dataset(out), want)
    assert not list(out.rglob(".*.tmp")), "temporary files of killed writers are cleaned up"
    assert storage.verify(out) == []
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert sum(s["runs_ok"] for s in sessions if s["status"] == "complete") + committed(out) >= N_SETS


@pytest.mark.parametrize("how", ["truncate", "empty", "flip", "delete", "torn-ledger"])
def test_a_damaged_file_is_detected_and_run_again(reference, tmp_path, how):
    spec, want = reference
    out = tmp_path / "out"
    shutil.copytree(spec.parent / "ref", out)
    victim = sorted((out / ("runs" if how == "torn-ledger" else "firm")).glob("part-*.parquet"))[3]
    data = victim.read_bytes()
    if how in ("truncate", "torn-ledger"):
        victim.write_bytes(data[: len(data) // 3])
    elif how == "empty":
        victim.write_bytes(b"")
    elif how == "flip":
        victim.write_bytes(data[:200] + bytes([data[200] ^ 0x01]) + data[201:])
    else:
        victim.unlink()
    rep = subprocess.run([*ABM, "report", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert rep.returncode == 2 and len(rep.stderr.strip().splitlines()) == 1 and "Traceback" not in rep.stderr
    assert victim.name in rep.stderr and "do not verify" in rep.stderr
    r = sweep(spec, out, "--processes", "1")
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if line.startswith("not verified")]
    assert len(said) == 1 and victim.name in said[0], r.stderr
    assert "1 done" in r.stdout and f"{N_SETS - 1} skipped" in r.stdout
    assert_same(dataset(out), want)
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["tasks_not_verified"][0]["task"] == victim.name
    assert subprocess.run([*ABM, "report", str(out)], capture_output=True, text=True, cwd=ROOT).returncode == 0


def test_retry_failed_does_not_hide_a_damaged_file(reference, tmp_path):
    spec, want = reference
    out = tmp_path / "out"
    shutil.copytree(spec.parent / "ref", out)
    victim = sorted((out / "model").glob("part-*.parquet"))[0]
    victim.write_bytes(b"")
    r = sweep(spec, out, "--processes", "1", "--retry-failed")
    assert r.returncode == 0 and "1 done" in r.stdout, r.stdout + r.stderr
    assert_same(dataset(out), want)


def test_limit_sessions_then_a_resume_complete_the_batch(reference, tmp_path):
    spec, want = reference
    out = tmp_path / "out"
    for limit in ("1", "2", "1"):
        r = sweep(spec, out, "--processes", "2", "--limit", limit)
        assert r.returncode == 0 and f"{limit} done" in r.stdout, r.stderr
    assert committed(out) == 4
    r = sweep(spec, out, "--processes", "2")
    assert r.returncode == 0 and f"{N_SETS - 4} done" in r.stdout and "4 skipped" in r.stdout, r.stdout
    assert_same(dataset(out), want)


def test_stale_temporary_files_are_removed_and_a_damaged_manifest_refused(reference, tmp_path):
    spec, want = reference
    out = tmp_path / "out"
    shutil.copytree(spec.parent / "ref", out)
    planted = [out / f".manifest.json.{12345}.tmp"] + [out / d / f".part-s00000-r0000000-dead.parquet.{999}.tmp"
                                                       for d in ("runs", *TABLES)]
    for p in planted:
        p.write_bytes(b"half a file")
    r = sweep(spec, out, "--processes", "1")
    assert r.returncode == 0 and "0 done" in r.stdout, r.stderr
    assert not [p for p in planted if p.exists()]
    assert_same(dataset(out), want)
    (out / "manifest.json").write_text('{"torn": ')
    r = sweep(spec, out, "--processes", "1")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "manifest.json is damaged" in r.stderr


FAIL_HOOK = '''
FAIL = {1}

def fail_some(model, run):
    if run["run_id"] in FAIL:
        raise ValueError("cannot run this one")
'''


def test_retry_failed_keeps_the_record_of_a_task_with_ok_and_failed_runs(tmp_path, monkeypatch):
    """A task of 3 runs, one failed: --retry-failed rewrites its ledger file without the failure and
    its record of the data files goes with it, so the task still verifies; the retried run is added."""
    from concurrent.futures import ThreadPoolExecutor

    from abm.experiments import load_spec, run_batch

    (tmp_path / "hook_mixed.py").write_text(FAIL_HOOK)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec_file = write_spec(tmp_path)
    spec_file.write_text(spec_file.read_text().replace('outputs = ', 'setup = "hook_mixed:fail_some"\nchunk_size = 3\n'
                                                       'outputs = ').replace("months = 24", "months = 3"))
    spec = load_spec(spec_file)
    out = tmp_path / "out"
    with ThreadPoolExecutor(2) as ex:
        assert run_batch(spec, out, ex, parallelism=2).failed == 1
    assert storage.verify(out) == []
    import hook_mixed

    hook_mixed.FAIL.clear()
    with ThreadPoolExecutor(2) as ex:
        s = run_batch(spec, out, ex, parallelism=2, retry_failed=True)
    assert (s.done, s.failed, s.skipped, s.damaged) == (1, 0, N_SETS - 1, ())
    assert storage.verify(out) == []
    ledger = storage.read_ledger(out)
    assert sorted(ledger["run_id"]) == list(range(N_SETS)) and (ledger["status"] == "ok").all()
    assert sorted(pd.read_parquet(out / "model")["run_id"].unique()) == list(range(N_SETS))
