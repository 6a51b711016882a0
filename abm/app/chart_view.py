"""A registry chart in the page: an interactive Vega-Lite view fed with new data every frame.

:class:`VegaChart` (``vega_chart.vue``) embeds the chart's spec once and streams the rows of each
new frame into it; the spec is rebuilt only when the series shown change (a reset, another
world). Each chart carries a text alternative (``aria-label``) generated from its data
(:func:`abm.charts.describe`) and its one-line caption.
"""

from __future__ import annotations

import logging
from pathlib import Path

import ipyvuetify as v
import solara
import traitlets

from abm import charts
from abm.charts import interactive

log = logging.getLogger(__name__)


class VegaChart(v.VuetifyTemplate):
    """The widget: ``spec`` is embedded once, ``values`` replace the data of its ``table`` dataset."""

    template_file = str(Path(__file__).with_name("vega_chart.vue"))
    spec = traitlets.Dict().tag(sync=True)
    values = traitlets.List().tag(sync=True)
    subtitle = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("chart").tag(sync=True)


@solara.component
def ChartView(chart: charts.Chart, data, frame_id: int, caption: bool = True):
    """One chart of one run (``data`` = its tables) or of several runs / seeds (a dict of them)."""

    def build() -> interactive.Streamed | None:
        try:
            return interactive.values(chart, data)
        except Exception:  # a chart must never take the page down
            log.exception("chart %s failed", chart.name)
            return None

    streamed = solara.use_memo(build, [frame_id, chart.name])
    runs = not charts.registry.is_tables(data)
    shape = (tuple(streamed.styles.items()), streamed.spread) if streamed is not None else ((), False)
    spec = solara.use_memo(lambda: interactive.spec(chart, dict(shape[0]), runs=runs, spread=shape[1]), [chart.name, shape, runs])
    with solara.Div(classes=["abm-chart-box", f"abm-chart-{chart.name}"]):
        if streamed is None:
            solara.Warning(f"This chart could not be drawn for this month ({chart.title}); see the server log.", dense=True)
            return
        VegaChart.element(spec=spec, values=streamed.rows, subtitle=streamed.subtitle, alt=streamed.alt,
                          caption=chart.caption if caption else "", filename=chart.name)
