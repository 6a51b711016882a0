"""The chart registry: every named chart of the project, each a function of a run's tables.

A :class:`Chart` says *what* to draw — its title, axis titles with units, which style family its
series belong to, reference lines — and has a ``data`` function that turns a run's tidy tables
(:data:`Tables`: ``model``, ``cluster``, ``firm``, ``location``, ``pay``) into one tidy frame:

========  ===================================================================================
``x``     calendar year (line and path charts), a category's label (bar charts)
``y``     the value, in the unit of the y-axis title
``key``   the series (a key of the style family: ``"cutting"``, ``"ml_ai"``, ``"junior"``, ...)
``t``     path charts only: the calendar year of the point (the Beveridge curve's colour)
``order`` bar charts only: the categories' order on the axis
========  ===================================================================================

The frame may carry ``attrs["subtitle"]`` (e.g. the month a snapshot shows). Renderers —
:mod:`abm.charts.static` (matplotlib, for reports, notebooks and PNG export) and
:mod:`abm.charts.interactive` (Vega-Lite via Altair, for the app) — draw any chart from that
frame, for one run, several runs side by side, or several seeds of each run (a band).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Union, cast

import numpy as np
import pandas as pd

from abm.charts import theme

if TYPE_CHECKING:
    from abm.model import LaborMarket
    from abm.runs import Results

#: A run's five tidy tables by name (``LaborMarket.model_metrics()`` etc.).
Tables = Mapping[str, pd.DataFrame]
#: One run: its tables, its :class:`~abm.runs.Results`, or a live model (its tables taken now).
Run = Union[Tables, "Results", "LaborMarket"]
TABLE_NAMES = ("model", "cluster", "firm", "location", "pay")
KINDS = ("line", "path", "bars", "hbars")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def as_tables(data: Run) -> Tables:
    """A run's tables from its :class:`~abm.runs.Results`, a live :class:`~abm.model.LaborMarket`
    (taken now, :func:`abm.runs.snapshot`) or the tables themselves."""
    from abm.runs import Results, snapshot

    if isinstance(data, Mapping):
        return data
    if isinstance(data, Results):
        return data.tables
    return snapshot(data).tables


@dataclass(frozen=True)
class Band:
    """A shaded range of values (``axis="y"``) or of years (``axis="x"``) with its legend label."""

    lo: float
    hi: float
    label: str
    axis: str = "y"


@dataclass(frozen=True)
class Chart:
    """One named chart: what it shows and how to get its data from a run's tables."""

    name: str
    title: str
    data: Callable[[Tables], pd.DataFrame] = field(repr=False)
    kind: str
    x_title: str
    y_title: str
    family: str
    caption: str = ""  # one line under the chart: how to read it
    labels: Mapping[str, str] = field(default_factory=dict)  # key → label, overriding the family's
    log_y: bool = False
    y_zero: bool = False  # value axis starts at 0
    rules: tuple[float, ...] = ()  # reference lines on the value axis
    band: Band | None = None
    y_format: str = ".3g"  # d3 format of values (tooltips, alt text)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"chart {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        theme.family(self.family)  # raises KeyError for an unknown family

    def styles(self) -> dict[str, theme.Style]:
        """The chart's series styles by key, with its own labels."""
        return {k: replace(s, label=self.labels.get(k, s.label) or self.title) for k, s in theme.family(self.family).items()}

    @property
    def years(self) -> bool:
        """True when x is calendar time."""
        return self.kind in ("line",)


# --- helpers -----------------------------------------------------------------------------------
def month_label(model: pd.DataFrame) -> str:
    """``"Mar 2027"``: the last month of a model table."""
    month = int(model["month"].iloc[-1])
    start = int(round(float(model["year"].iloc[0])))
    return f"{MONTHS[month % 12]} {start + month // 12}"


def _lines(df: pd.DataFrame, series: Mapping[str, object]) -> pd.DataFrame:
    """Tidy lines over calendar time: one block of rows per key, x = ``df['year']``."""
    x = df["year"].to_numpy(float)
    return pd.concat([pd.DataFrame({"x": x, "y": np.asarray(v, dtype=float), "key": k}) for k, v in series.items()],
                     ignore_index=True)


