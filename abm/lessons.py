"""Teaching lessons: scenario presets with an Info-tab text, runnable in the app and in notebooks.

A lesson is a scenario TOML file in ``experiments/lessons/`` (``[scenario]``, ``[params]``) with a
``[lesson]`` table that tells a class what to ask, how the mechanism works, what to look for and
what to try. The table's keys:

========================  ===========================================================================
``question``              the question the lesson answers (text)
``mechanism``             how the model produces the answer, in plain words (text)
``look_for``              things to notice on the charts (list of text)
``things_to_try``         list of tables ``{change, set, predict}`` and optionally ``metric``,
                          ``expect`` (``"up"``, ``"down"`` or ``"flat"``) and ``window`` (``[from, to]``
                          years): one change, the parameter overrides that make it, the model's
                          answer, and the output that shows it (see :func:`metric_series`)
``discussion``            discussion questions (list of text)
``facts``                 list of tables ``{fact, source}`` (``source = "seeds/00N"``), optionally
                          ``in_model`` (how the fact appears in the model: input or output)
``minutes``               minutes the lesson takes in class (int)
``charts``                names of the charts to show (keys of :data:`CHARTS`: the ``abm.plots``
                          functions and the few lesson charts defined here)
``extending``             optional: ideas for extending the model (list of text)
========================  ===========================================================================

Functions: :func:`load_lessons` (validated, one-line :class:`LessonError` messages),
:func:`lesson_markdown` (the Info-tab text for notebooks and the app), :func:`run_lesson`,
:func:`compare` (baseline vs one "thing to try", with the measured direction) and
:func:`draw_charts`. ``python -m abm.lessons check`` runs every "thing to try" on several seeds
and reports how often the model moves the way the lesson predicts.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from abm import plots
from abm.metrics import CLUSTER_COLUMNS, FIRM_COLUMNS, LOCATION_COLUMNS, MODEL_COLUMNS, mismatch_index
from abm.model import LaborMarket, default_world
from abm.params import ParameterError, Params, load_scenario
from abm.strategies import STRATEGY_NAMES

#: Where the lesson files live in a source checkout.
LESSONS_DIR = Path(__file__).resolve().parent.parent / "experiments" / "lessons"
BASELINE_FILE = Path(__file__).resolve().parent.parent / "experiments" / "baseline.toml"


def lessons_dir() -> Path:
    """The lesson folder: ``$ABM_LESSONS_DIR`` if set, else the source checkout's
    ``experiments/lessons``, else ``experiments/lessons`` under the working directory or its parent
    (a notebook running in ``demos/``)."""
    env = os.environ.get("ABM_LESSONS_DIR")
    if env:
        return Path(env)
    for d in (LESSONS_DIR, Path.cwd() / "experiments" / "lessons", Path.cwd().parent / "experiments" / "lessons"):
        if d.is_dir():
            return d
    return LESSONS_DIR

REQUIRED = ("question", "mechanism", "look_for", "things_to_try", "discussion", "facts", "minutes", "charts")
OPTIONAL = ("extending",)
TRY_REQUIRED = ("change", "set", "predict")
TRY_OPTIONAL = ("metric", "expect", "window")
FACT_REQUIRED = ("fact", "source")
FACT_OPTIONAL = ("in_model",)
EXPECT = ("up", "down", "flat")
SOURCE_PATTERN = re.compile(r"^seeds/\d{3}$")
#: a "flat" prediction holds when the relative change is within this
FLAT_TOLERANCE = 0.02


class LessonError(ValueError):
    """A lesson file is invalid. The message is one line naming the file and the key."""


# --------------------------------------------------------------------------------------------
# data classes
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThingToTry:
    """One "thing to try": a change, the overrides that make it, and the model's answer."""

    change: str
    set: dict[str, Any]
    predict: str
    metric: str | None = None
    expect: str | None = None
    window: tuple[float, float] | None = None


@dataclass(frozen=True)
class Fact:
    """A figure from the source articles the lesson relates to."""

    fact: str
    source: str
    in_model: str = ""


@dataclass(frozen=True)
class Lesson:
    """A lesson: the scenario (path, validated params) and its Info-tab text."""

    key: str
    title: str
    description: str
    question: str
    mechanism: str
    look_for: tuple[str, ...]
    things_to_try: tuple[ThingToTry, ...]
    discussion: tuple[str, ...]
    facts: tuple[Fact, ...]
    minutes: int
    charts: tuple[str, ...]
    path: Path
    params: Params = field(repr=False)
    extending: tuple[str, ...] = ()

    @property
    def number(self) -> int | None:
        """The lesson's number from its file name (``01_mismatch.toml`` → 1), if any."""
        m = re.match(r"^(\d+)", self.path.stem)
        return int(m.group(1)) if m else None

    def try_params(self, index: int) -> Params:
        """The lesson's params with "thing to try" ``index`` applied."""
        return Params.make(self.params, **self.things_to_try[index].set)


