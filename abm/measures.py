"""Named measures: the derived series and reductions every front end judges runs by.

A measure reads the tidy tables of a run (``{"model": ..., "cluster": ..., "firm": ...}``, as in
:class:`abm.runs.Results`; batch tables with a ``run_id`` column work where noted) and returns a
series or a number. The calibration report, the lessons' predictions, the batch reports and the
app all compute these the same way, from here:

* **calendar windows** — :func:`calendar_year`, :func:`in_year`, :func:`in_years`: row ``m`` of a
  monthly table covers month ``m`` of the run (January of the start year is month 1; row 0 is the
  initial state and belongs to no year);
* **per-2022-worker values** — :func:`per_2022_worker`: a strategy's firm totals divided by the
  workers its firms employed at the start, so firm sizes do not confound strategies;
* **the overtaking year** — :func:`overtaking_years`: when one strategy's curve passes another's;
* **the calibration targets** — :data:`TARGETS` (a :class:`Target` each: the fact, its source, the
  accepted band and the measure) and :func:`evaluate`;
* **lesson metrics** — :func:`metric_series` names a monthly series by a string
  (``"unemployment_rate"``, ``"cluster:ml_ai:vacancy_seeker_ratio"``,
  ``"firm:cutting:profit_per_worker"``) and :func:`window_mean` reduces it over a window;
* **key outputs** — :data:`KEY_OUTPUTS`, the model columns a batch report shows by default.

Adding a calibration target is one :class:`Target` line in :data:`TARGETS`, with a measure built
from :func:`year_mean` / :func:`cluster_year_mean` or a small function of the tables.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from abm.metrics import CLUSTER_COLUMNS, FIRM_COLUMNS, FLOW_COLUMNS, LOCATION_COLUMNS, MODEL_COLUMNS, PAY_COLUMNS
from abm.strategies import STRATEGY_NAMES

Tables = Mapping[str, pd.DataFrame]
Measure = Callable[[Tables], float]

#: Model columns a batch report summarises and plots unless the spec names others.
KEY_OUTPUTS = ("unemployment_rate", "vacancy_rate", "mismatch_index", "ai_premium", "workers_by_seniority_senior",
               "senior_vacancy_duration", "long_term_unemployed_share", "remote_onsite_pay_ratio_adjusted")
#: Columns of each table, by table name (the output contract of :mod:`abm.metrics`).
TABLE_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "model": MODEL_COLUMNS, "cluster": CLUSTER_COLUMNS, "firm": FIRM_COLUMNS, "location": LOCATION_COLUMNS,
    "pay": PAY_COLUMNS, "flow": FLOW_COLUMNS}


# --- calendar windows ---------------------------------------------------------------------------------
def calendar_years(years: np.ndarray) -> np.ndarray:
    """Calendar year of each month ending at ``years`` (month m ends at start + m/12 and lies in the
    calendar year of start + (m − 1)/12)."""
    return np.floor(np.asarray(years, dtype=float) - 1.0 / 12 + 1e-9).astype(int)


def calendar_year(df: pd.DataFrame) -> pd.Series:
    """Calendar year each monthly row belongs to (row m covers month m of the run; row 0 is the start)."""
    return pd.Series(calendar_years(df["year"].to_numpy()), index=df.index, name="calendar_year")


def in_years(df: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The rows of the months of calendar years ``first`` to ``last`` (the initial state excluded)."""
    return df[(df["month"] > 0) & calendar_year(df).between(first, last)]


