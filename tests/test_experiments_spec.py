"""Experiment specs, seeds, task grouping and the analysis, in-process (fast).

The validation tests check that every error is one line naming the table, the key and the value,
and saying what is allowed. The batch tests run tiny batches through ``run_batch`` on a thread
pool — the Executor seam takes any executor — and check the report and SALib sensitivity indices.
"""

from __future__ import annotations

import textwrap
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm import ParameterError, Params
from abm.experiments import analysis, load_spec, run_batch
from abm.experiments.runner import PlannedRun, auto_chunk, group_tasks, plan_runs
from abm.files import baseline_path, file_kind
from abm.params import STRATEGY_SHARES
from abm.runs import spawn_seeds as run_seeds

ROOT = Path(__file__).resolve().parents[1]
BASE = baseline_path()

GOOD = f"""
[experiment]
name = "t"
base = "{BASE}"
months = 6
replicates = 2
seed = 3
outputs = ["model", "firm"]

[fixed]
n_workers = 500

[grid]
retraining_subsidy = [0.0, 1.0]
"""


def spec_text(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ParameterError) as info:
        load_spec(spec_text(tmp_path, text))
    msg = str(info.value)
    assert "\n" not in msg, msg
    return msg


# --- validation ------------------------------------------------------------------------------------
def test_good_spec_loads(tmp_path):
    spec = load_spec(spec_text(tmp_path, GOOD))
    assert spec.method == "grid" and spec.factors == ["retraining_subsidy"] and spec.derived == []
    assert spec.points() == [{"retraining_subsidy": 0.0}, {"retraining_subsidy": 1.0}]
    assert spec.n_runs() == 4


@pytest.mark.parametrize("old, new, expected", [
    ("replicates = 2", "replicate = 2", ["[experiment] unknown key 'replicate'", "did you mean 'replicates'", "allowed: name"]),
    ("replicates = 2", "replicates = 0", ["[experiment] 'replicates' = 0 is invalid", "greater than or equal to 1"]),
    ("months = 6", "months = 6.5", ["'months' = 6.5 is invalid"]),
    ('outputs = ["model", "firm"]', 'outputs = ["model", "firms"]', ["'outputs'[1] = 'firms'", "'firm'"]),
    ("[grid]", "[grids]", ["unknown table [grids]", "did you mean [grid]", "allowed: [experiment]"]),
    ("retraining_subsidy = [0.0, 1.0]", "retraining_subsidyy = [0.0, 1.0]",
     ["'retraining_subsidyy' is not a model parameter", "did you mean 'retraining_subsidy'", "abm params"]),
    ("retraining_subsidy = [0.0, 1.0]", "retraining_subsidy = [0.0, 1.5]",
     ["[grid]", "'retraining_subsidy' = 1.5", "less than or equal to 1", "allowed: float in [0.0, 1.0]"]),
    ("n_workers = 500", "n_worker = 500", ["[fixed] 'n_worker' is not a model parameter", "did you mean 'n_workers'"]),
    ("n_workers = 500", "n_workers = 10", ["[fixed]", "'n_workers' = 10", "allowed: int in [50, 5000000]"]),
    ("retraining_subsidy = [0.0, 1.0]", "retraining_subsidy = []", ["[grid] 'retraining_subsidy' = []", "non-empty list"]),
    ("retraining_subsidy = [0.0, 1.0]", "retraining_subsidy = [0.5, 0.5]", ["repeats a value"]),
    ("retraining_subsidy = [0.0, 1.0]", "share_cutting = [0.2, 0.9]",
     ["parameter set 0 (share_cutting=0.2)", "must sum to 1"]),
    ('seed = 3', 'seed = 3\nsetup = "no_such_module:hook"', ["setup = 'no_such_module:hook' cannot be imported"]),
    ('seed = 3', 'seed = 3\nsetup = "not a hook"', ["'setup' = 'not a hook' is invalid"]),
])
def test_spec_errors_are_one_line_naming_key_value_and_allowed(tmp_path, old, new, expected):
    assert old in GOOD
    msg = error_of(tmp_path, GOOD.replace(old, new, 1))
    assert msg.startswith("experiment spec ")
    for part in expected:
        assert part in msg, msg