# --------------------------------------------------------------------------------------------
# loading and validation
# --------------------------------------------------------------------------------------------
def _err(path: Path, where: str, msg: str) -> LessonError:
    return LessonError(f"lesson file {path.name}: {where}: {msg}")


def _suggest(name: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_keys(path: Path, where: str, table: dict, required: Sequence[str], optional: Sequence[str]) -> None:
    for key in required:
        if key not in table:
            raise _err(path, where, f"missing key '{key}'; required: {', '.join(required)}")
    for key in table:
        if key not in required and key not in optional:
            raise _err(path, where, f"unknown key '{key}'{_suggest(key, [*required, *optional])}; allowed: {', '.join([*required, *optional])}")


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _err(path, where, f"must be non-empty text, got {value!r}")
    return _paragraphs(value)


def _texts(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _err(path, where, f"must be a non-empty list of text, got {type(value).__name__}")
    return tuple(_text(path, f"{where}[{i}]", v) for i, v in enumerate(value))


_LIST_ITEM = re.compile(r"^\s*([-*]|\d+\.)\s")


def _paragraphs(text: str) -> str:
    """TOML multi-line text → Markdown paragraphs: wrapped lines are joined, blank lines kept, and a
    line starting a list item (``- ``, ``* ``, ``1. ``) starts a new line."""
    out = []
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            if not line.strip():
                continue
            if lines and not _LIST_ITEM.match(line):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.strip())
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def _table_columns(kind: str) -> dict[str, Any]:
    return {"model": MODEL_COLUMNS, "cluster": CLUSTER_COLUMNS, "firm": FIRM_COLUMNS, "location": LOCATION_COLUMNS}[kind]


#: metric kind → (table method, key column)
_KINDS = {"cluster": ("cluster_metrics", "cluster"), "firm": ("firm_metrics", "strategy"), "location": ("location_metrics", "location")}


def _names(kind: str) -> list[str]:
    world = default_world()
    return {"cluster": world.cluster_names, "firm": list(STRATEGY_NAMES), "location": world.location_names}[kind]


#: Derived series that are not a column of the model's tables.
DERIVED_MODEL = {"senior_and_staff": ("workers", "employed senior + staff workers")}
DERIVED_FIRM = {
    "profit_per_worker": ("$", "cumulative profit per 2022 worker of the strategy's firms"),
    "juniors_per_firm": ("workers", "junior employees per firm"),
    "seniors_per_firm": ("workers", "senior + staff employees per firm"),
    "headcount_per_firm": ("workers", "employees per firm"),
}


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
            raise ValueError(f"unknown model metric '{metric}'{_suggest(metric, allowed)}; see docs/outputs.md")
        return
    if len(parts) != 3 or parts[0] not in _KINDS:
        raise ValueError(f"metric '{metric}' must be '<model column>', 'cluster:<cluster>:<column>', "
                         "'firm:<strategy>:<column>' or 'location:<location>:<column>'")
    kind, name, column = parts
    names = _names(kind)
    if name not in names:
        raise ValueError(f"metric '{metric}': unknown {kind} '{name}'{_suggest(name, names)}; allowed: {', '.join(names)}")
    columns = [c for c in _table_columns(kind) if c not in ("month", "year", _KINDS[kind][1])]
    if kind == "firm":
        columns += list(DERIVED_FIRM)
    if column not in columns:
        raise ValueError(f"metric '{metric}': unknown {kind} column '{column}'{_suggest(column, columns)}; allowed: {', '.join(columns)}")


def _thing(path: Path, i: int, raw: Any, params: Params) -> ThingToTry:
    where = f"things_to_try[{i}]"
    if not isinstance(raw, dict):
        raise _err(path, where, "must be a table {change, set, predict}")
    _check_keys(path, where, raw, TRY_REQUIRED, TRY_OPTIONAL)
    overrides = raw["set"]
    if not isinstance(overrides, dict) or not overrides:
        raise _err(path, f"{where}.set", "must be a non-empty table of parameter overrides, e.g. set = { max_skill_gap = 0.45 }")
    try:
        Params.make(params, **overrides)
    except ParameterError as exc:
        raise _err(path, f"{where}.set", str(exc)) from None
    metric = raw.get("metric")
    expect = raw.get("expect")
    window = raw.get("window")
    if (metric is None) != (expect is None):
        raise _err(path, where, "give both 'metric' and 'expect' or neither")
    if metric is not None:
        if not isinstance(metric, str):
            raise _err(path, f"{where}.metric", f"must be text, got {metric!r}")
        try:
            check_metric(metric)
        except ValueError as exc:
            raise _err(path, f"{where}.metric", str(exc)) from None
        if expect not in EXPECT:
            raise _err(path, f"{where}.expect", f"must be one of {', '.join(EXPECT)}, got {expect!r}")
    if window is not None:
        ok = (isinstance(window, list) and len(window) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in window)
              and window[0] < window[1])
        if not ok:
            raise _err(path, f"{where}.window", f"must be [from_year, to_year] with from < to, got {window!r}")
        end = params.start_year + params.months / 12
        if window[0] < params.start_year or window[1] > end:
            raise _err(path, f"{where}.window", f"{window} is outside the scenario's run {params.start_year}–{end:g}")
        if metric is None:
            raise _err(path, f"{where}.window", "a window needs a 'metric'")
        window = (float(window[0]), float(window[1]))
    return ThingToTry(change=_text(path, f"{where}.change", raw["change"]), set=dict(overrides),
                      predict=_text(path, f"{where}.predict", raw["predict"]), metric=metric, expect=expect, window=window)