def in_year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of the twelve months of calendar year ``year``."""
    return in_years(df, year, year)


def year_mean(column: str, year: int) -> Measure:
    """Measure: the mean of a model-table column over the months of ``year``."""
    def measure(t: Tables) -> float:
        return float(in_year(t["model"], year)[column].mean())
    measure.__name__ = f"{column}_{year}"
    return measure


def cluster_rows(t: Tables, cluster: str, year: int) -> pd.DataFrame:
    """The cluster-table rows of one skill cluster in calendar year ``year``."""
    c = in_year(t["cluster"], year)
    return c[c["cluster"] == cluster]


def cluster_year_mean(cluster: str, column: str, year: int) -> Measure:
    """Measure: the mean of a cluster-table column for one cluster over the months of ``year``."""
    def measure(t: Tables) -> float:
        return float(cluster_rows(t, cluster, year)[column].mean())
    measure.__name__ = f"{cluster}_{column}_{year}"
    return measure


# --- strategies ---------------------------------------------------------------------------------------
def per_2022_worker(firm: pd.DataFrame, column: str = "cumulative_profit") -> pd.Series:
    """A firm-table column divided by the workers the strategy's firms employed at month 0 (per run
    when the table holds several, by ``run_id``); NaN for a strategy with no firms."""
    keys = ["run_id", "strategy"] if "run_id" in firm else ["strategy"]
    start = firm[firm["month"] == 0].set_index(keys)["headcount"]
    index = pd.MultiIndex.from_frame(firm[keys]) if len(keys) > 1 else pd.Index(firm["strategy"])
    size = start.reindex(index).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(size > 0, firm[column].to_numpy(dtype=float) / size, np.nan)
    return pd.Series(values, index=firm.index, name=f"{column}_per_2022_worker")


def overtaking_years(years: np.ndarray, lead: np.ndarray, rival: np.ndarray) -> tuple[float, float]:
    """(first calendar year ``lead`` is ahead of ``rival``, calendar year from which it stays ahead to
    the end) over points in time labelled by ``years`` (calendar years); NaN where never."""
    ok = ~(np.isnan(lead) | np.isnan(rival))
    if not ok.any():
        return np.nan, np.nan
    ahead = lead[ok] > rival[ok]
    cal = np.asarray(years, dtype=float)[ok]
    first = float(cal[np.argmax(ahead)]) if ahead.any() else np.nan
    if not ahead[-1]:
        return first, np.nan
    behind = np.flatnonzero(~ahead)
    return first, float(cal[behind[-1] + 1] if len(behind) else cal[0])


# --- the calibration targets ------------------------------------------------------------------------------
#: Legacy clusters whose 2026 vacancy ratio and vacancy age the calibration judges: the world's
#: legacy clusters (``abm.world.World.legacy_cluster_names``) without technical writing, as fitted
#: in docs/calibration.md; the layoff target uses all of the world's legacy clusters.
LEGACY_VACANCY_TARGETS = ("qa_testing", "program_mgmt", "frontend")


def junior_hiring_change(t: Tables) -> float:
    """Junior hires in 2026 relative to 2022, minus 1."""
    m = t["model"]
    first = in_year(m, 2022)["junior_hires"].sum()
    last = in_year(m, 2026)["junior_hires"].sum()
    return float(last / first - 1.0) if first > 0 else float("nan")


def ml_vs_legacy_duration(t: Tables) -> float:
    """Mean recruiting time so far of open ML/AI needs in 2026 over that of the legacy clusters'."""
    legacy = np.mean([cluster_rows(t, n, 2026)["mean_recruiting_duration"].mean() for n in LEGACY_VACANCY_TARGETS])
    ml = cluster_year_mean("ml_ai", "mean_recruiting_duration", 2026)(t)
    return float(ml / legacy) if legacy > 0 else float("nan")


def flow_rate(flow: str, first: int = 2023, last: int = 2026) -> Measure:
    """Measure: a monthly flow per employee at the start of the month, pooled over the years
    (JOLTS-style rates: the flow's sum over the months / the sum of the months' starting employment)."""
    def measure(t: Tables) -> float:
        m = t["model"].sort_values("month")
        start = m["employed"].shift(1)
        rows = (m["month"] > 0) & calendar_year(m).between(first, last)
        return float(m.loc[rows, flow].sum() / start[rows].sum())
    measure.__name__ = f"{flow}_rate_{first}_{last}"
    return measure


def layoffs_and_discharges(t: Tables) -> float:
    """(Layoffs + discharges) per employee a month, pooled 2023–2026 (the JOLTS 'layoffs and discharges')."""
    return flow_rate("layoffs")(t) + flow_rate("discharges")(t)


def job_to_job_share(t: Tables) -> float:
    """Job-to-job moves / market hires, pooled 2023–2026."""
    rows = in_years(t["model"], 2023, 2026)
    return float(rows["job_to_job_moves"].sum() / max(rows["market_hires"].sum(), 1))


def job_finding_rate(t: Tables) -> float:
    """Job seekers at the start of a month employed at its end / job seekers at the start, pooled 2023–2026."""
    m = t["model"].sort_values("month")
    seekers = m["unemployed"].shift(1)
    rows = (m["month"] > 0) & calendar_year(m).between(2023, 2026)
    return float((m.loc[rows, "job_finding_rate"] * seekers[rows]).sum() / seekers[rows].sum())


