"""Interactive rendering of registry charts as Vega-Lite specifications (built with Altair).

The app embeds a chart once (:func:`spec`) and then streams new data into it every frame
(:func:`values`), so a chart never flickers or loses the reader's hover while the model runs. The
spec reads its data from the named dataset :data:`DATASET`; it only depends on the chart and on
which series are present, so it is rebuilt only when those change. Line charts show a vertical
rule and every series' value at the hovered year; bars show their value on hover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from abm.charts import theme
from abm.charts.registry import Chart, Run, Runs, describe, frame, is_tables

DATASET = "table"
HEIGHT = 200  # px of the plotting area; the width follows the container
DECIMALS = 4  # decimals kept in the streamed values
SUBTITLE = "subtitle"  # the spec's parameter holding the chart's subtitle


@dataclass(frozen=True)
class Streamed:
    """What the app sends a chart each frame: its data column by column (``x``, ``y``, ``series``,
    ...: smaller and quicker to make than one record per point), the styles of the series present,
    the subtitle, and a text alternative describing the data."""

    columns: dict[str, list]
    styles: dict[str, theme.Style]
    subtitle: str
    alt: str

    @property
    def spread(self) -> bool:
        return "lo" in self.columns

    @property
    def rows(self) -> list[dict]:
        """The data as one record per point (what Vega-Lite reads)."""
        names = list(self.columns)
        return [dict(zip(names, values)) for values in zip(*self.columns.values())]


def _column(values: pd.Series) -> list:
    if values.dtype.kind == "f":  # fewer digits on the wire; NaN and ±inf → null (a gap)
        return [v if math.isfinite(v) else None for v in np.round(values.to_numpy(float), DECIMALS).tolist()]
    return values.tolist()


def values(chart: Chart, data: Run | Runs, *, alt: bool = True) -> Streamed:
    """The data to stream into ``chart`` for one run (or several runs, or seeds of each);
    ``alt=False`` skips the text alternative (``Streamed.alt`` is then empty)."""
    df, styles = frame(chart, data)
    columns = {c: _column(df[c]) for c in ("x", "y", "series", "run", "t", "order", "lo", "hi", "n") if c in df}
    return Streamed(columns, styles, df.attrs.get("subtitle", ""), describe(chart, df, styles) if alt else "")


def spec(chart: Chart, styles: Mapping[str, theme.Style], *, runs: bool = False, spread: bool = False,
         subtitle: str = "") -> dict:
    """The Vega-Lite spec of ``chart`` with these series (label → style), reading :data:`DATASET`.

    ``runs``: the rows come from several runs (column ``run``; bars are grouped by run).
    ``spread``: draw each series' lowest–highest band over seeds (columns ``lo``/``hi``).
    The subtitle is the value of the parameter :data:`SUBTITLE` (``subtitle`` is its first value),
    so the app can change it with the data, without a new spec.
    """
    labels = list(styles)
    columns = 1 if max((len(k) for k in labels), default=0) > 30 else min(len(labels), 2 if len(labels) > 4 else 4)
    legend = alt.Legend(title=None, columns=columns, symbolStrokeWidth=2.2) if len(labels) > 1 else None
    color = alt.Color("series:N", scale=alt.Scale(domain=labels, range=[styles[k].color for k in labels]), legend=legend,
                      sort=labels)
    # the same legend for colour and dash: Vega-Lite merges them, so the legend shows the dash too
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=labels, range=[list(styles[k].dash) or [1, 0] for k in labels]),
                          legend=legend, sort=labels)
    yfmt = chart.y_format.replace("g", "~g") if chart.y_format.endswith("g") else chart.y_format
    base = alt.Chart(alt.NamedData(DATASET))
    layers: list[alt.Chart] = []
    if chart.band is not None:
        b = chart.band
        band_data = alt.Data(values=[{"lo": b.lo, "hi": b.hi, "label": b.label}])
        enc = {"y": "lo:Q", "y2": "hi:Q"} if b.axis == "y" else {"x": "lo:Q", "x2": "hi:Q"}
        layers.append(alt.Chart(band_data).mark_rect(color="#999999", opacity=0.15).encode(
            **enc, tooltip=alt.Tooltip("label:N", title="band")))
    if chart.kind in ("line", "path"):
        layers += _line_layers(chart, base, color, dash, yfmt, spread)
    else:
        # grouped bars: one per run, or one per series unless each category has a single series
        offset = "run" if runs else ("series" if len(labels) > 1 and chart.family != "cluster_group" else None)
        layers += _bar_layers(chart, base, color, yfmt, spread, offset)
    if chart.rules:
        rule_data = alt.Data(values=[{"v": v} for v in chart.rules])
        axis = "x" if chart.kind == "hbars" else "y"
        layers.append(alt.Chart(rule_data).mark_rule(color=theme.INK, strokeWidth=0.8).encode(**{axis: "v:Q"}))
    out = alt.layer(*layers).properties(width="container", height=HEIGHT)
    out = out.configure(**theme.vega_config()).to_dict(validate=False)
    out.pop("$schema", None)  # Altair writes its own Vega-Lite version; the page ships Vega-Lite 5 offline
    out["params"] = [*out.get("params", []), {"name": SUBTITLE, "value": subtitle}]
    out["title"] = {"text": chart.title, "subtitle": {"expr": SUBTITLE}}
    return out


def _x_year(chart: Chart) -> alt.X:
    return alt.X("x:Q", title=chart.x_title, scale=alt.Scale(zero=False, nice=False),
                 axis=alt.Axis(format="d", tickMinStep=1))


def _line_layers(chart: Chart, base: alt.Chart, color: alt.Color, dash: alt.StrokeDash, yfmt: str, spread: bool) -> list:
    y_scale = alt.Scale(type="log") if chart.log_y else alt.Scale(zero=chart.y_zero)
    y = alt.Y("y:Q", title=chart.y_title, scale=y_scale)
    if chart.kind == "path":  # the Beveridge curve: a path through the months, dots coloured by time
        x = alt.X("x:Q", title=chart.x_title, scale=alt.Scale(zero=False))
        path = base.mark_line(color="#B0B0B0", strokeWidth=1).encode(x=x, y=y, order="t:Q", detail="series:N")
        dots = base.mark_circle(size=28, opacity=0.9).encode(
            x=x, y=y, color=alt.Color("t:Q", scale=alt.Scale(scheme="viridis"), legend=None),
            tooltip=[alt.Tooltip("t:Q", title="year", format=".2f"), alt.Tooltip("x:Q", title=chart.x_title, format=yfmt),
                     alt.Tooltip("y:Q", title=chart.y_title, format=yfmt)])
        last = base.transform_window(rank="rank()", sort=[alt.SortField("t", order="descending")]).transform_filter(
            "datum.rank == 1").mark_point(size=140, color=theme.OKABE_ITO["vermillion"], strokeWidth=2).encode(x=x, y=y)
        return [path, dots, last]
    x = _x_year(chart)
    layers = []
    if spread:
        layers.append(base.mark_area(opacity=0.18).encode(x=x, y=alt.Y("lo:Q", scale=y_scale, title=chart.y_title),
                                                          y2="hi:Q", color=color))
    layers.append(base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color, strokeDash=dash))
    hover = alt.selection_point(name="hover", nearest=True, on="pointerover", fields=["x"], empty=False, clear="pointerout")
    tooltip = [alt.Tooltip("series:N", title="series"), alt.Tooltip("x:Q", title="year", format=".2f"),
               alt.Tooltip("y:Q", title=chart.y_title, format=yfmt)]
    if spread:
        tooltip += [alt.Tooltip("lo:Q", title="lowest seed", format=yfmt), alt.Tooltip("hi:Q", title="highest seed", format=yfmt)]
    layers.append(base.mark_point(size=80, opacity=0).encode(x=x, y=y, tooltip=tooltip).add_params(hover))
    layers.append(base.mark_rule(color="#777777", strokeWidth=0.8).encode(x=x).transform_filter(hover))
    layers.append(base.mark_point(filled=True, size=45).encode(x=x, y=y, color=color, tooltip=tooltip).transform_filter(hover))
    layers.append(base.mark_text(align="left", dx=6, dy=-6, fontSize=11).encode(
        x=x, y=y, color=color, text=alt.Text("y:Q", format=yfmt)).transform_filter(hover))
    return layers


def _bar_layers(chart: Chart, base: alt.Chart, color: alt.Color, yfmt: str, spread: bool, offset: str | None) -> list:
    sort = alt.EncodingSortField("order", order="ascending")
    tooltip = [alt.Tooltip("x:N", title="category" if chart.kind == "hbars" else chart.x_title),
               alt.Tooltip("series:N", title="series"), alt.Tooltip("y:Q", title=chart.y_title, format=yfmt)]
    if spread:
        tooltip += [alt.Tooltip("lo:Q", title="lowest seed", format=yfmt), alt.Tooltip("hi:Q", title="highest seed", format=yfmt)]
    # categories along y for horizontal bars, along x otherwise; values on the other axis
    horizontal = chart.kind == "hbars"
    cat, val = ("y", "x") if horizontal else ("x", "y")
    cat_channel, val_channel = (alt.Y, alt.X) if horizontal else (alt.X, alt.Y)
    offset_channel = alt.YOffset if horizontal else alt.XOffset
    categories = "x:N" if horizontal else "x:O"
    axis = {"title": chart.x_title or None} if horizontal else {"title": chart.x_title, "axis": alt.Axis(labelAngle=0)}
    enc: dict[str, Any] = {cat: cat_channel(categories, sort=sort, **axis), val: val_channel("y:Q", title=chart.y_title),
                           "color": color, "tooltip": tooltip}
    if offset:
        enc[f"{cat}Offset"] = offset_channel(f"{offset}:N")
    layers = [base.mark_bar().encode(**enc)]
    if spread:
        err: dict[str, Any] = {cat: cat_channel(categories, sort=sort), val: "lo:Q", f"{val}2": "hi:Q"}
        if offset:
            err[f"{cat}Offset"] = offset_channel(f"{offset}:N")
        layers.append(base.mark_rule(color=theme.INK).encode(**err))
    return layers


def vega_lite(chart: Chart, data: Run | Runs) -> dict:
    """A self-contained Vega-Lite spec with the data inlined (for notebooks: ``alt.Chart.from_dict``)."""
    streamed = values(chart, data)
    out = spec(chart, streamed.styles, runs=not is_tables(data), spread=streamed.spread, subtitle=streamed.subtitle)
    out["datasets"] = {DATASET: streamed.rows}
    return out
