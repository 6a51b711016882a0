"""The lessons' charts: the ``abm.plots`` charts and a few lesson charts, by name (:data:`CHARTS`).

Moved verbatim from the former ``abm/lessons.py``; the project's chart registry will take them
over. Each ``plot_*`` function draws one chart on a matplotlib ``Axes`` from a tidy table;
:func:`draw_chart` / :func:`draw_charts` draw named charts from a run's tables
(:class:`abm.runs.Results`, a live model, or a dict of tables).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from abm import plots
from abm.lessons.checks import Comparison, judged_window, metric_series
from abm.lessons.schema import Lesson, LessonError
from abm.lessons.text import fmt, wrap
from abm.measures import metric_unit, suggest
from abm.metrics import FIRM_COLUMNS, mismatch_index
from abm.model import LaborMarket
from abm.runs import Results, snapshot

_suggest = suggest
Data = LaborMarket | Results | Mapping[str, pd.DataFrame]


# --------------------------------------------------------------------------------------------
# lesson charts that abm.plots does not have (same conventions: tidy table in, Axes out)
# --------------------------------------------------------------------------------------------
def _nan_zero(s: pd.Series) -> pd.Series:
    """Ratios that are 0 because nobody is in the group → NaN (a gap in the line, not a dive to 0)."""
    return s.where(s > 0)


def plot_remote_pay(df: pd.DataFrame, ax) -> None:
    """Remote ÷ onsite pay by pay policy over time, with the 70–90 % band the articles report."""
    ax.axhspan(0.7, 0.9, color="C1", alpha=0.12, label="articles: 70–90 % (seeds/000)")
    ax.plot(df["year"], _nan_zero(df["remote_onsite_pay_ratio_adjusted"]), label="location-adjusted payers", color="C1")
    ax.plot(df["year"], _nan_zero(df["remote_onsite_pay_ratio_national"]), label="national-band payers", color="C0")
    ax.plot(df["year"], _nan_zero(df["remote_onsite_pay_ratio"]), label="all firms", color="grey", ls="--", lw=1)
    ax.axhline(1, color="grey", lw=0.5)
    ax.set(title="Remote ÷ onsite pay for comparable jobs", xlabel="year", ylabel="ratio", ylim=(0.6, 1.1))
    ax.legend(fontsize=8, loc="lower left")


def plot_remote_by_cluster(pay_df: pd.DataFrame, ax, months: int = 12) -> None:
    """Remote ÷ onsite pay by skill cluster and pay policy, mean of the last ``months`` months."""
    last = pay_df[pay_df["month"] > pay_df["month"].max() - months]
    table = last.groupby(["cluster", "pay_policy"], observed=True)["remote_onsite_pay_ratio"].mean().unstack("pay_policy")
    clusters = list(table.index)
    width = 0.8 / max(len(table.columns), 1)
    for k, policy in enumerate(table.columns):
        ax.bar(np.arange(len(clusters)) + (k - (len(table.columns) - 1) / 2) * width, table[policy].to_numpy(),
               width=width, label=str(policy).replace("_", " "), color=f"C{1 - k}" if k < 2 else f"C{k}")
    ax.axhline(1, color="grey", lw=0.5)
    ax.set_xticks(np.arange(len(clusters)), [str(c) for c in clusters], rotation=45, ha="right", fontsize=8)
    ax.set(title=f"Remote ÷ onsite pay by cluster (last {months} months)", ylabel="ratio", ylim=(0.6, 1.1))
    ax.legend(fontsize=8, loc="lower left")


def plot_location_pay(location_df: pd.DataFrame, ax, months: int = 12) -> None:
    """Median pay of employees by where they live, and their remote share (last ``months`` months)."""
    last = location_df[location_df["month"] > location_df["month"].max() - months]
    table = last.groupby("location", observed=True)[["median_wage", "remote_share"]].mean().sort_values("median_wage")
    y = np.arange(len(table))
    ax.barh(y, table["median_wage"] / 1e3, color="C0")
    for i, (wage, share) in enumerate(zip(table["median_wage"], table["remote_share"])):
        ax.text(wage / 1e3, i, f"  {100 * share:.0f} % remote", va="center", fontsize=7)
    ax.set_yticks(y, [str(c) for c in table.index], fontsize=8)
    ax.set_xlim(0, table["median_wage"].max() / 1e3 * 1.35 if len(table) else 1)
    ax.set(title=f"Median pay by where workers live (last {months} months)", xlabel="$ thousand a year")


def plot_vacancy_durations(df: pd.DataFrame, ax) -> None:
    """How long senior/staff and ML/AI vacancies have been open (mean age of open vacancies)."""
    ax.plot(df["year"], df["senior_vacancy_duration"], label="senior + staff vacancies", color="C3")
    ax.plot(df["year"], df["ai_vacancy_duration"], label="ML/AI vacancies", color="C4")
    ax.set(title="How long open vacancies have been open", xlabel="year", ylabel="months (mean age)")
    ax.legend(fontsize=8)


def plot_cluster_snapshot(cluster_df: pd.DataFrame, ax, year: float | None = None) -> None:
    """Job seekers and open vacancies by skill cluster, monthly mean over one calendar year.

    Default year: the most mismatched one — the year with the highest mean Şahin et al. (2014)
    index computed from this table (α = 0.5), where the two bars of each cluster differ most.
    """
    df = cluster_df[cluster_df["month"] > 0]
    cal = df["year"].sub(1e-9).floordiv(1)
    if year is None:
        by_month = df.groupby("month").apply(
            lambda g: mismatch_index(g["vacancies"].to_numpy(float), g["unemployed"].to_numpy(float), 0.5), include_groups=False)
        by_year = by_month.groupby(cal.groupby(df["month"]).first()).mean()
        year = float(by_year.idxmax())
        label = f"{year:g}, the most mismatched year"
    else:
        label = f"{year:g}"
    sub = df[cal == year]
    table = sub.groupby("cluster", observed=True)[["unemployed", "vacancies"]].mean()
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["unemployed"], width=0.4, label="job seekers", color="C0")
    ax.bar(x + 0.2, table["vacancies"], width=0.4, label="open vacancies", color="C3")
    ax.set_xticks(x, [str(c) for c in table.index], rotation=45, ha="right", fontsize=8)
    ax.set(title=f"Job seekers and vacancies by cluster ({label})", ylabel="workers / jobs (monthly mean)")
    ax.legend(fontsize=8)


def plot_by_strategy(firm_df: pd.DataFrame, ax, column: str = "juniors", per: str = "firm") -> None:
    """A firm-table column by strategy over time, per firm (``per="firm"``) or in total (``per=""``)."""
    for name, sub in firm_df.groupby("strategy", observed=True):
        if float(sub["firms"].iloc[0]) <= 0:
            continue
        y = sub[column] / sub["firms"] if per == "firm" else sub[column]
        ax.plot(sub["year"], y, label=str(name).replace("_", "-"))
    unit = FIRM_COLUMNS.get(column, ("", ""))[0]
    ax.set(title=f"{column.replace('_', ' ').capitalize()}{' per firm' if per == 'firm' else ''}, by strategy",
           xlabel="year", ylabel=unit)
    ax.legend(fontsize=8)


def plot_strategy_juniors(firm_df: pd.DataFrame, ax) -> None:
    """Junior employees per firm, by strategy."""
    plot_by_strategy(firm_df, ax, "juniors")


def plot_strategy_seniors(firm_df: pd.DataFrame, ax) -> None:
    """Senior + staff employees per firm, by strategy."""
    plot_by_strategy(firm_df, ax, "seniors")


def plot_strategy_headcount(firm_df: pd.DataFrame, ax) -> None:
    """Employees per firm, by strategy."""
    plot_by_strategy(firm_df, ax, "headcount")


def plot_retrained_pay(df: pd.DataFrame, ax) -> None:
    """Mean pay of employed retraining completers against the median pay of all employees."""
    ax.plot(df["year"], _nan_zero(df["retrained_mean_wage"]) / 1e3, label="retrained workers (mean)", color="C3")
    ax.plot(df["year"], df["median_wage"] / 1e3, label="all employees (median)", color="grey")
    ax.set(title="Pay after retraining", xlabel="year", ylabel="$ thousand a year")
    ax.legend(fontsize=8)


def plot_strategy_mix(firm_df: pd.DataFrame, ax) -> None:
    """Share of firms following each strategy over time (it moves when firms imitate)."""
    total = firm_df.groupby("month")["firms"].transform("sum").clip(lower=1)
    share = firm_df.assign(share=firm_df["firms"] / total)
    for i, (name, sub) in enumerate(share.groupby("strategy", observed=True)):
        ax.plot(sub["year"], sub["share"], label=str(name).replace("_", "-"), color=f"C{i}")
    ax.set(title="Share of firms by strategy", xlabel="year", ylabel="share of firms", ylim=(0, 1))
    ax.legend(fontsize=8)


def plot_pipeline_flows(firm_df: pd.DataFrame, ax) -> None:
    """Who trains, who takes: juniors each strategy trained (solid) and its trained workers hired away
    by other firms (dashed), cumulative since the start."""
    for i, (name, sub) in enumerate(firm_df[firm_df["month"] > 0].groupby("strategy", observed=True)):
        label = str(name).replace("_", "-")
        ax.plot(sub["year"], sub["juniors_trained"].cumsum(), color=f"C{i}", label=f"{label}: trained")
        ax.plot(sub["year"], sub["trained_workers_lost"].cumsum(), color=f"C{i}", ls="--", label=f"{label}: hired away")
    ax.set(title="Juniors trained and trained workers hired away (cumulative)", xlabel="year", ylabel="workers")
    ax.legend(fontsize=7, ncol=2)


def plot_public_spend(df: pd.DataFrame, ax) -> None:
    """Public spending on the junior pipeline: subsidies paid and levy collected, $ thousand a month."""
    ax.plot(df["year"], df["junior_wage_subsidies"] / 1e3, label="junior wage subsidies", color="C0")
    ax.plot(df["year"], df["apprenticeship_subsidies"] / 1e3, label="apprenticeships", color="C2")
    ax.plot(df["year"], -df["training_levy_receipts"] / 1e3, label="training levy (collected, < 0)", color="C3")
    ax.plot(df["year"], df["public_pipeline_spend"] / 1e3, label="net public spend", color="k", lw=1.5)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set(title="Public spending on the pipeline", xlabel="year", ylabel="$ thousand a month")
    ax.legend(fontsize=8)


#: Chart name → (function, table it draws from). Tables: model, cluster, firm, location, pay.
CHARTS: dict[str, tuple[Callable[..., None], str]] = {
    "plot_rates": (plots.plot_rates, "model"),
    "plot_beveridge": (plots.plot_beveridge, "model"),
    "plot_mismatch": (plots.plot_mismatch, "model"),
    "plot_pay": (plots.plot_pay, "model"),
    "plot_seniority": (plots.plot_seniority, "model"),
    "plot_junior_hires": (plots.plot_junior_hires, "model"),
    "plot_retraining": (plots.plot_retraining, "model"),
    "plot_cluster_ratio": (plots.plot_cluster_ratio, "cluster"),
    "plot_firm_profit": (plots.plot_firm_profit, "firm"),
    # lesson charts (this module)
    "plot_remote_pay": (plot_remote_pay, "model"),
    "plot_vacancy_durations": (plot_vacancy_durations, "model"),
    "plot_retrained_pay": (plot_retrained_pay, "model"),
    "plot_cluster_snapshot": (plot_cluster_snapshot, "cluster"),
    "plot_strategy_juniors": (plot_strategy_juniors, "firm"),
    "plot_strategy_seniors": (plot_strategy_seniors, "firm"),
    "plot_strategy_headcount": (plot_strategy_headcount, "firm"),
    "plot_remote_by_cluster": (plot_remote_by_cluster, "pay"),
    "plot_location_pay": (plot_location_pay, "location"),
    "plot_strategy_mix": (plot_strategy_mix, "firm"),
    "plot_pipeline_flows": (plot_pipeline_flows, "firm"),
    "plot_public_spend": (plot_public_spend, "model"),
}


def tables(data: Data) -> Mapping[str, pd.DataFrame]:
    """The tidy tables of a run's :class:`~abm.runs.Results`, of a live model, or the dict given."""
    if isinstance(data, LaborMarket):
        return snapshot(data).tables
    return data.tables if isinstance(data, Results) else data


