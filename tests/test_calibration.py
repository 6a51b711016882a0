"""The calibration report: targets computed from model output; a miss is reported as a miss."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import Params
from abm import calibration as cal

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_values():
    return cal.simulate(Params.make(n_workers=3000, worker_agents=False), seeds=[1, 2], months=60)


def test_report_structure(small_values):
    table = cal.report_table(small_values)
    assert list(table["target"]) == [t.name for t in cal.TARGETS]
    assert {"fact", "source", "simulated_mean", "simulated_sd", "band_low", "band_high", "result"} <= set(table.columns)
    assert set(table["result"]) <= {"pass", "MISS"}
    assert table["source"].str.contains("seeds/").all()
    assert np.isfinite(table["simulated_mean"]).all()


def test_targets_are_computed_from_model_output():
    tables = cal.run_tables(Params.make(n_workers=2000), seed=3, months=60)
    values = cal.evaluate(tables)
    # recompute two targets by hand from the raw tables
    m, c = tables["model"], tables["cluster"]
    in2026 = m[(m["month"] > 48) & (m["month"] <= 60)]
    assert values["ai_pay_premium_2026"] == pytest.approx(in2026["ai_premium"].mean())
    ml = c[(c["cluster"] == "ml_ai") & (c["month"] > 48) & (c["month"] <= 60)]
    assert values["ml_ai_vacancies_per_seeker_2026"] == pytest.approx(ml["vacancy_seeker_ratio"].mean())
    # and a changed model output changes the target
    tables["model"] = m.assign(ai_premium=m["ai_premium"] + 1.0)
    assert cal.evaluate(tables)["ai_pay_premium_2026"] == pytest.approx(values["ai_pay_premium_2026"] + 1.0)


def test_a_mis_set_parameter_is_reported_as_a_miss():
    # no AI adoption at all: AI skills never spread through vacancies and no premium appears
    bad = Params.make(n_workers=3000, ai_adoption_ceiling=0.0)
    table = cal.report_table(cal.simulate(bad, seeds=[1], months=60))
    row = table.set_index("target").loc["ai_skill_vacancy_share_2026"]
    assert row["result"] == "MISS" and row["simulated_mean"] < row["band_low"]
    assert table.set_index("target").loc["ai_pay_premium_2026", "result"] == "MISS"
    assert cal.loss(cal.simulate(bad, seeds=[1], months=60)) > 0


def test_target_distance():
    t = cal.Target("x", "f", "seeds/000", 1.0, 3.0, lambda _: 0.0)
    assert t.distance(2.0) == 0 and t.distance(0.0) == pytest.approx(0.5) and t.distance(5.0) == pytest.approx(1.0)
    assert t.distance(float("nan")) > 0 and not t.passes(float("nan"))


def test_grid_points_support_coupled_axes():
    pts = cal.grid_points({"mix": [{"share_cutting": 0.5, "share_non_adopting": 0.5}, {"share_cutting": 1.0}], "quit_rate": [0.0, 0.01]})
    assert len(pts) == 4 and {"share_cutting", "quit_rate"} <= set(pts[0])


def test_calibrate_command_writes_report(tmp_path):
    r = subprocess.run([sys.executable, "-m", "abm.cli", "calibrate", "--seeds", "2", "--workers", "2000",
                        "--processes", "1", "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "targets inside their bands" in r.stdout
    table = pd.read_csv(tmp_path / "calibration.csv")
    assert len(table) == len(cal.TARGETS)
    assert (tmp_path / "calibration.png").stat().st_size > 5000
