"""abm — an agent-based model of the AI-era tech labour market, on Mesa 3.5.

    >>> from abm import LaborMarket
    >>> model = LaborMarket(seed=1, n_workers=5_000).run(36)
    >>> model.model_metrics()[["unemployment_rate", "mismatch_index"]].tail()
"""

from abm.agents import Firm, Worker
from abm.model import LaborMarket
from abm.params import ParameterError, Params, load_scenario
from abm.state import WorkerState

__version__ = "0.1.0"

__all__ = ["LaborMarket", "Params", "ParameterError", "load_scenario", "Worker", "Firm", "WorkerState", "__version__"]
