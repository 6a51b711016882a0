"""Running a lesson and checking its predictions: runs from :mod:`abm.runs`, judged by :mod:`abm.measures`.

:func:`run_lesson` runs the lesson's scenario, :func:`compare` runs it with one "thing to try" on
the same seed and says whether the named metric moved as the lesson predicts, and
:func:`check_predictions` (``abm lessons check``) does that for every thing to try on several seeds
and sizes at once with :func:`abm.runs.run_many` — in this process or on a process pool.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abm import measures
from abm.lessons.schema import FLAT_TOLERANCE, Judged, Lesson, LessonError, ThingToTry, load_lessons
from abm.lessons.text import fmt
from abm.params import Params
from abm.runs import TABLES, Results, RunSpec, run_many, run_one
from abm.strategies import STRATEGIES

Progress = Callable[[int, int], None]


# --- running -------------------------------------------------------------------------------------
def lesson_params(lesson: Lesson, n_workers: int | None = None, overrides: dict[str, Any] | None = None) -> Params:
    """The lesson's params with ``n_workers`` and ``overrides`` applied (validated), no Worker agents
    (lessons read the tables; the arrays are the state either way)."""
    extra: dict[str, Any] = {"worker_agents": False, **(overrides or {})}
    if n_workers is not None:
        extra["n_workers"] = n_workers
    return Params.make(lesson.params, **extra)


def lesson_spec(lesson: Lesson, seed: int = 1, months: int | None = None, n_workers: int | None = None,
                overrides: dict[str, Any] | None = None, label: str = "", tables: tuple[str, ...] = TABLES) -> RunSpec:
    """The run of the lesson's scenario (plus ``overrides``) for ``months`` (default: the scenario's horizon)."""
    return RunSpec(label or lesson.key, lesson_params(lesson, n_workers, overrides), seed, months, tables=tables)


def run_lesson(lesson: Lesson, seed: int = 1, months: int | None = None, n_workers: int | None = None,
               overrides: dict[str, Any] | None = None) -> Results:
    """Run the lesson's scenario (plus ``overrides``) for ``months`` (default: the scenario's horizon)."""
    return run_one(lesson_spec(lesson, seed, months, n_workers, overrides))


def metric_series(run: Results, metric: str) -> pd.Series:
    """The monthly series a "thing to try" is judged by, indexed by year (:func:`abm.measures.metric_series`)."""
    try:
        return measures.metric_series(run.tables, metric)
    except ValueError as exc:
        raise LessonError(str(exc)) from None


def judged_window(series: pd.Series, window: tuple[float, float] | None) -> tuple[float, float]:
    """The years a metric is judged over (:func:`abm.measures.window`), as a :class:`LessonError`."""
    try:
        return measures.window(series, window)
    except ValueError as exc:
        raise LessonError(str(exc)) from None


def measure(run: Results, metric: str, window: tuple[float, float] | None = None) -> float:
    """Mean of ``metric`` over the ``window`` years (default: the last three years of the run)."""
    s = metric_series(run, metric)
    return measures.window_mean(s, judged_window(s, window))


def lesson_table(lesson: Lesson, run: Results, every: float = 2.0) -> pd.DataFrame:
    """The metrics the lesson's things to try are judged by, every ``every`` years of the run."""
    metrics = list(dict.fromkeys(t.metric for t in lesson.things_to_try if t.metric))
    series = {m: metric_series(run, m) for m in metrics}
    years = np.arange(run.params.start_year, run.year + 1e-9, every)
    rows = {}
    for y in years:
        rows[f"{y:g}"] = {m: float(s[(s.index > y - 1.0 + 1e-9) & (s.index <= y + 1e-9)].mean()) if y > run.params.start_year
                          else float(s.iloc[0]) for m, s in series.items()}
    return pd.DataFrame(rows).rename_axis("metric (mean of the 12 months up to January)")


# --- judging -------------------------------------------------------------------------------------
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
    base: Results
    changed: Results

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
        if self.thing.metric is None or self.thing.expect is None:
            return None
        return judge(self.thing.expect, self.before, self.after)

    def outcome(self, judged: Judged) -> tuple[float, float, bool]:
        """``judged``'s output (the named one or a claim) in both worlds, and whether it moved as stated."""
        assert judged.metric is not None and judged.expect is not None
        before = measure(self.base, judged.metric, judged.window)
        after = measure(self.changed, judged.metric, judged.window)
        return before, after, judge(judged.expect, before, after)

    def window_text(self) -> str:
        s = metric_series(self.base, self.thing.metric or "")
        lo, hi = judged_window(s, self.thing.window)
        return f"{lo:g}–{hi:g}"

    def summary(self) -> str:
        """Markdown: the change, the prediction and what the model did."""
        t = self.thing
        sets = ", ".join(f"`{k}` {fmt(getattr(self.lesson.params, k))} → {fmt(v)}" for k, v in t.set.items())
        lines = [f"**Change:** {t.change} ({sets}).", "", f"**Predicted:** {t.predict}"]
        if t.metric:
            before, after = self.before, self.after
            rel = relative_change(before, after)
            small = " (small: within ±2 %)" if t.expect != "flat" and abs(rel) < FLAT_TOLERANCE else ""
            mark = "as predicted ✓" if self.as_predicted else f"NOT as predicted ✗ (expected {t.expect})"
            lines += ["", f"**Observed** (seed {self.base.seed}, {self.base.params.n_workers:,} workers, mean {self.window_text()}): "
                          f"`{t.metric}` {fmt(before)} → {fmt(after)} ({rel:+.1%}) — {self.observed}{small}, {mark}."]
        return "\n".join(lines)

    def figure(self, charts: Sequence[str] | None = None, size: tuple[float, float] = (5.8, 3.5)):  # type: ignore[no-untyped-def]
        """Side by side: each chart for the scenario and with the change (:func:`abm.lessons.charts.comparison_figure`)."""
        from abm.lessons.charts import comparison_figure

        return comparison_figure(self, charts, size)

    def plot_metric(self, ax) -> None:  # type: ignore[no-untyped-def]
        """The judged metric over time for both runs (:func:`abm.lessons.charts.plot_comparison_metric`)."""
        from abm.lessons.charts import plot_comparison_metric

        plot_comparison_metric(self, ax)