def test_sample_errors(tmp_path):
    head = GOOD.split("[grid]")[0]
    msg = error_of(tmp_path, head + '[sample]\nmethod = "sobol"\nn = 10\nranges = { retraining_subsidy = [0.0, 1.0] }\n')
    assert "'n' = 10" in msg and "power of 2" in msg
    msg = error_of(tmp_path, head + '[sample]\nmethod = "latin"\nn = 8\nranges = { retraining_subsidy = [0.0, 1.0] }\n')
    assert "'method' = 'latin'" in msg and "'sobol'" in msg
    msg = error_of(tmp_path, head + '[sample]\nmethod = "random"\nn = 8\nranges = { retraining_subsidy = [1.0, 0.0] }\n')
    assert "low < high" in msg
    msg = error_of(tmp_path, head + '[sample]\nmethod = "random"\nn = 8\nranges = { retraining_subsidy = [0.0, 2.0] }\n')
    assert "retraining_subsidy" in msg and "2.0" in msg
    msg = error_of(tmp_path, head + '[sample]\nmethod = "random"\nn = 8\nranges = { worker_agents = [0, 1] }\n')
    assert "only numbers can be sampled" in msg
    msg = error_of(tmp_path, GOOD + '[sample]\nmethod = "random"\nn = 8\nranges = { quit_rate = [0.0, 0.1] }\n')
    assert "either [grid] or [sample]" in msg


def test_report_and_remainder_errors(tmp_path):
    msg = error_of(tmp_path, GOOD + '[report]\noutputs = ["unemployment"]\n')
    assert "[report] 'outputs'" in msg and "unknown model column" in msg and "did you mean 'unemployment_rate'" in msg
    msg = error_of(tmp_path, GOOD + '[report]\nx = "quit_rate"\n')
    assert "'x' = 'quit_rate'" in msg and "allowed: a varied parameter (retraining_subsidy)" in msg
    msg = error_of(tmp_path, GOOD + '[report]\nfigures = ["pay_by_cluster"]\n')
    assert "needs the 'pay' table" in msg
    msg = error_of(tmp_path, GOOD + '[remainder]\ninto = ["quit_rate"]\n')
    assert "'quit_rate' is not a share that must sum to 1" in msg and "share_cutting" in msg
    msg = error_of(tmp_path, GOOD.replace("retraining_subsidy = [0.0, 1.0]", "share_cutting = [0.5, 1.2]")
                   + '[remainder]\ninto = ["share_recomposing", "share_counter_cyclical", "share_non_adopting"]\n')
    assert "'share_cutting' = 1.2" in msg
    msg = error_of(tmp_path, GOOD.replace("retraining_subsidy = [0.0, 1.0]", "share_cutting = [0.5, 0.9]\nshare_recomposing = [0.1]")
                   + '[remainder]\ninto = ["share_recomposing", "share_non_adopting"]\n')
    assert "'share_recomposing' is set by the spec" in msg


def test_not_an_experiment_spec(tmp_path):
    with pytest.raises(ParameterError, match="no \\[experiment\\] table.*scenario file"):
        load_spec(BASE)
    with pytest.raises(ParameterError, match="not found"):
        load_spec(tmp_path / "missing.toml")
    with pytest.raises(ParameterError, match="not valid TOML"):
        load_spec(spec_text(tmp_path, "[experiment\n"))


# --- designs ---------------------------------------------------------------------------------------
def test_remainder_keeps_base_proportions_and_sums_to_one(tmp_path):
    text = GOOD.replace("retraining_subsidy = [0.0, 1.0]", "share_cutting = [0.0, 0.3, 1.0]") + \
        '[remainder]\ninto = ["share_recomposing", "share_counter_cyclical", "share_non_adopting"]\n'
    spec = load_spec(spec_text(tmp_path, text))
    assert spec.factors == ["share_cutting"]
    assert spec.derived == ["share_recomposing", "share_counter_cyclical", "share_non_adopting"]
    base = spec.base_params
    for p in spec.points():
        assert abs(sum(p[k] for k in STRATEGY_SHARES) - 1) < 1e-9
        if p["share_cutting"] < 1:
            assert p["share_recomposing"] / p["share_non_adopting"] == pytest.approx(base.share_recomposing / base.share_non_adopting)
    assert spec.points()[-1]["share_recomposing"] == 0.0
    assert spec.points()[0]["share_recomposing"] == pytest.approx(0.2 / 0.4)