def _by(df: pd.DataFrame, key: str, value: Callable[[pd.DataFrame], object],
        keep: Callable[[pd.DataFrame], object] | None = None) -> pd.DataFrame:
    """Tidy lines of a long table: one line per value of its ``key`` column (``keep``: a row mask)."""
    out = pd.DataFrame({"x": df["year"].to_numpy(float), "y": np.asarray(value(df), dtype=float),
                        "key": df[key].astype(str).to_numpy()})
    return out if keep is None else out[np.asarray(keep(df), dtype=bool)].reset_index(drop=True)


def _nan_zero(s: pd.Series) -> pd.Series:
    """Ratios that are 0 because nobody is in the group → NaN (a gap in the line, not a dive to 0)."""
    return s.where(s > 0)


def _recent(df: pd.DataFrame, months: int) -> pd.DataFrame:
    return df[df["month"] > df["month"].max() - months]


def _now(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["month"] == df["month"].max()]


def _yearly(model: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Monthly flows summed by calendar year (month m ends in year ``start + (m-1)//12``)."""
    df = model[model["month"] > 0]
    if df.empty:
        return pd.DataFrame(columns=["x", "y", "key", "order"])
    year = df["year"].sub(1 / 12).floordiv(1).astype(int)
    sums = df.groupby(year)[list(columns.values())].sum()
    out = pd.concat([pd.DataFrame({"x": sums.index.astype(str), "y": sums[c].to_numpy(float), "key": k, "order": sums.index})
                     for k, c in columns.items()], ignore_index=True)
    out.attrs["subtitle"] = "the current year so far" if int(model["month"].iloc[-1]) % 12 else ""
    return out


def _categories(values: pd.DataFrame, label: Callable[[str], str], sort_by: str | None = None) -> pd.DataFrame:
    """Bars: a table indexed by category with one column per key → tidy (x = label, order)."""
    if sort_by is not None:
        values = values.sort_values(sort_by)
    order = {c: i for i, c in enumerate(values.index)}
    parts = [pd.DataFrame({"x": [label(str(c)) for c in values.index], "y": values[k].to_numpy(float), "key": k,
                           "order": [order[c] for c in values.index]}) for k in values.columns]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["x", "y", "key", "order"])


def _single(values: pd.Series, label: Callable[[str], str], key: str | Callable[[str], str] = "value",
            ascending: bool = True) -> pd.DataFrame:
    values = values.sort_values(ascending=ascending)
    keys = [key(str(c)) if callable(key) else key for c in values.index]
    return pd.DataFrame({"x": [label(str(c)) for c in values.index], "y": values.to_numpy(float), "key": keys,
                         "order": np.arange(len(values))})


def _strategies_with_firms(firm: pd.DataFrame) -> pd.Series:
    """Rows of strategies that have firms at some month (the others are left out of charts)."""
    return firm.groupby("strategy", observed=True)["firms"].transform("max") > 0


def profit_per_worker(firm: pd.DataFrame) -> pd.DataFrame:
    """Cumulative profit per 2022 worker ($) by strategy and month (firm sizes do not confound)."""
    size = firm[firm["month"] == firm["month"].min()].set_index("strategy")["headcount"].clip(lower=1.0)
    out = firm[["month", "year", "strategy"]].copy()
    out["profit_per_worker"] = firm["cumulative_profit"].to_numpy(float) / firm["strategy"].astype(str).map(size.rename(index=str)).to_numpy(float)
    return out


# --- the charts' data -------------------------------------------------------------------------
def rates(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"unemployed": 100 * m["unemployment_rate"], "vacancies": 100 * m["vacancy_rate"]})


def beveridge(t: Tables) -> pd.DataFrame:
    m = t["model"]
    df = pd.DataFrame({"x": 100 * m["unemployment_rate"].to_numpy(float), "y": 100 * m["vacancy_rate"].to_numpy(float),
                       "key": "value", "t": m["year"].to_numpy(float)})
    df.attrs["subtitle"] = f"{int(round(float(m['year'].iloc[0])))} → {month_label(m)}"
    return df


