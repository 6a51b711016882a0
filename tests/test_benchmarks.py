"""The benchmark scripts a user runs by hand: run them small, as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
def test_compare_revisions_runs_both_in_turn_and_cleans_up(tmp_path):
    out = tmp_path / "compare.jsonl"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_revisions.py"), "HEAD",
                           "--workers", "1000", "--months", "2", "--pairs", "1", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "after/before CPU median" in done.stdout
    row = json.loads(out.read_text().splitlines()[-1])
    assert row["n_workers"] == 1000 and len(row["ratios"]) == 1 and row["ratios"][0] > 0
    worktrees = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout
    assert "abm-compare-" not in worktrees  # the temporary checkout is gone
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_revisions.py"), "no-such-revision"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "is not a commit" in bad.stderr.strip().splitlines()[-1]