def years_mean(column: str, first: int, last: int) -> Measure:
    """Measure: the mean of a model column over the months of calendar years ``first``–``last``."""
    def measure(t: Tables) -> float:
        return float(in_years(t["model"], first, last)[column].mean())
    measure.__name__ = f"{column}_{first}_{last}"
    return measure


def vacancy_rate_growth(t: Tables) -> float:
    """Vacancy rate in the last 12 months of the run over that of 2026 (pooled): no pile of dead vacancies."""
    m = t["model"]
    last = m[m["month"] > m["month"].max() - 12]
    y26 = in_year(m, 2026)
    rate = lambda r: r["vacancies"].sum() / (r["vacancies"] + r["employed"]).sum()  # noqa: E731
    return float(rate(last) / rate(y26)) if rate(y26) > 0 else float("nan")


def layoff_rate(t: Tables) -> float:
    """Layoffs per year as a share of employment, 2023–2026."""
    rows = in_years(t["model"], 2023, 2026)
    return float(rows["layoffs"].sum() / len(rows) * 12 / rows["employed"].mean())


def layoff_concentration(t: Tables) -> float:
    """Layoff rate in the legacy clusters relative to the whole market, 2023–2026."""
    from abm.model import default_world

    rows = in_years(t["cluster"], 2023, 2026)
    leg = rows[rows["cluster"].isin(default_world().legacy_cluster_names)]
    all_rate = rows["layoffs"].sum() / rows["employed"].sum()
    return float((leg["layoffs"].sum() / leg["employed"].sum()) / all_rate) if all_rate > 0 else float("nan")


@dataclass(frozen=True)
class Target:
    """A fact from the articles as a band on a measure of the model's output."""

    name: str
    fact: str
    source: str
    low: float
    high: float
    compute: Measure
    weight: float = 1.0

    def passes(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.low <= value <= self.high)

    def distance(self, value: float) -> float:
        """0 inside the band; else the miss relative to the band's width (for the search loss)."""
        if not np.isfinite(value):
            return 10.0
        width = (self.high - self.low) if np.isfinite(self.high - self.low) and self.high > self.low else max(abs(self.low), 1.0)
        if value < self.low:
            return (self.low - value) / width
        if value > self.high:
            return (value - self.high) / width
        return 0.0