def mismatch(t: Tables) -> pd.DataFrame:
    return _lines(t["model"], {"value": t["model"]["mismatch_index"]})


def ai_premium(t: Tables) -> pd.DataFrame:
    return _lines(t["model"], {"value": 100 * t["model"]["ai_premium"]})


def remote_pay(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"location_adjusted": _nan_zero(m["remote_onsite_pay_ratio_adjusted"]),
                      "national_band": _nan_zero(m["remote_onsite_pay_ratio_national"]),
                      "all": _nan_zero(m["remote_onsite_pay_ratio"])})


def seniority(t: Tables) -> pd.DataFrame:
    from abm.world import LEVELS

    m = t["model"]
    return _lines(m, {lv: m[f"workers_by_seniority_{lv}"] for lv in LEVELS})


def junior_hires(t: Tables) -> pd.DataFrame:
    return _yearly(t["model"], {"value": "junior_hires"})


def cluster_ratio(t: Tables) -> pd.DataFrame:
    c = t["cluster"]
    shown = [n for n in theme.family("cluster") if theme.cluster_group(n) != "other"]
    return _by(c, "cluster", lambda s: s["vacancy_seeker_ratio"].clip(lower=0.02), lambda s: s["cluster"].isin(shown))


def _seekers_and_vacancies(cluster: pd.DataFrame) -> pd.DataFrame:
    table = cluster.groupby("cluster", observed=True)[["unemployed", "vacancies"]].mean()
    table["ratio"] = table["vacancies"] / table["unemployed"].clip(lower=1)
    return _categories(table[["unemployed", "vacancies", "ratio"]].sort_values("ratio")[["unemployed", "vacancies"]],
                       theme.cluster_label)


def seekers_vacancies(t: Tables) -> pd.DataFrame:
    out = _seekers_and_vacancies(_now(t["cluster"]))
    out.attrs["subtitle"] = month_label(t["model"])
    return out


def cluster_snapshot(t: Tables) -> pd.DataFrame:
    """Job seekers and vacancies by cluster in the most mismatched calendar year (monthly means)."""
    m = t["model"][t["model"]["month"] > 0]
    if m.empty:
        return seekers_vacancies(t)
    year = m["year"].sub(1e-9).floordiv(1)
    worst = int(m.groupby(year)["mismatch_index"].mean().idxmax())
    c = t["cluster"][t["cluster"]["month"] > 0]
    out = _seekers_and_vacancies(c[c["year"].sub(1e-9).floordiv(1) == worst])
    out.attrs["subtitle"] = f"{worst}, the most mismatched year (monthly means)"
    return out


def vacancy_duration_by_cluster(t: Tables) -> pd.DataFrame:
    rec = _recent(t["cluster"], 6).groupby("cluster", observed=True)["mean_vacancy_duration"].mean()
    return _single(rec, theme.cluster_label, theme.cluster_group)


def hard_to_fill(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"senior": m["senior_vacancy_duration"], "ml_ai": m["ai_vacancy_duration"]})


def remote_by_cluster(t: Tables) -> pd.DataFrame:
    rec = _recent(t["pay"], 6).groupby(["cluster", "pay_policy"], observed=True)["remote_onsite_pay_ratio"].mean().unstack()
    rec = rec.reindex(columns=[c for c in ("location_adjusted", "national_band") if c in rec.columns])
    rec = rec.reindex([c for c in theme.family("cluster") if c in rec.index][::-1])
    return _categories(rec, theme.cluster_label)


def wage_change(t: Tables) -> pd.DataFrame:
    c = t["cluster"]
    now = _now(c).set_index("cluster")["median_wage"]
    start = c[c["month"] == c["month"].min()].set_index("cluster")["median_wage"]
    change = (100 * (now / start.replace(0, np.nan) - 1)).dropna()
    return _single(change, theme.cluster_label, theme.cluster_group)


def firm_profit(t: Tables) -> pd.DataFrame:
    f = t["firm"]
    ppw = profit_per_worker(f)
    ppw["firms"] = f["firms"].to_numpy()
    return _by(ppw, "strategy", lambda s: s["profit_per_worker"] / 1e3, _strategies_with_firms)


