import pytest

from abm import LaborMarket


@pytest.fixture
def small_model():
    """A 2,000-worker model at its initial state, with no flows counted yet (phase tests count their own)."""
    model = LaborMarket(seed=3, n_workers=2000, worker_agents=False)
    model.flows.clear()
    model.cluster_flows.clear()
    model.strategy_flows.clear()
    model.moves[...] = 0
    model.moves_from_trainer[...] = 0
    model.move_training_months[...] = 0.0
    return model