INF = float("inf")
TARGETS: tuple[Target, ...] = (
    Target("ml_ai_vacancies_per_seeker_2026", "AI talent demand/supply ≈ 3.2:1; 3–5× more openings than qualified candidates", "seeds/003, seeds/002", 2.0, 5.0, cluster_year_mean("ml_ai", "vacancy_seeker_ratio", 2026)),
    *(Target(f"{n}_vacancies_per_seeker_2026", f"legacy cluster {n}: more job seekers than vacancies", "seeds/002–004", 0.0, 1.0, cluster_year_mean(n, "vacancy_seeker_ratio", 2026)) for n in LEGACY_VACANCY_TARGETS),
    Target("ai_pay_premium_2026", "AI premiums 20–40 %, up to 41–50 % at equal level", "seeds/000, seeds/002, seeds/003", 0.20, 0.50, year_mean("ai_premium", 2026)),
    Target("remote_onsite_pay_ratio_2026", "remote roles pay 70–90 % of onsite (location-adjusted payers)", "seeds/000", 0.70, 0.90, year_mean("remote_onsite_pay_ratio_adjusted", 2026)),
    Target("junior_hiring_change_2022_2026", "entry-level hiring −73 %", "seeds/001", -0.80, -0.60, junior_hiring_change),
    Target("ml_ai_recruiting_duration_2026", "production ML recruiting cycles: 6 months or longer", "seeds/002", 5.0, 12.0, cluster_year_mean("ml_ai", "mean_recruiting_duration", 2026)),
    Target("ml_ai_vs_legacy_recruiting_duration", "ML roles take well longer to fill than legacy ones (≥ 1.5×)", "seeds/002", 1.5, INF, ml_vs_legacy_duration),
    Target("annual_layoff_rate_2023_2026", "layoffs of a few % of the tech workforce a year (~150k/yr of ~4–5M)", "seeds/000, seeds/003, seeds/004", 0.02, 0.05, layoff_rate),
    Target("layoff_concentration_legacy", "layoffs concentrated in QA, docs, PM, front-end (≥ 1.2× average rate)", "seeds/002–004", 1.2, INF, layoff_concentration),
    Target("ai_skill_vacancy_share_2022", "AI skills in 8 % of software job descriptions in 2022", "seeds/001", 0.05, 0.12, year_mean("ai_skill_vacancy_share", 2022)),
    Target("ai_skill_vacancy_share_2026", "AI skills in 42 % of software job descriptions in 2026", "seeds/001", 0.35, 0.50, year_mean("ai_skill_vacancy_share", 2026)),
    Target("unemployment_rate_2026", "tech unemployment a few per cent while openings stay high (context)", "seeds/001, seeds/003", 0.02, 0.07, year_mean("unemployment_rate", 2026), 0.5),
    # --- labour-market flows (JOLTS, Census Job-to-Job flows, CPS) -------------------------------------
    Target("hires_rate_2023_2026", "hires ≈ 3.5 % of employment a month (all employers; information ≈ 2.5 %)", "BLS JOLTS 2024", 0.020, 0.045, flow_rate("hires")),
    Target("separations_rate_2023_2026", "total separations ≈ 3.4 % of employment a month", "BLS JOLTS 2024", 0.020, 0.045, flow_rate("separations")),
    Target("quits_rate_2023_2026", "quits ≈ 2.0 % of employment a month", "BLS JOLTS 2024", 0.012, 0.030, flow_rate("quits")),
    Target("layoffs_discharges_rate_2023_2026", "layoffs and discharges ≈ 1.1 % of employment a month", "BLS JOLTS 2024", 0.004, 0.015, layoffs_and_discharges),
    Target("job_to_job_share_of_hires", "roughly 40–50 % of hires come straight from another job", "Census Job-to-Job Flows (J2J)", 0.30, 0.65, job_to_job_share),
    Target("unemployment_rate_2022", "tech unemployment 1.5–2 % in 2022", "BLS CPS computer occupations; CompTIA", 0.010, 0.030, year_mean("unemployment_rate", 2022)),
    Target("unemployment_rate_2025_2026", "tech unemployment 3–4.5 % in 2025–26", "BLS CPS computer occupations; CompTIA", 0.025, 0.060, years_mean("unemployment_rate", 2025, 2026)),
    Target("job_finding_rate_2023_2026", "monthly job-finding rate of the unemployed", "BLS CPS labor force flows (U→E ≈ 20–30 %)", 0.10, 0.40, job_finding_rate),
    Target("long_term_unemployed_share_2026", "share of job seekers out of work more than 6 months", "BLS CPS (≈ 20–25 % in 2024–25)", 0.15, 0.45, year_mean("long_term_unemployed_share", 2026)),
    Target("vacancy_age_2026", "job postings stay up 1–4 months", "Davis, Faberman & Haltiwanger (2013); job-board posting durations", 1.0, 4.0, year_mean("mean_vacancy_age", 2026)),
    Target("vacancy_rate_growth_to_2035", "no ever-growing stock of open vacancies (2035 vs 2026 vacancy rate ≤ 1.5×)", "JOLTS vacancy rates stay within a few per cent", 0.0, 1.5, vacancy_rate_growth),
)
#: The tables the targets read.
TARGET_TABLES = ("model", "cluster")
#: The last calendar year the targets read: a calibration run must last at least to its end.
TARGETS_LAST_YEAR = 2026


def evaluate(tables: Tables, targets: tuple[Target, ...] = TARGETS) -> dict[str, float]:
    """Every target's value on one run's tables."""
    return {t.name: t.compute(tables) for t in targets}


# --- lesson metrics: monthly series named by a string --------------------------------------------------------
#: metric kind → the key column of its table
KINDS = {"cluster": "cluster", "firm": "strategy", "location": "location"}
#: Derived series that are not a column of the model's tables: name → (unit, meaning).
DERIVED_MODEL = {"senior_and_staff": ("workers", "employed senior + staff workers")}
DERIVED_FIRM = {
    "profit_per_worker": ("$", "cumulative profit per 2022 worker of the strategy's firms"),
    "juniors_per_firm": ("workers", "junior employees per firm"),
    "seniors_per_firm": ("workers", "senior + staff employees per firm"),
    "headcount_per_firm": ("workers", "employees per firm"),
}