def _per_firm(column: str) -> Callable[[Tables], pd.DataFrame]:
    def data(t: Tables) -> pd.DataFrame:
        return _by(t["firm"], "strategy", lambda s: s[column] / s["firms"].clip(lower=1), _strategies_with_firms)

    data.__name__ = f"{column}_per_firm"
    return data


def retraining(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"enrolled": m["retraining_enrolled"], "completed": m["retraining_completed"].cumsum()})


def retrained_employed(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"value": (100 * m["retrained_employment_rate"]).where(m["retraining_completed"].cumsum() > 0)})


def retraining_flows(t: Tables) -> pd.DataFrame:
    return _yearly(t["model"], {"started": "retraining_started", "completions": "retraining_completed",
                                "dropouts": "retraining_dropouts"})


def retrained_pay(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"retrained": _nan_zero(m["retrained_mean_wage"]) / 1e3, "median": m["median_wage"] / 1e3})


def long_term_unemployed(t: Tables) -> pd.DataFrame:
    return _lines(t["model"], {"value": 100 * t["model"]["long_term_unemployed_share"]})


def location_workers(t: Tables) -> pd.DataFrame:
    now = _now(t["location"]).set_index("location")[["employed", "unemployed"]]
    out = _categories(now.iloc[::-1], theme.location_label)
    out.attrs["subtitle"] = month_label(t["model"])
    return out


def location_unemployment(t: Tables) -> pd.DataFrame:
    rec = _recent(t["location"], 3).groupby("location", observed=True)["unemployment_rate"].mean()
    return _single(100 * rec, theme.location_label)


def location_pay(t: Tables) -> pd.DataFrame:
    return _single(_now(t["location"]).set_index("location")["median_wage"] / 1e3, theme.location_label)


def location_remote(t: Tables) -> pd.DataFrame:
    return _single(100 * _now(t["location"]).set_index("location")["remote_share"], theme.location_label)


def unemployment(t: Tables) -> pd.DataFrame:
    return _lines(t["model"], {"value": 100 * t["model"]["unemployment_rate"]})


def vacancy_rate(t: Tables) -> pd.DataFrame:
    return _lines(t["model"], {"value": 100 * t["model"]["vacancy_rate"]})


def juniors(t: Tables) -> pd.DataFrame:
    return _lines(t["model"], {"value": t["model"]["workers_by_seniority_junior"]})


def seniors(t: Tables) -> pd.DataFrame:
    m = t["model"]
    return _lines(m, {"value": m["workers_by_seniority_senior"] + m["workers_by_seniority_staff"]})


def profit_all(t: Tables) -> pd.DataFrame:
    f = t["firm"]
    by_month = f.groupby("month", observed=True)["cumulative_profit"].sum()
    size = max(float(f.loc[f["month"] == f["month"].min(), "headcount"].sum()), 1.0)
    m = t["model"]
    return _lines(m, {"value": by_month.reindex(m["month"]).fillna(0.0).to_numpy() / size / 1e3})