def _fact(path: Path, i: int, raw: Any) -> Fact:
    where = f"facts[{i}]"
    if not isinstance(raw, dict):
        raise _err(path, where, "must be a table {fact, source}")
    _check_keys(path, where, raw, FACT_REQUIRED, FACT_OPTIONAL)
    source = raw["source"]
    if not isinstance(source, str) or not SOURCE_PATTERN.match(source):
        raise _err(path, f"{where}.source", f"must name an article file as 'seeds/NNN' (e.g. 'seeds/001'), got {source!r}")
    in_model = _text(path, f"{where}.in_model", raw["in_model"]) if "in_model" in raw else ""
    return Fact(fact=_text(path, f"{where}.fact", raw["fact"]), source=source, in_model=in_model)


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate one lesson file; any problem (including a bad ``[params]`` value) raises a
    one-line :class:`LessonError` naming the file and the key."""
    path = Path(path)
    try:
        meta, params = load_scenario(path)
    except ParameterError as exc:
        raise LessonError(str(exc)) from None
    raw = meta.get("lesson")
    if raw is None:
        raise _err(path, "[lesson]", "missing table; a lesson file needs [scenario], [params] and [lesson]")
    _check_keys(path, "[lesson]", raw, REQUIRED, OPTIONAL)
    for key in ("name", "title", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise _err(path, "[scenario]", f"missing or empty '{key}'")
    tries = raw["things_to_try"]
    if not isinstance(tries, list) or not tries:
        raise _err(path, "things_to_try", "must be a non-empty list of tables ([[lesson.things_to_try]])")
    facts = raw["facts"]
    if not isinstance(facts, list) or not facts:
        raise _err(path, "facts", "must be a non-empty list of tables ([[lesson.facts]])")
    minutes = raw["minutes"]
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 180:
        raise _err(path, "minutes", f"must be an integer number of minutes in [5, 180], got {minutes!r}")
    charts = raw["charts"]
    if not isinstance(charts, list) or not charts:
        raise _err(path, "charts", "must be a non-empty list of chart names")
    for name in charts:
        if not isinstance(name, str) or name not in CHARTS:
            raise _err(path, "charts", f"unknown chart {name!r}{_suggest(str(name), list(CHARTS))}; allowed: {', '.join(CHARTS)}")
    return Lesson(
        key=meta["name"], title=_paragraphs(meta["title"]), description=_paragraphs(meta["description"]),
        question=_text(path, "question", raw["question"]), mechanism=_text(path, "mechanism", raw["mechanism"]),
        look_for=_texts(path, "look_for", raw["look_for"]),
        things_to_try=tuple(_thing(path, i, t, params) for i, t in enumerate(tries)),
        discussion=_texts(path, "discussion", raw["discussion"]),
        facts=tuple(_fact(path, i, f) for i, f in enumerate(facts)),
        minutes=minutes, charts=tuple(charts), path=path, params=params,
        extending=_texts(path, "extending", raw["extending"]) if "extending" in raw else (),
    )


def load_lessons(directory: str | Path | None = None) -> list[Lesson]:
    """Every ``*.toml`` lesson in ``directory`` (default :func:`lessons_dir`), in file-name order."""
    directory = lessons_dir() if directory is None else Path(directory)
    if not directory.is_dir():
        raise LessonError(f"lesson directory not found: {directory}")
    lessons = [load_lesson(p) for p in sorted(directory.glob("*.toml"))]
    if not lessons:
        raise LessonError(f"no lesson files (*.toml) in {directory}")
    keys = [lesson.key for lesson in lessons]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise LessonError(f"lesson directory {directory}: duplicate scenario name(s) {dup}")
    return lessons


def get_lesson(which: int | str, directory: str | Path | None = None) -> Lesson:
    """One lesson by number (1), scenario name (``"lesson_mismatch"``) or file stem (``"01_mismatch"``)."""
    for lesson in load_lessons(directory):
        if which in (lesson.number, lesson.key, lesson.path.stem):
            return lesson
    raise LessonError(f"no lesson {which!r} in {directory or lessons_dir()}")


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
}


def tables(model: LaborMarket) -> dict[str, pd.DataFrame]:
    """The model's five tidy tables by name (model, cluster, firm, location, pay)."""
    return {"model": model.model_metrics(), "cluster": model.cluster_metrics(), "firm": model.firm_metrics(),
            "location": model.location_metrics(), "pay": model.pay_metrics()}


