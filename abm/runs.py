"""Running the model: one run, many runs and the tables they give — the one way every front end runs it.

    spec = RunSpec("baseline", Params(), seed=1, months=60)
    res = run_one(spec)                       # Results: the tables, the parameters and the seed
    res.model, res.cluster, res.params, res.seed
    many = run_many(replicates(spec, 5, root=2026), executor=pool)   # any concurrent.futures.Executor

* :class:`RunSpec` — what to run: a label, the validated :class:`~abm.params.Params`, the seed,
  the months, :class:`Intervention` s and the tables to keep.
* :class:`Results` — the tidy tables of a run with the spec that made it, so every number traces
  back to a reproducible run (same spec → same tables, in any process).
* :func:`build` makes the model of a spec (the app steps it live), :func:`advance` steps it with the
  spec's interventions, :func:`snapshot` takes its tables: the one place they are built.
* **Seeds** — :func:`spawn_seeds` derives run seeds from one root with ``numpy.random.SeedSequence``
  (the batches' rule); :func:`replicates` gives a spec that many seeds. Specs may also carry chosen
  seeds (the lessons' seeds 1–5, the calibration's held-out seeds).
* **Executor seam** — :func:`run_many` runs on any ``concurrent.futures.Executor``: none (this
  process), a process pool (:func:`abm.experiments.engines.local_processes`) or a Dask cluster's
  executor; the results are the same on each.

The calibration, the lessons' checks, the experiment batches and the app build their runs here;
:mod:`abm.measures` judges the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from abm.params import REMOTE_POLICY_SHARES, STRATEGY_SHARES, ParameterError, Params
from abm.strategies import STRATEGY_NAMES

if TYPE_CHECKING:
    from abm.model import LaborMarket

#: The tidy tables of a run, by name (columns: ``abm.metrics.*_COLUMNS``, docs/outputs.md).
TABLES = ("model", "cluster", "firm", "location", "pay", "flow")
#: Parameters the model reads only when it is built (population, firms' strategies and policies, the
#: calendar): an intervention that changed them would change nothing, so it is refused.
BUILD_ONLY = ("n_workers", "workers_per_firm", "start_year", "months", "burn_in_months", "worker_agents",
              "initial_unemployment_rate", "initial_vacancy_rate", "share_location_adjusted_pay", *STRATEGY_SHARES,
              *REMOTE_POLICY_SHARES)


#: the longest run, in months (the ``months`` parameter's upper bound; LaborMarket.run checks the same)
MONTHS_MAX = int(next(m.le for m in Params.model_fields["months"].metadata if hasattr(m, "le")))


@dataclass(frozen=True)
class Intervention:
    """A change that acts from month ``month`` on (1 = January of the start year): parameter changes
    (``set``) and/or firms switching AI strategy (``switch``: old strategy name → new)."""

    month: int
    set: Mapping[str, Any] = field(default_factory=dict)
    switch: Mapping[str, str] = field(default_factory=dict)

    def check(self, params: Params, months: int) -> None:
        """Raise :class:`ParameterError` (one line) unless this intervention can act in a run of ``params``."""
        where = f"intervention at month {self.month!r}"
        if isinstance(self.month, bool) or not isinstance(self.month, (int, np.integer)) or not 1 <= self.month <= months:
            raise ParameterError(f"{where}: 'month' = {self.month} is invalid; allowed: 1 to {months} (the run's months)")
        if not isinstance(self.set, Mapping) or not isinstance(self.switch, Mapping):
            raise ParameterError(f"{where}: 'set' and 'switch' must be dicts ({{'quit_rate': 0.01}}, {{'cutting': 'recomposing'}})")
        if not self.set and not self.switch:
            raise ParameterError(f"{where}: changes nothing; allowed: 'set' (parameters) and/or 'switch' (strategies)")
        fixed = [k for k in self.set if k in BUILD_ONLY]
        if fixed:
            raise ParameterError(f"{where}: '{fixed[0]}' only acts when the model is built; allowed: parameters that "
                                 "can change during a run (to move firms to another strategy: switch={'old': 'new'})")
        try:
            Params.make(params, **self.set)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
        for old, new in self.switch.items():
            for name in (old, new):
                if name not in STRATEGY_NAMES:
                    raise ParameterError(f"{where}: switch: unknown strategy '{name}'; allowed: {', '.join(STRATEGY_NAMES)}")

    def apply(self, model: LaborMarket) -> None:
        """Make the change in ``model`` (between two months)."""
        if self.set:
            model.p = Params.make(model.p, **self.set)
        if self.switch:
            strategy = model.firms.view("strategy")
            old = strategy.copy()
            for name, new in self.switch.items():
                strategy[old == STRATEGY_NAMES.index(name)] = STRATEGY_NAMES.index(new)


@dataclass(frozen=True)
class RunSpec:
    """One run: its label, parameters, seed, months (default ``params.months``), interventions and
    the tables to keep."""

    label: str
    params: Params
    seed: int
    months: int | None = None
    interventions: tuple[Intervention, ...] = ()
    tables: tuple[str, ...] = TABLES

    @property
    def horizon(self) -> int:
        """Months the run lasts."""
        return self.params.months if self.months is None else self.months

    def check(self) -> RunSpec:
        """Raise :class:`ParameterError` (one line) for a spec that cannot run; returns the spec."""
        if not isinstance(self.params, Params):
            raise ParameterError(f"run '{self.label}': 'params' = {type(self.params).__name__} is invalid; allowed: a "
                                 "Params object (Params.make(...) builds one from a dict)")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or not 0 <= self.seed < 2**63:
            raise ParameterError(f"run '{self.label}': 'seed' = {self.seed!r} is invalid; allowed: an integer in [0, 2^63)")
        if (isinstance(self.horizon, bool) or not isinstance(self.horizon, (int, np.integer))
                or not 0 <= self.horizon <= MONTHS_MAX):
            raise ParameterError(f"run '{self.label}': 'months' = {self.horizon!r} is invalid; allowed: an integer in "
                                 f"[0, {MONTHS_MAX}]")
        if isinstance(self.tables, str) or not all(isinstance(t, str) for t in self.tables):
            raise ParameterError(f"run '{self.label}': 'tables' = {self.tables!r} is invalid; allowed: a tuple of "
                                 f"table names ({', '.join(TABLES)})")
        unknown = [t for t in self.tables if t not in TABLES]
        if unknown:
            raise ParameterError(f"run '{self.label}': unknown table '{unknown[0]}'; allowed: {', '.join(TABLES)}")
        for iv in self.interventions:
            iv.check(self.params, self.horizon)
        return self


@dataclass(frozen=True, eq=False)
class Results:
    """The tidy tables of one run and the spec that made it (tables: see docs/outputs.md)."""

    spec: RunSpec
    months: int  # months simulated
    n_firms: int
    tables: Mapping[str, pd.DataFrame]

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def params(self) -> Params:
        return self.spec.params

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def year(self) -> float:
        """Calendar time at the end of the last month simulated."""
        return self.params.start_year + self.months / 12.0

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self.tables:
            kept = ", ".join(self.tables) or "none"
            raise KeyError(f"table '{table}' was not kept for run '{self.label}' (kept: {kept}); add it to RunSpec.tables")
        return self.tables[table]

    @property
    def model(self) -> pd.DataFrame:
        return self["model"]

    @property
    def cluster(self) -> pd.DataFrame:
        return self["cluster"]

    @property
    def firm(self) -> pd.DataFrame:
        return self["firm"]

    @property
    def location(self) -> pd.DataFrame:
        return self["location"]

    @property
    def pay(self) -> pd.DataFrame:
        return self["pay"]

    @property
    def flow(self) -> pd.DataFrame:
        return self["flow"]


# --- one run ------------------------------------------------------------------------------------------
def build(spec: RunSpec) -> LaborMarket:
    """The model of ``spec`` at month 0."""
    from abm.model import LaborMarket

    return LaborMarket(seed=spec.seed, params=spec.params)


def advance(model: LaborMarket, months: int, interventions: Iterable[Intervention] = (),
            progress: Callable[[int], None] | None = None) -> LaborMarket:
    """Step ``model`` ``months`` months, making each intervention just before the month it acts in;
    ``progress(k)`` after the k-th month."""
    pending = list(interventions)
    for k in range(months):
        for iv in pending:
            if iv.month == model.month + 1:
                iv.apply(model)
        model.step()
        if progress is not None:
            progress(k + 1)
    return model


def snapshot(model: LaborMarket, spec: RunSpec | None = None) -> Results:
    """The tidy tables ``spec.tables`` of ``model`` as it is now (copies: later steps do not change them).
    Without a spec: every table, with the model's parameters and seed."""
    spec = RunSpec("", model.p, model.seed, model.month) if spec is None else spec
    getters: dict[str, Callable[[], pd.DataFrame]] = {
        "model": lambda: model.model_metrics().reset_index(drop=True), "cluster": model.cluster_metrics,
        "firm": model.firm_metrics, "location": model.location_metrics, "pay": model.pay_metrics,
        "flow": model.flow_metrics}
    return Results(spec=spec, months=model.month, n_firms=model.firms.n, tables={t: getters[t]() for t in spec.tables})