def test_coupled_axis_and_product(tmp_path):
    text = GOOD.replace("retraining_subsidy = [0.0, 1.0]", textwrap.dedent("""\
        ai_adoption_speed = [0.6, 1.5]
        cooldown = [{ ai_cooldown_year = 2100.0, ai_cooldown_depth = 0.0 }, { ai_cooldown_year = 2027, ai_cooldown_depth = 0.5 }]
        """))
    spec = load_spec(spec_text(tmp_path, text))
    assert spec.factors == ["ai_adoption_speed", "ai_cooldown_year", "ai_cooldown_depth"]
    pts = spec.points()
    assert len(pts) == 4 and pts[1] == {"ai_adoption_speed": 0.6, "ai_cooldown_year": 2027.0, "ai_cooldown_depth": 0.5}
    assert isinstance(pts[1]["ai_cooldown_year"], float)  # typed as the Params field (TOML gave an int)
    bad = text.replace("{ ai_cooldown_year = 2027, ai_cooldown_depth = 0.5 }", "{ ai_cooldown_depth = 0.5 }")
    assert "every table of a coupled axis must set the same parameters" in error_of(tmp_path, bad)


@pytest.mark.parametrize("method, n, expected", [("sobol", 4, 4 * (2 + 2)), ("morris", 3, 3 * (2 + 1)), ("random", 5, 5)])
def test_sample_designs(tmp_path, method, n, expected):
    head = GOOD.split("[grid]")[0]
    text = head + f'[sample]\nmethod = "{method}"\nn = {n}\nranges = {{ retraining_subsidy = [0.0, 1.0], applications_per_month = [2, 10] }}\n'
    spec = load_spec(spec_text(tmp_path, text))
    pts = spec.points()
    assert len(pts) == expected and pts == load_spec(spec_text(tmp_path, text, "again.toml")).points()
    assert all(isinstance(p["applications_per_month"], int) and 2 <= p["applications_per_month"] <= 10 for p in pts)
    assert all(0.0 <= p["retraining_subsidy"] <= 1.0 for p in pts)


def _experiment_specs() -> list[Path]:
    """The experiment specs in experiments/ (the folder also holds a pointer to the baseline scenario)."""
    return [p for p in sorted((ROOT / "experiments").glob("*.toml")) if file_kind(tomllib.loads(p.read_text())) == "experiment"]


def test_experiments_folder_holds_only_specs_and_the_baseline_pointer():
    others = {p.name for p in (ROOT / "experiments").glob("*.toml")} - {p.name for p in _experiment_specs()}
    assert others == {"baseline.toml"}


@pytest.mark.parametrize("path", _experiment_specs(), ids=lambda p: p.name)
def test_shipped_specs_validate_and_stay_modest(path):
    spec = load_spec(path)
    pipeline = path.stem.startswith("pipeline_")  # issue 11 asks for >= 10 replicates per point
    assert spec.n_runs() <= (500 if pipeline else 200)
    calibration = spec.experiment.name.startswith("calibration")  # the searches run at the calibrated size
    for p in spec.points():
        params = spec.params_for(p)
        assert params.n_workers <= (20_000 if calibration else 10_000)
    if pipeline:
        assert spec.experiment.replicates >= 10 and spec.experiment.months <= 156
    elif path.stem == "calibration_flows":  # a sampled search: two search seeds per point
        assert spec.experiment.replicates == 2 and spec.experiment.months <= 156
    elif path.stem != "sensitivity_retraining":
        assert 3 <= spec.experiment.replicates <= 5 and spec.experiment.months <= 156


# --- seeds and tasks -------------------------------------------------------------------------------
def test_seeds_come_from_one_root_per_run_index():
    a = run_seeds(42, 10)
    assert a == run_seeds(42, 10) and len(set(a)) == 10
    assert a[:5] == run_seeds(42, 5)  # a run's seed depends on its index, not on the batch size
    assert all(0 <= s < 2**63 for s in a)
    import numpy as np

    child = np.random.SeedSequence(42).spawn(10)[7]
    assert a[7] == int(child.generate_state(1, dtype=np.uint64)[0]) >> 1


