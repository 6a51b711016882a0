"""The pipeline experiment's report (abm.experiments.pipeline): the numbers on hand-made tables, and
the whole path — `abm sweep` and `abm report` on a small pipeline spec — as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.experiments import pipeline
from abm.experiments.analysis import t_quantile
from abm.experiments.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


def months_table(set_id: int, replicate: int, seed: int, seniors_2032: float, spend_per_month: float) -> pd.DataFrame:
    """A run's model table, 2022–2034: a constant senior stock in 2032 and a constant monthly spend."""
    month = np.arange(157)
    year = 2022 + month / 12
    in_2032 = (month > 120) & (month <= 132)
    return pd.DataFrame({"run_id": set_id * 100 + replicate, "set_id": set_id, "replicate": replicate, "seed": seed,
                         "month": month, "year": year, "public_pipeline_spend": spend_per_month,
                         "workers_by_seniority_senior": np.where(in_2032, seniors_2032 - 10.0, 0.0),
                         "workers_by_seniority_staff": np.where(in_2032, 10.0, 0.0),
                         "senior_vacancy_duration": 3.0, "strategy_switches": 0})


def test_sets_get_a_policy_a_scenario_and_their_no_policy_reference():
    labels = pd.DataFrame({"set_id": [0, 1, 2, 3], "imitation_rate": [0.0, 0.0, 1.0, 1.0],
                           "junior_wage_subsidy": [0.0, 0.5, 0.0, 0.5]})
    sets = pipeline.describe_sets(labels, ["imitation_rate", "junior_wage_subsidy"])
    assert list(sets["policy"]) == ["no policy", "junior_wage_subsidy=0.5", "no policy", "junior_wage_subsidy=0.5"]
    assert list(sets["scenario"]) == ["imitation_rate=0", "imitation_rate=0", "imitation_rate=1", "imitation_rate=1"]
    assert list(sets["reference"]) == [0, 0, 2, 2]


def test_cost_per_extra_senior_is_paired_by_seed_and_undefined_without_a_gain():
    gains = np.array([20.0, 30.0, 40.0])  # seniors gained with the policy, per seed
    runs = []
    for r, seed in enumerate((7, 8, 9)):
        base = 500.0 + 100.0 * r  # very different worlds per seed: only pairing makes the gain precise
        runs += [months_table(0, r, seed, base, 0.0), months_table(1, r, seed, base + gains[r], 1_000.0),
                 months_table(2, r, seed, base, 1_000.0)]
    model = pd.concat(runs, ignore_index=True)
    sets = pipeline.describe_sets(pd.DataFrame({"set_id": [0, 1, 2], "junior_wage_subsidy": [0.0, 0.5, 0.2]}),
                                  ["junior_wage_subsidy"])
    cost = pipeline.policy_cost(model, sets).set_index("set_id")
    spend = 1_000.0 * 132  # every month of 2022–2032
    assert cost.loc[1, "paired"] and cost.loc[1, "spend_to_2032"] == pytest.approx(spend)
    assert cost.loc[1, "extra_seniors_2032"] == pytest.approx(30.0)
    assert cost.loc[1, "extra_seniors_ci95"] == pytest.approx(t_quantile(3)[()] * 10.0 / np.sqrt(3))
    assert cost.loc[1, "cost_per_extra_senior"] == pytest.approx(spend / 30.0)
    assert cost.loc[1, "cost_per_extra_senior_ci_low"] <= spend / 30.0 <= cost.loc[1, "cost_per_extra_senior_ci_high"]
    assert np.isnan(cost.loc[2, "cost_per_extra_senior"]) and "no detectable gain" in cost.loc[2, "note"]


