import sys
from pathlib import Path

import pytest

from abm import LaborMarket

sys.path.insert(0, str(Path(__file__).parent))  # shared hand-built worlds: tests/worlds.py


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


def pytest_addoption(parser):
    parser.addoption("--cpu-hog", action="store_true",
                     help="keep one CPU core busy while the tests run (browser tests under load, as on a shared CI machine)")


@pytest.fixture(scope="session", autouse=True)
def cpu_hog(request):
    """With ``--cpu-hog``: a busy-looping process for the whole session (``make test-browser-loaded``)."""
    if not request.config.getoption("--cpu-hog"):
        yield None
        return
    import subprocess
    import sys

    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield hog
    hog.terminate()
    hog.wait(10)
