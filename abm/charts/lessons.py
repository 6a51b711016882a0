"""Charts for the teaching lessons: the registry charts a lesson asks for, and the chart of the
output a "thing to try" is judged by (both worlds, the judged years shaded)."""

from __future__ import annotations

import pandas as pd

from abm.charts import theme
from abm.charts.registry import CHARTS, Chart, Tables, series_chart

#: chart names used by lesson files before the registry (``plot_*``) → registry names
ALIASES = {"plot_vacancy_durations": "hard_to_fill", "plot_pay": "ai_premium"}


def lesson_chart_names(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The registry names of a lesson's ``charts`` (old ``plot_*`` names included)."""
    out = [ALIASES.get(n, n.removeprefix("plot_")) for n in names]
    return tuple(n for n in out if n in CHARTS)


class _TablesAsModel:
    """A run's tables behind the model methods :func:`abm.lessons.metric_series` reads."""

    def __init__(self, tables: Tables):
        self._t = tables

    def model_metrics(self) -> pd.DataFrame:
        return self._t["model"]

    def cluster_metrics(self) -> pd.DataFrame:
        return self._t["cluster"]

    def firm_metrics(self) -> pd.DataFrame:
        return self._t["firm"]

    def location_metrics(self) -> pd.DataFrame:
        return self._t["location"]


def metric_unit(metric: str) -> str:
    """The unit of a lesson metric (``"share"``, ``"$"``, ``"workers"``, ...)."""
    from abm import lessons
    from abm.metrics import CLUSTER_COLUMNS, FIRM_COLUMNS, LOCATION_COLUMNS, MODEL_COLUMNS

    parts = metric.split(":")
    if len(parts) == 1:
        return {**MODEL_COLUMNS, **lessons.DERIVED_MODEL}[metric][0]
    table = {"cluster": CLUSTER_COLUMNS, "firm": {**FIRM_COLUMNS, **lessons.DERIVED_FIRM}, "location": LOCATION_COLUMNS}[parts[0]]
    return table[parts[2]][0]


def metric_chart(metric: str, window: tuple[float, float] | None) -> Chart:
    """The output a thing to try is judged by, over time; ``window`` (years) shaded."""
    from abm import lessons

    label = theme.output_label(metric)
    return series_chart(f"metric-{metric.replace(':', '-')}", label[:1].upper() + label[1:], metric_unit(metric),
                        lambda t: lessons.metric_series(_TablesAsModel(t), metric), window=window)
