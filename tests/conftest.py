import pytest

from abm import LaborMarket


@pytest.fixture
def small_model():
    """A 2,000-worker model at its initial state."""
    return LaborMarket(seed=3, n_workers=2000, worker_agents=False)
