"""Headless experiment batches: specs (TOML) → runs over processes or a Dask cluster → Parquet.

    abm sweep experiments/vanishing_apprentice.toml      # run (resumable), progress bar, summary
    abm report results/vanishing_apprentice             # plots with replicate CIs + summary table

Modules: ``spec`` (validated experiment specs), ``runner`` (seeds, tasks, executors, resume),
``storage`` (atomic Parquet writes, manifest), ``analysis`` (CIs, plots, Sobol), ``cli``.
"""

from abm.experiments.runner import run_experiment
from abm.experiments.spec import ExperimentSpec, load_spec
from abm.experiments.storage import read_table

__all__ = ["ExperimentSpec", "load_spec", "run_experiment", "read_table"]
