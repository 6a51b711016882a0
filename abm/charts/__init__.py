"""One plotting module for the whole project: a registry of named charts, one theme, two renderers.

    from abm import charts
    t = run_one(spec)                                  # a run: abm.runs.Results (or a live model, or its tables)
    charts.draw("beveridge", t, ax)                    # static (matplotlib) on an Axes
    fig = charts.figure(["seniority", "junior_hires"], t)
    charts.draw("unemployment", {"A": t_a, "B": t_b}, ax)      # two runs side by side
    charts.draw("unemployment", {"A": [t1, t2, t3]}, ax)       # the spread over three seeds
    charts.vega_lite("cluster_ratio", t)                # interactive Vega-Lite spec (Altair)

Modules: :mod:`~abm.charts.theme` (colours, dashes, markers, human names),
:mod:`~abm.charts.registry` (the charts and their data), :mod:`~abm.charts.static` (matplotlib)
and :mod:`~abm.charts.interactive` (Vega-Lite). The app, ``abm run``, ``abm report``, the lessons,
their handouts and the notebooks all draw through it.
"""

from __future__ import annotations

from abm.charts.registry import CHARTS, Band, Chart, Run, Runs, Tables, as_tables, describe, frame, get, series_chart
from abm.charts.static import OVERVIEW, draw, figure, image, overview


def vega_lite(chart: Chart | str, data: Run | Runs) -> dict:
    """A self-contained interactive Vega-Lite spec of ``chart`` with its data inlined."""
    from abm.charts import interactive

    return interactive.vega_lite(get(chart) if isinstance(chart, str) else chart, data)


__all__ = ["CHARTS", "OVERVIEW", "Band", "Chart", "Tables", "describe", "draw", "figure", "frame", "get", "image",
           "overview", "series_chart", "as_tables", "vega_lite"]
