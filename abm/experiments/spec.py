"""Experiment specs: a base scenario, what to vary (grid or sample), replicates, months, seed.

A spec is a TOML file (``experiments/*.toml``; the reference is ``docs/experiments.md``)::

    [experiment]
    name = "vanishing_apprentice"   # default results directory: results/<name>
    description = "..."
    base = "baseline"               # a shipped scenario's name, or a .toml file relative to the spec
    months = 120
    replicates = 4
    seed = 2026                     # root seed: every run's seed is derived from it
    seeds = [101, 102, 103]         # or: these seeds for the replicates of every set (replicates = 3)
    outputs = ["model", "cluster", "firm"]      # tables kept: model, cluster, firm, location, pay, flow
    chunk_size = 0                  # runs per task; 0 = automatic (tasks of >= ~0.1 s)
    setup = "mypkg.hooks:shock"     # optional hook(model, run) called before each run

    [fixed]                         # overrides applied to every run
    n_workers = 5000

    [grid]                          # method "grid": the cartesian product of the axes
    share_cutting = [0.0, 0.5, 1.0]
    cooldown = [{ ai_cooldown_year = 2100.0, ai_cooldown_depth = 0.0 },   # an axis of tables:
                { ai_cooldown_year = 2028.0, ai_cooldown_depth = 0.5 }]   # coupled values

    [sample]                        # instead of [grid]: method "sobol" | "morris" | "random"
    method = "sobol"
    n = 32
    ranges = { retraining_subsidy = [0.0, 1.0], max_skill_gap = [0.2, 0.4] }

    [remainder]                     # shares that must sum to 1 take up what the others leave,
    into = ["share_recomposing", "share_counter_cyclical", "share_non_adopting"]  # in base proportions

    [report]                        # what `abm report` shows
    outputs = ["workers_by_seniority_senior", "ai_premium"]
    x = "share_cutting"
    figures = ["profit_by_strategy"]

Every error is one line naming the table, the key, the value and what is allowed; every run's
parameters are validated (:class:`abm.params.Params`) before anything runs. The header
(``[experiment]``) shares its base with scenario and lesson files (:mod:`abm.files`), and
:meth:`ExperimentSpec.points` is the project's one grid expansion (the calibration's searches are
experiment specs too).
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import itertools
import json
import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from abm.files import (
    RUN_WITH,
    FileModel,
    Header,
    check_tables,
    file_kind,
    fmt_value,
    load_scenario,
    read_toml,
    scenario_path,
    table_errors,
)
from abm.params import REMOTE_POLICY_SHARES, STRATEGY_SHARES, ParameterError, Params

FigureName = Literal["timeseries", "final", "heatmap", "profit_by_strategy", "pay_by_cluster", "beveridge", "sensitivity",
                     "pipeline_payoff", "strategy_mix", "pipeline_seniors", "policy_cost"]
FIGURES: tuple[str, ...] = get_args(FigureName)
SHARE_GROUPS = (STRATEGY_SHARES, REMOTE_POLICY_SHARES)
KEY_COLUMNS = ("run_id", "set_id", "replicate", "seed")
#: the most runs a task may hold, and a batch may have
CHUNK_MAX = 100_000
MAX_RUNS = 10_000_000


class ExperimentMeta(Header):
    """The ``[experiment]`` table."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100,
                      description="identifier; default results directory results/<name>")
    base: str = Field("baseline", description="base scenario: a shipped scenario's name or a .toml file relative to the spec")
    months: int = Field(120, ge=1, le=1200, description="months simulated per run")
    replicates: int = Field(3, ge=1, le=100_000, description="runs per parameter set (different seeds)")
    seed: int = Field(0, ge=0, lt=2**63, description="root seed of numpy.random.SeedSequence")
    seeds: list[Annotated[int, Field(ge=0, lt=2**63)]] | None = Field(
        None, min_length=1, description="explicit seeds of the replicates of every parameter set, instead of seeds "
                                        "derived from 'seed' (replicates = their number)")
    outputs: list[Literal["model", "cluster", "firm", "location", "pay", "flow"]] = Field(
        ["model"], min_length=1, description="tables to keep")
    chunk_size: int = Field(0, ge=0, le=CHUNK_MAX, description="runs per task; 0 = automatic")
    setup: str | None = Field(None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
                              description="'module:function' called as function(model, run) before each run")

    @model_validator(mode="before")
    @classmethod
    def _replicates_from_seeds(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("seeds"), list) and "replicates" not in data:
            return {**data, "replicates": len(data["seeds"])}
        return data

    @field_validator("outputs")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("outputs must not repeat a table")
        return v

    @model_validator(mode="after")
    def _seeds_match(self) -> ExperimentMeta:
        if self.seeds is not None and len(self.seeds) != self.replicates:
            raise ValueError(f"'seeds' gives {len(self.seeds)} seeds but 'replicates' = {self.replicates}; allowed: one "
                             "seed per replicate (or leave out 'replicates')")
        if self.seeds is not None and len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"'seeds' = {self.seeds} repeats a seed; allowed: different seeds, one per replicate")
        return self