def draw_chart(name: str, data: LaborMarket | dict[str, pd.DataFrame], ax) -> None:
    """Draw chart ``name`` (a key of :data:`CHARTS`) from a model or its :func:`tables` on ``ax``."""
    if name not in CHARTS:
        raise LessonError(f"unknown chart {name!r}{_suggest(name, list(CHARTS))}; allowed: {', '.join(CHARTS)}")
    fn, table = CHARTS[name]
    data = tables(data) if isinstance(data, LaborMarket) else data
    fn(data[table], ax)


def draw_charts(charts: Lesson | Sequence[str], data: LaborMarket | dict[str, pd.DataFrame], ncols: int = 2,
                title: str = "", size: tuple[float, float] = (5.8, 3.7)):
    """A figure with the lesson's charts (or the named ones) drawn from one run."""
    names = list(charts.charts if isinstance(charts, Lesson) else charts)
    data = tables(data) if isinstance(data, LaborMarket) else data
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


# --------------------------------------------------------------------------------------------
# running and comparing
# --------------------------------------------------------------------------------------------
def lesson_params(lesson: Lesson, n_workers: int | None = None, overrides: dict[str, Any] | None = None) -> Params:
    """The lesson's params with ``n_workers`` and ``overrides`` applied (validated), no Worker agents
    (lessons read the tables; the arrays are the state either way)."""
    extra = {"worker_agents": False, **(overrides or {})}
    if n_workers is not None:
        extra["n_workers"] = n_workers
    return Params.make(lesson.params, **extra)


def run_lesson(lesson: Lesson, seed: int = 1, months: int | None = None, n_workers: int | None = None,
               overrides: dict[str, Any] | None = None) -> LaborMarket:
    """Run the lesson's scenario (plus ``overrides``) for ``months`` (default: the scenario's horizon)."""
    params = lesson_params(lesson, n_workers, overrides)
    model = LaborMarket(seed=seed, params=params)
    return model.run(params.months if months is None else months)


def metric_series(model: LaborMarket, metric: str) -> pd.Series:
    """The monthly series a "thing to try" is judged by, indexed by year (see :func:`check_metric`)."""
    try:
        check_metric(metric)
    except ValueError as exc:
        raise LessonError(str(exc)) from None
    parts = metric.split(":")
    if len(parts) == 1:
        df = model.model_metrics()
        if metric == "senior_and_staff":
            values = df["workers_by_seniority_senior"] + df["workers_by_seniority_staff"]
        else:
            values = df[metric]
        return pd.Series(values.to_numpy(dtype=float), index=df["year"].to_numpy(), name=metric)
    kind, name, column = parts
    method, key = _KINDS[kind]
    df = getattr(model, method)()
    sub = df[df[key] == name]
    if column == "profit_per_worker":
        values = sub["cumulative_profit"] / max(float(sub["headcount"].iloc[0]), 1.0)
    elif column in ("juniors_per_firm", "seniors_per_firm", "headcount_per_firm"):
        values = sub[column.removesuffix("_per_firm")] / sub["firms"].clip(lower=1)
    else:
        values = sub[column]
    return pd.Series(values.to_numpy(dtype=float), index=sub["year"].to_numpy(), name=metric)


def _window(series: pd.Series, window: tuple[float, float] | None) -> tuple[float, float]:
    end = float(series.index.max())
    if window is None:
        return (max(float(series.index.min()), end - 3.0), end)
    if window[1] > end + 1e-9:
        raise LessonError(f"the window {window[0]:g}–{window[1]:g} ends after the run ({end:g}); run more months")
    return window


def measure(model: LaborMarket, metric: str, window: tuple[float, float] | None = None) -> float:
    """Mean of ``metric`` over the ``window`` years (default: the last three years of the run)."""
    s = metric_series(model, metric)
    lo, hi = _window(s, window)
    part = s[(s.index > lo) & (s.index <= hi + 1e-9)]
    return float(np.nanmean(part.to_numpy())) if len(part) else float("nan")


def direction(before: float, after: float) -> str:
    """``"up"`` or ``"down"`` by the sign of the change; ``"flat"`` only when nothing changed."""
    if after == before or (math.isnan(before) and math.isnan(after)):
        return "flat"
    return "up" if after > before else "down"


def relative_change(before: float, after: float) -> float:
    """(after − before) / |before| (NaN when before is 0)."""
    return (after - before) / abs(before) if before else float("nan")


def judge(expect: str, before: float, after: float, tolerance: float = FLAT_TOLERANCE) -> bool:
    """Did the metric move as expected? ``up``/``down``: by the sign of the change; ``flat``: the
    relative change is within ``tolerance``."""
    if expect == "flat":
        scale = max(abs(before), abs(after), 1e-12)
        return abs(after - before) / scale <= tolerance
    return direction(before, after) == expect


