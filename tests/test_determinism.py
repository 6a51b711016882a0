"""Same seed → identical outputs (in-process and across processes); different seed → different."""

import hashlib
import subprocess
import sys

import pandas as pd

from abm import LaborMarket

SNIPPET = """
import hashlib, pandas as pd
from abm import LaborMarket
m = LaborMarket(seed=5, n_workers=1500).run(24)
h = hashlib.sha256()
for df in (m.model_metrics(), m.cluster_metrics(), m.firm_metrics(), m.pay_metrics()):
    h.update(pd.util.hash_pandas_object(df, index=True).values.tobytes())
print(h.hexdigest())
"""


def digest(model):
    h = hashlib.sha256()
    for df in (model.model_metrics(), model.cluster_metrics(), model.firm_metrics(), model.pay_metrics()):
        h.update(pd.util.hash_pandas_object(df, index=True).values.tobytes())
    return h.hexdigest()


def test_same_seed_identical_all_tables():
    a = LaborMarket(seed=5, n_workers=1500).run(24)
    b = LaborMarket(seed=5, n_workers=1500).run(24)
    pd.testing.assert_frame_equal(a.model_metrics(), b.model_metrics())
    pd.testing.assert_frame_equal(a.cluster_metrics(), b.cluster_metrics())
    pd.testing.assert_frame_equal(a.firm_metrics(), b.firm_metrics())
    assert (a.workers.view("wage") == b.workers.view("wage")).all()


def test_different_seed_differs():
    a = LaborMarket(seed=5, n_workers=1500).run(12)
    b = LaborMarket(seed=6, n_workers=1500).run(12)
    assert not a.model_metrics().equals(b.model_metrics())


def test_identical_across_processes():
    here = digest(LaborMarket(seed=5, n_workers=1500).run(24))
    out = subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == here


def test_worker_agents_switch_does_not_change_results():
    a = LaborMarket(seed=9, n_workers=1500, worker_agents=True).run(12)
    b = LaborMarket(seed=9, n_workers=1500, worker_agents=False).run(12)
    pd.testing.assert_frame_equal(a.model_metrics(), b.model_metrics())


def test_seed_is_recorded_when_not_given():
    m = LaborMarket(n_workers=1000)
    again = LaborMarket(seed=m.seed, n_workers=1000)
    assert m.model_metrics().equals(again.model_metrics())
