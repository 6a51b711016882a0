"""The parameter set: defaults, scenario files and one-line errors naming the key."""

from pathlib import Path

import pytest

from abm import LaborMarket, ParameterError, Params, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_are_valid_and_documented():
    p = Params()
    rows = Params.describe()
    assert len(rows) == len(Params.model_fields)
    for row in rows:
        assert row["unit"], f"{row['name']} has no unit"
        assert row["source"], f"{row['name']} has no source"
        assert row["description"], f"{row['name']} has no description"
    assert p.n_firms >= 4


def test_baseline_scenario_equals_defaults():
    meta, params = load_scenario("baseline")  # the shipped baseline, by name
    assert meta["name"] == "baseline"
    assert params == Params()
    assert load_scenario(ROOT / "abm" / "scenarios" / "baseline.toml")[1] == params


def test_unknown_key_is_named_with_suggestion():
    with pytest.raises(ParameterError) as exc:
        Params.make(quit_rat=0.1)
    msg = str(exc.value)
    assert "quit_rat" in msg and "quit_rate" in msg and "\n" not in msg


@pytest.mark.parametrize("key,value,expect", [
    ("n_workers", -5, "n_workers"),
    ("n_workers", "lots", "n_workers"),
    ("quit_rate", 1.5, "quit_rate"),
    ("worker_agents", "yes", "worker_agents"),
    ("retraining_subsidy", -0.1, "[0.0, 1.0]"),
])
def test_bad_values_name_key_value_and_range(key, value, expect):
    with pytest.raises(ParameterError) as exc:
        Params.make(**{key: value})
    msg = str(exc.value)
    assert key in msg and expect in msg and repr(value) in msg and "\n" not in msg


def test_impossible_combination_is_named():
    with pytest.raises(ParameterError) as exc:
        Params.make(share_cutting=0.9)
    assert "share_cutting" in str(exc.value) and "sum to 1" in str(exc.value)


def test_too_few_firms_is_an_error():
    with pytest.raises(ParameterError, match="workers_per_firm"):
        Params.make(n_workers=100, workers_per_firm=50)


def test_model_rejects_bad_input():
    with pytest.raises(ParameterError, match="bogus_knob"):
        LaborMarket(seed=1, n_workers=1000, bogus_knob=3)
    with pytest.raises(ParameterError, match="n_workers"):
        LaborMarket(seed=1, n_workers=-5)
    with pytest.raises(ParameterError, match="seed"):
        LaborMarket(seed="abc", n_workers=1000)


def test_numpy_scalars_are_accepted():
    import numpy as np

    assert Params.make(n_workers=np.int64(1000), quit_rate=np.float64(0.01)).n_workers == 1000


@pytest.mark.parametrize("text,expect", [
    ("[params]\nn_workers = -1\n", "n_workers"),
    ("[params\n", "not valid TOML"),
    ("[bogus]\nx = 1\n", "unknown table"),
    ("[params]\nshare_cutting = 1.0\n", "sum to 1"),
])
def test_malformed_scenarios_are_clear(tmp_path, text, expect):
    f = tmp_path / "s.toml"
    f.write_text(text)
    with pytest.raises(ParameterError) as exc:
        load_scenario(f)
    assert expect in str(exc.value) and str(f) in str(exc.value)


def test_scenario_inherits_from_base(tmp_path):
    (tmp_path / "base.toml").write_text("[params]\nquit_rate = 0.01\n")
    (tmp_path / "child.toml").write_text('[scenario]\nbase = "base.toml"\n[params]\nn_workers = 1000\n')
    _, p = load_scenario(tmp_path / "child.toml")
    assert p.quit_rate == 0.01 and p.n_workers == 1000


def test_missing_scenario_file():
    with pytest.raises(ParameterError, match="not found"):
        load_scenario("nope/nothing.toml")
