"""The phases of one model month, one module each, run in this order by ``LaborMarket.step``.

Each phase is a function ``run(model)`` that reads and writes the model's columnar state; its
module docstring gives the equations, units and the fact (FACTS.md / seeds) it represents.
"""

from abm.phases import (
    accounts,
    ai_adoption,
    careers,
    demand,
    demographics,
    matching,
    retraining,
    separations,
    vacancies,
    wages,
)

#: The month, in order.
PIPELINE = (
    ai_adoption,
    demand,
    separations,
    vacancies,
    matching,
    wages,
    careers,
    retraining,
    demographics,
    accounts,
)

__all__ = ["PIPELINE"]