@dataclass
class Comparison:
    """The lesson's scenario and the same scenario with one "thing to try", run with the same seed."""

    lesson: Lesson
    index: int
    base: LaborMarket
    changed: LaborMarket

    @property
    def thing(self) -> ThingToTry:
        return self.lesson.things_to_try[self.index]

    @property
    def before(self) -> float:
        return measure(self.base, self.thing.metric, self.thing.window) if self.thing.metric else float("nan")

    @property
    def after(self) -> float:
        return measure(self.changed, self.thing.metric, self.thing.window) if self.thing.metric else float("nan")

    @property
    def observed(self) -> str | None:
        """Direction the metric moved (None when the thing to try names no metric)."""
        return direction(self.before, self.after) if self.thing.metric else None

    @property
    def as_predicted(self) -> bool | None:
        return None if self.thing.metric is None else judge(self.thing.expect, self.before, self.after)

    def window_text(self) -> str:
        s = metric_series(self.base, self.thing.metric)
        lo, hi = _window(s, self.thing.window)
        return f"{lo:g}–{hi:g}"

    def summary(self) -> str:
        """Markdown: the change, the prediction and what the model did."""
        t = self.thing
        sets = ", ".join(f"`{k}` {_fmt(getattr(self.lesson.params, k))} → {_fmt(v)}" for k, v in t.set.items())
        lines = [f"**Change:** {t.change} ({sets}).", "", f"**Predicted:** {t.predict}"]
        if t.metric:
            before, after = self.before, self.after
            rel = relative_change(before, after)
            small = " (small: within ±2 %)" if t.expect != "flat" and abs(rel) < FLAT_TOLERANCE else ""
            mark = "as predicted ✓" if self.as_predicted else f"NOT as predicted ✗ (expected {t.expect})"
            lines += ["", f"**Observed** (seed {self.base.seed}, {self.base.p.n_workers:,} workers, mean {self.window_text()}): "
                          f"`{t.metric}` {_fmt(before)} → {_fmt(after)} ({rel:+.1%}) — {self.observed}{small}, {mark}."]
        return "\n".join(lines)

    def figure(self, charts: Sequence[str] | None = None, size: tuple[float, float] = (5.8, 3.5)):
        """Side by side: each chart for the scenario (left) and with the change (right), same y-axis;
        with a metric, a first row shows it for both runs on one axis."""
        names = list(self.lesson.charts if charts is None else charts)
        has_metric = self.thing.metric is not None
        rows = len(names) + (1 if has_metric else 0)
        fig, axes = plots.plt.subplots(rows, 2, figsize=(2 * size[0], size[1] * rows), squeeze=False)
        r0 = 0
        if has_metric:
            self.plot_metric(axes[0, 0])
            axes[0, 1].axis("off")
            axes[0, 1].text(0.0, 0.5, _wrap(self.summary().replace("**", "").replace("`", ""), 64), fontsize=8.5, va="center")
            r0 = 1
        a, b = tables(self.base), tables(self.changed)
        for r, name in enumerate(names, start=r0):
            left, right = axes[r, 0], axes[r, 1]
            draw_chart(name, a, left)
            draw_chart(name, b, right)
            left.set_title("scenario: " + left.get_title(), fontsize=10)
            right.set_title("changed: " + right.get_title(), fontsize=10)
            _same_scale(left, right)
        fig.suptitle(f"Try: {self.thing.change}", fontsize=12)
        fig.tight_layout(rect=(0, 0, 1, 0.98))
        return fig

    def plot_metric(self, ax) -> None:
        """The judged metric over time for both runs, the judged window shaded."""
        t = self.thing
        a, b = metric_series(self.base, t.metric), metric_series(self.changed, t.metric)
        ax.plot(a.index, a.to_numpy(), label="scenario", color="C0")
        ax.plot(b.index, b.to_numpy(), label="changed: " + ", ".join(f"{k}={_fmt(v)}" for k, v in t.set.items()), color="C3")
        lo, hi = _window(a, t.window)
        ax.axvspan(lo, hi, color="grey", alpha=0.12, label=f"judged: mean {lo:g}–{hi:g}")
        ax.set(title=f"{t.metric} — predicted: {t.expect}", xlabel="year", ylabel=_unit(t.metric))
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


def compare(lesson: Lesson, try_index: int, seed: int = 1, months: int | None = None, n_workers: int | None = None,
            base: LaborMarket | None = None) -> Comparison:
    """Run the scenario and the scenario with "thing to try" ``try_index`` (same seed, size, months).

    ``base`` may be a model already run with :func:`run_lesson` at the same seed, size and months
    (it is reused, not copied).
    """
    if not 0 <= try_index < len(lesson.things_to_try):
        raise LessonError(f"lesson {lesson.key!r} has {len(lesson.things_to_try)} things to try; index {try_index} is out of range")
    params = lesson_params(lesson, n_workers)
    months = params.months if months is None else months
    if base is None:
        base = run_lesson(lesson, seed, months, n_workers)
    elif base.p != params or base.seed != seed or base.month != months:
        raise LessonError("compare(base=...) must be a run_lesson() model with the same seed, n_workers and months")
    changed = run_lesson(lesson, seed, months, n_workers, overrides=lesson.things_to_try[try_index].set)
    return Comparison(lesson, try_index, base, changed)


