"""Static rendering of registry charts with matplotlib: reports, notebooks, handouts, PNG export.

:func:`draw` draws one chart on an ``Axes``; :func:`figure` lays several out on a grid;
:func:`image` returns PNG or SVG bytes. No pyplot state is used (``Figure`` objects directly),
so the app can draw for several visitors in several threads.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from abm.charts import theme
from abm.charts.registry import Chart, Run, Runs, frame, get

LINE_WIDTH = 1.7
MARKERS_PER_LINE = 7  # a few markers per line, so series differ in greyscale too


def _chart(chart: Chart | str) -> Chart:
    return get(chart) if isinstance(chart, str) else chart


def draw(chart: Chart | str, data: Run | Runs, ax: Axes, *, title: str | None = None, legend: bool = True) -> None:
    """Draw ``chart`` from one run's tables (or several runs, or several seeds per run) on ``ax``."""
    chart = _chart(chart)
    df, styles = frame(chart, data)
    if chart.band is not None:
        band = chart.band
        span = ax.axhspan if band.axis == "y" else ax.axvspan
        span(band.lo, band.hi, color="#999999", alpha=0.15, lw=0, label=band.label)
    if chart.kind in ("line", "path"):
        _lines(ax, chart, df, styles)
    else:
        _bars(ax, chart, df, styles)
    for value in chart.rules:
        (ax.axvline if chart.kind == "hbars" else ax.axhline)(value, color=theme.INK, lw=0.7, zorder=1)
    subtitle = df.attrs.get("subtitle", "")
    ax.set_title(title if title is not None else chart.title + (f"\n{subtitle}" if subtitle else ""), loc="left",
                 fontsize=theme.FONT["title"], fontweight="bold")
    if chart.kind == "hbars":
        ax.set_xlabel(chart.y_title)
    else:
        ax.set_xlabel(chart.x_title)
        ax.set_ylabel(chart.y_title)
    if chart.log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{y:g}"))
        ax.yaxis.set_minor_locator(NullLocator())
    elif chart.y_zero and not df.empty and np.nanmin(df["y"].to_numpy(float)) >= 0:
        ax.set_ylim(bottom=0)
    if chart.years:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))
    handles, _ = ax.get_legend_handles_labels()
    if legend and (len(handles) > 1 or chart.band is not None):
        ax.legend(loc="best", ncol=2 if len(handles) > 4 else 1)
    if df.empty:
        ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes, color=theme.GREY)
    theme.style_axes(ax)


def _lines(ax: Axes, chart: Chart, df: pd.DataFrame, styles: dict[str, theme.Style]) -> None:
    for name, style in styles.items():
        sub = df[df["series"] == name]
        if sub.empty:
            continue
        x, y = sub["x"].to_numpy(float), sub["y"].to_numpy(float)
        if "lo" in sub and sub["n"].max() > 1:
            ax.fill_between(x, sub["lo"].to_numpy(float), sub["hi"].to_numpy(float), color=style.color, alpha=0.18, lw=0)
        if chart.kind == "path" and "run" not in df:  # one Beveridge curve: coloured by time
            ax.plot(x, y, color="#B0B0B0", lw=0.8, zorder=1)
            ax.scatter(x, y, c=sub["t"], cmap="viridis", s=12, zorder=2)
            ax.scatter(x[-1:], y[-1:], s=70, facecolor="none", edgecolor=theme.OKABE_ITO["vermillion"], lw=1.6, zorder=3)
            ax.annotate(f"{sub['t'].iloc[0]:.0f}", (x[0], y[0]), textcoords="offset points", xytext=(5, -10), fontsize=8)
            ax.margins(x=0.08, y=0.1)
            continue
        every = max(1, len(x) // MARKERS_PER_LINE)
        (line,) = ax.plot(x, y, color=style.color, lw=LINE_WIDTH, label=name, marker=style.marker, markersize=3.5,
                          markevery=every)
        if style.dash:
            line.set_dashes(style.dash)


def _bars(ax: Axes, chart: Chart, df: pd.DataFrame, styles: dict[str, theme.Style]) -> None:
    cats = df.sort_values("order")["x"].drop_duplicates().tolist() if "order" in df else list(dict.fromkeys(df["x"]))
    pos = {c: i for i, c in enumerate(cats)}
    groups = [n for n in styles if (df["series"] == n).any()]
    one_bar = chart.family != "single" and "run" not in df and df.groupby("x")["series"].nunique().max() == 1
    width = 0.8 / (1 if one_bar else max(len(groups), 1))
    for g, name in enumerate(groups):
        sub = df[df["series"] == name]
        offset = 0.0 if one_bar else (g - (len(groups) - 1) / 2) * width
        at = np.array([pos[c] for c in sub["x"]], dtype=float) + offset
        style = styles[name]
        err = None
        if "lo" in sub and sub["n"].max() > 1:
            err = np.vstack([sub["y"] - sub["lo"], sub["hi"] - sub["y"]]).clip(min=0)
        hatch = "////" if style.dash else None  # greyscale: dashed series get hatched bars
        look: dict[str, Any] = dict(color=style.color, label=name, hatch=hatch, edgecolor="white", lw=0.4, capsize=2 if err is not None else 0)
        if chart.kind == "hbars":
            ax.barh(at, sub["y"].to_numpy(float), width, xerr=err, **look)
        else:
            ax.bar(at, sub["y"].to_numpy(float), width, yerr=err, **look)
    if chart.kind == "hbars":
        ax.set_yticks(range(len(cats)), cats)
    else:
        ax.set_xticks(range(len(cats)), cats)
        if len(cats) > 8:
            ax.tick_params(axis="x", labelrotation=45)


def figure(charts: Sequence[Chart | str], data: Run | Runs, *, ncols: int = 2, title: str = "",
           size: tuple[float, float] = (5.6, 3.6), pyplot: bool = False) -> Figure:
    """A figure with the charts on a grid, drawn from one run (or several runs / seeds).

    ``pyplot=True`` makes it with ``matplotlib.pyplot`` (a notebook then shows it); by default it is
    a bare ``Figure``, safe to draw in any thread (the app, reports).
    """
    charts = [_chart(c) for c in charts]
    ncols = max(1, min(ncols, len(charts)))
    nrows = max(1, math.ceil(len(charts) / ncols))
    figsize = (size[0] * ncols, size[1] * nrows)
    if pyplot:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=figsize, dpi=100, layout="constrained")
    else:
        fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, chart in zip(axes.flat, charts):
        draw(chart, data, ax)
    for ax in list(axes.flat)[len(charts):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    return fig


def image(fig: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    """The figure's bytes (``png`` or ``svg``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white")
    return buf.getvalue()


#: The charts of ``abm run``'s overview figure.
OVERVIEW = ("rates", "beveridge", "mismatch", "cluster_ratio", "remote_pay", "ai_premium", "seniority", "junior_hires",
            "firm_profit")


def overview(data: Run, title: str = "") -> Figure:
    """The headline charts of one run, 3 × 3."""
    return figure(OVERVIEW, data, ncols=3, title=title, size=(5.6, 4.0))
