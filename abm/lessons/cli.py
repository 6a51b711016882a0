"""``abm lessons list|show|check|handout`` (also ``python -m abm.lessons ...``).

    abm lessons list                         # the lessons, one a line
    abm lessons show 2 --hide-predictions    # a lesson's Info-tab Markdown (a handout)
    abm lessons check --seeds 5 --workers 3000 5000 --markdown demos/PREDICTIONS.md
    abm lessons handout 1 --out lesson1.html  # a printable handout: text, figures, folded answers

``check`` runs every "thing to try" of every lesson on seeds 1..N at each model size and exits 1
if a prediction holds on half the seeds or fewer. A bad lesson file is a one-line error (exit 2).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from abm.params import ParameterError

if TYPE_CHECKING:
    from abm.lessons.schema import Lesson

#: the most seeds ``abm lessons check --seeds`` may ask for
MAX_SEEDS = 1000

DESCRIPTION = "List, show and check the teaching lessons (abm/scenarios/lessons/*.toml)."


def add_commands(p: argparse.ArgumentParser) -> None:
    """The ``list``, ``show`` and ``check`` subcommands on parser ``p``."""
    from abm.cli import add_processes_option, add_workers_option, int_in
    from abm.runs import MONTHS_MAX

    sub = p.add_subparsers(dest="lessons_command", required=True, metavar="{list,show,check,handout}")
    sub.add_parser("list", help="the lessons, one a line")
    show = sub.add_parser("show", help="print a lesson's Info-tab Markdown")
    show.add_argument("lesson", help="number, scenario name or file stem")
    show.add_argument("--hide-predictions", action="store_true", help="put the model's answers in <details> blocks")
    chk = sub.add_parser("check", help="run every thing to try on several seeds; exit 1 if a prediction holds on half "
                                       "the seeds or fewer")
    chk.add_argument("--seeds", type=int_in(1, MAX_SEEDS, what="seeds 1..N"), default=5, help="seeds 1..N (default 5)")
    chk.add_argument("--months", type=int_in(1, MONTHS_MAX, what="months per run"), default=120,
                     help="months per run (default 120)")
    add_workers_option(chk, many=True, default=[3000])
    add_processes_option(chk, old=("--jobs",))
    chk.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file (e.g. demos/PREDICTIONS.md)")
    from abm.lessons.handout import add_arguments

    add_arguments(sub.add_parser("handout", help="write a printable handout (HTML): the lesson's text, its figures, "
                                                 "the answers folded"))
    p.set_defaults(func=cmd_lessons)


def cmd_lessons(args: argparse.Namespace) -> int:
    from abm.lessons.schema import get_lesson, load_lessons
    from abm.lessons.text import lesson_markdown

    if args.lessons_command == "list":
        for lesson in load_lessons():
            print(f"{lesson.number}  {lesson.path.name:20s} {lesson.minutes:3d} min  {len(lesson.things_to_try)} things to try  "
                  f"{lesson.title}")
        return 0
    if args.lessons_command == "handout":
        from abm.lessons.handout import cmd_handout

        return cmd_handout(args)
    if args.lessons_command == "show":
        which: int | str = int(args.lesson) if args.lesson.isdigit() else args.lesson
        print(lesson_markdown(get_lesson(which), hide_predictions=args.hide_predictions))
        return 0
    return _check(args)


def _check(args: argparse.Namespace) -> int:
    from abm.cli import output_file, runs_progress
    from abm.experiments.engines import processes
    from abm.lessons.checks import check_predictions, summarise_checks
    from abm.lessons.schema import load_lessons
    from abm.lessons.text import checks_markdown

    lessons = load_lessons()  # a bad lesson file stops here, before any run
    shortest = months_needed(lessons)
    if args.months < shortest:
        raise ParameterError(f"--months {args.months} is too short: a thing to try is judged up to month {shortest}; "
                             f"allowed: --months >= {shortest}")
    if args.markdown:
        output_file(args.markdown, "--markdown")
    with processes(args.processes) as executor, runs_progress("lessons check") as progress:
        df = check_predictions(lessons, seeds=range(1, args.seeds + 1), months=args.months, n_workers=args.workers,
                               executor=executor, progress=progress)
    summary = summarise_checks(df)
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(summary.to_string(index=False))
    if args.markdown:
        command = (f"abm lessons check --seeds {args.seeds} --months {args.months} "
                   f"--workers {' '.join(map(str, args.workers))} --markdown {args.markdown.as_posix()}")
        args.markdown.write_text(checks_markdown(summary, command), encoding="utf-8")
    weak = summary[summary["as_predicted"] <= summary["seeds"] / 2]
    return 1 if len(weak) else 0


def months_needed(lessons: list[Lesson]) -> int:
    """The fewest months a check must run: up to the end of the latest window a thing to try is judged over."""
    ends = [math.ceil(round((thing.window[1] - lesson.params.start_year) * 12, 6))
            for lesson in lessons for thing in lesson.things_to_try if thing.window is not None]
    return max([1, *ends])


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lessons", help="list, show and check the teaching lessons", description=DESCRIPTION)
    add_commands(p)


def main(argv: list[str] | None = None) -> int:
    """``python -m abm.lessons``: the ``abm lessons`` command under its old name."""
    from abm.cli import Parser, run_command

    parser = Parser(prog="python -m abm.lessons", description=DESCRIPTION)
    add_commands(parser)
    return run_command(parser.parse_args(argv))  # a LessonError is a ParameterError: one line, exit 2