def run_one(spec: RunSpec, *, before: Callable[[LaborMarket], None] | None = None,
            progress: Callable[[int], None] | None = None) -> Results:
    """Run ``spec`` to its horizon and return its tables. ``before(model)`` is called on the built
    model before the first month (the batches' setup hook); ``progress(k)`` after each month."""
    spec.check()
    model = build(spec)
    if before is not None:
        before(model)
    return snapshot(advance(model, spec.horizon, spec.interventions, progress), spec)


# --- many runs ------------------------------------------------------------------------------------------
def spawn_seeds(root: int, n: int) -> list[int]:
    """The seeds of runs 0..n-1 from one root: ``SeedSequence(root).spawn(n)``, 63 bits each.

    Run i's seed depends only on the root and i (not on n, the engine or the order runs finish).
    """
    return [int(s.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for s in np.random.SeedSequence(root).spawn(n)]


def replicates(spec: RunSpec, n: int, root: int) -> list[RunSpec]:
    """``n`` copies of ``spec`` with seeds from :func:`spawn_seeds` ``(root, n)``, labelled ``label #k``."""
    return [replace(spec, seed=seed, label=f"{spec.label} #{k}") for k, seed in enumerate(spawn_seeds(root, n))]


def run_many(specs: Iterable[RunSpec], executor: Executor | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[Results]:
    """Run every spec; results in the order of ``specs``.

    ``executor``: any ``concurrent.futures.Executor`` (None: one after the other in this process).
    ``progress(done, total)`` is called as runs finish. A run that raises stops the batch: the
    runs not started are cancelled and the error is raised (batches that must go on and keep
    what finished use :func:`abm.experiments.run_batch`).
    """
    todo = [s.check() for s in specs]
    total = len(todo)
    if executor is None:
        results = []
        for k, spec in enumerate(todo, start=1):
            results.append(run_one(spec))
            if progress is not None:
                progress(k, total)
        return results
    futures: dict[Future[Results], int] = {executor.submit(run_one, spec): i for i, spec in enumerate(todo)}
    out: list[Results | None] = [None] * total
    try:
        for k, fut in enumerate(as_completed(futures), start=1):
            out[futures[fut]] = fut.result()
            if progress is not None:
                progress(k, total)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return [r for r in out if r is not None]
