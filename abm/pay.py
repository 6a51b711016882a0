"""The location factor of pay, shared by the initial population and the wage phase.

A job's pay is national market pay × a location factor: the firm's metro pay index for onsite
jobs and for remote jobs under a national band; for remote jobs at a location-adjusted payer the
worker's own metro index, never above the firm's band — remote offers benchmarked to the worker's
local cost of living instead of San Francisco bands (seeds/000).
"""

from __future__ import annotations

import numpy as np

from abm.state import PayPolicy


def location_factor(pay_index: np.ndarray, firm_location: np.ndarray, firm_pay_policy: np.ndarray,
                    remote: np.ndarray, worker_location: np.ndarray) -> np.ndarray:
    firm_rate = pay_index[firm_location]
    adjusted = remote & (firm_pay_policy == PayPolicy.LOCATION_ADJUSTED)
    return np.where(adjusted, np.minimum(pay_index[worker_location], firm_rate), firm_rate)
