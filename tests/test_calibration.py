"""The calibration report: targets computed from model output; a miss is reported as a miss; a
search is an experiment spec scored by the targets; forward runs switch strategies by intervention."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm import Params, measures
from abm import calibration as cal
from abm.experiments import load_spec
from abm.runs import RunSpec, run_one

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_values():
    return cal.simulate(Params.make(n_workers=3000, worker_agents=False), seeds=[1, 2], months=60)


def test_report_structure(small_values):
    table = cal.report_table(small_values)
    assert list(table["target"]) == [t.name for t in cal.TARGETS]
    assert {"fact", "source", "simulated_mean", "simulated_sd", "band_low", "band_high", "result"} <= set(table.columns)
    assert set(table["result"]) <= {"pass", "MISS"}
    assert table["source"].str.len().gt(0).all()  # every target names its source (an article or a data set)
    assert np.isfinite(table["simulated_mean"]).all()


def test_targets_are_computed_from_model_output():
    tables = dict(run_one(RunSpec("t", Params.make(n_workers=2000, worker_agents=False), 3, 60)).tables)
    values = measures.evaluate(tables)
    # recompute two targets by hand from the raw tables
    m, c = tables["model"], tables["cluster"]
    in2026 = m[(m["month"] > 48) & (m["month"] <= 60)]
    assert values["ai_pay_premium_2026"] == pytest.approx(in2026["ai_premium"].mean())
    ml = c[(c["cluster"] == "ml_ai") & (c["month"] > 48) & (c["month"] <= 60)]
    assert values["ml_ai_vacancies_per_seeker_2026"] == pytest.approx(ml["vacancy_seeker_ratio"].mean())
    # and a changed model output changes the target
    tables["model"] = m.assign(ai_premium=m["ai_premium"] + 1.0)
    assert measures.evaluate(tables)["ai_pay_premium_2026"] == pytest.approx(values["ai_pay_premium_2026"] + 1.0)


def test_a_mis_set_parameter_is_reported_as_a_miss():
    # no AI adoption at all: AI skills never spread through vacancies and no premium appears
    bad = Params.make(n_workers=3000, ai_adoption_ceiling=0.0)
    table = cal.report_table(cal.simulate(bad, seeds=[1], months=60))
    row = table.set_index("target").loc["ai_skill_vacancy_share_2026"]
    assert row["result"] == "MISS" and row["simulated_mean"] < row["band_low"]
    assert table.set_index("target").loc["ai_pay_premium_2026", "result"] == "MISS"
    assert cal.loss(cal.simulate(bad, seeds=[1], months=60)) > 0


def test_target_distance():
    t = measures.Target("x", "f", "seeds/000", 1.0, 3.0, lambda _: 0.0)
    assert t.distance(2.0) == 0 and t.distance(0.0) == pytest.approx(0.5) and t.distance(5.0) == pytest.approx(1.0)
    assert t.distance(float("nan")) > 0 and not t.passes(float("nan"))


def test_search_is_an_experiment_spec_scored_by_the_targets(tmp_path):
    spec = tmp_path / "search.toml"
    spec.write_text('[experiment]\nname = "s"\nmonths = 60\nseeds = [5, 6]\noutputs = ["model", "cluster"]\n'
                    '[fixed]\nn_workers = 1000\n[grid]\nquit_rate = [0.002, 0.004]\n')
    result = cal.search(load_spec(spec))
    assert len(result) == 2 and list(result["loss"]) == sorted(result["loss"])
    assert set(result["quit_rate"]) == {0.002, 0.004} and {t.name for t in cal.TARGETS} <= set(result.columns)
    # each row is the seed-mean of the targets of that set's runs: the same numbers as runs made by hand
    row = result.set_index("quit_rate").loc[0.004]
    by_hand = cal.simulate(Params.make(n_workers=1000, quit_rate=0.004), [5, 6], 60)
    assert row["ai_pay_premium_2026"] == pytest.approx(by_hand["ai_pay_premium_2026"].mean(), rel=0, abs=0)


def test_the_documented_search_specs_are_experiment_specs():
    for name in ("calibration_grid_stage1", "calibration_grid", "calibration_grid_stage3"):
        spec = load_spec(ROOT / "experiments" / f"{name}.toml")
        assert spec.experiment.seeds == [101, 102, 103] and spec.experiment.months == 60
        assert {"model", "cluster"} <= set(spec.experiment.outputs)


def test_forward_switches_strategies_from_the_given_month():
    p = Params.make(n_workers=1000, worker_agents=False)
    specs = cal.forward_runs(p, [2], switch=12, horizon=24)
    freeze = next(s for s in specs if s.label.startswith("junior freeze"))
    res = run_one(freeze)
    headcount = res.firm.pivot(index="month", columns="strategy", values="firms")
    assert headcount.loc[12, "recomposing"] > 0 and headcount.loc[13, "recomposing"] == 0  # switched in month 13
    assert headcount.loc[13, "cutting"] == headcount.loc[12].sum()


def test_forward_report_and_figure(tmp_path):
    result = cal.forward(Params.make(n_workers=800), [1], switch=12, horizon=36)
    assert set(result["pipeline"]["variant"]) == set(cal.FORWARD_VARIANTS)
    assert set(result["profit"]["cal"]) == {2023, 2024}  # accumulated from the switch on
    cal.plot_forward(result, tmp_path / "forward.png")
    assert (tmp_path / "forward.png").stat().st_size > 5000


def test_calibrate_command_writes_report(tmp_path):
    r = subprocess.run([sys.executable, "-m", "abm.cli", "calibrate", "--seeds", "2", "--workers", "2000",
                        "--processes", "2", "--out", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "targets inside their bands" in r.stdout
    table = pd.read_csv(tmp_path / "calibration.csv")
    assert len(table) == len(cal.TARGETS)
    assert (tmp_path / "calibration.png").stat().st_size > 5000


def test_diagnostics_estimate_a_matching_function_and_evaluate_retraining(tmp_path):
    from abm import diagnostics
    from abm.runs import RunSpec, run_one

    p = Params.make(n_workers=3000, worker_agents=False)
    results = [run_one(RunSpec(f"s{s}", p, s, 72, tables=("model", "cluster"))) for s in (1, 2)]
    mf = diagnostics.matching_function([r.tables["cluster"] for r in results])
    assert 0.1 < mf["alpha_unemployed"] < 1.0 and 0.0 < mf["beta_vacancies"] < 1.0 and mf["observations"] > 500
    studies = diagnostics.evaluations(p, [1], 72)
    events = studies["retraining"]
    assert list(events["months_after"]) == [6, 12, 24, 36, 60]
    assert events["trainees"].iloc[-1] < events["trainees"].iloc[0]  # only the early cohorts are seen for 60 months
    first = events.iloc[0]
    assert first["tech_employment_effect"] < 0  # trainees are still training six months in: the lock-in
    displaced = studies["displacement"]
    assert set(displaced["group"]) == set(diagnostics.DISPLACED_GROUPS)
    everyone = displaced[displaced["group"] == "all"].set_index("months_after")
    assert everyone.loc[6, "displaced"] > 50  # structural layoffs happen from 2023 on
    # six months after a layoff the laid-off earn less than comparable workers who kept their job
    assert everyone.loc[6, "earnings_effect"] < 0 and -1 < everyone.loc[6, "earnings_effect_share"] < 0
    files = diagnostics.write(tmp_path, [r.tables["cluster"] for r in results], [r.tables["model"] for r in results], studies)
    text = (tmp_path / "diagnostics.md").read_text()
    assert all(f.exists() for f in files) and "Matching function" in text and "who is hurt by a layoff" in text


def test_displacement_panel_finds_the_model_s_layoffs():
    """The laid-off of the cost-of-job-loss study are the model's layoffs, month by month (less the
    rare worker laid off again by the firm that laid them off before); the comparison workers are
    drawn only where there are laid-off workers to compare, at most the sample size per cell."""
    from abm import diagnostics
    from abm.runs import RunSpec, run_one

    p = Params.make(n_workers=3000, worker_agents=False)
    panel = diagnostics.worker_panels(RunSpec("d", p, 4, 60, tables=()))["displacement"]
    model = run_one(RunSpec("d", p, 4, 60, tables=("model",))).tables["model"].set_index("month")
    found = panel.groupby("t")["treated"].sum().reindex(model.index, fill_value=0)
    assert (found <= model["layoffs"]).all()
    assert found.sum() >= 0.95 * model["layoffs"].sum() > 100
    comparison = panel[~panel["treated"]]
    assert (comparison.groupby(["t", "cell"]).size() <= diagnostics.DISPLACEMENT_COMPARISONS).all()
    assert set(map(tuple, comparison[["t", "cell"]].to_numpy())) <= set(map(tuple, panel.loc[panel["treated"], ["t", "cell"]].to_numpy()))