def compare(lesson: Lesson, try_index: int, seed: int = 1, months: int | None = None, n_workers: int | None = None,
            base: Results | None = None) -> Comparison:
    """Run the scenario and the scenario with "thing to try" ``try_index`` (same seed, size, months).

    ``base`` may be a run of :func:`run_lesson` at the same seed, size and months (it is reused).
    """
    if not 0 <= try_index < len(lesson.things_to_try):
        raise LessonError(f"lesson {lesson.key!r} has {len(lesson.things_to_try)} things to try; index {try_index} is out of range")
    spec = lesson_spec(lesson, seed, months, n_workers)
    if base is None:
        base = run_one(spec)
    elif base.params != spec.params or base.seed != seed or base.months != spec.horizon:
        raise LessonError("compare(base=...) must be a run_lesson() run with the same seed, n_workers and months")
    changed = run_one(lesson_spec(lesson, seed, months, n_workers, overrides=lesson.things_to_try[try_index].set))
    return Comparison(lesson, try_index, base, changed)


def strategy_scoreboard(lesson: Lesson, seeds: Sequence[int] = (1, 2, 3, 4, 5), months: int | None = None,
                        n_workers: int | None = None, year: float | None = None,
                        executor: Executor | None = None) -> pd.DataFrame:
    """Cumulative profit per 2022 worker ($) of each strategy's firms, one row per seed (and the rank).

    ``year``: read the profit in the 12 months up to this year (default: the last 12 months of the
    run). Strategies with no firms are left out. Is the winner strategy or luck? Compare seeds.
    """
    runs = run_many([lesson_spec(lesson, seed, months, n_workers) for seed in seeds], executor)
    rows = []
    for run in runs:
        end = run.year if year is None else year
        for s in STRATEGIES:
            if getattr(run.params, s.share) <= 0:
                continue
            rows.append({"seed": run.seed, "strategy": s.name,
                         "profit_per_worker": measure(run, f"firm:{s.name}:profit_per_worker", (end - 1.0, end))})
    df = pd.DataFrame(rows)
    df["rank"] = df.groupby("seed")["profit_per_worker"].rank(ascending=False).astype(int)
    return df


# --- checking the predictions: abm lessons check ---------------------------------------------------------
def check_predictions(lessons: Sequence[Lesson] | None = None, seeds: Sequence[int] = (1, 2, 3, 4, 5),
                      months: int = 120, n_workers: int | Sequence[int] = 3000, executor: Executor | None = None,
                      progress: Progress | None = None) -> pd.DataFrame:
    """Run every "thing to try" with a metric or claims on each seed (and size) against the scenario on
    the same seed; one row per lesson × try × judged output × size × seed (``claim`` 0 is the named
    output, 1, 2, ... the claims). The runs go to :func:`abm.runs.run_many` on ``executor``."""
    sizes = [n_workers] if isinstance(n_workers, int) else list(n_workers)
    lessons = load_lessons() if lessons is None else lessons
    cases = [(lesson, n, seed) for lesson in lessons for n in sizes for seed in seeds]
    specs: list[RunSpec] = []
    for lesson, n, seed in cases:
        tables = tuple(sorted({"model", *(measures.metric_table(j.metric) for t in lesson.things_to_try for j in t.judged
                                          if j.metric)}))
        specs.append(lesson_spec(lesson, seed, months, n, label=f"{lesson.key}, {n} workers, seed {seed}", tables=tables))
        specs += [lesson_spec(lesson, seed, months, n, t.set, f"{lesson.key} try {i + 1}, {n} workers, seed {seed}", tables)
                  for i, t in enumerate(lesson.things_to_try) if t.judged]
    results = iter(run_many(specs, executor, progress))
    rows = []
    for lesson, n, seed in cases:
        base = next(results)
        for i, t in enumerate(lesson.things_to_try):
            if not t.judged:
                continue
            c = Comparison(lesson, i, base, next(results))
            for k, judged in enumerate(t.judged):
                before, after, held = c.outcome(judged)
                rows.append({"lesson": lesson.path.stem, "n": i + 1, "claim": k if t.metric else k + 1,
                             "change": t.change, "says": getattr(judged, "says", ""), "metric": judged.metric,
                             "expect": judged.expect, "workers": n, "seed": seed, "before": before, "after": after,
                             "observed": direction(before, after), "as_predicted": held})
    return pd.DataFrame(rows)


def summarise_checks(df: pd.DataFrame) -> pd.DataFrame:
    """One row per lesson × try × judged output × size: mean before/after over seeds, seeds as predicted."""
    return (df.groupby(["lesson", "n", "claim", "workers"], sort=True)
              .agg(change=("change", "first"), says=("says", "first"), metric=("metric", "first"), expect=("expect", "first"),
                   before=("before", "mean"), after=("after", "mean"),
                   as_predicted=("as_predicted", "sum"), seeds=("seed", "count"))
              .reset_index())
