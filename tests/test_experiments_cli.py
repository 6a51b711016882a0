"""Experiment batches end to end, run as a user runs them: the `abm` command in a subprocess.

Covers: a complete batch (every run exactly once, the columns, pandas and DuckDB), a batch killed
with SIGKILL and resumed, Ctrl-C (SIGINT) and resume, a failing run recorded while the batch goes
on (and --retry-failed), the same dataset on 1 and 2 processes and on a Dask LocalCluster (worker
processes, as `--local-cluster` starts them), and spec errors on the command line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from abm.files import baseline_path

ROOT = Path(__file__).resolve().parents[1]
BASE = baseline_path()
ABM = [sys.executable, "-m", "abm.cli"]


def write_spec(tmp_path: Path, *, sets: int = 3, replicates: int = 2, months: int = 12, n_workers: int = 1000,
               outputs=("model", "firm"), extra: str = "", name: str = "spec.toml") -> Path:
    values = ", ".join(f"{0.5 * i / max(sets - 1, 1):.4f}" for i in range(sets))
    path = tmp_path / name
    path.write_text(textwrap.dedent(f"""
        [experiment]
        name = "t"
        base = "{BASE}"
        months = {months}
        replicates = {replicates}
        seed = 11
        outputs = {json.dumps(list(outputs))}
        {extra}

        [fixed]
        n_workers = {n_workers}

        [grid]
        retraining_subsidy = [{values}]
    """))
    return path


def abm(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*ABM, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, **(env or {})})


def committed(out: Path) -> int:
    """Runs committed so far (ledger files are written last, atomically)."""
    files = list((out / "runs").glob("part-*.parquet")) if (out / "runs").exists() else []
    return len(pd.concat([pd.read_parquet(f) for f in files])) if files else 0


def model_table(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "model").sort_values(["run_id", "month"]).reset_index(drop=True)


def assert_every_run_once(out: Path, n_runs: int, months: int) -> pd.DataFrame:
    df = model_table(out)
    assert sorted(df["run_id"].unique()) == list(range(n_runs))
    assert df.groupby("run_id")["month"].apply(lambda m: sorted(m) == list(range(months + 1))).all()
    assert not df.duplicated(["run_id", "month"]).any()
    ledger = pd.read_parquet(out / "runs")
    assert sorted(ledger["run_id"]) == list(range(n_runs))
    return df


def test_sweep_writes_every_run_exactly_once_and_reports(tmp_path):
    import duckdb

    out = tmp_path / "out"
    spec = write_spec(tmp_path, outputs=("model", "firm", "cluster", "pay"))
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "2")
    assert r.returncode == 0, r.stderr
    assert "complete: 6 done, 0 failed, 0 skipped" in r.stdout
    df = assert_every_run_once(out, 6, 12)
    assert list(df.columns[:5]) == ["run_id", "set_id", "replicate", "seed", "retraining_subsidy"]
    for col in ("unemployment_rate", "mismatch_index", "ai_premium", "workers_by_seniority_senior", "year"):
        assert col in df.columns
    assert sorted(df["retraining_subsidy"].unique()) == [0.0, 0.25, 0.5]
    assert (df.groupby("run_id")["set_id"].first() == pd.Series([0, 0, 1, 1, 2, 2])).all()
    firm = pd.read_parquet(out / "firm")
    assert set(firm["strategy"]) == {"cutting", "counter_cyclical", "recomposing", "non_adopting"}
    assert firm.groupby(["run_id", "month"]).size().eq(4).all()
    assert {"cluster", "pay_policy", "remote_onsite_pay_ratio"} <= set(pd.read_parquet(out / "pay").columns)
    manifest = json.loads((out / "manifest.json").read_text())
    from abm.runs import spawn_seeds as run_seeds

    assert manifest["seeds"] == run_seeds(11, 6) == df.groupby("run_id")["seed"].first().tolist()
    assert manifest["status"] == "complete" and manifest["failures"] == [] and manifest["versions"]["abm"]
    assert manifest["sessions"][-1]["runs_ok"] == 6
    # one file per task, of at most the automatic chunk's runs (6 runs on 2 processes: spread over
    # the workers); the file name starts with its first parameter set and run
    chunk = manifest["sessions"][-1]["chunk_size"]
    assert len(list((out / "model").glob("part-*.parquet"))) == manifest["sessions"][-1]["tasks"]
    for f in (out / "model").glob("part-*.parquet"):
        part = pd.read_parquet(f)
        assert 1 <= part["run_id"].nunique() <= chunk
        assert f.name.startswith(f"part-s{part['set_id'].min():05d}-r{part['run_id'].min():07d}-")
    # DuckDB reads the same dataset
    q = duckdb.sql(f"SELECT set_id, count(DISTINCT run_id) AS runs, count(*) AS rows "
                   f"FROM read_parquet('{out}/model/*.parquet') GROUP BY set_id ORDER BY set_id").df()
    assert q["runs"].tolist() == [2, 2, 2] and q["rows"].tolist() == [26, 26, 26]

    rep = abm("report", str(out))
    assert rep.returncode == 0, rep.stderr
    for f in ("report.md", "summary.csv", "summary.md", "timeseries.png", "final.png", "overtaking.csv", "pay_by_cluster.csv"):
        assert (out / "report" / f).exists(), f
    summ = pd.read_csv(out / "report" / "summary.csv")
    assert {"set_id", "retraining_subsidy", "output", "mean", "ci_low", "ci_high", "n"} <= set(summ.columns)
    assert summ["n"].eq(2).all()


def _wait_for(pred, proc, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        assert proc.poll() is None, f"the batch ended early (rc {proc.returncode})"
        time.sleep(0.05)
    return False


def test_killed_batch_resumes_with_every_run_exactly_once(tmp_path):
    out = tmp_path / "out"
    spec = write_spec(tmp_path, sets=8, replicates=1, months=36)
    proc = subprocess.Popen([*ABM, "sweep", str(spec), "--out", str(out), "--processes", "1", "--chunk-size", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert _wait_for(lambda: committed(out) >= 2, proc), "no runs were committed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # kill -9 the batch and its worker processes
        proc.wait()
    before = committed(out)
    assert 2 <= before < 8, f"the kill should land mid-batch ({before} committed)"
    # a task killed between its data files and its ledger file leaves an orphan: simulate one
    some = sorted((out / "model").glob("part-*.parquet"))[0]
    shutil.copy(some, out / "model" / "part-s00000-r0000000-orphan.parquet")
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "2")
    assert r.returncode == 0, r.stderr
    assert f"{before} skipped" in r.stdout and f"{8 - before} done" in r.stdout
    assert not (out / "model" / "part-s00000-r0000000-orphan.parquet").exists()
    assert not list(out.rglob(".*.tmp"))
    assert_every_run_once(out, 8, 36)
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["status"] == "complete"


def test_ctrl_c_saves_runs_in_flight_and_resumes(tmp_path):
    out = tmp_path / "out"
    spec = write_spec(tmp_path, sets=8, replicates=1, months=36)
    proc = subprocess.Popen([*ABM, "sweep", str(spec), "--out", str(out), "--processes", "1", "--chunk-size", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert _wait_for(lambda: committed(out) >= 1, proc), "no runs were committed"
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    before = committed(out)
    assert 1 <= before < 8
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "2")
    assert r.returncode == 0, r.stderr
    assert_every_run_once(out, 8, 36)


HOOK = '''
import os

def fail_some(model, run):
    """Raise in the runs listed in ABM_TEST_FAIL (a parameter combination the model cannot take)."""
    if str(run["run_id"]) in os.environ.get("ABM_TEST_FAIL", "").split(","):
        raise ValueError(f"cannot run retraining_subsidy={run['retraining_subsidy']}")
'''


def test_failing_run_is_recorded_and_the_batch_completes(tmp_path):
    (tmp_path / "hooks_for_test.py").write_text(HOOK)
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", "ABM_TEST_FAIL": "1,4"}
    spec = write_spec(tmp_path, extra='setup = "hooks_for_test:fail_some"')
    out = tmp_path / "out"
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "2", env=env)
    assert r.returncode == 1, r.stderr  # finished, with failures
    assert "complete: 4 done, 2 failed" in r.stdout
    assert sorted(model_table(out)["run_id"].unique()) == [0, 2, 3, 5]
    ledger = pd.read_parquet(out / "runs").sort_values("run_id")
    failed = ledger[ledger["status"] == "failed"]
    assert failed["run_id"].tolist() == [1, 4]
    assert failed["error"].str.contains("ValueError: cannot run retraining_subsidy").all()
    assert failed["traceback"].str.contains("fail_some").all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [f["run_id"] for f in manifest["failures"]] == [1, 4]
    assert manifest["failures"][1]["retraining_subsidy"] == 0.5 and "ValueError" in manifest["failures"][1]["error"]
    # a plain resume skips recorded failures (runs are deterministic) ...
    r2 = abm("sweep", str(spec), "--out", str(out), env=env)
    assert "0 done, 0 failed, 6 skipped" in r2.stdout and r2.returncode == 1
    # ... --retry-failed runs them again
    r3 = abm("sweep", str(spec), "--out", str(out), "--retry-failed", env={**env, "ABM_TEST_FAIL": ""})
    assert r3.returncode == 0, r3.stderr
    assert "2 done, 0 failed, 4 skipped" in r3.stdout
    assert_every_run_once(out, 6, 12)
    assert (pd.read_parquet(out / "runs")["status"] == "ok").all()


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {"model": model_table(out),
            "firm": pd.read_parquet(out / "firm").sort_values(["run_id", "month", "strategy"]).reset_index(drop=True),
            "runs": pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)[["run_id", "set_id", "replicate", "seed", "status"]]}


def test_same_root_seed_same_dataset_on_1_and_2_processes_and_dask(tmp_path):
    spec = write_spec(tmp_path, sets=2, replicates=3)
    engines = {"one": ["--processes", "1", "--chunk-size", "6"],      # every run in one task
               "two": ["--processes", "2", "--chunk-size", "1"],      # one run per task
               "dask": ["--local-cluster", "2"]}                    # Dask worker processes, automatic chunks
    got = {}
    for name, args in engines.items():
        r = abm("sweep", str(spec), "--out", str(tmp_path / name), *args)
        assert r.returncode == 0, r.stderr
        got[name] = _tables(tmp_path / name)
    assert "Dask LocalCluster(2)" in r.stderr
    for name in ("two", "dask"):
        for table in got["one"]:
            pd.testing.assert_frame_equal(got["one"][table], got[name][table], check_exact=True)


def test_cli_errors_are_one_line_and_name_the_key(tmp_path):
    bad = write_spec(tmp_path, extra="replicate = 3", name="bad.toml")
    r = abm("sweep", str(bad))
    assert r.returncode == 2
    assert "replicate" in r.stderr and "did you mean 'replicates'" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    # a results directory refuses a different plan
    spec = write_spec(tmp_path, sets=2, replicates=1, months=3)
    out = tmp_path / "out"
    assert abm("sweep", str(spec), "--out", str(out), "--processes", "1").returncode == 0
    spec.write_text(spec.read_text().replace("replicates = 1", "replicates = 2"))
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "1")
    assert r.returncode == 2 and "'replicates' (1 there, 2 now)" in r.stderr
    h = abm("sweep", "--help")
    for opt in ("--out", "--processes", "--workers", "--scheduler", "--local-cluster", "--chunk-size", "--limit", "--retry-failed", "--upload"):
        assert opt in h.stdout


@pytest.mark.parametrize("limit", [3])
def test_limit_runs_part_of_a_batch(tmp_path, limit):
    spec = write_spec(tmp_path, sets=3, replicates=2, months=6)
    out = tmp_path / "out"
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "1", "--limit", str(limit))
    assert r.returncode == 0, r.stderr
    assert f"{limit} done" in r.stdout and f"{6 - limit} of 6 remaining" in r.stdout
    assert committed(out) == limit
    r = abm("sweep", str(spec), "--out", str(out), "--processes", "1")
    assert f"{6 - limit} done" in r.stdout
    assert_every_run_once(out, 6, 6)


def test_one_word_per_meaning_and_the_old_spelling_still_works_with_a_hint(tmp_path):
    spec = write_spec(tmp_path, sets=1, replicates=1, months=2)
    # --workers is the model size in `abm sweep` as in every command
    r = abm("sweep", str(spec), "--out", str(tmp_path / "size"), "--processes", "1", "--workers", "700")
    assert r.returncode == 0, r.stderr
    assert set(pd.read_parquet(tmp_path / "size" / "model")["employed"].lt(700)) == {True}
    assert json.loads((tmp_path / "size" / "manifest.json").read_text())["fixed"]["n_workers"] == 700
    # its old meaning here (processes) still works for a release, with a one-line hint
    r = abm("sweep", str(spec), "--out", str(tmp_path / "old"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    hint = [line for line in r.stderr.splitlines() if "--workers 1 read as 1 processes" in line]
    assert len(hint) == 1 and "--processes 1" in hint[0]
