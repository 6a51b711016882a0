"""Identity lives in one place: strategies carry their name, label, colour and description; share
parameters follow the strategy registry; the world defines the legacy clusters and the cell index."""

from __future__ import annotations

import numpy as np

from abm import measures
from abm.charts import theme
from abm.model import default_world
from abm.params import STRATEGY_SHARES, Params
from abm.strategies import OKABE_ITO, STRATEGIES
from abm.world import N_LEVELS, cell_index, cell_parts


def test_strategies_carry_their_identity():
    for s in STRATEGIES:
        assert s.name and s.label and s.description.endswith(".")
        assert s.colour in OKABE_ITO.values()
    assert len({s.colour for s in STRATEGIES}) == len(STRATEGIES)  # one colour per strategy
    charted = theme.family("strategy")  # every chart draws a strategy with its class's label and colour
    assert {k: (v.label, v.color) for k, v in charted.items()} == {s.name: (s.label, s.colour) for s in STRATEGIES}


def test_share_parameters_follow_the_registry():
    assert STRATEGY_SHARES == tuple(f"share_{s.name}" for s in STRATEGIES)
    assert all(name in Params.model_fields for name in STRATEGY_SHARES)
    assert abs(sum(getattr(Params(), name) for name in STRATEGY_SHARES) - 1) < 1e-9


def test_one_list_of_legacy_clusters():
    names = default_world().legacy_cluster_names
    assert names == ("frontend", "qa_testing", "program_mgmt", "tech_writing")
    assert tuple(c for c in theme.family("cluster") if theme.cluster_group(c) == "legacy") == names  # the charts' too
    assert set(measures.LEGACY_VACANCY_TARGETS) < set(names)  # the calibration judges a subset


def test_cell_index_round_trips():
    rng = np.random.default_rng(0)
    n_occupations = default_world().n_occupations
    firm, occ, level = rng.integers(0, 50, 200), rng.integers(0, n_occupations, 200), rng.integers(0, N_LEVELS, 200)
    cell = cell_index(firm, occ, level, n_occupations)
    counts = np.bincount(cell, minlength=50 * n_occupations * N_LEVELS).reshape(50, n_occupations, N_LEVELS)
    assert counts[firm[0], occ[0], level[0]] >= 1 and counts.sum() == 200
    for a, b in zip(cell_parts(cell, n_occupations), (firm, occ, level)):
        assert np.array_equal(a, b)
