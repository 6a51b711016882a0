"""The lesson as text: the Info-tab Markdown (notebooks, the app, ``abm lessons show``) and the
checked-predictions page (``demos/PREDICTIONS.md``)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from abm.files import BASELINE, load_scenario
from abm.lessons.schema import Lesson, LessonError
from abm.params import Params
from abm.sources import cite


def fmt(v: Any) -> str:
    """A number for people: 0.45, 12, 2025, 38,866, 1.2e-05."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return str(v)
    v = float(v)
    if math.isnan(v):
        return "n/a"
    if abs(v) >= 10_000:
        return f"{v:,.0f}"
    return f"{v:.4g}" if abs(v) >= 10 else f"{v:.3g}"



def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(p, width) if p else "" for p in text.split("\n"))



def _param_changes(lesson: Lesson) -> list[tuple[str, Any, Any]]:
    """(name, baseline value, lesson value) for every parameter the lesson sets differently."""
    _, base = load_scenario(BASELINE)
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
    rel = f"abm/scenarios/lessons/{lesson.path.name}"
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
           "`run = run_lesson(lesson, seed=1, months=120, n_workers=3000)`; `compare(lesson, 0, seed=1, months=120, n_workers=3000)`.",
           f"- **On the command line:** `abm lessons show {number}`; `abm run {lesson.key}`.",
           ""]
    changes = _param_changes(lesson)
    if changes:
        use += ["The scenario differs from the calibrated baseline (`abm/scenarios/baseline.toml`) in:", "",
                "| parameter | baseline | this lesson | what it is |", "|---|---|---|---|"]
        use += [f"| `{name}` | {fmt(a)} | {fmt(b)} | {Params.model_fields[name].description or ''} |" for name, a, b in changes]
    else:
        use.append("The scenario uses the calibrated baseline's parameters (`abm/scenarios/baseline.toml`).")
    sec["use"] = "\n".join(use)
    sec["notice"] = "\n".join([f"{hh} Things to notice", ""] + [f"- {item}" for item in lesson.look_for])
    tries = [f"{hh} Things to try — predict first, then run", "",
             "For each change, write down which way you expect the named output to move — and why — before you run it.", ""]
    for i, t in enumerate(lesson.things_to_try, start=1):
        sets = ", ".join(f"`{k} = {fmt(v)}` (now {fmt(getattr(lesson.params, k))})" for k, v in t.set.items())
        watch = ""
        if t.metric:
            span = f"mean {t.window[0]:g}–{t.window[1]:g}" if t.window else "mean of the last three years"
            watch = f" Watch `{t.metric}` ({span})."
        tries.append(f"{i}. **{t.change}** — set {sets}.{watch}")
        answer = t.predict + (f" *(`{t.metric}`: {t.expect}.)*" if t.expect else "")
        if hide_predictions:
            tries += ["", "    <details><summary>The model's answer</summary>", "", f"    {answer}", "", "    </details>", ""]
        else:
            tries += ["", f"    *The model:* {answer}", ""]
    sec["try"] = "\n".join(tries).rstrip()
    sec["discussion"] = "\n".join([f"{hh} Discussion", ""] + [f"{i}. {q}" for i, q in enumerate(lesson.discussion, start=1)])
    facts = [f"{hh} What the articles report", "", "| fact | source | in the model |", "|---|---|---|"]
    facts += [f"| {f.fact} | {cite(f.source)} | {f.in_model or '—'} |" for f in lesson.facts]
    facts += ["", "*The articles' titles, outlets and dates: `abm/data/sources.toml`.*"]
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


def seeds_phrase(held: int, seeds: int) -> str:
    """``"on 13 of 15 seeds"`` (``"on every seed"`` / ``"on no seed"`` at the ends)."""
    if held == seeds:
        return f"on all {seeds} seeds"
    if held == 0:
        return f"on none of {seeds} seeds"
    return f"on {held} of {seeds} seeds"


def checks_markdown(summary: pd.DataFrame, command: str) -> str:
    """The summary as a Markdown page (``demos/PREDICTIONS.md``): every judged output of every thing
    to try — the named output and the claims its answer makes — and on how many seeds it held."""
    sizes = sorted(summary["workers"].unique())
    seeds = int(summary["seeds"].max())
    head = "| lesson | # | change | claim | metric | predicted | " + " | ".join(
        f"before → after, {n:,} workers | held" for n in sizes) + " |"
    lines = ["# Checked predictions", "",
             f"Generated by `{command}`. Every thing to try of every lesson, run against its lesson's scenario with the "
             f"same seed, on seeds 1–{seeds} at each size (5,000 workers is the app's default, 3,000 the notebooks'). "
             "Each row is one claim of the lesson's answer: the output the thing to try names (*the named output*) and "
             "each further claim its answer makes (`[[lesson.things_to_try.claims]]` in the lesson file). *before → "
             "after*: the mean over seeds of the metric's mean over the judged years. *held*: on how many seeds the "
             "metric moved the stated way — *up*/*down* by the sign of the change, *flat* within ±2 % — the frequency "
             "a lesson's text should state (\"on 13 of 15 seeds\"). `tests/test_lessons.py` re-checks seed 1 at the "
             "notebooks' size on every test run.", "",
             head, "|" + "---|" * (6 + 2 * len(sizes))]
    for (lesson, n, claim), g in summary.groupby(["lesson", "n", "claim"], sort=True):
        first = g.iloc[0]
        cells = []
        for size in sizes:
            r = g[g["workers"] == size]
            if len(r):
                r = r.iloc[0]
                cells += [f"{fmt(r.before)} → {fmt(r.after)}", seeds_phrase(int(r.as_predicted), int(r.seeds))]
            else:
                cells += ["", ""]
        says = first.says if claim else "the named output"
        lines.append(f"| {lesson} | {n} | {first.change} | {says} | `{first.metric}` | {first.expect} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
