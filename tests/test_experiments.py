"""Experiment batches end to end, run as a user runs them (the `abm` command line)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from abm import ParameterError
from abm.experiments import load_spec, read_table
from abm.experiments.runner import FAULT_ENV, make_tasks

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "experiments" / "baseline.toml"


def spec_file(tmp_path, sets=3, replicates=2, months=12, extra=""):
    values = ", ".join(str(round(0.1 * i, 2)) for i in range(sets))
    text = f"""
[experiment]
name = "t"
base = "{BASE}"
months = {months}
replicates = {replicates}
seed = 11
outputs = ["model", "firm"]
{extra}
[fixed]
n_workers = 1000

[grid]
retraining_subsidy = [{values}]
"""
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def abm(*args, env=None):
    return subprocess.run([sys.executable, "-m", "abm.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def test_sweep_writes_every_run_exactly_once(tmp_path):
    out = tmp_path / "out"
    r = abm("sweep", str(spec_file(tmp_path)), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    model = read_table(out, "model")
    assert sorted(model["run_id"].unique()) == list(range(6))
    assert model.groupby("run_id")["month"].nunique().eq(13).all()
    assert set(model["retraining_subsidy"].unique()) == {0.0, 0.1, 0.2}
    assert read_table(out, "firm")["strategy"].nunique() == 4
    rep = abm("report", str(out))
    assert rep.returncode == 0, rep.stderr
    assert (out / "outputs.png").stat().st_size > 10_000 and (out / "summary.csv").exists()


def test_killed_batch_resumes_without_losing_or_repeating_runs(tmp_path):
    out = tmp_path / "out"
    spec = spec_file(tmp_path, sets=8, replicates=1, months=48)
    proc = subprocess.Popen([sys.executable, "-m", "abm.cli", "sweep", str(spec), "--out", str(out), "--workers", "1"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "model").glob("set=*.parquet"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be killed"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # kill -9 the batch and its worker processes
    proc.wait()
    done_before = len(list((out / "model").glob("set=*.parquet")))
    assert 2 <= done_before < 8, "the kill should land mid-batch"
    r = abm("sweep", str(spec), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert f"{done_before} skipped" in r.stdout
    model = read_table(out, "model")
    assert sorted(model["run_id"].unique()) == list(range(8))
    assert len(model) == 8 * 49  # every run exactly once (49 months incl. month 0)


def test_failing_run_is_recorded_and_batch_completes(tmp_path):
    out = tmp_path / "out"
    r = abm("sweep", str(spec_file(tmp_path)), "--out", str(out), "--workers", "2", env={FAULT_ENV: "3"})
    assert r.returncode == 0, r.stderr
    assert "1 failed" in r.stdout
    model = read_table(out, "model")
    assert sorted(model["run_id"].unique()) == [0, 1, 2, 4, 5]
    fails = [line for line in (out / "failures.jsonl").read_text().splitlines() if line]
    assert len(fails) == 1 and '"run_id": 3' in fails[0] and "retraining_subsidy" in fails[0]
    r2 = abm("sweep", str(spec_file(tmp_path)), "--out", str(out), "--retry-failed")
    assert r2.returncode == 0
    assert sorted(read_table(out, "model")["run_id"].unique()) == list(range(6))


def _dataset(out):
    df = read_table(out, "model").sort_values(["run_id", "month"]).reset_index(drop=True)
    return df


def test_same_root_seed_same_dataset_on_1_2_workers_and_dask(tmp_path):
    spec = spec_file(tmp_path, sets=2, replicates=2)
    runs = {}
    for name, args in {"one": ["--workers", "1"], "two": ["--workers", "2", "--chunk-size", "1"],
                       "dask": ["--local-cluster", "2"]}.items():
        r = abm("sweep", str(spec), "--out", str(tmp_path / name), *args)
        assert r.returncode == 0, r.stderr
        runs[name] = _dataset(tmp_path / name)
    pd.testing.assert_frame_equal(runs["one"], runs["two"])
    pd.testing.assert_frame_equal(runs["one"], runs["dask"])


def test_spec_errors_name_the_key(tmp_path):
    bad = spec_file(tmp_path).read_text().replace("retraining_subsidy", "retraining_subsidyy")
    (tmp_path / "bad.toml").write_text(bad)
    with pytest.raises(ParameterError, match="retraining_subsidyy"):
        load_spec(tmp_path / "bad.toml")
    (tmp_path / "bad2.toml").write_text(spec_file(tmp_path).read_text().replace("replicates = 2", "replicates = 0"))
    with pytest.raises(ParameterError, match="replicates"):
        load_spec(tmp_path / "bad2.toml")
    (tmp_path / "bad3.toml").write_text(spec_file(tmp_path).read_text().replace("[0.0, 0.1, 0.2]", "[0.0, 2.0]"))
    with pytest.raises(ParameterError, match="retraining_subsidy"):
        load_spec(tmp_path / "bad3.toml")
    r = abm("sweep", str(tmp_path / "bad.toml"))
    assert r.returncode == 2 and "retraining_subsidyy" in r.stderr and "Traceback" not in r.stderr


def test_seeds_do_not_depend_on_chunking(tmp_path):
    spec = load_spec(spec_file(tmp_path, sets=2, replicates=3))
    a = [r for t in make_tasks(spec) for r in t.runs]
    b = [r for t in make_tasks(spec.model_copy(update={"experiment": spec.experiment.model_copy(update={"chunk_size": 1})})) for r in t.runs]
    assert a == b and len({r[2] for r in a}) == 6


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.toml")))
def test_shipped_specs_validate(path):
    import tomllib

    if "experiment" in tomllib.loads(path.read_text()):
        spec = load_spec(path)
        assert spec.points()
