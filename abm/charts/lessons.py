"""Charts for the teaching lessons: the chart of the output a "thing to try" is judged by (both
worlds, the judged years shaded), named as the lessons name outputs (:mod:`abm.measures`)."""

from __future__ import annotations

from abm import measures
from abm.charts import theme
from abm.charts.registry import Chart, series_chart


def metric_chart(metric: str, window: tuple[float, float] | None) -> Chart:
    """The output a thing to try is judged by, over time; ``window`` (years) shaded."""
    label = theme.output_label(metric)
    return series_chart(f"metric-{metric.replace(':', '-')}", label[:1].upper() + label[1:], measures.metric_unit(metric),
                        lambda t: measures.metric_series(t, metric), window=window)