# --- the registry ------------------------------------------------------------------------------
_YEAR = "year"
CHART_LIST: tuple[Chart, ...] = (
    Chart("rates", "Unemployment and vacancy rates", rates, "line", _YEAR, "rate (%)", "market",
          labels={"unemployed": "unemployment rate (% of labour force)", "vacancies": "vacancy rate (% of jobs)"},
          y_zero=True, y_format=".1f"),
    Chart("beveridge", "Beveridge curve", beveridge, "path", "unemployment rate (%)", "vacancy rate (%)", "single",
          caption="Each dot is a month, coloured by time. Up-left: a tight market; down-right: slack. "
                  "Moving up and right at once is mismatch, not a lack of jobs.", y_format=".1f"),
    Chart("mismatch", "Mismatch index (Şahin et al. 2014)", mismatch, "line", _YEAR, "index (0 = none, 1 = total)",
          "single", caption="0 = job seekers are where the vacancies are; higher = they are in different clusters.",
          labels={"value": "mismatch index"}, y_zero=True, y_format=".2f"),
    Chart("ai_premium", "AI pay premium (ML/AI vs other developers, same level)", ai_premium, "line", _YEAR,
          "premium (%)", "single", labels={"value": "AI pay premium"}, rules=(0.0,), y_format=".1f"),
    Chart("remote_pay", "Remote ÷ onsite pay for comparable jobs", remote_pay, "line", _YEAR,
          "remote ÷ onsite pay (ratio)", "policy", rules=(1.0,), band=Band(0.7, 0.9, "articles: 70–90 % of onsite pay"),
          caption="Below 1: remote workers are paid less than onsite colleagues in the same firm, metro, occupation "
                  "and level; location-adjusted payers compress remote pay.", y_format=".2f"),
    Chart("seniority", "Employed workers by seniority", seniority, "line", _YEAR, "employed workers", "level",
          caption="The pipeline: a junior freeze shows up as fewer mids and seniors years later.", y_zero=True,
          y_format=",.0f"),
    Chart("junior_hires", "Junior hires per year", junior_hires, "bars", "calendar year", "junior hires (workers / year)",
          "single", labels={"value": "junior hires"}, y_format=",.0f"),
    Chart("cluster_ratio", "Vacancies per job seeker by skill cluster", cluster_ratio, "line", _YEAR,
          "vacancies per job seeker (log scale)", "cluster", log_y=True, rules=(1.0,),
          caption="Above 1: more open jobs than job seekers. Growth clusters (solid) pull away from legacy-exposed "
                  "clusters (dashed).", y_format=".2f"),
    Chart("seekers_vacancies", "Job seekers and open vacancies by cluster", seekers_vacancies, "hbars", "",
          "workers / open jobs", "market", caption="Black bar longer: workers without jobs to match; blue bar longer: "
          "jobs without workers.", y_format=",.0f"),
    Chart("cluster_snapshot", "Job seekers and open vacancies by cluster", cluster_snapshot, "hbars", "",
          "workers / open jobs (monthly mean)", "market", y_format=",.0f"),
    Chart("vacancy_duration", "How long vacancies stay open, by cluster (last 6 months)", vacancy_duration_by_cluster,
          "hbars", "", "mean age of open vacancies (months)", "cluster_group",
          labels={"growth": "growth clusters", "legacy": "legacy-exposed clusters"}, y_format=".1f"),
    Chart("hard_to_fill", "Hard-to-fill roles: how long vacancies stay open", hard_to_fill, "line", _YEAR,
          "mean age of open vacancies (months)", "hard_to_fill", y_zero=True,
          caption="Senior vacancies that stay open longer are the pipeline gap arriving.", y_format=".1f"),
    Chart("remote_by_cluster", "Remote ÷ onsite pay by cluster (last 6 months)", remote_by_cluster, "hbars", "",
          "remote ÷ onsite pay (ratio)", "policy", rules=(1.0,), y_format=".2f"),
    Chart("wage_change", "Median pay change since the start, by cluster", wage_change, "hbars", "", "change (%)",
          "cluster_group", labels={"growth": "growth clusters", "legacy": "legacy-exposed clusters"}, rules=(0.0,),
          y_format=".1f"),
    Chart("firm_profit", "Cumulative profit per 2022 worker, by strategy", firm_profit, "line", _YEAR,
          "$ thousand per 2022 worker", "strategy", rules=(0.0,),
          caption="Profit since 2022 divided by the strategy's 2022 workforce, so firm sizes do not confound.",
          y_format=",.0f"),
    Chart("strategy_headcount", "Headcount per firm, by strategy", _per_firm("headcount"), "line", _YEAR,
          "employees per firm", "strategy", y_zero=True, y_format=",.1f"),
    Chart("strategy_juniors", "Juniors per firm, by strategy", _per_firm("juniors"), "line", _YEAR,
          "junior employees per firm", "strategy", y_zero=True, y_format=",.1f"),
    Chart("strategy_seniors", "Seniors + staff per firm, by strategy", _per_firm("seniors"), "line", _YEAR,
          "senior + staff employees per firm", "strategy", y_zero=True, y_format=",.1f"),
    Chart("retraining", "Retraining: in programmes and completed", retraining, "line", _YEAR, "workers", "retraining",
          y_zero=True, y_format=",.0f"),
    Chart("retrained_employed", "Retraining completers in work", retrained_employed, "line", _YEAR,
          "% of completers employed", "single", labels={"value": "completers employed"}, y_zero=True, y_format=".0f"),
    Chart("retraining_flows", "Retraining flows per year", retraining_flows, "bars", "calendar year",
          "workers / year", "retraining_flow", y_format=",.0f"),
    Chart("retrained_pay", "Pay after retraining", retrained_pay, "line", _YEAR, "$ thousand / year", "pay",
          y_format=",.0f"),
    Chart("long_term_unemployed", "Long-term unemployed (more than 6 months)", long_term_unemployed, "line", _YEAR,
          "% of job seekers", "single", labels={"value": "long-term unemployed"}, y_zero=True, y_format=".1f"),
    Chart("location_workers", "Workers by metro", location_workers, "hbars", "", "workers living there", "market",
          y_format=",.0f"),
    Chart("location_unemployment", "Unemployment rate by metro (last 3 months)", location_unemployment, "hbars", "",
          "unemployment rate (%)", "single", labels={"value": "unemployment rate"}, y_format=".1f"),
    Chart("location_pay", "Median pay of residents by metro", location_pay, "hbars", "", "$ thousand / year",
          "single", labels={"value": "median pay"}, y_format=",.0f"),
    Chart("location_remote", "Employees in fully remote jobs by metro", location_remote, "hbars", "",
          "% of employed residents", "single", labels={"value": "in remote jobs"}, y_format=".0f"),
    Chart("unemployment", "Unemployment rate", unemployment, "line", _YEAR, "% of labour force", "single",
          labels={"value": "unemployment rate"}, y_zero=True, y_format=".1f"),
    Chart("vacancy_rate", "Vacancy rate", vacancy_rate, "line", _YEAR, "% of jobs", "single",
          labels={"value": "vacancy rate"}, y_zero=True, y_format=".1f"),
    Chart("juniors", "Juniors employed", juniors, "line", _YEAR, "workers", "single", labels={"value": "juniors"},
          y_zero=True, y_format=",.0f"),
    Chart("seniors", "Seniors + staff employed (the pipeline)", seniors, "line", _YEAR, "workers", "single",
          labels={"value": "seniors + staff"}, y_format=",.0f"),
    Chart("profit", "Cumulative profit per 2022 worker, all firms", profit_all, "line", _YEAR,
          "$ thousand per 2022 worker", "single", labels={"value": "profit per 2022 worker"}, rules=(0.0,),
          y_format=",.0f"),
)
CHARTS: dict[str, Chart] = {c.name: c for c in CHART_LIST}


