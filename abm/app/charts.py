"""The app's charts: matplotlib drawings of one run (or two, in the comparison), as PNG bytes.

Every chart is a function ``draw(ax, run)`` (or ``draw(ax, runs)`` for comparison charts) taking a
matplotlib ``Axes`` and the tidy tables of a :class:`~abm.app.session.RunFrame`; where
``abm.plots`` already draws the chart the app needs, the function calls it and only restyles the
result. :func:`render_png` draws one chart on its own ``Figure`` (no pyplot: the server draws
for several visitors in several threads) and returns PNG bytes.

``EXPLORE_TABS`` and ``COMPARE_CHARTS`` list what the page shows, in order.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from abm import plots
from abm.world import LEVELS

if TYPE_CHECKING:
    from abm.app.session import RunFrame

GROWTH = plots.GROWTH
LEGACY = plots.LEGACY
STRATEGY_LABELS = {"cutting": "cutting", "counter_cyclical": "counter-cyclical",
                   "recomposing": "recomposing", "non_adopting": "non-adopting"}
STRATEGY_COLORS = {"cutting": "#d62728", "counter_cyclical": "#2ca02c", "recomposing": "#1f77b4",
                   "non_adopting": "#7f7f7f"}
LEVEL_COLORS = dict(zip(LEVELS, ("#9ecae1", "#4292c6", "#08519c", "#08306b")))
RUN_COLORS = ("#d62728", "#1f77b4")  # comparison: run A, run B
# SVG with text as <text> elements: a third faster to draw than PNG here, half the bytes, and
# crisp at any width. Set once for the app's process (it only affects SVG output).
matplotlib.rcParams["svg.fonttype"] = "none"

WIDE = dict(left=0.10, right=0.97, bottom=0.14, top=0.89)  # line charts
BARS = dict(left=0.24, right=0.97, bottom=0.14, top=0.89)  # horizontal bars with category labels
TWIN = dict(left=0.10, right=0.90, bottom=0.14, top=0.89)  # a second y axis on the right


POLICY_LABELS = {"location_adjusted": "location-adjusted payers", "national_band": "national-band payers"}


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """Display names of clusters and locations from the shipped world data."""
    from abm.model import default_world

    w = default_world()
    return {"cluster": dict(zip(w.clusters["cluster"], w.clusters["label"])),
            "location": dict(zip(w.locations["location"], w.locations["label"]))}


_SHORT = {"program_mgmt": "Program / ops mgmt"}


def cluster_label(name: str) -> str:
    return _SHORT.get(name) or labels()["cluster"].get(name, name)


def _short_location(name: str) -> str:
    label = labels()["location"].get(name, name)
    return label.split(" (")[0].replace("San Francisco ", "SF ")


def _style(ax, *, legend_size: float = 7.5) -> None:
    """The app's look, applied after drawing (thread-safe: no global rcParams)."""
    ax.title.set_fontsize(10.5)
    ax.title.set_fontweight("bold")
    ax.xaxis.label.set_fontsize(8.5)
    ax.yaxis.label.set_fontsize(8.5)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#e6e6e6", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    leg = ax.get_legend()
    if leg is not None:
        for text in leg.get_texts():
            text.set_fontsize(legend_size)
            text.set_text(STRATEGY_LABELS.get(text.get_text(), text.get_text()))
        leg.get_frame().set_linewidth(0)
        leg.get_frame().set_alpha(0.8)


def _year_axis(ax, df: pd.DataFrame) -> None:
    """x axis from the start year to at least two years on, integer years."""
    start = float(df["year"].iloc[0])
    end = max(float(df["year"].iloc[-1]), start + 2)
    ax.set_xlim(start, end)
    ax.xaxis.get_major_locator().set_params(integer=True)


