"""Headless experiment batches: specs (TOML) → runs over processes or a Dask cluster → Parquet.

    abm sweep experiments/vanishing_apprentice.toml      # all cores, resumable, progress bar, summary
    abm report results/vanishing_apprentice             # plots with replicate CIs, tables, SALib indices

Modules: ``spec`` (validated experiment specs), ``runner`` (seeds, tasks, commit, resume),
``engines`` (the Executor seam: process pool or Dask), ``storage`` (atomic Parquet files, ledger,
manifest), ``analysis`` (confidence intervals, summary, overtaking year, sensitivity, the report),
``figures`` (report plots), ``cli`` (``abm sweep``, ``abm report``). See docs/experiments.md.
"""

from abm.experiments.runner import Summary, run_batch
from abm.experiments.spec import ExperimentSpec, load_spec
from abm.experiments.storage import read_table

__all__ = ["ExperimentSpec", "load_spec", "run_batch", "Summary", "read_table"]
