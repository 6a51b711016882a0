"""The command line, run as a user runs it."""

import os
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


def test_lessons_is_a_subcommand_and_python_m_abm_lessons_an_alias():
    listed = abm("lessons", "list")
    from abm.lessons import load_lessons

    assert listed.returncode == 0 and len(listed.stdout.strip().splitlines()) == len(load_lessons())
    alias = subprocess.run([sys.executable, "-m", "abm.lessons", "list"], capture_output=True, text=True, cwd=ROOT)
    assert alias.returncode == 0 and alias.stdout == listed.stdout
    shown = abm("lessons", "show", "2", "--hide-predictions")
    assert shown.returncode == 0 and "<details>" in shown.stdout and "### The question" in shown.stdout


def test_a_bad_lesson_file_is_one_line_on_both_spellings(tmp_path):
    (tmp_path / "01_bad.toml").write_text('[scenario]\nname = "bad"\ntitle = "B"\ndescription = "d"\nbase = "baseline"\n'
                                          '[params]\nn_workers = 1000\n[lesson]\nquestion = "q"\n')
    env = {**os.environ, "ABM_LESSONS_DIR": str(tmp_path)}
    for cmd in (["-m", "abm.cli", "lessons", "check"], ["-m", "abm.lessons", "list"]):
        r = subprocess.run([sys.executable, *cmd], capture_output=True, text=True, cwd=tmp_path, env=env)
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
        assert "01_bad.toml" in r.stderr and "missing key 'mechanism'" in r.stderr


def test_old_option_spellings_work_with_a_one_line_hint(tmp_path):
    r = abm("lessons", "check", "--seeds", "1", "--workers", "500", "--jobs", "1", "--markdown", str(tmp_path / "p.md"))
    assert "Traceback" not in r.stderr and r.returncode in (0, 1), r.stderr  # 1: a prediction not kept at 500 workers
    hints = [line for line in r.stderr.splitlines() if "--jobs is deprecated" in line]
    assert len(hints) == 1 and "use --processes" in hints[0]
    page = (tmp_path / "p.md").read_text()
    assert page.startswith("# Checked predictions") and "abm lessons check --seeds 1" in page