def test_tipping_finds_when_counter_cyclical_firms_die_out_and_one_strategy_takes_over():
    rows = []
    for run in (1, 2):
        for year in range(2022, 2035):
            cc = max(0.0, 0.2 - 0.1 * (year - 2022))  # gone from 2024
            cut = min(1.0, 0.6 + 0.1 * (year - 2022))  # all firms from 2026
            rest = 1.0 - cc - cut
            for strategy, share in (("cutting", cut), ("counter_cyclical", cc), ("recomposing", max(rest, 0.0)),
                                    ("non_adopting", 0.0)):
                rows.append({"run_id": run, "set_id": 0, "calendar_year": year, "strategy": strategy, "share": share})
    tip = pipeline.tipping(pd.DataFrame(rows)).iloc[0]
    assert tip["cc_extinct_runs"] == 2 and tip["cc_extinct_year_median"] == 2024
    assert tip["tipped_runs"] == 2 and tip["tipped_year_median"] == 2026 and tip["tipped_to"] == "cutting"
    assert tip["cutting_share_2034"] == pytest.approx(1.0)


def test_payoff_is_the_gap_of_profit_per_2022_worker_within_each_run():
    rows = []
    for run in (1, 2, 3):
        for month in range(0, 25):
            for strategy, headcount0, profit_per_month in (("counter_cyclical", 10, 2_000.0 + run), ("cutting", 20, 1_000.0)):
                rows.append({"run_id": run, "set_id": 0, "replicate": run, "month": month, "year": 2022 + month / 12,
                             "strategy": strategy, "headcount": headcount0,
                             "cumulative_profit": headcount0 * profit_per_month * month})
    gaps = pipeline.payoff(pd.DataFrame(rows)).set_index("calendar_year")
    assert list(gaps.index) == [2022, 2023]
    assert gaps.loc[2023, "mean"] == pytest.approx((1_000.0 + 2.0) * 24)  # mean over runs of (cc − cutting) per worker
    assert gaps.loc[2023, "n"] == 3


def test_the_pipeline_spec_is_valid_and_has_ten_paired_replicates_per_set():
    spec = load_spec(ROOT / "experiments" / "pipeline_public_good.toml")
    assert spec.experiment.replicates >= 10 and spec.experiment.seeds is not None
    assert set(pipeline.FIGURES) <= set(spec.report.figures)
    points = spec.points()
    assert len(points) == 48 and {p["imitation_rate"] for p in points} == {0.0, 1.0}


@pytest.mark.slow
def test_sweep_and_report_of_a_small_pipeline_batch(tmp_path):
    spec = tmp_path / "pipe.toml"
    spec.write_text(textwrap.dedent("""
        [experiment]
        name = "pipe"
        base = "baseline"
        months = 132
        seeds = [3, 4]
        outputs = ["model", "firm"]
        [fixed]
        n_workers = 800
        share_cutting = 0.5
        share_counter_cyclical = 0.3
        share_recomposing = 0.1
        share_non_adopting = 0.1
        [grid]
        imitation_rate = [0.0, 2.0]
        policy = [{ junior_wage_subsidy = 0.0 }, { junior_wage_subsidy = 0.6 }]
        [report]
        outputs = ["public_pipeline_spend", "strategy_switches"]
        figures = ["pipeline_payoff", "strategy_mix", "pipeline_seniors", "policy_cost"]
    """))
    out = tmp_path / "out"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-m", "abm.cli", "sweep", str(spec), "--out", str(out), "--processes", "2"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    rep = subprocess.run([sys.executable, "-m", "abm.cli", "report", str(out)], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=300)
    assert rep.returncode == 0, rep.stderr
    report = out / "report"
    for name in ("pipeline_payoff", "strategy_mix", "pipeline_seniors", "policy_cost"):
        assert (report / f"{name}.png").stat().st_size > 1000
    text = (report / "report.md").read_text()
    assert "Does the counter-cyclical bet pay for the firm?" in text and "Public cost per extra senior in 2032" in text
    cost = pd.read_csv(report / "policy_cost.csv")
    assert set(cost["policy"]) == {"junior_wage_subsidy=0.6"} and cost["paired"].all()
    assert (cost["spend_to_2032"] > 0).all()
    mix = pd.read_csv(report / "strategy_mix.csv")
    assert set(mix["scenario"]) == {"imitation_rate=2"}  # only where firms switched
    payoff = pd.read_csv(report / "pipeline_payoff.csv")
    assert set(payoff["scenario"]) == {"imitation_rate=0"}
