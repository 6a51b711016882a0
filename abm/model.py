"""``LaborMarket``: the Mesa model of the AI-era tech labour market.

One step is one month and runs the phases of ``abm.phases.PIPELINE`` in order:

    strategy imitation → AI adoption → labour demand → separations → vacancies → search & matching
    → wages → careers → retraining → outside option → demographics → pipeline policy → accounts
    → metrics

State lives in column tables (``abm.state``); ``Worker`` and ``Firm`` agents are views onto rows.
The phases hand each other the declared month state ``model.now`` (``abm.month``) and change
workers' states only through ``abm.transitions``. Before January of the start year the model runs
``burn_in_months`` unrecorded months, so the first recorded month is already in motion.
Outputs: ``datacollector`` (model-level columns, ``abm.metrics.MODEL_COLUMNS``) and the tidy
tables ``cluster_metrics()``, ``firm_metrics()``, ``location_metrics()``, ``pay_metrics()`` and
``flow_metrics()`` (job-to-job moves by the strategies of the firms left and joined and of the
firm that trained the worker).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import mesa
import numpy as np
import pandas as pd

from abm import metrics
from abm.agents import Firm, Worker
from abm.month import MonthState
from abm.params import ParameterError, Params, load_scenario
from abm.phases import PIPELINE, ai_adoption, demand, matching, pipeline_policy, vacancies
from abm.phases.accounts import output
from abm.phases.wages import market_tightness
from abm.population import base_demand, build_firms, build_workers
from abm.state import Vacancies, WorkerState
from abm.strategies import STRATEGIES, STRATEGY_NAMES
from abm.world import LEVELS, N_LEVELS, World


#: floor of a market's start tightness θ⁰: keeps the wage curve defined for a market with no vacancies
TIGHTNESS_FLOOR = 0.05


@lru_cache(maxsize=1)
def default_world() -> World:
    """The shipped world data (read once per process)."""
    return World.load()


class LaborMarket(mesa.Model):
    """Agent-based model of the tech labour market under AI adoption.

    Args:
        seed: root seed of the model's one random generator (``model.rng``); same seed → same run.
        n_workers: initial number of workers (shortcut for the parameter of that name).
        scenario: path of a TOML scenario whose parameters are the base (default: built-in
            defaults, identical to ``experiments/baseline.toml``).
        params: a ready :class:`~abm.params.Params` (or a dict of parameters, validated) to use as the base instead of ``scenario``.
        **overrides: any parameter of :class:`~abm.params.Params`; unknown names, out-of-range
            values and impossible combinations raise :class:`~abm.params.ParameterError`.
    """

    def __init__(self, seed: int | None = None, *, n_workers: int | None = None,
                 scenario: str | Path | None = None, params: Params | None = None, **overrides: Any):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ParameterError(f"parameter 'seed' = {seed!r} is invalid; allowed: a non-negative integer or None")
        if params is not None and scenario is not None:
            raise ParameterError("give either 'scenario' or 'params', not both")
        base = params if params is not None else (load_scenario(scenario)[1] if scenario is not None else None)
        if n_workers is not None:
            overrides["n_workers"] = n_workers
        self.p: Params = Params.make(base, **overrides)
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        self.seed = int(seed)
        super().__init__(rng=self.seed)

        self.world = default_world()
        self.month = -self.p.burn_in_months  # the burn-in months are dated before January of start_year
        self.now = MonthState()
        self.n_strategies = len(STRATEGIES)
        self.flows: defaultdict[str, float] = defaultdict(int)
        self.cluster_flows: defaultdict[str, np.ndarray] = defaultdict(lambda: np.zeros(self.world.n_clusters))
        #: this month's flows by firm strategy (juniors trained, trained workers lost, ...), each (S,)
        self.strategy_flows: defaultdict[str, np.ndarray] = defaultdict(lambda: np.zeros(self.n_strategies))
        #: this month's job-to-job moves by (strategy of the firm left, strategy of the firm joined,
        #: strategy of the worker's trainer — index n_strategies: none —, level of the new job)
        S = self.n_strategies
        self.moves = np.zeros((S, S, S + 1, N_LEVELS), dtype=np.int64)
        #: the same moves made by workers leaving the firm that trained them, and their months of training
        self.moves_from_trainer = np.zeros_like(self.moves)
        self.move_training_months = np.zeros(self.moves.shape)
        self.tables: dict[str, list[dict[str, np.ndarray]]] = {"cluster": [], "firm": [], "location": [], "pay": [], "flow": []}
        self.wage_index = np.ones((self.world.n_clusters, N_LEVELS))  # market pay by skill cluster × level, 1 = 2022
        self.in_burn_in = True  # the months before January of start_year: 2022 pay, no outputs
        self.reach = matching.reach_matrix(self.world)
        ai_profiles = self.world.profiles.copy()
        ai = self.world.ai_cluster
        ai_profiles[:, ai] = np.maximum(ai_profiles[:, ai], self.p.ai_skill_requirement)
        self.job_profiles = np.concatenate([self.world.profiles, ai_profiles])
        self.job_profile_norm = (self.job_profiles**2).sum(axis=1)  # squared length, for skill gaps

        self.firms, firm_size = build_firms(self.p, self.world, self.rng)
        self.workers = build_workers(self.p, self.world, self.firms, firm_size, self.rng, month=self.month)
        self.base_need = base_demand(self.p, self.world, self.workers, self.firms.n)
        if self.p.apprenticeship_slots > 0:
            pipeline_policy.place_apprentices(self)
        self.vacancies = Vacancies(max(16, self.p.n_workers // 10))
        self.firm_agents = list(Firm.create_agents(self, self.firms.n, index=np.arange(self.firms.n)))
        self.on_new_workers(np.arange(self.workers.n))

        # the initial state: demand, the open vacancies, the output price; then the burn-in
        self.now.capability = ai_adoption.capability(self.p, self.year)
        self.now.headcount = demand.headcount(self)
        demand.run(self)
        vacancies.run(self)
        self._set_price()
        self.reference_tightness = np.maximum(market_tightness(self), TIGHTNESS_FLOOR)
        self.reference_tightness = self._burn_in()
        self.in_burn_in = False

        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in metrics.MODEL_COLUMNS})
        metrics.collect(self)
        self.datacollector.collect(self)

    def _burn_in(self) -> np.ndarray:
        """Run the burn-in months; returns each market's (skill cluster × level) tightness at the start
        (θ⁰, the wage-curve anchor): the mean over the burn-in's last 12 months, or today's without one."""
        recent = [self.reference_tightness]
        for _ in range(self.p.burn_in_months):
            self._advance()
            recent = (recent + [self.now.tightness])[-12:]
        if self.p.burn_in_months:
            self._set_price()
            self.firms.view("cumulative_profit")[:] = 0.0
        return np.maximum(np.mean(recent, axis=0), TIGHTNESS_FLOOR)

    def _set_price(self) -> None:
        """The output price that gives the firms the margin ``profit_margin`` in the current state."""
        produced, _ = output(self, self.now.headcount)
        employed = self.workers.view("state") == WorkerState.EMPLOYED
        wage_bill = self.workers.view("wage")[employed].sum() / 12.0
        self.mean_pay_factor = float(self.workers.view("pay_factor")[employed].mean()) if employed.any() else 1.0
        total = produced.sum()
        self.price = float(wage_bill / (total * (1.0 - self.p.profit_margin))) if total > 0 else 1.0

    # --- time --------------------------------------------------------------------------------
    @property
    def year(self) -> float:
        """Calendar time at the end of the current month."""
        return self.p.start_year + self.month / 12.0

    def step(self) -> None:
        """Simulate one month: the phases in order, then the metrics."""
        self._advance()
        metrics.collect(self)
        self.datacollector.collect(self)

    def _advance(self) -> None:
        """The phases of one month (no metrics: also used by the burn-in)."""
        self.month += 1
        self.flows.clear()
        self.cluster_flows.clear()
        self.strategy_flows.clear()
        self.moves[...] = 0
        self.moves_from_trainer[...] = 0
        self.move_training_months[...] = 0.0
        self.firms.other_costs[: self.firms.n] = 0.0
        self.now.state_at_start = self.workers.view("state").copy()
        for phase in PIPELINE:
            phase.run(self)

    def run(self, months: int | None = None, progress: Callable[[int], None] | None = None) -> LaborMarket:
        """Step ``months`` months (default: the ``months`` parameter); ``progress(k)`` after each."""
        months = self.p.months if months is None else months
        limit = int(Params.model_fields["months"].metadata[-1].le)
        if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or not 0 <= months <= limit:
            raise ParameterError(f"run(months={months!r}): months must be an integer in [0, {limit}]")
        for k in range(int(months)):
            self.step()
            if progress is not None:
                progress(k + 1)
        return self

    # --- helpers used by the phases ----------------------------------------------------------
    def count_by_cluster(self, name: str, occupation: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Add this month's flow ``name`` by skill cluster of ``occupation``."""
        cl = self.world.occupation_cluster[occupation]
        self.cluster_flows[name] += np.bincount(cl, weights=weights, minlength=self.world.n_clusters)

    def level_after_retraining(self, level: np.ndarray) -> np.ndarray:
        """Seniority level a worker of ``level`` re-enters at after retraining."""
        return np.maximum(level.astype(np.int8) - self.p.retraining_level_drop, 0).astype(np.int8)

    def on_new_workers(self, idx: np.ndarray) -> None:
        """Create ``Worker`` agents for new rows (if ``worker_agents`` is on)."""
        if self.p.worker_agents:
            for i in idx.tolist():  # a plain loop is ~2× cheaper than Agent.create_agents here
                Worker(self, i)

    # --- outputs -----------------------------------------------------------------------------
    def model_metrics(self) -> pd.DataFrame:
        """Model-level columns by month (the data collector's table, indexed by month)."""
        return self.datacollector.get_model_vars_dataframe().set_index("month", drop=False).rename_axis(None)

    def _table(self, name: str, key: str, labels: list[str]) -> pd.DataFrame:
        rows = self.tables[name]
        df = pd.DataFrame({c: np.concatenate([r[c] for r in rows]) for c in rows[0]})
        df[key] = pd.Categorical.from_codes(df[key].astype(int), categories=labels)
        df["month"] = df["month"].astype(int)
        return df

    def cluster_metrics(self) -> pd.DataFrame:
        """Tidy table by month × skill cluster (columns in ``abm.metrics.CLUSTER_COLUMNS``)."""
        return self._table("cluster", "cluster", self.world.cluster_names)

    def firm_metrics(self) -> pd.DataFrame:
        """Tidy table by month × firm strategy (columns in ``abm.metrics.FIRM_COLUMNS``)."""
        return self._table("firm", "strategy", list(STRATEGY_NAMES))

    def location_metrics(self) -> pd.DataFrame:
        """Tidy table by month × location (columns in ``abm.metrics.LOCATION_COLUMNS``)."""
        return self._table("location", "location", self.world.location_names)

    def flow_metrics(self) -> pd.DataFrame:
        """Tidy table of job-to-job moves by month × strategy of the firm left × strategy of the firm
        joined × strategy of the worker's trainer × level of the new job (columns in
        ``abm.metrics.FLOW_COLUMNS``): who hires whose workers, and who trained them."""
        df = self._table("flow", "from_strategy", list(STRATEGY_NAMES))
        df["to_strategy"] = pd.Categorical.from_codes(df["to_strategy"].astype(int), categories=list(STRATEGY_NAMES))
        df["trainer_strategy"] = pd.Categorical.from_codes(df["trainer_strategy"].astype(int),
                                                           categories=[*STRATEGY_NAMES, metrics.NO_TRAINER])
        df["level"] = pd.Categorical.from_codes(df["level"].astype(int), categories=list(LEVELS))
        return df

    def pay_metrics(self) -> pd.DataFrame:
        """Tidy table by month × pay policy × cluster (columns in ``abm.metrics.PAY_COLUMNS``)."""
        df = self._table("pay", "cluster", self.world.cluster_names)
        df["pay_policy"] = pd.Categorical.from_codes(df["pay_policy"].astype(int), categories=list(metrics.POLICY_NAMES.values()))
        return df


def _reporter(name: str) -> Callable[[LaborMarket], Any]:
    def report(model: LaborMarket) -> Any:
        return model.current[name]

    report.__name__ = f"report_{name}"
    return report
