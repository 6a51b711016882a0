"""Build the lesson notebooks ``demos/NN_*.ipynb`` from the lesson files in ``abm/scenarios/lessons/``.

    .venv/bin/python demos/build_notebooks.py           # (re)write the notebooks
    .venv/bin/python demos/build_notebooks.py --check   # exit 1 if a notebook is out of date

The notebooks are generated, not edited by hand: the lesson text comes from the lesson's TOML file
(through ``abm.lessons.lesson_markdown``), the charts from the project's chart registry
(``abm.charts``, through ``abm.lessons``), and
this script only decides the order of the cells, which two "things to try" each notebook runs and
which charts it shows for them. They are stored without outputs and with fixed cell ids, so the
same lessons always give byte-identical files. ``tests/test_lessons.py`` executes every notebook
top to bottom and checks that the stored files are up to date.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from abm.lessons import Lesson, lesson_markdown, load_lessons

DEMOS = Path(__file__).resolve().parent

#: Classroom size: small enough that a notebook runs top to bottom in seconds.
SEED, WORKERS, MONTHS = 1, 3000, 120


@dataclass(frozen=True)
class Plan:
    """What a lesson's notebook runs besides the scenario itself."""

    tries: tuple[tuple[int, tuple[str, ...]], ...]  # (1-based thing to try, charts to compare)
    own_change: dict = field(default_factory=dict)  # the example in "Your turn"
    scoreboard: bool = False  # run the scenario on five seeds and rank the strategies


PLANS: dict[str, Plan] = {
    "01_mismatch": Plan(tries=((1, ("beveridge",)), (2, ("hard_to_fill",))),
                        own_change={"max_skill_gap": 0.35}),
    "02_pipeline": Plan(tries=((1, ("seniority",)), (2, ("hard_to_fill",))),
                        own_change={"junior_freeze_adoption": 0.3}),
    "03_remote_pay": Plan(tries=((1, ("location_pay",)), (3, ("remote_pay",))),
                          own_change={"share_location_adjusted_pay": 0.35}),
    "04_retraining": Plan(tries=((2, ("retraining",)), (4, ("retrained_employed",))),
                          own_change={"retraining_length_scale": 0.75}),
    "05_strategies": Plan(tries=((2, ("firm_profit",)), (3, ("strategy_juniors",))),
                          own_change={"share_cutting": 0.45, "share_recomposing": 0.15}, scoreboard=True),
    "06_public_good": Plan(tries=((1, ("strategy_mix", "seniority")), (3, ("public_spend", "firm_profit"))),
                           own_change={"retention_pay_share": 0.2}),
}


def _md(text: str):
    return new_markdown_cell(text.strip() + "\n")


def _code(text: str):
    return new_code_cell(text.strip() + "\n")