def strategy_scoreboard(lesson: Lesson, seeds: Sequence[int] = (1, 2, 3, 4, 5), months: int | None = None,
                        n_workers: int | None = None, year: float | None = None) -> pd.DataFrame:
    """Cumulative profit per 2022 worker ($) of each strategy's firms, one row per seed (and the rank).

    ``year``: read the profit in the 12 months up to this year (default: the last 12 months of the
    run). Strategies with no firms are left out. Is the winner strategy or luck? Compare seeds.
    """
    rows = []
    for seed in seeds:
        model = run_lesson(lesson, seed, months, n_workers)
        end = model.year if year is None else year
        for name in STRATEGY_NAMES:
            if getattr(model.p, f"share_{name}") <= 0:
                continue
            rows.append({"seed": seed, "strategy": name,
                         "profit_per_worker": measure(model, f"firm:{name}:profit_per_worker", (end - 1.0, end))})
    df = pd.DataFrame(rows)
    df["rank"] = df.groupby("seed")["profit_per_worker"].rank(ascending=False).astype(int)
    return df


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


def _fmt(v: Any) -> str:
    """A number for people: 0.45, 12, 2025, 38,866, 1.2e-05."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return str(v)
    v = float(v)
    if math.isnan(v):
        return "n/a"
    if abs(v) >= 10_000:
        return f"{v:,.0f}"
    return f"{v:.4g}" if abs(v) >= 10 else f"{v:.3g}"


def _unit(metric: str) -> str:
    parts = metric.split(":")
    if len(parts) == 1:
        return {**MODEL_COLUMNS, **DERIVED_MODEL}[metric][0]
    table = {**_table_columns(parts[0]), **(DERIVED_FIRM if parts[0] == "firm" else {})}
    return table[parts[2]][0]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(p, width) if p else "" for p in text.split("\n"))


# --------------------------------------------------------------------------------------------
# the Info-tab text
# --------------------------------------------------------------------------------------------
def _param_changes(lesson: Lesson) -> list[tuple[str, Any, Any]]:
    """(name, baseline value, lesson value) for every parameter the lesson sets differently."""
    try:
        _, base = load_scenario(BASELINE_FILE)
    except ParameterError:
        base = Params()
    out = []
    for name in Params.model_fields:
        a, b = getattr(base, name), getattr(lesson.params, name)
        if a != b and name not in ("n_workers",):
            out.append((name, a, b))
    return out


#: The sections of :func:`lesson_sections`, in order (NetLogo's Info tab, plus the question,
#: the predictions, the discussion and the sources).
SECTIONS = ("header", "question", "what", "how", "use", "notice", "try", "discussion", "facts", "extending", "charts")


def lesson_sections(lesson: Lesson, hide_predictions: bool = False, heading: int = 2) -> dict[str, str]:
    """The lesson's Info-tab text as Markdown, one entry per section of :data:`SECTIONS`
    (``extending`` is empty when the lesson has none)."""
    h = "#" * heading
    hh = "#" * (heading + 1)
    rel = f"experiments/lessons/{lesson.path.name}"
    number = lesson.number if lesson.number is not None else repr(lesson.key)
    sec: dict[str, str] = {}
    sec["header"] = (f"{h} {lesson.title}\n\n*About {lesson.minutes} minutes in class · scenario `{rel}` · "
                     f"notebook `demos/{lesson.path.stem}.ipynb`*")
    sec["question"] = f"{hh} The question\n\n{lesson.question}"
    sec["what"] = f"{hh} What is it?\n\n{lesson.description}"
    sec["how"] = f"{hh} How it works\n\n{lesson.mechanism}"
    use = [f"{hh} How to use it", "",
           f"- **In the app** (`abm app`): pick the scenario *{lesson.title}*, press ▶ and watch the charts; "
           "change one slider at a time for the things to try.",
           f"- **In a notebook:** `demos/{lesson.path.stem}.ipynb` runs the scenario and two of the things to try.",
           f"- **In Python:** `from abm.lessons import get_lesson, run_lesson, compare`; `lesson = get_lesson({number})`; "
           "`model = run_lesson(lesson, seed=1, months=120, n_workers=3000)`; `compare(lesson, 0, seed=1, months=120, n_workers=3000)`.",
           ""]
    changes = _param_changes(lesson)
    if changes:
        use += ["The scenario differs from the calibrated baseline (`experiments/baseline.toml`) in:", "",
                "| parameter | baseline | this lesson | what it is |", "|---|---|---|---|"]
        use += [f"| `{name}` | {_fmt(a)} | {_fmt(b)} | {Params.model_fields[name].description or ''} |" for name, a, b in changes]
    else:
        use.append("The scenario uses the calibrated baseline's parameters (`experiments/baseline.toml`).")
    sec["use"] = "\n".join(use)
    sec["notice"] = "\n".join([f"{hh} Things to notice", ""] + [f"- {item}" for item in lesson.look_for])
    tries = [f"{hh} Things to try — predict first, then run", "",
             "For each change, write down which way you expect the named output to move — and why — before you run it.", ""]
    for i, t in enumerate(lesson.things_to_try, start=1):
        sets = ", ".join(f"`{k} = {_fmt(v)}` (now {_fmt(getattr(lesson.params, k))})" for k, v in t.set.items())
        watch = ""
        if t.metric:
            span = f"mean {t.window[0]:g}–{t.window[1]:g}" if t.window else "mean of the last three years"
            watch = f" Watch `{t.metric}` ({span})."
        tries.append(f"{i}. **{t.change}** — set {sets}.{watch}")
        answer = t.predict + (f" *(`{t.metric}`: {t.expect}.)*" if t.expect else "")
        if hide_predictions:
            tries += ["", f"    <details><summary>The model's answer</summary>", "", f"    {answer}", "", "    </details>", ""]
        else:
            tries += ["", f"    *The model:* {answer}", ""]
    sec["try"] = "\n".join(tries).rstrip()
    sec["discussion"] = "\n".join([f"{hh} Discussion", ""] + [f"{i}. {q}" for i, q in enumerate(lesson.discussion, start=1)])
    facts = [f"{hh} What the articles report", "", "| fact | source | in the model |", "|---|---|---|"]
    facts += [f"| {f.fact} | `{f.source}` | {f.in_model or '—'} |" for f in lesson.facts]
    facts += ["", "*Sources: the article files `shared/seeds/NNN_*.txt`, summarised in `shared/FACTS.md`.*"]
    sec["facts"] = "\n".join(facts)
    sec["extending"] = "\n".join([f"{hh} Extending the model", ""] + [f"- {item}" for item in lesson.extending]) if lesson.extending else ""
    sec["charts"] = f"{hh} Charts\n\n" + ", ".join(f"`{c}`" for c in lesson.charts)
    return sec


def lesson_markdown(lesson: Lesson, hide_predictions: bool = False, heading: int = 2,
                    sections: Sequence[str] = SECTIONS) -> str:
    """The lesson as Markdown: the sections of a NetLogo Info tab (what is it, how it works, how to
    use it, things to notice, things to try, extending the model) plus the question, the model's
    checked predictions, discussion questions and the facts from the articles with their sources.

    ``hide_predictions=True`` puts each prediction in a closed ``<details>`` block, so a class can
    write down its own guess first (Jupyter and most Markdown renderers support it).
    ``sections``: which of :data:`SECTIONS` to include, in that order.
    """
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise LessonError(f"unknown section(s) {unknown}; allowed: {', '.join(SECTIONS)}")
    sec = lesson_sections(lesson, hide_predictions, heading)
    return "\n\n".join(sec[s] for s in sections if sec[s]) + "\n"


def lesson_table(lesson: Lesson, model: LaborMarket, every: float = 2.0) -> pd.DataFrame:
    """The metrics the lesson's things to try are judged by, every ``every`` years of the run."""
    metrics = list(dict.fromkeys(t.metric for t in lesson.things_to_try if t.metric))
    series = {m: metric_series(model, m) for m in metrics}
    years = np.arange(model.p.start_year, model.year + 1e-9, every)
    rows = {}
    for y in years:
        rows[f"{y:g}"] = {m: float(s[(s.index > y - 1.0 + 1e-9) & (s.index <= y + 1e-9)].mean()) if y > model.p.start_year
                          else float(s.iloc[0]) for m, s in series.items()}
    return pd.DataFrame(rows).rename_axis("metric (mean of the 12 months up to January)")


