"""The parts of the page that change every frame: charts, the date, the headline numbers.

While a run plays, re-rendering the whole Solara page for every frame would cost ~100 ms of the
server's time per visitor and frame (the component tree is diffed from its root). Instead these
parts subscribe to their :class:`~abm.app.session.Simulation`: each new frame is handed to them
(:meth:`Simulation.notify`) and they set their own widget's data directly. The page itself
re-renders only when a setting changes. The data of these parts is never an argument of their
Solara element (Solara would put old arguments back on any re-render); each part takes the
newest frame when it is mounted and every frame after.

:class:`VegaChart` (``vega_chart.vue``) embeds a registry chart's Vega-Lite spec once and streams
each frame's rows into it; the spec changes only when the series shown change (a reset, another
world). Each chart carries a text alternative (``aria-label``) generated from its data
(:func:`abm.charts.describe`) and a one-line caption.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import ipyvuetify as v
import solara
import traitlets

from abm import charts
from abm.app.session import Frame, Simulation
from abm.charts import interactive

log = logging.getLogger(__name__)
#: while a run plays, a chart's text alternative is renewed about this often (it costs as much as the data)
ALT_EVERY_MONTHS = 6


class VegaChart(v.VuetifyTemplate):
    """The widget: ``spec`` is embedded once, ``values`` (the data column by column) replace the
    data of its ``table`` dataset."""

    template_file = str(Path(__file__).with_name("vega_chart.vue"))
    spec = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    subtitle = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("chart").tag(sync=True)


class DocumentLanguage(v.VuetifyTemplate):
    """Sets ``<html lang>`` in the browser."""

    template_file = str(Path(__file__).with_name("document_language.vue"))
    lang = traitlets.Unicode("en").tag(sync=True)


def use_frames(sim: Simulation, element, update: Callable[[object, Frame], None], dependencies: list) -> None:
    """After render, call ``update(widget, frame)`` with ``element``'s widget for the newest frame
    and then for every new frame.

    The element must not pass the traits ``update`` sets: Solara re-applies an element's arguments
    to its widget whenever any part of the page renders, which would put back old data.
    """

    def connect():
        widget = solara.get_widget(element)

        def on_frame(frame: Frame) -> None:
            try:
                update(widget, frame)
            except Exception:  # a live part must never stop the play loop
                log.exception("live update failed")

        if sim.frame is not None:
            on_frame(sim.frame)
        return sim.subscribe(on_frame)

    solara.use_effect(connect, dependencies)


def _data(frame: Frame, runs: bool):
    """One run's tables, or every run's by label."""
    return {r.label: r.tables for r in frame.runs} if runs else frame.runs[0].tables


@solara.component
def LiveChart(chart: charts.Chart, sim: Simulation, runs: bool = False, caption: bool = True):
    """A registry chart of the simulation's run (``runs``: of all its runs, side by side)."""

    def update(widget: VegaChart, frame: Frame) -> None:
        # the text alternative every half year while a run plays, and whenever it stops
        last = getattr(widget, "abm_alt_month", None)
        alt = frame.rate is None or last is None or not 0 <= frame.month - last < ALT_EVERY_MONTHS
        try:
            streamed = interactive.values(chart, _data(frame, runs), alt=alt)
        except Exception:  # a chart must never take the page down
            log.exception("chart %s failed", chart.name)
            widget.alt = f"{chart.title}: could not be drawn for this month (see the server log)."
            return
        shape = (tuple(streamed.styles.items()), streamed.spread)
        with widget.hold_sync():
            if shape != getattr(widget, "abm_shape", None):  # other series than the spec knows: a new spec
                widget.abm_shape = shape
                widget.spec = interactive.spec(chart, streamed.styles, runs=runs, spread=streamed.spread)
            widget.values = streamed.columns
            widget.subtitle = streamed.subtitle
            if alt:
                widget.alt = streamed.alt
                widget.abm_alt_month = frame.month

    with solara.Div(classes=["abm-chart-box", f"abm-chart-{chart.name}"]) as box:
        el = VegaChart.element(caption=chart.caption if caption else "", filename=chart.name)
        use_frames(sim, el, update, [sim, chart.name, runs])
    return box


@solara.component
def StaticChart(chart: charts.Chart, data, data_id: object):
    """A registry chart of data that does not change while it is shown (e.g. runs over seeds)."""
    streamed = solara.use_memo(lambda: interactive.values(chart, data), [data_id, chart.name])
    spec = solara.use_memo(lambda: interactive.spec(chart, streamed.styles, runs=not charts.registry.is_tables(data),
                                                    spread=streamed.spread), [data_id, chart.name])
    with solara.Div(classes=["abm-chart-box", f"abm-chart-{chart.name}"]):
        VegaChart.element(spec=spec, values=streamed.columns, subtitle=streamed.subtitle, alt=streamed.alt,
                          caption=chart.caption, filename=chart.name)


@solara.component
def LiveHTML(sim: Simulation, html: Callable[[Frame], str], tag: str = "div", classes: tuple[str, ...] = (),
             attributes: dict | None = None):
    """An HTML element whose content is ``html(frame)`` of the newest frame."""
    el = solara.widgets.HTML.element(tag=tag, attributes={**(attributes or {}), "class": " ".join(classes)})

    def update(widget, frame: Frame) -> None:
        widget.unsafe_innerHTML = html(frame)

    use_frames(sim, el, update, [sim, html])
    return el