def get(name: str) -> Chart:
    """The chart called ``name``; an unknown name is a one-line ``KeyError`` listing the names."""
    try:
        return CHARTS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(CHARTS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise KeyError(f"unknown chart {name!r}{hint}; allowed: {', '.join(CHARTS)}") from None


def series_chart(name: str, title: str, y_title: str, series: Callable[[Tables], pd.Series], *,
                 window: tuple[float, float] | None = None, y_format: str = ".3g") -> Chart:
    """A one-line chart of any monthly series (indexed by year), e.g. a lesson's judged metric;
    ``window`` shades the years it is judged over."""

    def data(t: Tables) -> pd.DataFrame:
        s = series(t)
        return pd.DataFrame({"x": s.index.to_numpy(float), "y": s.to_numpy(float), "key": "value"})

    band = Band(window[0], window[1], f"judged: mean {window[0]:g}–{window[1]:g}", axis="x") if window else None
    return Chart(name, title, data, "line", _YEAR, y_title, "single", labels={"value": title}, band=band, y_format=y_format)


# --- several runs and several seeds ------------------------------------------------------------
#: Runs side by side, by label: one run each, or one run per seed (drawn as the spread over seeds).
Runs = Mapping[str, Run | Sequence[Run]]


def frame(chart: Chart, data: Run | Runs) -> tuple[pd.DataFrame, dict[str, theme.Style]]:
    """The chart's tidy frame with a ``series`` label column, and the style of each series label.

    ``data`` is one run (its :data:`Tables`, :class:`~abm.runs.Results` or live model), or
    ``{run label: run}`` for runs side by side, or ``{run label: [run of seed 1, seed 2, ...]}`` for
    the spread over seeds: then ``y`` is the mean over seeds and ``lo``/``hi`` the lowest and
    highest seed (``n`` seeds).
    """
    styles = chart.styles()
    if not isinstance(data, Mapping) or is_tables(data):
        df = chart.data(as_tables(data))
        keys = list(dict.fromkeys(df["key"]))
        out = df.assign(series=df["key"].map({k: styles[k].label for k in keys}))
        return out, {styles[k].label: styles[k] for k in keys}
    run_styles = theme.run_styles(list(data))
    one_series = chart.family == "single"
    parts, used, subtitle = [], {}, ""
    for label, tables in data.items():
        if isinstance(tables, (list, tuple)):
            df = _spread([chart.data(as_tables(t)) for t in tables])
        else:
            df = chart.data(as_tables(cast(Run, tables)))
        subtitle = subtitle or df.attrs.get("subtitle", "")
        names = {k: label if one_series else f"{label} · {styles[k].label}" for k in dict.fromkeys(df["key"])}
        for k, name in names.items():  # the run's colour; the series' dash and marker (the run's for one series)
            own = run_styles[label] if one_series else styles[k]
            used[name] = theme.Style(name, run_styles[label].color, own.dash, own.marker)
        parts.append(df.assign(series=df["key"].map(names), run=label))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["x", "y", "key", "series", "run"])
    out.attrs["subtitle"] = subtitle
    return out, used