# --------------------------------------------------------------------------------------------
# checking the predictions: python -m abm.lessons check
# --------------------------------------------------------------------------------------------
def _check_one(job: tuple[Path, int, int, int]) -> list[dict[str, Any]]:
    """Every thing to try of one lesson file on one seed (a process-pool task)."""
    path, seed, months, n_workers = job
    lesson = load_lesson(path)
    rows, base = [], None
    for i, t in enumerate(lesson.things_to_try):
        if t.metric is None:
            continue
        c = compare(lesson, i, seed=seed, months=months, n_workers=n_workers, base=base)
        base = c.base
        rows.append({"lesson": lesson.path.stem, "n": i + 1, "change": t.change, "metric": t.metric,
                     "expect": t.expect, "workers": n_workers, "seed": seed, "before": c.before, "after": c.after,
                     "observed": c.observed, "as_predicted": c.as_predicted})
    return rows


def check_predictions(lessons: Sequence[Lesson] | None = None, seeds: Sequence[int] = (1, 2, 3, 4, 5),
                      months: int = 120, n_workers: int | Sequence[int] = 3000, jobs: int = 1) -> pd.DataFrame:
    """Run every "thing to try" with a metric on each seed (and size); one row per lesson × try × size × seed.

    ``jobs`` > 1 runs (lesson, size, seed) tasks in that many processes.
    """
    sizes = [n_workers] if isinstance(n_workers, int) else list(n_workers)
    tasks = [(lesson.path, seed, months, n) for lesson in (load_lessons() if lessons is None else lessons)
             for n in sizes for seed in seeds]
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_check_one, tasks))
    else:
        results = [_check_one(t) for t in tasks]
    return pd.DataFrame([row for rows in results for row in rows])


