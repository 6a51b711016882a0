"""The command line, run as a user runs it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def abm(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "abm.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_run_writes_tables_plot_and_summary(tmp_path):
    out = tmp_path / "run"
    r = abm("run", "baseline", "--workers", "1500", "--months", "14", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "unemployment rate (%)" in r.stdout and "AI pay premium (%)" in r.stdout
    for name in ("model", "clusters", "firms", "locations", "pay"):
        assert (out / f"{name}.csv").stat().st_size > 0
    assert (out / "overview.png").stat().st_size > 10_000


def test_bad_override_is_one_line_error(tmp_path):
    r = abm("run", "--workers", "1000", "--months", "1", "--set", "quit_rat=0.1", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "quit_rat" in r.stderr and "Traceback" not in r.stderr


def test_missing_scenario_is_one_line_error(tmp_path):
    r = abm("run", "nope.toml", "--out", str(tmp_path))
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr


def test_params_lists_every_parameter():
    from abm.params import Params

    r = abm("params")
    assert r.returncode == 0
    for name in Params.model_fields:
        assert name in r.stdout