def build(lesson: Lesson) -> nbformat.NotebookNode:
    """The notebook of one lesson (no outputs)."""
    stem = lesson.path.stem
    plan = PLANS.get(stem, Plan(tries=((1, lesson.charts[:1]),)))
    cells = [
        _md(lesson_markdown(lesson, sections=("header", "question", "what", "how"))),
        _md(f"""
## How to use this notebook

Run it top to bottom (*Run → Run All Cells*, or *Kernel → Restart & Run All*). It simulates
{WORKERS:,} workers for {MONTHS} months ({lesson.params.start_year} → {lesson.params.start_year + MONTHS // 12})
in a few seconds, so you can change a number and run a cell again during class. Every figure is
drawn by the project's chart registry (`abm.charts`), the same charts, colours and names the
app and the reports use. The lesson text comes from `{lesson.path.relative_to(DEMOS.parent).as_posix()}`
— edit that file, not this notebook (`python demos/build_notebooks.py` rebuilds it).

{lesson_markdown(lesson, sections=("use",)).split(chr(10), 2)[2].strip()}
"""),
        _code(f"""
import time

from IPython.display import Markdown, display

from abm.lessons import compare, draw_charts, get_lesson, lesson_table, run_lesson

%matplotlib inline

SEED, WORKERS, MONTHS = {SEED}, {WORKERS}, {MONTHS}  # classroom size: change SEED to see how much is luck
lesson = get_lesson({lesson.number if lesson.number is not None else repr(lesson.key)})
"""),
        _md("""
## 1. Run the scenario

The table shows the outputs the "things to try" are judged by, every two years.
"""),
        _code("""
start = time.perf_counter()
run = run_lesson(lesson, seed=SEED, months=MONTHS, n_workers=WORKERS)  # the run's tables, parameters and seed
print(f"{MONTHS} months with {WORKERS:,} workers in {time.perf_counter() - start:.1f} s")
lesson_table(lesson, run).round(3)
"""),
        _md("## 2. Look at it\n\n" + lesson_markdown(lesson, sections=("notice",)).split("\n", 2)[2]),
        _code("fig = draw_charts(lesson, run, title=lesson.title)"),
    ]
    if plan.scoreboard:
        cells += [
            _md("""
### Strategy or luck?

With a few dozen firms, which strategy ends up on top depends partly on luck: where each firm
is, which teams it started with, its own demand shocks. Run the same scenario with five seeds
and compare. A strategy that wins on every seed is a better bet than one that wins on average.
"""),
            _code("""
import matplotlib.pyplot as plt

from abm.lessons import plot_scoreboard, strategy_scoreboard

board = strategy_scoreboard(lesson, seeds=range(1, 6), months=MONTHS, n_workers=WORKERS)
fig, ax = plt.subplots(figsize=(9, 4))
plot_scoreboard(board, ax)
board.pivot(index="seed", columns="strategy", values="rank")  # 1 = most profit per 2022 worker
"""),
        ]
    cells.append(_md("## 3. Things to try\n\n" + lesson_markdown(lesson, hide_predictions=True, sections=("try",)).split("\n", 2)[2]
                     + "\nThe next cells run two of them against the scenario above, with the same seed. "
                     "**Before you run each cell, write down your prediction.**"))
    for number, charts in plan.tries:
        t = lesson.things_to_try[number - 1]
        cells += [
            _md(f"""
### Try {number}: {t.change}

Which way will `{t.metric}` move, and why? Write it down, then run the cell. The first row of
the figure shows that output for both runs; below it, a chart for the scenario (left) and the
changed world (right) on the same scale. Pass other chart names to `figure()` to see more.
"""),
            _code(f"""
try_{number} = compare(lesson, {number - 1}, seed=SEED, months=MONTHS, n_workers=WORKERS, base=run)
display(Markdown(try_{number}.summary()))
fig = try_{number}.figure({list(charts)!r})
"""),
        ]
    own = ", ".join(f'"{k}": {v!r}' for k, v in plan.own_change.items())
    cells += [
        _md("""
## 4. Your turn

Change one parameter (its name and range: `abm params`, or `docs/parameters.md`) and run the
cell. Predict first! Try another seed too: a change that flips with the seed is noise, not a
result. A bad name or an impossible value stops with a one-line error that names it.
"""),
        _code(f"""
my_change = {{{own}}}
mine = run_lesson(lesson, seed=SEED, months=MONTHS, n_workers=WORKERS, overrides=my_change)
fig = draw_charts(lesson.charts[:2], mine, title=f"your change: {{my_change}}")
"""),
        _md(lesson_markdown(lesson, sections=("discussion", "facts", "extending"))),
    ]
    for k, cell in enumerate(cells):
        cell["id"] = f"{stem.replace('_', '-')}-{k:02d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "abm_lesson": {"scenario": lesson.path.relative_to(DEMOS.parent).as_posix(), "generated_by": "demos/build_notebooks.py"},
    })
    nbformat.validate(nb)
    return nb


def render(lesson: Lesson) -> str:
    return nbformat.writes(build(lesson)) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if a notebook differs from what would be built")
    args = ap.parse_args(argv)
    stale = []
    for lesson in load_lessons():
        path = DEMOS / f"{lesson.path.stem}.ipynb"
        text = render(lesson)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(DEMOS.parent)}")
    if stale:
        print(f"out of date (run: python demos/build_notebooks.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
