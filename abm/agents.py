"""Mesa agents as views onto the columnar state.

A ``Worker`` or ``Firm`` holds only its row index; every attribute is a property that reads (and,
where it makes sense, writes) the model's arrays, so there is one copy of the state. The phases
never loop over these objects — they are for users, the data collector and the app: e.g.
``model.agents_by_type[Worker].select(lambda a: a.state is WorkerState.UNEMPLOYED)``.
"""

from __future__ import annotations

import mesa

from abm.state import NO_FIRM, PayPolicy, RemotePolicy, WorkerState
from abm.strategies import STRATEGIES
from abm.world import LEVELS


class Worker(mesa.Agent):
    """A tech worker: skills, occupation, seniority, location, state, employer and pay."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    def _col(self, name):
        return getattr(self.model.workers, name)[self.index]

    @property
    def state(self) -> WorkerState:
        return WorkerState(int(self._col("state")))

    @property
    def occupation(self) -> str:
        return self.model.world.occupation_names[int(self._col("occupation"))]

    @property
    def cluster(self) -> str:
        w = self.model.world
        return w.cluster_names[int(w.occupation_cluster[self._col("occupation")])]

    @property
    def seniority(self) -> str:
        return LEVELS[int(self._col("level"))]

    @property
    def experience_months(self) -> int:
        return int(self._col("experience"))

    @property
    def skills(self) -> dict[str, float]:
        return dict(zip(self.model.world.cluster_names, map(float, self._col("skills"))))

    @property
    def location(self) -> str:
        return self.model.world.location_names[int(self._col("location"))]

    @property
    def employer(self) -> Firm | None:
        f = int(self._col("employer"))
        return self.model.firm_agents[f] if f != NO_FIRM and self.model.firm_agents else None

    @property
    def wage(self) -> float:
        return float(self._col("wage"))

    @property
    def remote(self) -> bool:
        return bool(self._col("remote"))

    @property
    def reservation_wage(self) -> float:
        return float(self._col("reservation_wage"))

    @property
    def unemployment_spell(self) -> int:
        return int(self._col("spell"))

    @property
    def laid_off_by(self) -> int | None:
        f = int(self._col("laid_off_by"))
        return None if f == NO_FIRM else f

    def __repr__(self) -> str:
        return f"Worker({self.index}, {self.occupation}, {self.seniority}, {self.location}, {self.state.name.lower()})"


class Firm(mesa.Agent):
    """A firm: location, AI-adoption strategy, remote and pay policies, adoption, accounts."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = int(index)

    def _col(self, name):
        return getattr(self.model.firms, name)[self.index]

    @property
    def strategy(self) -> str:
        return STRATEGIES[int(self._col("strategy"))].name

    @property
    def location(self) -> str:
        return self.model.world.location_names[int(self._col("location"))]

    @property
    def remote_policy(self) -> RemotePolicy:
        return RemotePolicy(int(self._col("remote_policy")))

    @property
    def pay_policy(self) -> PayPolicy:
        return PayPolicy(int(self._col("pay_policy")))

    @property
    def adoption(self) -> float:
        return float(self._col("adoption"))

    @property
    def headcount(self) -> int:
        return int(self.model.now.headcount[self.index].sum())

    @property
    def profit(self) -> float:
        return float(self._col("profit"))

    @property
    def cumulative_profit(self) -> float:
        return float(self._col("cumulative_profit"))

    def __repr__(self) -> str:
        return f"Firm({self.index}, {self.strategy}, {self.location}, headcount={self.headcount})"