class ExperimentFile(FileModel):
    """The tables of an experiment spec file (validated one by one in :func:`spec_from_dict`)."""

    experiment: dict[str, Any] = Field(description="metadata")
    fixed: dict[str, Any] = Field({}, description="overrides for every run")
    grid: dict[str, Any] = Field({}, description="grid axes")
    sample: dict[str, Any] | None = Field(None, description="a sampled design")
    remainder: dict[str, Any] | None = Field(None, description="shares that absorb the rest")
    report: dict[str, Any] = Field({}, description="report options")


class SampleSpec(FileModel):
    """The ``[sample]`` table: a sampled design (SALib samplers for sobol and morris)."""

    method: Literal["sobol", "morris", "random"]
    n: int = Field(ge=1, le=1_000_000, description="base sample size (sobol: a power of 2; morris: trajectories; random: points)")
    ranges: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        min_length=1, description="parameter = [low, high]")
    second_order: bool = Field(False, description="sobol only: also second-order indices (n·(2d+2) points instead of n·(d+2))")
    levels: int = Field(4, ge=2, le=100, description="morris only: grid levels")
    seed: int | None = Field(None, ge=0, lt=2**32, description="sampler seed (default: the experiment seed mod 2^32)")

    @field_validator("n")
    @classmethod
    def _n(cls, v: int, info: ValidationInfo) -> int:
        if info.data.get("method") == "sobol" and v & (v - 1):
            raise ValueError(f"sobol needs n a power of 2 (Saltelli/Sobol' sequence), e.g. {2 ** round(math.log2(v))}")
        return v

    @field_validator("ranges")
    @classmethod
    def _ranges(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        for k, (lo, hi) in v.items():
            if not lo < hi:
                raise ValueError(f"range of '{k}' must be [low, high] with low < high, got [{lo}, {hi}]")
        return v


class RemainderSpec(FileModel):
    """The ``[remainder]`` table."""

    into: list[str] = Field(min_length=1, description="share parameters that take up 1 − (the other shares of their group)")


class ReportSpec(FileModel):
    """The ``[report]`` table."""

    outputs: list[str] = Field([], description="model-table columns to plot and summarise (default: a standard set)")
    x: str | None = Field(None, description="varied parameter on the x axis (default: the first varied one)")
    figures: list[FigureName] = Field([], description="extra figures beyond timeseries and final")
    window_months: int = Field(12, ge=1, le=1200, description="the summary averages each run over its final months")
    years: list[int] = Field([], description="calendar years summarised as well (annual means)")

    @field_validator("outputs")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        from abm.metrics import MODEL_COLUMNS

        bad = [c for c in v if c not in MODEL_COLUMNS]
        if bad:
            close = difflib.get_close_matches(bad[0], MODEL_COLUMNS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"unknown model column(s) {bad}{hint}; allowed: the columns in docs/outputs.md")
        return v


class ExperimentSpec(BaseModel):
    """A validated experiment: metadata, fixed overrides, a grid or a sample, and the base scenario.

    ``factors`` are the parameters the spec varies (grid axes or sample ranges); ``derived`` are
    those set by ``[remainder]``; ``columns`` = both, the parameter columns of every result table.
    ``points()`` are the parameter sets, in a fixed order (set_id = position).
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)
    experiment: ExperimentMeta
    fixed: dict[str, Any] = {}
    grid: dict[str, list] = {}
    sample: SampleSpec | None = None
    remainder: RemainderSpec | None = None
    report: ReportSpec = ReportSpec()
    path: Path | None = None
    base_params: Params
    raw: dict[str, Any] = {}

    # --- the design --------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return self.sample.method if self.sample is not None else "grid"

    @property
    def factors(self) -> list[str]:
        if self.sample is not None:
            return list(self.sample.ranges)
        names: list[str] = []
        for key, values in self.grid.items():
            for k in (list(values[0]) if values and isinstance(values[0], dict) else [key]):
                if k not in names:
                    names.append(k)
        return names

    @property
    def derived(self) -> list[str]:
        if self.remainder is None:
            return []
        return [k for k in self.remainder.into if k not in self.factors]

    @property
    def columns(self) -> list[str]:
        return self.factors + self.derived

    @property
    def axes(self) -> dict[str, list[str]]:
        """Grid axis → the parameters it sets (one, or several for an axis of coupled tables)."""
        if self.sample is not None:
            return {k: [k] for k in self.sample.ranges}
        return {key: (list(v[0]) if v and isinstance(v[0], dict) else [key]) for key, v in self.grid.items()}

    def points(self) -> list[dict[str, Any]]:
        """Every parameter set: {column: value} over ``columns``, typed as in Params."""
        if self.sample is not None:
            raw = sample_points(self.sample, self.sampler_seed)
        elif self.grid:
            raw = []
            for combo in itertools.product(*self.grid.values()):
                point: dict[str, Any] = {}
                for key, value in zip(self.grid, combo):
                    point.update(value if isinstance(value, dict) else {key: value})
                raw.append(point)
        else:
            raw = [{}]
        return [self._complete({k: _typed(k, v) for k, v in p.items()}) for p in raw]

    @property
    def sampler_seed(self) -> int:
        if self.sample is not None and self.sample.seed is not None:
            return self.sample.seed
        return self.experiment.seed % 2**32

    def _complete(self, point: dict[str, Any]) -> dict[str, Any]:
        """Fill the ``[remainder]`` shares of ``point`` so each share group sums to 1."""
        if self.remainder is None:
            return point
        out = dict(point)
        values = {**self.base_params.model_dump(), **self.fixed, **point}
        base = {**self.base_params.model_dump(), **self.fixed}
        for group in SHARE_GROUPS:
            targets = [k for k in self.remainder.into if k in group and k not in point]
            if not targets:
                continue
            rest = 1.0 - sum(values[k] for k in group if k not in targets)
            weights = np.array([base[k] for k in targets], dtype=float)
            weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(targets), 1 / len(targets))
            for k, w in zip(targets, weights):
                out[k] = round(float(rest * w), 12) + 0.0  # + 0.0: no negative zero
        return out

    def params_for(self, point: dict[str, Any]) -> Params:
        """The full, validated parameter set of ``point`` (base ← fixed ← point)."""
        return Params.make(self.base_params, **{**self.fixed, **point})

    def run_params(self, point: dict[str, Any]) -> Params:
        """The parameters a run of ``point`` uses: :meth:`params_for` without Worker agent objects
        (results are the same; batches read the tables) unless ``[fixed]`` asks for them."""
        return self.params_for(point).model_copy(update={"worker_agents": self.fixed.get("worker_agents", False)})

    def n_runs(self) -> int:
        return len(self.points()) * self.experiment.replicates

    def n_points(self) -> int:
        """How many parameter sets :meth:`points` gives, counted without making them."""
        if self.sample is None:
            return math.prod(len(v) for v in self.grid.values())
        d = len(self.sample.ranges)
        per = {"sobol": (2 * d + 2) if self.sample.second_order else (d + 2), "morris": d + 1, "random": 1}
        return self.sample.n * per[self.sample.method]

    @property
    def rounded(self) -> list[str]:
        """Sampled parameters of integer type: their sampled values are rounded to the nearest integer."""
        if self.sample is None:
            return []
        return [k for k in self.sample.ranges if Params.model_fields[k].annotation is int]

    def fingerprint(self) -> str:
        """Hash of everything that determines the runs' results (not names, descriptions, report)."""
        pts = self.points()
        blob = {"months": self.experiment.months, "replicates": self.experiment.replicates,
                "seed": self.experiment.seed, **({"seeds": self.experiment.seeds} if self.experiment.seeds else {}),
                "outputs": sorted(self.experiment.outputs), "setup": self.experiment.setup,
                "params": [self.params_for(p).model_dump() for p in pts], "columns": self.columns}
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def with_overrides(self, *, fixed: dict[str, Any] | None = None, chunk_size: int | None = None) -> ExperimentSpec:
        """A copy with extra ``[fixed]`` overrides (validated again) and/or another chunk size."""
        where = f"experiment spec {self.path}"
        for k, v in (fixed or {}).items():
            if (msg := _check_value("override", k, v)):
                raise ParameterError(f"{where}: {msg}")
            if k in self.columns:
                raise ParameterError(f"{where}: override '{k}' is varied by the spec; allowed: parameters the spec "
                                     f"does not vary ({', '.join(self.columns)} are varied)")
        fixed = {k: _typed(k, v) for k, v in (fixed or {}).items()}
        exp = self.experiment if chunk_size is None else self.experiment.model_copy(update={"chunk_size": chunk_size})
        raw = dict(self.raw)
        if fixed:
            raw["fixed"] = {**raw.get("fixed", {}), **fixed}
        if chunk_size is not None:
            raw["experiment"] = {**raw["experiment"], "chunk_size": chunk_size}
        spec = self.model_copy(update={"experiment": exp, "fixed": {**self.fixed, **(fixed or {})}, "raw": raw})
        if fixed:
            _check_design(spec, str(self.path))
        return spec


def _typed(name: str, value: Any) -> Any:
    """A value as the Params field's type (so every file of a table has the same column types)."""
    f = Params.model_fields.get(name)
    if f is None or isinstance(value, bool):
        return value
    if f.annotation is float and isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if f.annotation is int and isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def sample_points(sample: SampleSpec, seed: int) -> list[dict[str, Any]]:
    """The sampled parameter sets, in SALib's order (which ``analyze`` expects)."""
    names = list(sample.ranges)
    bounds = [list(sample.ranges[n]) for n in names]
    if sample.method == "random":
        rng = np.random.default_rng(seed)
        lo, hi = np.array(bounds, dtype=float).T
        x = lo + (hi - lo) * rng.random((sample.n, len(names)))
    else:
        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        if sample.method == "sobol":
            from SALib.sample import sobol

            x = sobol.sample(problem, sample.n, calc_second_order=sample.second_order, seed=seed)
        else:
            from SALib.sample import morris

            x = morris.sample(problem, sample.n, num_levels=sample.levels, seed=seed)
    rows = []
    for row in x:
        point = {}
        for n, v in zip(names, row):
            point[n] = int(round(float(v))) if Params.model_fields[n].annotation is int else float(v)
        rows.append(point)
    return rows


# --- loading and validation ---------------------------------------------------------------------
_fmt = fmt_value


def _param_problem(name: str) -> str | None:
    if name in Params.model_fields:
        return None
    close = difflib.get_close_matches(name, Params.model_fields, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"'{name}' is not a model parameter{hint}; allowed: the names listed by `abm params`"


def _check_value(where: str, name: str, value: Any) -> str | None:
    """One parameter value on its own: known name, right type, in range."""
    problem = _param_problem(name)
    if problem:
        return f"{where} {problem}"
    if isinstance(value, (dict, list)):
        return f"{where} '{name}' = {_fmt(value)} is invalid: expected a single value"
    try:
        Params.make(None, **{name: _typed(name, value)})
    except ParameterError as exc:
        text = str(exc)
        if text.startswith("impossible combination"):
            return None  # judged on whole parameter sets
        return f"{where} {text}"
    return None


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec; raises :class:`ParameterError` (one line naming the key)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"experiment spec = {_fmt(path)} is invalid; allowed: the path of a .toml file")
    path = Path(path)
    return spec_from_dict(read_toml(path, "experiment spec"), path)


def spec_from_dict(data: dict[str, Any], path: Path) -> ExperimentSpec:
    where = f"experiment spec {path}"
    kind = file_kind(data)
    if kind != "experiment":
        extra = f" (this is {RUN_WITH[kind]})" if kind is not None else ""
        raise ParameterError(f"{where}: no [experiment] table{extra}; allowed: an experiment spec, with tables "
                             + ", ".join(f"[{t}]" for t in ExperimentFile.model_fields))
    check_tables(data, ExperimentFile, where)
    errors: list[str] = []
    parts: dict[str, Any] = {}
    models: tuple[tuple[str, type[BaseModel]], ...] = (
        ("experiment", ExperimentMeta), ("sample", SampleSpec), ("remainder", RemainderSpec), ("report", ReportSpec))
    for table, model in models:
        if table in data:
            try:
                parts[table] = model(**data[table])
            except ValidationError as exc:
                errors += table_errors(exc, table, model)
    if errors:
        raise ParameterError(f"{where}: " + "; ".join(errors))

    fixed = data.get("fixed", {})
    grid = data.get("grid", {})
    for name, value in fixed.items():
        if (msg := _check_value("[fixed]", name, value)):
            errors.append(msg)
    for axis, values in grid.items():
        if not isinstance(values, list) or not values:
            errors.append(f"[grid] '{axis}' = {_fmt(values)} is invalid; allowed: a non-empty list of values "
                          "(or of tables of coupled values)")
            continue
        if all(isinstance(v, dict) for v in values):
            keys = list(values[0])
            for i, table in enumerate(values):
                if list(table) != keys:
                    errors.append(f"[grid] '{axis}'[{i}] sets {list(table)} but '{axis}'[0] sets {keys}: every table "
                                  "of a coupled axis must set the same parameters in the same order")
                    break
                for k, v in table.items():
                    if (msg := _check_value(f"[grid] '{axis}'[{i}]", k, v)):
                        errors.append(msg)
        elif any(isinstance(v, dict) for v in values):
            errors.append(f"[grid] '{axis}' mixes tables and plain values; allowed: either a list of values or a list of tables")
        else:
            for v in values:
                if (msg := _check_value("[grid]", axis, v)):
                    errors.append(msg)
                    break
            if len({json.dumps(v) for v in values}) != len(values):
                errors.append(f"[grid] '{axis}' = {_fmt(values)} repeats a value; allowed: different values (replicates "
                              "repeat runs)")
    sample = parts.get("sample")
    if sample is not None:
        for name, (lo, hi) in sample.ranges.items():
            if (msg := _param_problem(name)):
                errors.append(f"[sample] ranges: {msg}")
            elif (annotation := Params.model_fields[name].annotation) is not int and annotation is not float:
                errors.append(f"[sample] ranges: '{name}' is a {getattr(annotation, '__name__', annotation)} parameter; "
                              "allowed: numeric parameters (only numbers can be sampled)")
            else:
                for bound in (lo, hi):
                    if (msg := _check_value(f"[sample] ranges '{name}' bound", name, _typed(name, bound))):
                        errors.append(msg)
                        break
    if grid and sample is not None:
        errors.append("give either [grid] or [sample], not both")
    remainder = parts.get("remainder")
    if remainder is not None:
        members = {k for g in SHARE_GROUPS for k in g}
        for k in remainder.into:
            if k not in members:
                errors.append(f"[remainder] into: '{k}' is not a share that must sum to 1; allowed: "
                              + ", ".join(sorted(members)))
    if errors:
        raise ParameterError(f"{where}: " + "; ".join(errors))
    varied_grid = [k for key, values in grid.items() for k in (list(values[0]) if isinstance(values[0], dict) else [key])]
    varied = list(sample.ranges) if sample is not None else varied_grid
    dupes = sorted({k for k in varied if varied.count(k) > 1})
    if dupes:
        raise ParameterError(f"{where}: [grid] parameter '{dupes[0]}' is set by more than one axis")
    both = sorted(set(varied) & set(fixed))
    if both:
        raise ParameterError(f"{where}: '{both[0]}' is both in [fixed] and varied; allowed: in one of them")
    if remainder is not None:
        clash = sorted(set(remainder.into) & (set(varied) | set(fixed)))
        if clash:
            raise ParameterError(f"{where}: [remainder] into: '{clash[0]}' is set by the spec; a remainder share must "
                                 "be left to absorb what the others leave")

    meta = parts["experiment"]
    try:
        _, base = load_scenario(scenario_path(meta.base, relative_to=path))
    except ParameterError as exc:
        raise ParameterError(f"{where}: [experiment] 'base' = {meta.base!r}: {exc}") from None
    if meta.setup is not None:
        mod, _, fn = meta.setup.partition(":")
        try:
            hook = getattr(importlib.import_module(mod), fn)
        except (ImportError, AttributeError) as exc:
            raise ParameterError(f"{where}: [experiment] setup = {meta.setup!r} cannot be imported ({exc}); it must be "
                                 "'module:function' importable here and on every worker") from None
        if not callable(hook):
            raise ParameterError(f"{where}: [experiment] setup = {meta.setup!r} is not callable; allowed: 'module:function' "
                                 "naming a function(model, run)")
    spec = ExperimentSpec(experiment=meta, fixed={k: _typed(k, v) for k, v in fixed.items()}, grid=grid,
                          sample=sample, remainder=remainder, report=parts.get("report", ReportSpec()),
                          path=path, base_params=base, raw=data)
    _check_design(spec, where)
    return spec


def _check_design(spec: ExperimentSpec, where: str) -> None:
    """Cross-checks and every parameter set's validity (before anything runs)."""
    from abm.measures import TABLE_COLUMNS

    if where and not where.startswith("experiment spec"):
        where = f"experiment spec {where}"
    cols = spec.columns
    taken = set(KEY_COLUMNS).union(*TABLE_COLUMNS.values())
    clash = [c for c in cols if c in taken]
    if clash:
        raise ParameterError(f"{where}: varied parameter '{clash[0]}' has the name of an output column; it cannot be varied")
    rep = spec.report
    if rep.x is not None and rep.x not in cols:
        raise ParameterError(f"{where}: [report] 'x' = {rep.x!r} is invalid: allowed: a varied parameter "
                             f"({', '.join(cols) or 'none: nothing is varied'})")
    if rep.figures:
        need = {"profit_by_strategy": "firm", "pay_by_cluster": "pay", "pipeline_payoff": "firm", "strategy_mix": "firm",
                "pipeline_seniors": "model", "policy_cost": "model"}
        for fig in rep.figures:
            if fig in need and need[fig] not in spec.experiment.outputs:
                raise ParameterError(f"{where}: [report] figures: '{fig}' needs the '{need[fig]}' table; add it to "
                                     "[experiment] outputs")
        if "sensitivity" in rep.figures and spec.method not in ("sobol", "morris"):
            raise ParameterError(f"{where}: [report] figures: 'sensitivity' needs a [sample] with method sobol or morris")
    n_points = spec.n_points()
    n_runs = n_points * spec.experiment.replicates
    if n_runs > MAX_RUNS:
        raise ParameterError(f"{where}: {n_points:,} parameter sets × {spec.experiment.replicates} replicates = "
                             f"{n_runs:,} runs; allowed: at most {MAX_RUNS:,}")
    points = spec.points()
    for k, point in enumerate(points):
        try:
            spec.params_for(point)
        except ParameterError as exc:
            shown = ", ".join(f"{a}={b:g}" if isinstance(b, float) else f"{a}={b}" for a, b in point.items())
            raise ParameterError(f"{where}: parameter set {k} ({shown}): {exc}") from None
