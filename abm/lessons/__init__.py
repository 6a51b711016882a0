"""Teaching lessons: scenario presets with an Info-tab text, runnable in the app, in notebooks and
from the command line (``abm lessons list|show|check``).

Modules, one job each: :mod:`~abm.lessons.schema` (the ``[lesson]`` table, loading),
:mod:`~abm.lessons.text` (the Info-tab Markdown, the checked-predictions page),
:mod:`~abm.lessons.checks` (running a lesson, comparing a "thing to try", checking predictions on
many seeds with :func:`abm.runs.run_many`), :mod:`~abm.lessons.charts` (the lessons' figures,
drawn by the chart registry :mod:`abm.charts`), :mod:`~abm.lessons.handout` (the printable handout)
and :mod:`~abm.lessons.cli` (the command). Everything a notebook uses is importable from here.
"""

from abm.lessons.charts import CHARTS, draw_chart, draw_charts, plot_scoreboard
from abm.lessons.checks import (
    Comparison,
    check_predictions,
    compare,
    direction,
    judge,
    lesson_params,
    lesson_spec,
    lesson_table,
    measure,
    metric_series,
    relative_change,
    run_lesson,
    strategy_scoreboard,
    summarise_checks,
)
from abm.lessons.schema import (
    EXPECT,
    FLAT_TOLERANCE,
    Fact,
    Lesson,
    LessonError,
    ThingToTry,
    get_lesson,
    lessons_dir,
    load_lesson,
    load_lessons,
)
from abm.lessons.text import SECTIONS, checks_markdown, lesson_markdown, lesson_sections
from abm.measures import check_metric

__all__ = [
    "CHARTS", "EXPECT", "FLAT_TOLERANCE", "SECTIONS", "Comparison", "Fact", "Lesson", "LessonError", "ThingToTry",
    "check_metric", "check_predictions", "checks_markdown", "compare", "direction", "draw_chart", "draw_charts",
    "get_lesson", "judge", "lesson_markdown", "lesson_params", "lesson_sections", "lesson_spec", "lesson_table",
    "lessons_dir", "load_lesson", "load_lessons", "measure", "metric_series", "plot_scoreboard", "relative_change",
    "run_lesson", "strategy_scoreboard", "summarise_checks",
]