def is_tables(data: object) -> bool:
    return isinstance(data, Mapping) and "model" in data and isinstance(data["model"], pd.DataFrame)


def _spread(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean, lowest and highest value over seeds at each x and series."""
    if not frames:
        return pd.DataFrame(columns=["x", "y", "key", "lo", "hi", "n"])
    both = pd.concat(frames, ignore_index=True)
    keys = ["x", "key"] + (["order"] if "order" in both else [])
    out = both.groupby(keys, sort=False, observed=True)["y"].agg(y="mean", lo="min", hi="max", n="count").reset_index()
    out.attrs = dict(frames[0].attrs)
    return out


def describe(chart: Chart, df: pd.DataFrame, styles: Mapping[str, theme.Style]) -> str:
    """A text alternative for the chart: its title, what it spans and its latest (or largest) values."""
    title = chart.title + (f" ({df.attrs['subtitle']})" if df.attrs.get("subtitle") else "")
    if df.empty or df["y"].isna().all():
        return f"{title}: no data yet."

    def fmt(v: float) -> str:
        return "n/a" if not np.isfinite(v) else _format(v, chart.y_format)

    if chart.kind == "path":
        last = df.iloc[-1]
        return f"{title}. {chart.x_title} against {chart.y_title}; latest: {fmt(float(last['x']))} and {fmt(float(last['y']))}."
    valid = df.dropna(subset=["y"])
    if chart.kind == "line":
        latest = valid.groupby("series", sort=False)["y"].last()
        parts = "; ".join(f"{name} {fmt(float(latest[name]))}" for name in styles if name in latest.index)
        return f"{title}, {chart.y_title}, {float(df['x'].min()):.0f} to {float(df['x'].max()):.1f}. Latest: {parts}."
    top = valid.nlargest(6, "y")
    many = len(styles) > 1
    items = "; ".join(f"{x}" + (f" ({s})" if many else "") + f" {fmt(float(y))}" for x, s, y in zip(top["x"], top["series"], top["y"]))
    return f"{title}, {chart.y_title}. Largest: {items}."


def _format(value: float, spec: str) -> str:
    """A d3-style number format (``.1f``, ``,.0f``, ``.3g``) applied in Python."""
    return format(value, spec)
