"""The runs layer: one configuration gives the same numbers through every front end; interventions;
seeds from one root; the Executor seam."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from abm import calibration, measures
from abm.app.session import Simulation
from abm.experiments import load_spec, read_table, run_batch
from abm.experiments.engines import processes
from abm.experiments.spec import KEY_COLUMNS
from abm.params import ParameterError, Params
from abm.runs import TABLES, Intervention, RunSpec, replicates, run_many, run_one, spawn_seeds

SEED, WORKERS, MONTHS = 4242, 600, 60
PARAMS = Params.make(n_workers=WORKERS, worker_agents=False)


@pytest.fixture(scope="module")
def reference():
    return run_one(RunSpec("reference", PARAMS, SEED, MONTHS))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """A table as the batches store it: categories as text, a fresh index."""
    df = df.reset_index(drop=True)
    return df.astype({c: str for c in df.select_dtypes("category").columns})


def test_results_carry_their_spec(reference):
    assert reference.params == PARAMS and reference.seed == SEED and reference.label == "reference"
    assert reference.months == MONTHS and reference.year == 2027.0 and set(reference.tables) == set(TABLES)
    assert len(reference.model) == MONTHS + 1
    kept = run_one(RunSpec("two tables", PARAMS, SEED, 2, tables=("model", "firm")))
    with pytest.raises(KeyError, match="'cluster' was not kept.*kept: model, firm"):
        kept["cluster"]


def test_same_seed_same_numbers_through_every_front_end(reference, tmp_path):
    # 1. the experiment batch runner (a spec with this seed, Parquet files, the task ledger)
    spec_file = tmp_path / "one.toml"
    spec_file.write_text(textwrap.dedent(f"""
        [experiment]
        name = "one"
        months = {MONTHS}
        seeds = [{SEED}]
        outputs = {list(TABLES)!r}
        [fixed]
        n_workers = {WORKERS}
        """))
    with ThreadPoolExecutor(1) as ex:
        assert run_batch(load_spec(spec_file), tmp_path / "batch", ex).status == "complete"
    for table in TABLES:
        stored = read_table(tmp_path / "batch", table).drop(columns=list(KEY_COLUMNS))
        pd.testing.assert_frame_equal(stored, _plain(reference[table]), check_exact=True)

    # 2. the calibration: its report and a search score the same run the same way
    expected = measures.evaluate(reference.tables)
    report = calibration.simulate(PARAMS, [SEED], MONTHS).iloc[0].to_dict()
    searched = calibration.search(load_spec(spec_file)).iloc[0]
    for name, value in expected.items():
        assert report[name] == value or (np.isnan(value) and np.isnan(report[name])), name
        assert searched[name] == value or (np.isnan(value) and np.isnan(searched[name])), name

    # 3. the app's session, stepped month by month as the page does
    sim = Simulation()
    sim.reset([RunSpec("app", PARAMS, SEED)])
    frame = sim.step(MONTHS)
    for table in TABLES:
        pd.testing.assert_frame_equal(frame.runs[0][table], reference[table], check_exact=True)

    # 4. `abm run` (CSV files: equal to the last digit CSV keeps)
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "abm.cli", "run", "--workers", str(WORKERS), "--months", str(MONTHS),
                        "--seed", str(SEED), "--no-plots", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    csv = pd.read_csv(out / "model.csv")
    model = reference.model.drop(columns=[c for c in reference.model if reference.model[c].dtype == object])
    pd.testing.assert_frame_equal(csv[model.columns], model, check_dtype=False, rtol=1e-12)


def test_intervention_acts_from_its_month(reference):
    month = 13
    changed = run_one(RunSpec("quits", PARAMS, SEED, 24, (Intervention(month, set={"quit_rate": 0.05}),)))
    before, after = reference.model.set_index("month"), changed.model.set_index("month")
    pd.testing.assert_frame_equal(before.loc[:month - 1], after.loc[:month - 1])  # the same run until then
    assert after.loc[month, "quits"] > 3 * before.loc[month, "quits"]  # 5 %/month instead of 0.3 %
    assert changed.params.quit_rate == PARAMS.quit_rate  # the spec keeps the parameters it started from


@pytest.mark.parametrize("intervention, message", [
    (Intervention(0, set={"quit_rate": 0.01}), "'month' = 0 is invalid; allowed: 1 to 24"),
    (Intervention(3, set={"n_workers": 900}), "'n_workers' only acts when the model is built"),
    (Intervention(3, set={"share_cutting": 1.0}), "'share_cutting' only acts when the model is built.*switch"),
    (Intervention(3, set={"quit_rat": 0.01}), "unknown parameter 'quit_rat'.*did you mean 'quit_rate'"),
    (Intervention(3, switch={"cuting": "cutting"}), "unknown strategy 'cuting'"),
    (Intervention(3), "changes nothing"),
])
def test_bad_interventions_are_one_line_errors(intervention, message):
    with pytest.raises(ParameterError, match=message) as info:
        run_one(RunSpec("bad", PARAMS, 1, 24, (intervention,)))
    assert "\n" not in str(info.value) and "intervention at month" in str(info.value)


def test_replicates_take_their_seeds_from_one_root():
    specs = replicates(RunSpec("r", PARAMS, 0, 3), 4, root=7)
    assert [s.seed for s in specs] == spawn_seeds(7, 4) and len(set(spawn_seeds(7, 4))) == 4
    assert spawn_seeds(7, 2) == spawn_seeds(7, 4)[:2]  # a run's seed depends on its index only
    assert [s.label for s in specs] == ["r #0", "r #1", "r #2", "r #3"]


def test_run_many_is_the_same_on_any_executor():
    specs = replicates(RunSpec("r", PARAMS, 0, 6, tables=("model",)), 3, root=1)
    with processes(2) as pool:  # a forked pool first: before this process starts threads
        done: list[tuple[int, int]] = []
        pooled = run_many(specs, pool, progress=lambda k, n: done.append((k, n)))
    serial = run_many(specs)
    with ThreadPoolExecutor(2) as threads:
        threaded = run_many(specs, threads)
    assert done[-1] == (3, 3)
    for a, b, c in zip(serial, threaded, pooled):
        assert a.seed == b.seed == c.seed
        pd.testing.assert_frame_equal(a.model, b.model)
        pd.testing.assert_frame_equal(a.model, c.model)


def test_a_bad_spec_fails_before_anything_runs():
    with pytest.raises(ParameterError, match="'seed' = -1 is invalid"):
        run_many([RunSpec("ok", PARAMS, 1, 1), RunSpec("bad", PARAMS, -1, 1)])
    with pytest.raises(ParameterError, match="unknown table 'clusters'"):
        run_one(RunSpec("bad", PARAMS, 1, 1, tables=("clusters",)))
