"""The phases of one model month, one module each, run in this order by ``LaborMarket.step``.

Each phase is a function ``run(model)`` that reads and writes the model's columnar state and the
declared month state ``model.now`` (``abm.month``); every change of a worker's state goes through
``abm.transitions``. Each module docstring gives the equations, units and the fact or paper it
represents.
"""

from abm.phases import (
    accounts,
    ai_adoption,
    careers,
    demand,
    demographics,
    imitation,
    matching,
    outside_option,
    pipeline_policy,
    retraining,
    separations,
    vacancies,
    wages,
)

#: The month, in order.
PIPELINE = (
    imitation,
    ai_adoption,
    demand,
    separations,
    vacancies,
    matching,
    wages,
    careers,
    retraining,
    outside_option,
    demographics,
    pipeline_policy,
    accounts,
)

__all__ = ["PIPELINE"]