def _now(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of the last month of a tidy table."""
    return df[df["month"] == df["month"].max()]


def _recent(df: pd.DataFrame, months: int = 6) -> pd.DataFrame:
    """Rows of the last ``months`` months of a tidy table (smooths monthly noise)."""
    return df[df["month"] > df["month"].max() - months]


def _legend_on_top(ax, ncol: int, headroom: float = 0.28) -> None:
    """A legend in a band of free space added above the data (lines never hide under it)."""
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + headroom * (hi - lo))
    ax.legend(loc="upper center", ncol=ncol)


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#777777", fontsize=9)


# --- single-run charts ----------------------------------------------------------------------------
def beveridge(ax, run: RunFrame) -> None:
    """Vacancy rate against unemployment rate month by month; the current month highlighted."""
    df = run.model
    u, v = 100 * df["unemployment_rate"].to_numpy(), 100 * df["vacancy_rate"].to_numpy()
    ax.plot(u, v, color="#b0b0b0", lw=0.8, zorder=1)
    ax.scatter(u, v, c=df["year"], cmap="viridis", s=12, zorder=2, vmin=df["year"].iloc[0],
               vmax=max(df["year"].iloc[-1], df["year"].iloc[0] + 1))
    ax.scatter(u[-1:], v[-1:], s=70, facecolor="none", edgecolor="#d62728", lw=1.6, zorder=3)
    ax.annotate(f"{_month_name(df)}", (u[-1], v[-1]), textcoords="offset points", xytext=(-8, 7),
                ha="right", fontsize=8, color="#d62728", fontweight="bold")
    ax.margins(x=0.08, y=0.1)
    ax.annotate(f"{int(df['year'].iloc[0])}", (u[0], v[0]), textcoords="offset points", xytext=(6, -10),
                fontsize=8, color="#444444")
    ax.set(title="Beveridge curve (colour: time)", xlabel="unemployment rate (%)", ylabel="vacancy rate (%)")
    _style(ax)


def _month_name(df: pd.DataFrame) -> str:
    month = int(df["month"].iloc[-1])
    start = int(df["year"].iloc[0])
    return f"{_MONTHS[month % 12]} {start + month // 12}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rates(ax, run: RunFrame) -> None:
    plots.plot_rates(run.model, ax)
    ax.set(title="Unemployment and vacancy rates", ylabel="% of labour force / of jobs")
    _year_axis(ax, run.model)
    _style(ax)


def cluster_ratio(ax, run: RunFrame) -> None:
    """Vacancies per job seeker by skill cluster over time (log scale; legacy clusters dashed)."""
    cdf = run.clusters
    for name in GROWTH + LEGACY:
        sub = cdf[cdf["cluster"] == name]
        ax.plot(sub["year"], sub["vacancy_seeker_ratio"].clip(lower=0.02), label=cluster_label(name),
                ls="-" if name in GROWTH else "--", lw=1.4)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(_plain_formatter())
    ax.yaxis.set_minor_locator(_null_locator())  # minor ticks of a log axis cost a tick object each
    ax.axhline(1, color="#555555", lw=0.7)
    ax.set(title="Vacancies per job seeker by skill cluster", xlabel="year", ylabel="vacancies / job seeker (log)")
    ax.legend(ncol=2, loc="upper left")
    _year_axis(ax, run.model)
    _style(ax, legend_size=6.5)


def _plain_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda y, _pos: f"{y:g}")


def _null_locator():
    from matplotlib.ticker import NullLocator

    return NullLocator()


def seekers_vacancies(ax, run: RunFrame) -> None:
    """Job seekers and open vacancies by cluster this month: where the mismatch is."""
    now = _now(run.clusters).copy()
    now["ratio"] = now["vacancies"] / now["unemployed"].clip(lower=1)
    now = now.sort_values("ratio")
    y = np.arange(len(now))
    ax.barh(y - 0.2, now["unemployed"], height=0.4, color="#ff7f0e", label="job seekers")
    ax.barh(y + 0.2, now["vacancies"], height=0.4, color="#1f77b4", label="open vacancies")
    ax.set_yticks(y, [cluster_label(c) for c in now["cluster"]])
    ax.set(title=f"Job seekers vs vacancies by cluster, {_month_name(run.model)}", xlabel="workers / open jobs")
    ax.legend(loc="lower right")
    _style(ax)


def vacancy_duration(ax, run: RunFrame) -> None:
    """Mean age of open vacancies by cluster (last 6 months): hard-to-fill roles stay open."""
    rec = _recent(run.clusters).groupby("cluster", observed=True)["mean_vacancy_duration"].mean().sort_values()
    colors = ["#1f77b4" if c in GROWTH else ("#ff7f0e" if c in LEGACY else "#9e9e9e") for c in rec.index]
    ax.barh([cluster_label(c) for c in rec.index], rec.to_numpy(), color=colors)
    ax.set(title="How long vacancies stay open (last 6 months)", xlabel="mean age of open vacancies (months)")
    _style(ax)


def mismatch(ax, run: RunFrame) -> None:
    plots.plot_mismatch(run.model, ax)
    ax.set_ylim(bottom=0)
    _year_axis(ax, run.model)
    _style(ax)


def pay_overview(ax, run: RunFrame) -> None:
    plots.plot_pay(run.model, ax)
    ax.set(title="AI pay premium and remote pay gap", ylabel="% difference")
    _year_axis(ax, run.model)
    _style(ax)


def ai_premium(ax, run: RunFrame) -> None:
    df = run.model
    ax.plot(df["year"], 100 * df["ai_premium"], color="#9467bd", lw=1.6)
    ax.axhline(0, color="#555555", lw=0.6)
    ax.set(title="AI pay premium (ML/AI vs other developers, same level)", xlabel="year", ylabel="premium (%)")
    _year_axis(ax, df)
    _style(ax)


def remote_ratio(ax, run: RunFrame) -> None:
    """Remote/onsite pay ratio over time, overall and by pay policy."""
    df = run.model
    ax.plot(df["year"], df["remote_onsite_pay_ratio_adjusted"], color="#d62728", lw=1.6, label=POLICY_LABELS["location_adjusted"])
    ax.plot(df["year"], df["remote_onsite_pay_ratio_national"], color="#2ca02c", lw=1.6, label=POLICY_LABELS["national_band"])
    ax.plot(df["year"], df["remote_onsite_pay_ratio"], color="#333333", lw=1.0, ls="--", label="all firms")
    ax.axhline(1, color="#555555", lw=0.6)
    ax.set(title="Remote / onsite pay for comparable jobs", xlabel="year", ylabel="remote ÷ onsite pay")
    _legend_on_top(ax, ncol=3, headroom=0.22)
    _year_axis(ax, df)
    _style(ax)


def remote_ratio_by_cluster(ax, run: RunFrame) -> None:
    """Remote/onsite pay ratio by cluster and pay policy (last 6 months)."""
    rec = _recent(run.pay).groupby(["cluster", "pay_policy"], observed=True)["remote_onsite_pay_ratio"].mean().unstack()
    if rec.empty:
        _empty(ax, "no comparable remote and onsite jobs yet")
        return
    order = [c for c in labels()["cluster"] if c in rec.index]
    rec = rec.loc[order]
    y = np.arange(len(rec))
    for k, (policy, color) in enumerate((("location_adjusted", "#d62728"), ("national_band", "#2ca02c"))):
        if policy in rec:
            ax.barh(y + (0.2 if k else -0.2), rec[policy].to_numpy(), height=0.4, color=color, label=POLICY_LABELS[policy])
    ax.axvline(1, color="#555555", lw=0.7)
    finite = rec.to_numpy()[np.isfinite(rec.to_numpy())]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.8, 1.0)
    ax.set_xlim(min(0.75, lo - 0.03), max(1.0, hi) + 0.22)
    ax.set_yticks(y, [cluster_label(c) for c in rec.index])
    ax.set(title="Remote ÷ onsite pay by cluster (last 6 months)", xlabel="remote ÷ onsite pay")
    ax.legend(loc="upper right")
    _style(ax)


def median_wage_by_cluster(ax, run: RunFrame) -> None:
    now = _now(run.clusters).set_index("cluster")["median_wage"]
    start = run.clusters[run.clusters["month"] == 0].set_index("cluster")["median_wage"]
    change = 100 * (now / start.replace(0, np.nan) - 1)
    change = change.sort_values()
    ax.barh([cluster_label(c) for c in change.index], change.to_numpy(),
            color=["#2ca02c" if x >= 0 else "#d62728" for x in change.to_numpy()])
    ax.axvline(0, color="#555555", lw=0.7)
    ax.set(title=f"Median pay change since {int(run.model['year'].iloc[0])} by cluster", xlabel="change (%)")
    _style(ax)


def seniority(ax, run: RunFrame) -> None:
    plots.plot_seniority(run.model, ax)
    for line, lv in zip(ax.get_lines(), LEVELS):
        line.set_color(LEVEL_COLORS[lv])
        line.set_linewidth(1.6)
    ax.legend(loc="lower center", ncol=4)
    ax.set_ylim(bottom=0)
    _year_axis(ax, run.model)
    _style(ax)


def junior_hires(ax, run: RunFrame) -> None:
    df = run.model
    if (df["month"] > 0).any():
        plots.plot_junior_hires(df, ax)
    else:
        _empty(ax, "no months simulated yet")
        ax.set(title="Junior hires per year")
    ax.set(ylabel="junior hires (workers / year)", xlabel="calendar year (current year so far)")
    _style(ax)


def senior_vacancy_age(ax, run: RunFrame) -> None:
    df = run.model
    ax.plot(df["year"], df["senior_vacancy_duration"], color="#08306b", lw=1.6, label="senior + staff vacancies")
    ax.plot(df["year"], df["ai_vacancy_duration"], color="#9467bd", lw=1.2, ls="--", label="ML/AI vacancies")
    ax.set(title="Hard-to-fill roles: mean age of open vacancies", xlabel="year", ylabel="months open")
    ax.legend(loc="upper left")
    ax.set_ylim(bottom=0)
    _year_axis(ax, df)
    _style(ax)


def long_term_unemployed(ax, run: RunFrame) -> None:
    df = run.model
    ax.plot(df["year"], 100 * df["long_term_unemployed_share"], color="#8c564b", lw=1.6)
    ax.set(title="Long-term unemployed (> 6 months)", xlabel="year", ylabel="% of job seekers")
    ax.set_ylim(bottom=0)
    _year_axis(ax, df)
    _style(ax)


def _by_strategy(ax, run: RunFrame, column: str, per_firm: bool, title: str, ylabel: str, scale: float = 1.0) -> None:
    for name, sub in run.firms.groupby("strategy", observed=True):
        if sub["firms"].max() <= 0:
            continue
        y = sub[column] / (sub["firms"].clip(lower=1) if per_firm else 1) / scale
        ax.plot(sub["year"], y, label=STRATEGY_LABELS.get(str(name), str(name)), color=STRATEGY_COLORS.get(str(name)), lw=1.6)
    ax.set(title=title, xlabel="year", ylabel=ylabel)
    _legend_on_top(ax, ncol=4)
    _year_axis(ax, run.model)
    _style(ax)


def firm_headcount(ax, run: RunFrame) -> None:
    _by_strategy(ax, run, "headcount", True, "Headcount per firm by strategy", "employees per firm")


def firm_juniors(ax, run: RunFrame) -> None:
    _by_strategy(ax, run, "juniors", True, "Juniors per firm by strategy", "junior employees per firm")


def firm_seniors(ax, run: RunFrame) -> None:
    _by_strategy(ax, run, "seniors", True, "Seniors + staff per firm by strategy", "senior + staff per firm")


def firm_profit(ax, run: RunFrame) -> None:
    plots.plot_firm_profit(run.firms, ax)
    for line in ax.get_lines():
        line.set_color(STRATEGY_COLORS.get(str(line.get_label()), None))
        line.set_linewidth(1.6)
    _legend_on_top(ax, ncol=4)
    ax.axhline(0, color="#555555", lw=0.6)
    ax.set(title="Cumulative profit per firm by strategy", ylabel="$ million per firm")
    _year_axis(ax, run.model)
    _style(ax)


def retraining(ax, run: RunFrame) -> None:
    plots.plot_retraining(run.model, ax)
    ax.set(title="Retraining: enrolled, completed, re-employed", ylabel="workers")
    lo, hi = ax.get_ylim()
    ax.set_ylim(0, max(hi, 1) * 1.3)  # a band on top for the legend
    _year_axis(ax, run.model)
    _style(ax)
    for twin in [a for a in ax.figure.axes if a is not ax]:
        twin.set_ylim(0, 130)
        twin.set_yticks([0, 25, 50, 75, 100])
        twin.tick_params(labelsize=8)
        twin.yaxis.label.set_fontsize(8.5)
        twin.spines["top"].set_visible(False)
        lines = ax.get_lines() + twin.get_lines()
        ax.legend(lines, [ln.get_label() for ln in lines], loc="upper center", ncol=3, fontsize=7)
    leg = ax.get_legend()
    if leg is not None:
        leg.get_frame().set_linewidth(0)


def retraining_flows(ax, run: RunFrame) -> None:
    df = run.model[run.model["month"] > 0]
    if df.empty:
        _empty(ax, "no months simulated yet")
    else:
        yearly = df.groupby(df["year"].sub(1 / 12).floordiv(1).astype(int))[
            ["retraining_started", "retraining_completed", "retraining_dropouts"]].sum()
        x = yearly.index.to_numpy()
        ax.bar(x - 0.27, yearly["retraining_started"], width=0.27, label="enrolments", color="#1f77b4")
        ax.bar(x, yearly["retraining_completed"], width=0.27, label="completions", color="#2ca02c")
        ax.bar(x + 0.27, yearly["retraining_dropouts"], width=0.27, label="dropouts", color="#d62728")
        ax.legend(loc="upper left")
    ax.set(title="Retraining flows per year", xlabel="calendar year", ylabel="workers / year")
    _style(ax)


def retrained_pay(ax, run: RunFrame) -> None:
    df = run.model
    has = df["retrained_mean_wage"] > 0
    ax.plot(df["year"], df["median_wage"] / 1e3, color="#7f7f7f", lw=1.2, label="median pay, all employees")
    if has.any():
        ax.plot(df["year"][has], df["retrained_mean_wage"][has] / 1e3, color="#2ca02c", lw=1.6,
                label="mean pay, retrained & employed")
    ax.set(title="Pay after retraining", xlabel="year", ylabel="$ thousand / year")
    _legend_on_top(ax, ncol=2)
    _year_axis(ax, df)
    _style(ax)


def _location_bars(ax, run: RunFrame, values: pd.Series, title: str, xlabel: str, color: str) -> None:
    ax.barh([_short_location(str(c)) for c in values.index][::-1], values.to_numpy()[::-1], color=color)
    ax.set(title=title, xlabel=xlabel)
    _style(ax)


def location_workers(ax, run: RunFrame) -> None:
    now = _now(run.locations).set_index("location")
    names = [_short_location(str(c)) for c in now.index][::-1]
    ax.barh(names, now["employed"].to_numpy()[::-1], color="#1f77b4", label="employed")
    ax.barh(names, now["unemployed"].to_numpy()[::-1], left=now["employed"].to_numpy()[::-1], color="#ff7f0e", label="job seekers")
    ax.set(title=f"Workers by metro, {_month_name(run.model)}", xlabel="workers living there")
    ax.legend(loc="lower right")
    _style(ax)


def location_unemployment(ax, run: RunFrame) -> None:
    rec = _recent(run.locations, 3).groupby("location", observed=True)["unemployment_rate"].mean()
    _location_bars(ax, run, 100 * rec, "Unemployment rate by metro (last 3 months)", "unemployment rate (%)", "#ff7f0e")


def location_pay(ax, run: RunFrame) -> None:
    now = _now(run.locations).set_index("location")["median_wage"] / 1e3
    _location_bars(ax, run, now, "Median pay of residents by metro", "$ thousand / year", "#2ca02c")


def location_remote(ax, run: RunFrame) -> None:
    now = _now(run.locations).set_index("location")["remote_share"] * 100
    _location_bars(ax, run, now, "Employees in fully remote jobs by metro", "% of employed residents", "#9467bd")


# --- comparison charts (two runs, A solid red, B blue) ---------------------------------------------
def _compare_lines(ax, runs, series: Callable[[RunFrame], pd.Series], title: str, ylabel: str) -> None:
    for run, color in zip(runs, RUN_COLORS):
        s = series(run)
        ax.plot(run.model["year"], s.to_numpy(), color=color, lw=1.7, label=run.label)
    ax.set(title=title, xlabel="year", ylabel=ylabel)
    _legend_on_top(ax, ncol=2)
    _year_axis(ax, runs[0].model)
    _style(ax)


def compare_unemployment(ax, runs) -> None:
    _compare_lines(ax, runs, lambda r: 100 * r.model["unemployment_rate"], "Unemployment rate", "% of labour force")


def compare_juniors(ax, runs) -> None:
    _compare_lines(ax, runs, lambda r: r.model["workers_by_seniority_junior"], "Juniors employed", "workers")
    ax.set_ylim(bottom=0)


def compare_seniors(ax, runs) -> None:
    _compare_lines(ax, runs, lambda r: r.model["workers_by_seniority_senior"] + r.model["workers_by_seniority_staff"],
                   "Seniors + staff employed (the pipeline)", "workers")


def compare_senior_vacancies(ax, runs) -> None:
    _compare_lines(ax, runs, lambda r: r.model["senior_vacancy_duration"], "Senior vacancies: mean months open", "months")
    ax.set_ylim(bottom=0)


def compare_profit(ax, runs) -> None:
    def per_firm(r: RunFrame) -> pd.Series:
        tot = r.firms.groupby("month", observed=True)[["cumulative_profit", "firms"]].sum()
        return (tot["cumulative_profit"] / tot["firms"].clip(lower=1) / 1e6).reindex(r.model["month"]).fillna(0)

    _compare_lines(ax, runs, per_firm, "Cumulative profit per firm", "$ million per firm")
    ax.axhline(0, color="#555555", lw=0.6)


def compare_mismatch(ax, runs) -> None:
    _compare_lines(ax, runs, lambda r: r.model["mismatch_index"], "Mismatch index (Şahin et al. 2014)", "index (0–1)")
    ax.set_ylim(bottom=0)


def compare_junior_hires(ax, runs) -> None:
    width = 0.4
    for k, (run, color) in enumerate(zip(runs, RUN_COLORS)):
        df = run.model[run.model["month"] > 0]
        if df.empty:
            continue
        yearly = df.groupby(df["year"].sub(1 / 12).floordiv(1).astype(int))["junior_hires"].sum()
        ax.bar(yearly.index.to_numpy() + (k - 0.5) * width, yearly.to_numpy(), width=width, color=color, label=run.label)
    if not ax.patches:
        _empty(ax, "no months simulated yet")
    else:
        _legend_on_top(ax, ncol=2)
    ax.set(title="Junior hires per year", xlabel="calendar year (current year so far)", ylabel="junior hires / year")
    _style(ax)


def compare_remote(ax, runs) -> None:
    _compare_lines(ax, runs, lambda r: r.model["remote_onsite_pay_ratio"], "Remote ÷ onsite pay (all firms)", "ratio")


# --- the page's layout -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Chart:
    key: str
    draw: Callable
    caption: str = ""
    bars: bool = False  # horizontal bars with category labels: wider left margin
    twin: bool = False  # a second y axis: wider right margin

    @property
    def margins(self) -> dict:
        return BARS if self.bars else (TWIN if self.twin else WIDE)


EXPLORE_TABS: dict[str, list[Chart]] = {
    "Overview": [
        Chart("beveridge", beveridge, "Each dot is a month. Up-left: a tight market; down-right: slack. "
              "Moving right while vacancies stay up is mismatch, not a lack of jobs."),
        Chart("cluster_ratio", cluster_ratio, "Above 1: more open jobs than job seekers. Growth clusters (solid) "
              "pull away from legacy clusters (dashed)."),
        Chart("remote_ratio", remote_ratio, "Below 1: remote workers are paid less than onsite colleagues in the same "
              "firm, metro, occupation and level — location-adjusted payers compress remote pay."),
        Chart("seniority", seniority, "The pipeline: a junior freeze shows up as fewer mids and seniors years later."),
    ],
    "Mismatch": [
        Chart("seekers_vacancies", seekers_vacancies, "Orange bars longer than blue: workers without jobs to match; "
              "blue longer than orange: jobs without workers.", bars=True),
        Chart("cluster_ratio", cluster_ratio),
        Chart("vacancy_duration", vacancy_duration, "Blue: growth clusters; orange: legacy-exposed clusters.", bars=True),
        Chart("mismatch", mismatch, "0 = job seekers are where the vacancies are; higher = misallocated across clusters."),
    ],
    "Pay": [
        Chart("remote_ratio", remote_ratio),
        Chart("remote_by_cluster", remote_ratio_by_cluster, bars=True),
        Chart("ai_premium", ai_premium),
        Chart("wage_change", median_wage_by_cluster, bars=True),
    ],
    "Pipeline": [
        Chart("seniority", seniority),
        Chart("junior_hires", junior_hires),
        Chart("senior_vacancy_age", senior_vacancy_age, "Senior vacancies that stay open longer are the pipeline "
              "gap arriving."),
        Chart("firm_juniors", firm_juniors),
    ],
    "Firms": [
        Chart("firm_profit", firm_profit),
        Chart("firm_headcount", firm_headcount),
        Chart("firm_juniors", firm_juniors),
        Chart("firm_seniors", firm_seniors),
    ],
    "Retraining": [
        Chart("retraining", retraining, "Stock in programmes, cumulative completions, and the share of completers "
              "who are employed (right axis).", twin=True),
        Chart("retraining_flows", retraining_flows),
        Chart("retrained_pay", retrained_pay),
        Chart("long_term", long_term_unemployed),
    ],
    "Locations": [
        Chart("location_workers", location_workers, bars=True),
        Chart("location_unemployment", location_unemployment, bars=True),
        Chart("location_pay", location_pay, bars=True),
        Chart("location_remote", location_remote, bars=True),
    ],
}

COMPARE_CHARTS: list[Chart] = [
    Chart("compare_juniors", compare_juniors),
    Chart("compare_seniors", compare_seniors),
    Chart("compare_junior_hires", compare_junior_hires),
    Chart("compare_profit", compare_profit),
    Chart("compare_unemployment", compare_unemployment),
    Chart("compare_mismatch", compare_mismatch),
]


def render(draw: Callable, data, *, size: tuple[float, float] = (6.2, 3.6), margins: dict | None = None,
           fmt: str = "svg") -> bytes:
    """Draw one chart on a fresh Figure (no pyplot) and return its bytes (SVG by default)."""
    fig = Figure(figsize=size, dpi=96)
    fig.subplots_adjust(**(margins or WIDE))
    ax = fig.subplots()
    draw(ax, data)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, facecolor="white")
    return buf.getvalue()