@settings(max_examples=200, deadline=None)
@given(n_sets=st.integers(1, 12), reps=st.integers(1, 7), chunk=st.integers(1, 20), drop=st.sets(st.integers(0, 83)))
def test_tasks_cover_every_remaining_run_exactly_once(n_sets, reps, chunk, drop):
    runs = [PlannedRun(i, i // reps, i % reps, i) for i in range(n_sets * reps) if i not in drop]
    groups = group_tasks(runs, chunk)
    flat = [r for g in groups for r in g]
    assert sorted(r.run_id for r in flat) == [r.run_id for r in runs]
    for g in groups:
        assert 1 <= len(g) <= max(chunk, 2 * chunk - 1)
        sets = {r.set_id for r in g}
        if len(sets) > 1:  # only sets smaller than a chunk share a task
            assert all(sum(r.set_id == s for r in runs) < chunk for s in sets)


def test_auto_chunk(tmp_path):
    spec = load_spec(spec_text(tmp_path, GOOD.replace("n_workers = 500", "n_workers = 8000").replace("months = 6", "months = 120")))
    assert auto_chunk(spec, 100, 2) == 2                     # a set's replicates: long runs
    assert auto_chunk(spec, 4, 2) == 1                       # few runs: spread them over the workers
    tiny = load_spec(spec_text(tmp_path, GOOD.replace("n_workers = 500", "n_workers = 500\nburn_in_months = 0"), "tiny.toml"))
    assert auto_chunk(tiny, 1000, 2) >= 5                    # tiny runs (no burn-in): >= ~0.15 s a task


# --- batches in-process ------------------------------------------------------------------------------
def test_batch_on_any_executor_plan_check_and_retry(tmp_path):
    spec = load_spec(spec_text(tmp_path, GOOD))
    out = tmp_path / "out"
    with ThreadPoolExecutor(2) as ex:
        s = run_batch(spec, out, ex, parallelism=2)
    assert (s.status, s.done, s.failed, s.skipped) == ("complete", 4, 0, 0)
    model = pd.read_parquet(out / "model")
    assert sorted(model["run_id"].unique()) == [0, 1, 2, 3]
    assert model.groupby("run_id")["seed"].first().tolist() == plan_runs_seeds(spec)
    with ThreadPoolExecutor(1) as ex:
        s = run_batch(spec, out, ex)
    assert (s.done, s.skipped) == (0, 4)
    other = load_spec(spec_text(tmp_path, GOOD.replace("months = 6", "months = 7"), "other.toml"))
    with ThreadPoolExecutor(1) as ex, pytest.raises(ParameterError, match="'months' \\(6 there, 7 now\\)"):
        run_batch(other, out, ex)


def plan_runs_seeds(spec):
    return [r.seed for r in plan_runs(spec)]


@pytest.mark.parametrize("method, n", [("sobol", 4), ("morris", 3)])
def test_report_with_salib_sensitivity(tmp_path, method, n):
    head = GOOD.split("[grid]")[0].replace("replicates = 2", "replicates = 1").replace('["model", "firm"]', '["model"]')
    text = head + (f'[sample]\nmethod = "{method}"\nn = {n}\nranges = {{ retraining_subsidy = [0.0, 1.0], quit_rate = [0.0, 0.02] }}\n'
                   '[report]\noutputs = ["unemployment_rate", "quits_to_unemployment"]\nfigures = ["sensitivity"]\nwindow_months = 3\n')
    spec = load_spec(spec_text(tmp_path, text))
    out = tmp_path / method
    with ThreadPoolExecutor(2) as ex:
        assert run_batch(spec, out, ex, parallelism=2).status == "complete"
    analysis.report(out)
    sens = pd.read_csv(out / "report" / "sensitivity.csv")
    assert set(sens["parameter"]) == {"retraining_subsidy", "quit_rate"}
    index = "ST" if method == "sobol" else "mu_star"
    assert {index, f"{'S1' if method == 'sobol' else 'mu_star'}_conf"} <= set(sens.columns)
    quits = sens[sens["output"] == "quits_to_unemployment"].set_index("parameter")
    assert quits.loc["quit_rate", index] > quits.loc["retraining_subsidy", index]  # quits into unemployment: the quit rate
    assert (out / "report" / "sensitivity.png").exists() and "Sensitivity" in (out / "report" / "report.md").read_text()


def test_replicate_ci_uses_student_t():
    df = pd.DataFrame({"g": [0, 0, 0, 1], "v": [1.0, 2.0, 3.0, 5.0]})
    ci = analysis.replicate_ci(df, ["g"], "v").set_index("g")
    half = 4.302652729749464 * 1.0 / np.sqrt(3)  # t(0.975, 2) · sd / √n
    assert ci.loc[0, "mean"] == 2.0 and ci.loc[0, "ci_high"] == pytest.approx(2.0 + half)
    assert np.isnan(ci.loc[1, "ci_low"]) and ci.loc[1, "n"] == 1


def test_overtaking_year_on_known_curves():
    months = np.arange(0, 49)
    year = 2022 + months / 12
    rows = []
    for run in (0, 1):
        lead = np.where(months > 0, (months - 30 - 2 * run) * 10.0, 0.0)   # passes the rival at month 30 (+2 in run 1)
        for strat, cum in (("counter_cyclical", lead), ("cutting", np.zeros_like(lead))):
            rows.append(pd.DataFrame({"run_id": run, "set_id": 0, "replicate": run, "x": 0.5, "month": months, "year": year,
                                      "strategy": strat, "headcount": 100, "cumulative_profit": cum}))
    ov = analysis.overtaking(pd.concat(rows), ["x"]).iloc[0]
    # month 31 (first month ahead on the mean curve) covers July 2024 → calendar year 2024
    assert ov["overtakes_for_good_year"] == 2024 and ov["runs_overtaking"] == 2
    assert ov["run_year_min"] == 2024 and ov["run_year_max"] == 2024


def test_pay_ratio_weights_cells_by_remote_workers():
    pay = pd.DataFrame({"run_id": 0, "set_id": 0, "replicate": 0, "x": 1.0, "month": [12, 12], "year": 2023.0,
                        "pay_policy": ["location_adjusted", "national_band"], "cluster": ["a", "a"],
                        "remote_workers": [30, 10], "onsite_workers": [5, 5], "remote_onsite_pay_ratio": [0.8, 1.0]})
    r = analysis.pay_ratio_by_cluster(pay, ["x"], window_months=1)
    assert r.loc[0, "mean"] == pytest.approx((30 * 0.8 + 10 * 1.0) / 40)


def test_params_round_trip_through_tasks(tmp_path):
    """Every run's parameters are the validated set: base ← fixed ← point, worker_agents off."""
    from abm.experiments.runner import Task, execute

    spec = load_spec(spec_text(tmp_path, GOOD))
    p = spec.params_for(spec.points()[1]).model_copy(update={"worker_agents": False}).model_dump()
    assert Params(**p).retraining_subsidy == 1.0 and Params(**p).n_workers == 500
    res = execute(Task("x", (PlannedRun(0, 1, 0, run_seeds(3, 1)[0]),), {1: spec.points()[1]}, {1: p}, 2, ("model",)))
    assert res["ledger"][0]["status"] == "ok" and res["tables"]["model"].rows == 3


def test_dask_workers_without_the_package_are_refused_with_instructions():
    from abm import __version__
    from abm.experiments.engines import check_workers

    class FakeClient:
        def __init__(self, info):
            self.info = info

        def run(self, fn):
            return self.info

    check_workers(FakeClient({"tcp://a:1": {"abm": __version__}}))
    with pytest.raises(ParameterError, match="tcp://b:2 cannot import abm .*pip install abm-techlabor==.*--upload"):
        check_workers(FakeClient({"tcp://a:1": {"abm": __version__}, "tcp://b:2": {"abm": None, "error": "ModuleNotFoundError"}}))
    with pytest.raises(ParameterError, match="has abm 0.0.1"):
        check_workers(FakeClient({"tcp://a:1": {"abm": "0.0.1"}}))
