"""Experiment specs: a base scenario, what to vary (grid or sample), replicates, months, seed.

A spec is a TOML file::

    [experiment]
    name = "vanishing_apprentice"
    description = "..."
    base = "baseline.toml"          # scenario, relative to the spec file
    months = 120
    replicates = 5
    seed = 2026                     # root seed: every run's seed is derived from it
    outputs = ["model", "cluster", "firm"]
    chunk_size = 0                  # runs per task; 0 = all replicates of a parameter set

    [fixed]                         # overrides applied to every run
    n_workers = 5000

    [grid]                          # method "grid": the cartesian product of the axes;
    retraining_subsidy = [0.0, 0.5, 1.0]   # an axis may be a list of tables of coupled values
    mix = [{share_cutting = 0.2, share_non_adopting = 0.8}, ...]

    [sample]                        # method "sobol" | "morris" | "random": ranges, n samples
    method = "sobol"
    n = 64
    ranges = { retraining_subsidy = [0.0, 1.0], retraining_length_scale = [0.5, 2.0] }

Every error is one line naming the key, the value and what is allowed; every run's parameters are
validated before anything runs.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from abm.params import ParameterError, Params, load_scenario, read_toml

TABLES = ("model", "cluster", "firm", "location", "pay")


class ExperimentMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    base: str = "baseline.toml"
    months: int = Field(120, ge=1, le=1200)
    replicates: int = Field(3, ge=1, le=10_000)
    seed: int = Field(0, ge=0)
    outputs: list[Literal["model", "cluster", "firm", "location", "pay"]] = ["model", "cluster", "firm"]
    chunk_size: int = Field(0, ge=0)
    key_outputs: list[str] = []

    @field_validator("key_outputs")
    @classmethod
    def _known_columns(cls, v: list[str]) -> list[str]:
        from abm.metrics import MODEL_COLUMNS

        bad = [c for c in v if c not in MODEL_COLUMNS]
        if bad:
            raise ValueError(f"unknown model column(s) {bad}; see docs/outputs.md")
        return v


class SampleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["sobol", "morris", "random"]
    n: int = Field(..., ge=1, le=100_000)
    ranges: dict[str, tuple[float, float]]


class ExperimentSpec(BaseModel):
    """A validated experiment: metadata, fixed overrides, grid or sample, and the base scenario."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    experiment: ExperimentMeta
    fixed: dict[str, Any] = {}
    grid: dict[str, list] = {}
    sample: SampleSpec | None = None
    path: Path | None = None
    base_params: Params | None = None

    @property
    def varied(self) -> list[str]:
        """Names of the parameters that vary across parameter sets."""
        if self.sample is not None:
            return list(self.sample.ranges)
        names: list[str] = []
        for key, values in self.grid.items():
            keys = [k for v in values if isinstance(v, dict) for k in v] or [key]
            names += [k for k in dict.fromkeys(keys) if k not in names]
        return names

    def points(self) -> list[dict[str, Any]]:
        """The parameter sets (overrides on top of base + fixed), in a fixed order."""
        if self.sample is not None:
            return sample_points(self.sample, self.experiment.seed)
        if not self.grid:
            return [{}]
        out = []
        for combo in itertools.product(*self.grid.values()):
            point: dict[str, Any] = {}
            for key, value in zip(self.grid, combo):
                point.update(value if isinstance(value, dict) else {key: value})
            out.append(point)
        return out

    def params_for(self, point: dict[str, Any]) -> Params:
        return Params.make(self.base_params, **{**self.fixed, **point})


def sample_points(sample: SampleSpec, seed: int) -> list[dict[str, Any]]:
    names = list(sample.ranges)
    bounds = [list(sample.ranges[n]) for n in names]
    if sample.method == "random":
        rng = np.random.default_rng(seed)
        lo, hi = np.array(bounds).T
        x = lo + (hi - lo) * rng.random((sample.n, len(names)))
    else:
        from SALib.sample import morris, sobol

        problem = {"num_vars": len(names), "names": names, "bounds": bounds}
        if sample.method == "sobol":
            x = sobol.sample(problem, sample.n, calc_second_order=False, seed=seed)
        else:
            x = morris.sample(problem, sample.n, seed=seed)
    return [{n: float(v) for n, v in zip(names, row)} for row in x]


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec; raises ParameterError with one line naming the key."""
    path = Path(path)
    data = read_toml(path, "experiment spec")
    try:
        spec = ExperimentSpec(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        if err["type"] == "extra_forbidden":
            raise ParameterError(f"experiment spec {path}: unknown key '{loc}'; allowed tables: [experiment], [fixed], [grid], [sample]") from None
        raise ParameterError(f"experiment spec {path}: '{loc}' = {err.get('input')!r} is invalid ({err['msg']})") from None
    if spec.grid and spec.sample is not None:
        raise ParameterError(f"experiment spec {path}: give either [grid] or [sample], not both")
    for name in spec.varied + list(spec.fixed):
        if name not in Params.model_fields:
            raise ParameterError(f"experiment spec {path}: '{name}' is not a model parameter (see `abm params`)")
    _, base = load_scenario(path.parent / spec.experiment.base)
    spec = spec.model_copy(update={"path": path, "base_params": base})
    for point in spec.points():  # every run's parameters are valid before anything runs
        try:
            spec.params_for(point)
        except ParameterError as exc:
            raise ParameterError(f"experiment spec {path}: parameter set {point}: {exc}") from None
    return spec