def summarise_checks(df: pd.DataFrame) -> pd.DataFrame:
    """One row per lesson × try × size: mean before/after over seeds, seeds as predicted."""
    return (df.groupby(["lesson", "n", "workers"], sort=True)
              .agg(change=("change", "first"), metric=("metric", "first"), expect=("expect", "first"),
                   before=("before", "mean"), after=("after", "mean"),
                   as_predicted=("as_predicted", "sum"), seeds=("seed", "count"))
              .reset_index())


def checks_markdown(summary: pd.DataFrame, command: str) -> str:
    """The summary as a Markdown page (``demos/PREDICTIONS.md``)."""
    sizes = sorted(summary["workers"].unique())
    seeds = int(summary["seeds"].max())
    head = "| lesson | # | change | metric | predicted | " + " | ".join(f"before → after, {n:,} workers | as predicted" for n in sizes) + " |"
    lines = ["# Checked predictions", "",
             f"Generated by `{command}`. Every thing to try of every lesson, run against its lesson's scenario with the "
             f"same seed, on seeds 1–{seeds} at each size ({sizes[0]:,} workers is the notebooks' size, 5,000 the app's "
             "default). *before → after*: the mean over seeds of the metric's mean over the judged window (in the lesson "
             "file). *as predicted*: on how many seeds the metric moved the predicted way — *up*/*down* by the sign of "
             "the change, *flat* within ±2 %. Only the named metric is checked here; the other figures in a lesson's answer "
             "(\"about 12 %\", \"on most seeds\") were measured the same way, at both sizes, when the lesson was written. "
             "`tests/test_lessons.py` re-checks seed 1 at the notebooks' size on every test run.", "",
             head, "|" + "---|" * (5 + 2 * len(sizes))]
    for (lesson, n), g in summary.groupby(["lesson", "n"], sort=True):
        first = g.iloc[0]
        cells = []
        for size in sizes:
            r = g[g["workers"] == size]
            if len(r):
                r = r.iloc[0]
                cells += [f"{_fmt(r.before)} → {_fmt(r.after)}", f"{int(r.as_predicted)}/{int(r.seeds)}"]
            else:
                cells += ["", ""]
        lines.append(f"| {lesson} | {n} | {first.change} | `{first.metric}` | {first.expect} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m abm.lessons", description="List, show and check the teaching lessons.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="the lessons, one a line")
    show = sub.add_parser("show", help="print a lesson's Info-tab Markdown")
    show.add_argument("lesson", help="number, scenario name or file stem")
    show.add_argument("--hide-predictions", action="store_true", help="put the model's answers in <details> blocks")
    chk = sub.add_parser("check", help="run every thing to try on several seeds; exit 1 if a prediction holds on half the seeds or fewer")
    chk.add_argument("--seeds", type=int, default=5, help="seeds 1..N (default 5)")
    chk.add_argument("--months", type=int, default=120)
    chk.add_argument("--workers", type=int, nargs="+", default=[3000], help="one or more model sizes (default 3000)")
    chk.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    chk.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file (e.g. demos/PREDICTIONS.md)")
    args = ap.parse_args(argv)
    if args.cmd == "list":
        for lesson in load_lessons():
            print(f"{lesson.number}  {lesson.path.name:20s} {lesson.minutes:3d} min  {len(lesson.things_to_try)} things to try  {lesson.title}")
        return 0
    if args.cmd == "show":
        which: int | str = int(args.lesson) if args.lesson.isdigit() else args.lesson
        print(lesson_markdown(get_lesson(which), hide_predictions=args.hide_predictions))
        return 0
    df = check_predictions(seeds=range(1, args.seeds + 1), months=args.months, n_workers=args.workers, jobs=args.jobs)
    summary = summarise_checks(df)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 40)
    print(summary.to_string(index=False))
    if args.markdown:
        command = (f"python -m abm.lessons check --seeds {args.seeds} --months {args.months} "
                   f"--workers {' '.join(map(str, args.workers))} --markdown {args.markdown.as_posix()}")
        args.markdown.write_text(checks_markdown(summary, command), encoding="utf-8")
    weak = summary[summary["as_predicted"] <= summary["seeds"] / 2]
    return 1 if len(weak) else 0


if __name__ == "__main__":
    sys.exit(_main())