def suggest(name: str, allowed: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed name, or nothing."""
    close = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


@lru_cache(maxsize=1)
def _names() -> dict[str, list[str]]:
    from abm.model import default_world

    world = default_world()
    return {"cluster": world.cluster_names, "firm": list(STRATEGY_NAMES), "location": world.location_names}


def check_metric(metric: str) -> None:
    """Raise ``ValueError`` (one line) unless ``metric`` names a series :func:`metric_series` can make.

    Forms: ``<model column>`` (``abm.metrics.MODEL_COLUMNS``, or ``senior_and_staff``);
    ``cluster:<cluster>:<column>`` (``CLUSTER_COLUMNS``); ``firm:<strategy>:<column>``
    (``FIRM_COLUMNS`` or ``profit_per_worker``, ``juniors_per_firm``, ``seniors_per_firm``,
    ``headcount_per_firm``); ``location:<location>:<column>`` (``LOCATION_COLUMNS``).
    """
    parts = metric.split(":")
    if len(parts) == 1:
        allowed = [*MODEL_COLUMNS, *DERIVED_MODEL]
        if metric not in allowed or metric in ("month", "year"):
            raise ValueError(f"unknown model metric '{metric}'{suggest(metric, allowed)}; see docs/outputs.md")
        return
    if len(parts) != 3 or parts[0] not in KINDS:
        raise ValueError(f"metric '{metric}' must be '<model column>', 'cluster:<cluster>:<column>', "
                         "'firm:<strategy>:<column>' or 'location:<location>:<column>'")
    kind, name, column = parts
    names = _names()[kind]
    if name not in names:
        raise ValueError(f"metric '{metric}': unknown {kind} '{name}'{suggest(name, names)}; allowed: {', '.join(names)}")
    columns = [c for c in TABLE_COLUMNS[kind] if c not in ("month", "year", KINDS[kind])]
    if kind == "firm":
        columns += list(DERIVED_FIRM)
    if column not in columns:
        raise ValueError(f"metric '{metric}': unknown {kind} column '{column}'{suggest(column, columns)}; allowed: {', '.join(columns)}")


def metric_table(metric: str) -> str:
    """The table a metric is read from."""
    parts = metric.split(":")
    return "model" if len(parts) == 1 else parts[0]


def metric_unit(metric: str) -> str:
    """The unit of a metric (from the output contract)."""
    parts = metric.split(":")
    if len(parts) == 1:
        return {**MODEL_COLUMNS, **DERIVED_MODEL}[metric][0]
    table = {**TABLE_COLUMNS[parts[0]], **(DERIVED_FIRM if parts[0] == "firm" else {})}
    return table[parts[2]][0]


def metric_series(tables: Tables, metric: str) -> pd.Series:
    """The monthly series ``metric`` names (see :func:`check_metric`), indexed by year; raises
    ``ValueError`` for an unknown metric."""
    check_metric(metric)
    parts = metric.split(":")
    if len(parts) == 1:
        df = tables["model"]
        if metric == "senior_and_staff":
            values = df["workers_by_seniority_senior"] + df["workers_by_seniority_staff"]
        else:
            values = df[metric]
        return pd.Series(values.to_numpy(dtype=float), index=df["year"].to_numpy(), name=metric)
    kind, name, column = parts
    df = tables[kind]
    sub = df[df[KINDS[kind]] == name]
    if column == "profit_per_worker":
        values = per_2022_worker(sub)
    elif column in ("juniors_per_firm", "seniors_per_firm", "headcount_per_firm"):
        values = sub[column.removesuffix("_per_firm")] / sub["firms"].clip(lower=1)
    else:
        values = sub[column]
    return pd.Series(values.to_numpy(dtype=float), index=sub["year"].to_numpy(), name=metric)


def window(series: pd.Series, years: tuple[float, float] | None) -> tuple[float, float]:
    """The window (from, to years) a metric is judged over: ``years``, or by default the last three
    years of the run; ``ValueError`` if ``years`` ends after the run."""
    end = float(series.index.max())
    if years is None:
        return (max(float(series.index.min()), end - 3.0), end)
    if years[1] > end + 1e-9:
        raise ValueError(f"the window {years[0]:g}–{years[1]:g} ends after the run ({end:g}); run more months")
    return years


def window_mean(series: pd.Series, years: tuple[float, float] | None = None) -> float:
    """Mean of a monthly series over the months ending in (from, to] years (see :func:`window`)."""
    lo, hi = window(series, years)
    part = series[(series.index > lo) & (series.index <= hi + 1e-9)]
    return float(np.nanmean(part.to_numpy())) if len(part) else float("nan")
