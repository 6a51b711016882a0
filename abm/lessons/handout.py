"""A printable lesson handout: one self-contained HTML page with the lesson's text and figures.

    abm lessons handout 1 --out lesson1.html             # (or: python -m abm.lessons handout 1 ...)
    abm lessons handout 1 --answers --out lesson1-instructor.html
    abm lessons handout 1 > lesson1.html

The page holds the question, how the mechanism works, what to notice, the lesson's charts of one
run, every "thing to try" with a chart of the output it is judged by (the lesson's world and the
changed world, same seed, the judged years shaded), the discussion questions and the articles the
facts come from (title and outlet, :mod:`abm.sources`). The model's answers are folded
(``<details>``) unless ``answers=True``; printed, folded answers are left out. Figures are drawn by
the chart registry's static renderer and embedded as PNG, so the file works offline and prints as
it looks. Runs use the notebooks' size (3,000 workers, 120 months, seed 1) unless told otherwise.
"""

from __future__ import annotations

import argparse
import base64
import html
import sys
from pathlib import Path

import markdown
from matplotlib.figure import Figure

from abm import charts
from abm.charts.lessons import metric_chart
from abm.charts.theme import output_label
from abm.lessons.checks import compare, run_lesson
from abm.lessons.schema import Lesson, get_lesson
from abm.sources import cite

SEED, WORKERS, MONTHS = 1, 3000, 120

CSS = """
body { font-family: Roboto, Helvetica, Arial, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em;
       color: #202124; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; } .meta { color: #555; font-size: .9em; } .question { font-size: 1.15em; font-weight: 500; }
figure { margin: 1em 0; } figure img { width: 100%; } figcaption { font-size: .85em; color: #555; }
table { border-collapse: collapse; font-size: .9em; } td, th { border: 1px solid #ddd; padding: .3em .5em; vertical-align: top; }
details { border: 1px solid #ddd; border-radius: 4px; padding: .3em .6em; margin: .4em 0; }
.write { border: 1px dashed #999; min-height: 3.5em; margin: .4em 0 1em 0; padding: .3em; color: #777; font-size: .85em; }
@media print { details:not([open]) { display: none; } h2 { break-after: avoid; } figure, .try { break-inside: avoid; }
               body { margin: 0; max-width: none; } }
"""


def _md(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"])


def _png(fig: Figure) -> str:
    data = base64.b64encode(charts.image(fig, "png", dpi=110)).decode("ascii")
    return f"data:image/png;base64,{data}"


def _figure(src: str, alt: str, caption: str = "") -> str:
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{src}" alt="{html.escape(alt, quote=True)}">{cap}</figure>'


def handout_html(lesson: Lesson, *, answers: bool = False, seed: int = SEED, n_workers: int = WORKERS,
                 months: int = MONTHS) -> str:
    """The handout of ``lesson`` as one HTML page."""
    base = run_lesson(lesson, seed=seed, months=months, n_workers=n_workers)
    tables = base.tables
    names = lesson.charts
    start = lesson.params.start_year
    run_note = f"one run: seed {seed}, {n_workers:,} workers, {start}–{start + months // 12}"
    parts = [f"<h1>{html.escape(lesson.title)}</h1>",
             f'<p class="meta">About {lesson.minutes} minutes · figures from {run_note} · the model is a small, stylised '
             "scale model of the US tech labour market: its numbers illustrate mechanisms, they are not forecasts.</p>",
             f'<p class="question">The question: {html.escape(lesson.question)}</p>',
             '<div class="write">Your answer, before you look at the model:</div>',
             "<h2>What is it?</h2>", _md(lesson.description),
             "<h2>How it works</h2>", _md(lesson.mechanism),
             "<h2>Things to notice</h2>", _md("\n".join(f"- {item}" for item in lesson.look_for))]
    fig = charts.figure(names, tables, ncols=2, size=(5.4, 3.5))
    alt = "; ".join(charts.describe(charts.get(n), *charts.frame(charts.get(n), tables)) for n in names)
    parts.append(_figure(_png(fig), alt, f"The lesson's charts, {run_note}."))
    parts.append("<h2>Things to try — predict first, then run</h2>")
    parts.append("<p>For each change, write down which way the output will move and why. In the app, the button "
                 "<em>Try it</em> runs the lesson's world and the changed world side by side with the same seed.</p>")
    for i, thing in enumerate(lesson.things_to_try):
        changes = ", ".join(f"{html.escape(_parameter(k))} {_value(getattr(lesson.params, k))} → {_value(v)}"
                            for k, v in thing.set.items())
        block = [f'<div class="try"><h3>{i + 1}. {html.escape(thing.change)}</h3><p>Change: {changes}.</p>']
        if thing.metric:
            c = compare(lesson, i, seed=seed, months=months, n_workers=n_workers, base=base)
            chart = metric_chart(thing.metric, thing.window)
            runs = {"the lesson's world": tables, "changed": c.changed.tables}
            fig = charts.figure([chart], runs, ncols=1, size=(7.0, 3.2))
            span = f"mean {thing.window[0]:g}–{thing.window[1]:g}" if thing.window else "mean of the last three years"
            block.append(f"<p>Watch: {html.escape(output_label(thing.metric))} ({span}).</p>")
            block.append('<div class="write">Your prediction (up, down, no change) and why:</div>')
            block.append(_figure(_png(fig), charts.describe(chart, *charts.frame(chart, runs)),
                                 f"{output_label(thing.metric)}: the lesson's world and the changed world, {run_note}; "
                                 "the judged years shaded."))
        opened = " open" if answers else ""
        block.append(f"<details{opened}><summary>The model's answer</summary>{_md(thing.predict)}</details></div>")
        parts.append("".join(block))
    parts += ["<h2>Discussion</h2>", _md("\n".join(f"{i}. {q}" for i, q in enumerate(lesson.discussion, start=1)))]
    rows = "".join(f"<tr><td>{html.escape(f.fact)}</td><td>{html.escape(cite(f.source))}</td>"
                   f"<td>{html.escape(f.in_model or '—')}</td></tr>" for f in lesson.facts)
    parts += ["<h2>What the articles report</h2>",
              f"<table><tr><th>fact</th><th>source</th><th>in the model</th></tr>{rows}</table>"]
    if lesson.extending:
        parts += ["<h2>Extending the model</h2>", _md("\n".join(f"- {item}" for item in lesson.extending))]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(lesson.title)}</title>'
            f"<style>{CSS}</style></head><body>\n{body}\n</body></html>\n")


def _parameter(name: str) -> str:
    from abm.params import Params

    field = Params.model_fields.get(name)
    return (field.description or name) if field else name


def _value(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``abm lessons handout``."""
    p.add_argument("lesson", help="number, scenario name or file stem")
    p.add_argument("--answers", action="store_true", help="show the model's answers (an instructor's copy)")
    p.add_argument("--out", type=Path, help="write the HTML here (default: print it)")
    p.add_argument("--seed", type=int, default=SEED, help=f"seed of the runs behind the figures (default {SEED})")


def cmd_handout(args: argparse.Namespace) -> int:
    which: int | str = int(args.lesson) if args.lesson.isdigit() else args.lesson
    page = handout_html(get_lesson(which), answers=args.answers, seed=args.seed)
    if args.out is None:
        sys.stdout.write(page)
    else:
        args.out.write_text(page, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
