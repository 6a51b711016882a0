"""``pip install .`` into a fresh venv (not editable), then the commands work from any folder.

The fresh venv borrows this venv's dependencies through a ``.pth`` file (nothing is downloaded)
but gets its own, non-editable copy of ``abm``: the scenarios, the lessons and the baseline must
come from the installed package data, not from the source checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with abm installed from this checkout; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "dependencies_of_the_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    build = tmp_path_factory.mktemp("build")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                        "--no-build-isolation", "--ignore-installed", "--no-cache-dir", str(ROOT)],
                       capture_output=True, text=True, cwd=build, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    return venv / "bin"


def abm(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ABM_LESSONS_DIR", "ABM_SCENARIO_DIRS")}
    return subprocess.run([str(bin_dir / "abm"), *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_the_installed_package_is_not_the_checkout(installed, tmp_path):
    r = subprocess.run([str(installed / "python"), "-c", "import abm, abm.files as f; print(abm.__file__); print(f.SCENARIOS_DIR)"],
                       capture_output=True, text=True, cwd=tmp_path, check=True)
    module, scenarios = r.stdout.split()
    venv = str(installed.parent)
    assert module.startswith(venv) and scenarios.startswith(venv), r.stdout
    assert ROOT.as_posix() not in r.stdout
    # the app's own front-end templates ship with the package
    vue = subprocess.run([str(installed / "python"), "-c", "import os; from abm.app.chart_view import DocumentLanguage, VegaChart; "
                          "print(all(os.path.isfile(w.template_file) for w in (VegaChart, DocumentLanguage)))"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert vue.stdout.strip() == "True", vue.stderr


def test_commands_work_from_any_folder(installed, tmp_path):
    run = abm(installed, tmp_path, "run", "--workers", "500", "--months", "3", "--no-plots", "--out", "run")
    assert run.returncode == 0, run.stderr
    assert "baseline: 500 workers" in run.stdout and (tmp_path / "run" / "model.csv").exists()
    lesson = abm(installed, tmp_path, "run", "lesson_pipeline", "--workers", "500", "--months", "2", "--no-plots", "--out", "l")
    assert lesson.returncode == 0 and "lesson_pipeline" in lesson.stdout, lesson.stderr

    cal = abm(installed, tmp_path, "calibrate", "--seeds", "1", "--workers", "500", "--processes", "1", "--out", "cal")
    assert cal.returncode == 0, cal.stderr
    assert "targets inside their bands" in cal.stdout and (tmp_path / "cal" / "calibration.csv").exists()

    check = abm(installed, tmp_path, "lessons", "check", "--seeds", "1", "--workers", "500", "--processes", "2")
    assert check.returncode in (0, 1) and "Traceback" not in check.stderr, check.stderr  # 1: a prediction missed at 500 workers
    assert "01_mismatch" in check.stdout and "05_strategies" in check.stdout

    app = abm(installed, tmp_path, "app", "--help")
    assert app.returncode == 0 and "--port" in app.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal", "l", "run"]  # nothing else written here