def draw_chart(name: str, data: Data, ax) -> None:
    """Draw chart ``name`` (a key of :data:`CHARTS`) from a run (or its :func:`tables`) on ``ax``."""
    if name not in CHARTS:
        raise LessonError(f"unknown chart {name!r}{_suggest(name, list(CHARTS))}; allowed: {', '.join(CHARTS)}")
    fn, table = CHARTS[name]
    fn(tables(data)[table], ax)


def draw_charts(charts: Lesson | Sequence[str], data: Data, ncols: int = 2,
                title: str = "", size: tuple[float, float] = (5.8, 3.7)):
    """A figure with the lesson's charts (or the named ones) drawn from one run."""
    names = list(charts.charts if isinstance(charts, Lesson) else charts)
    data = tables(data)
    ncols = max(1, min(ncols, len(names)))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plots.plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        draw_chart(name, data, ax)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=13)
    fig.tight_layout()
    return fig


def comparison_figure(c: Comparison, charts: Sequence[str] | None = None, size: tuple[float, float] = (5.8, 3.5)):
    """Side by side: each chart for the scenario (left) and with the change (right), same y-axis;
    with a metric, a first row shows it for both runs on one axis."""
    names = list(c.lesson.charts if charts is None else charts)
    has_metric = c.thing.metric is not None
    rows = len(names) + (1 if has_metric else 0)
    fig, axes = plots.plt.subplots(rows, 2, figsize=(2 * size[0], size[1] * rows), squeeze=False)
    r0 = 0
    if has_metric:
        plot_comparison_metric(c, axes[0, 0])
        axes[0, 1].axis("off")
        axes[0, 1].text(0.0, 0.5, wrap(c.summary().replace("**", "").replace("`", ""), 64), fontsize=8.5, va="center")
        r0 = 1
    a, b = tables(c.base), tables(c.changed)
    for r, name in enumerate(names, start=r0):
        left, right = axes[r, 0], axes[r, 1]
        draw_chart(name, a, left)
        draw_chart(name, b, right)
        left.set_title("scenario: " + left.get_title(), fontsize=10)
        right.set_title("changed: " + right.get_title(), fontsize=10)
        _same_scale(left, right)
    fig.suptitle(f"Try: {c.thing.change}", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    return fig


def plot_comparison_metric(c: Comparison, ax) -> None:
    """The judged metric over time for both runs, the judged window shaded."""
    t = c.thing
    a, b = metric_series(c.base, t.metric), metric_series(c.changed, t.metric)
    ax.plot(a.index, a.to_numpy(), label="scenario", color="C0")
    ax.plot(b.index, b.to_numpy(), label="changed: " + ", ".join(f"{k}={fmt(v)}" for k, v in t.set.items()), color="C3")
    lo, hi = judged_window(a, t.window)
    ax.axvspan(lo, hi, color="grey", alpha=0.12, label=f"judged: mean {lo:g}–{hi:g}")
    ax.set(title=f"{t.metric} — predicted: {t.expect}", xlabel="year", ylabel=metric_unit(t.metric))
    ax.legend(fontsize=8)


def _same_scale(left, right) -> None:
    """Put two axes showing the same chart on the same x and y limits (when their scales match)."""
    for get, put, scale in (("get_xlim", "set_xlim", "get_xscale"), ("get_ylim", "set_ylim", "get_yscale")):
        if getattr(left, scale)() != getattr(right, scale)():
            continue
        (a0, a1), (b0, b1) = getattr(left, get)(), getattr(right, get)()
        lims = (min(a0, b0), max(a1, b1))
        getattr(left, put)(*lims)
        getattr(right, put)(*lims)


def plot_scoreboard(board: pd.DataFrame, ax) -> None:
    """Each seed's profit per 2022 worker by strategy (dots) and the mean over seeds (bars)."""
    names = list(dict.fromkeys(board["strategy"]))
    means = board.groupby("strategy", sort=False)["profit_per_worker"].mean().reindex(names)
    x = np.arange(len(names))
    ax.bar(x, means.to_numpy() / 1e3, color="lightgrey", label="mean over seeds")
    for i, name in enumerate(names):
        vals = board.loc[board["strategy"] == name, "profit_per_worker"].to_numpy() / 1e3
        ax.scatter(np.full(len(vals), i), vals, color=f"C{i}", zorder=3, s=18)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xticks(x, [n.replace("_", "-") for n in names])
    n_seeds = board["seed"].nunique()
    ax.set(title=f"Cumulative profit per 2022 worker: {n_seeds} seeds (dots) and their mean (bars)", ylabel="$ thousand")
    ax.legend(fontsize=8)
