"""The lessons' figures, drawn by the project's chart registry (:mod:`abm.charts`).

A lesson file names its charts by their registry names (``charts = ["beveridge", ...]``);
:func:`draw_chart` / :func:`draw_charts` draw them from a run (:class:`abm.runs.Results`, a live
model, or its tables), :func:`comparison_figure` draws a "thing to try" (the judged output of both
worlds, then each chart for the lesson's world and the changed world on the same scale), and
:func:`plot_scoreboard` the strategies' profit over several seeds. Figures are made with pyplot,
so a notebook shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from abm import charts
from abm.charts import theme
from abm.charts.lessons import metric_chart
from abm.lessons.checks import Comparison
from abm.lessons.schema import Lesson, LessonError
from abm.lessons.text import wrap
from abm.measures import suggest

CHARTS = charts.CHARTS
#: the two worlds of a thing to try, as the figures name them
WORLDS = ("the lesson's world", "changed")


def _chart(name: str) -> charts.Chart:
    if name not in CHARTS:
        raise LessonError(f"unknown chart {name!r}{suggest(name, list(CHARTS))}; allowed: {', '.join(CHARTS)}")
    return CHARTS[name]


def draw_chart(name: str, data: charts.Run, ax: Axes) -> None:
    """Draw chart ``name`` (a registry name) from one run on ``ax``."""
    charts.draw(_chart(name), data, ax)


def draw_charts(names: Lesson | Sequence[str], data: charts.Run, ncols: int = 2, title: str = "",
                size: tuple[float, float] = (5.8, 3.7)) -> Figure:
    """A figure with the lesson's charts (or the named ones) drawn from one run."""
    chosen = [_chart(n) for n in (names.charts if isinstance(names, Lesson) else names)]
    return charts.figure(chosen, charts.as_tables(data), ncols=ncols, title=title, size=size, pyplot=True)


def comparison_figure(c: Comparison, names: Sequence[str] | None = None, size: tuple[float, float] = (5.8, 3.5)) -> Figure:
    """A thing to try: the judged output of both worlds on one axis (with what the model did), then
    each chart for the lesson's world (left) and the changed world (right) on the same scale."""
    import matplotlib.pyplot as plt

    chosen = [_chart(n) for n in (c.lesson.charts if names is None else names)]
    has_metric = c.thing.metric is not None
    rows = len(chosen) + (1 if has_metric else 0)
    fig, axes = plt.subplots(rows, 2, figsize=(2 * size[0], size[1] * rows), squeeze=False, layout="constrained")
    first = 0
    if has_metric:
        plot_comparison_metric(c, axes[0, 0])
        axes[0, 1].axis("off")
        axes[0, 1].text(0.0, 0.5, wrap(c.summary().replace("**", "").replace("`", ""), 64), fontsize=8.5, va="center")
        first = 1
    base, changed = charts.as_tables(c.base), charts.as_tables(c.changed)
    for row, chart in enumerate(chosen, start=first):
        left, right = axes[row, 0], axes[row, 1]
        charts.draw(chart, base, left, title=f"{WORLDS[0]}: {chart.title}")
        charts.draw(chart, changed, right, title=f"{WORLDS[1]}: {chart.title}")
        _same_scale(left, right)
    fig.suptitle(f"Try: {c.thing.change}", fontsize=12)
    return fig


def plot_comparison_metric(c: Comparison, ax: Axes) -> None:
    """The judged output over time in both worlds, the judged years shaded."""
    t = c.thing
    if t.metric is None:
        raise LessonError(f"thing to try {t.change!r} names no output to judge")
    charts.draw(metric_chart(t.metric, t.window), {WORLDS[0]: c.base, WORLDS[1]: c.changed}, ax)


def _same_scale(left: Axes, right: Axes) -> None:
    """Put two axes showing the same chart on the same x and y limits (when their scales match)."""
    for get, put, scale in (("get_xlim", "set_xlim", "get_xscale"), ("get_ylim", "set_ylim", "get_yscale")):
        if getattr(left, scale)() != getattr(right, scale)():
            continue
        (a0, a1), (b0, b1) = getattr(left, get)(), getattr(right, get)()
        lims = (min(a0, b0), max(a1, b1))
        getattr(left, put)(*lims)
        getattr(right, put)(*lims)


def plot_scoreboard(board: pd.DataFrame, ax: Axes) -> None:
    """Each seed's profit per 2022 worker by strategy (dots, the strategy's colour and marker) and
    the mean over seeds (bars)."""
    styles = theme.family("strategy")
    names = list(dict.fromkeys(board["strategy"]))
    means = board.groupby("strategy", sort=False)["profit_per_worker"].mean().reindex(names)
    x = np.arange(len(names))
    ax.bar(x, means.to_numpy() / 1e3, color="#DDDDDD", label="mean over seeds")
    for i, name in enumerate(names):
        vals = board.loc[board["strategy"] == name, "profit_per_worker"].to_numpy() / 1e3
        ax.scatter(np.full(len(vals), i), vals, color=styles[name].color, marker=styles[name].marker, zorder=3, s=22)
    ax.axhline(0, color=theme.INK, lw=0.6)
    ax.set_xticks(x, [styles[n].label for n in names])
    n_seeds = board["seed"].nunique()
    ax.set(title=f"Cumulative profit per 2022 worker: {n_seeds} seeds (dots) and their mean (bars)",
           ylabel="$ thousand per 2022 worker")
    ax.legend(fontsize=8)
    theme.style_axes(ax)
