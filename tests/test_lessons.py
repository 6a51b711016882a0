"""Teaching lessons: the lesson files validate, their predictions hold, the notebooks run.

* every ``experiments/lessons/*.toml`` loads as a scenario and as a lesson; every "thing to try"
  is a valid parameter override that changes something; bad files fail with one-line errors;
* every prediction holds at the notebooks' settings (seed 1, 3,000 workers, 120 months) — the
  runs a class sees: the two "things to try" each notebook shows are checked by running the
  notebook, the others by ``test_predictions_hold_at_the_notebook_settings``
  (``python -m abm.lessons check`` runs five seeds and two sizes: demos/PREDICTIONS.md);
* every notebook in ``demos/`` is up to date with ``demos/build_notebooks.py``, is stored without
  outputs, and executes top to bottom in a kernel of this interpreter (nbclient) without errors,
  with every comparison it shows "as predicted". Without pytest-xdist the selected notebooks are
  executed two at a time in the background (each in its own kernel process) to keep this file
  under a minute on two cores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from abm import lessons as L  # noqa: E402
from abm.files import baseline_path  # noqa: E402
from abm.params import STRATEGY_SHARES, Params, load_scenario  # noqa: E402
from abm.sources import cite  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ROOT / "demos"
LESSONS = L.load_lessons()
STEMS = [lesson.path.stem for lesson in LESSONS]

sys.path.insert(0, str(DEMOS))
try:
    import build_notebooks  # noqa: E402
finally:
    sys.path.remove(str(DEMOS))

NB_SEED, NB_WORKERS, NB_MONTHS = build_notebooks.SEED, build_notebooks.WORKERS, build_notebooks.MONTHS


def shown_in_notebook(lesson) -> set[int]:
    """0-based indices of the things to try the lesson's notebook runs."""
    return {number - 1 for number, _ in build_notebooks.PLANS[lesson.path.stem].tries}


# --- the lesson files ---------------------------------------------------------------------------
def test_six_lessons_in_order():
    assert STEMS == ["01_mismatch", "02_pipeline", "03_remote_pay", "04_retraining", "05_strategies", "06_public_good"]
    assert [lesson.number for lesson in LESSONS] == [1, 2, 3, 4, 5, 6]
    assert len({lesson.key for lesson in LESSONS}) == 6


@pytest.mark.parametrize("lesson", LESSONS, ids=STEMS)
def test_lesson_is_a_complete_scenario_preset(lesson):
    meta, params = load_scenario(lesson.path)  # the route the app takes
    assert meta["base"] == "../baseline.toml"  # the shipped baseline, next to the lessons folder
    assert {"name", "title", "description"} <= set(meta) and meta["lesson"]
    assert params == lesson.params
    assert params.n_workers <= 5000, "keep lesson scenarios small so the app steps fast"
    assert abs(sum(getattr(params, k) for k in STRATEGY_SHARES) - 1) < 1e-9
    assert abs(params.share_onsite + params.share_hybrid + params.share_remote_first - 1) < 1e-9
    assert lesson.question and lesson.mechanism and lesson.look_for and lesson.discussion
    assert 3 <= len(lesson.things_to_try) <= 6 and len(lesson.facts) >= 3
    assert 20 <= lesson.minutes <= 60
    assert all(name in L.CHARTS for name in lesson.charts)
    assert all(re.fullmatch(r"seeds/00[0-4]", f.source) for f in lesson.facts)  # the five articles


@pytest.mark.parametrize("lesson", LESSONS, ids=STEMS)
def test_every_thing_to_try_is_a_valid_override_that_changes_something(lesson):
    for i, t in enumerate(lesson.things_to_try):
        changed = Params.make(lesson.params, **t.set)  # raises ParameterError if not valid
        assert changed != lesson.params, f"thing to try {i + 1} changes nothing"
        assert all(getattr(lesson.params, k) != v for k, v in t.set.items()), f"thing to try {i + 1} sets a value it already has"
        assert t.metric and t.expect in L.EXPECT and t.window, f"thing to try {i + 1} names no metric/expect/window to check"
        assert t.window[1] <= lesson.params.start_year + NB_MONTHS / 12, "the window must fit the notebooks' 120 months"
        L.check_metric(t.metric)


def recorded_frequency(lesson_stem: str, number: int) -> tuple[int, int]:
    """(seeds held, seeds checked) of a thing to try's named output in demos/PREDICTIONS.md.

    Read at the notebooks' size when the table has a column for it (the tests run at that size),
    else from the last *held* column."""
    held_col = -1
    for line in (ROOT / "demos" / "PREDICTIONS.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[:2] == ["lesson", "#"]:
            size = f"before → after, {NB_WORKERS:,} workers"
            held_col = cells.index(size) + 1 if size in cells else -1
        if len(cells) > 4 and cells[0] == lesson_stem and cells[1] == str(number) and cells[3] == "the named output":
            m = re.search(r"on (all|\d+) of (\d+) seeds|on all (\d+) seeds", cells[held_col])
            if m and m.group(3):
                return int(m.group(3)), int(m.group(3))
            if m:
                return int(m.group(1)), int(m.group(2))
    raise AssertionError(f"{lesson_stem} #{number} is not in demos/PREDICTIONS.md: regenerate it")


@pytest.mark.parametrize("lesson", LESSONS, ids=STEMS)
def test_predictions_hold_at_the_notebook_settings(lesson):
    """The things to try the notebook does not show (those it shows: test_notebook_runs_top_to_bottom).

    A prediction recorded as holding on every seed must hold on the notebook's seed; one recorded as
    holding on most seeds (the lesson text says how many) must hold on most of three seeds."""
    others = [i for i in range(len(lesson.things_to_try)) if i not in shown_in_notebook(lesson)]
    assert others and len(shown_in_notebook(lesson)) == 2
    stem = lesson.path.stem
    base = {NB_SEED: L.run_lesson(lesson, NB_SEED, NB_MONTHS, NB_WORKERS)}
    wrong = []
    for i in others:
        held, seeds = recorded_frequency(stem, i + 1)
        assert held > seeds / 2, f"{stem} #{i + 1} holds on only {held} of {seeds} seeds: the lesson must not claim it"
        tried = [NB_SEED] if held == seeds else [NB_SEED, NB_SEED + 1, NB_SEED + 2]
        results = []
        for seed in tried:
            if seed not in base:
                base[seed] = L.run_lesson(lesson, seed, NB_MONTHS, NB_WORKERS)
            results.append(L.compare(lesson, i, seed, NB_MONTHS, NB_WORKERS, base=base[seed]))
        if sum(c.as_predicted for c in results) * 2 <= len(results):
            c = results[0]
            wrong.append(f"{i + 1}: {c.thing.change}: {c.thing.metric} {c.before:.4g} → {c.after:.4g}, expected {c.thing.expect}"
                         f" (as predicted on {sum(r.as_predicted for r in results)} of {len(results)} seeds)")
    assert not wrong, "the model no longer moves as the lesson predicts — rerun `abm lessons check` and fix the text:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lesson", LESSONS, ids=STEMS)
def test_markdown_has_the_info_tab_sections(lesson):
    md = L.lesson_markdown(lesson)
    for heading in ("The question", "What is it?", "How it works", "How to use it", "Things to notice",
                    "Things to try", "Discussion", "What the articles report", "Extending the model"):
        assert f"### {heading}" in md
    assert lesson.title in md and all(cite(f.source) in md for f in lesson.facts)
    assert "seeds/" not in md  # sources by title and outlet, not a path outside the repository
    assert all(t.predict in md for t in lesson.things_to_try)
    hidden = L.lesson_markdown(lesson, hide_predictions=True)
    assert hidden.count("<details>") == len(lesson.things_to_try)
    assert L.lesson_markdown(lesson, sections=("question",)).startswith("### The question")
    with pytest.raises(L.LessonError, match="unknown section"):
        L.lesson_markdown(lesson, sections=("nope",))


def test_get_lesson_by_number_name_and_stem():
    assert L.get_lesson(2).key == L.get_lesson("lesson_pipeline").key == L.get_lesson("02_pipeline").key
    with pytest.raises(L.LessonError, match="no lesson 9"):
        L.get_lesson(9)


# --- validation errors: one line, naming the key ------------------------------------------------
GOOD = '''
[scenario]
name = "t"
title = "T"
description = "d"
base = "baseline.toml"

[params]
n_workers = 1000

[lesson]
question = "q"
mechanism = "m"
look_for = ["l"]
discussion = ["d"]
minutes = 30
charts = ["beveridge"]

[[lesson.facts]]
fact = "f"
source = "seeds/001"

[[lesson.things_to_try]]
change = "c"
set = { max_skill_gap = 0.4 }
predict = "p"
metric = "mismatch_index"
expect = "down"
window = [2024.0, 2030.0]
'''


def _write(tmp_path: Path, text: str) -> Path:
    shutil.copy(baseline_path(), tmp_path / "baseline.toml")
    path = tmp_path / "01_t.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('question = "q"\n', ""), r"missing key 'question'"),
    (lambda s: s.replace('minutes = 30', 'minutes = 30\nminuets = 3'), r"unknown key 'minuets'"),
    (lambda s: s.replace("max_skill_gap = 0.4", "max_gap = 0.4"), r"things_to_try\[0\]\.set: unknown parameter 'max_gap'.*did you mean 'max_skill_gap'"),
    (lambda s: s.replace("max_skill_gap = 0.4", "max_skill_gap = 4.0"), r"things_to_try\[0\]\.set: parameter 'max_skill_gap' = 4\.0 is invalid"),
    (lambda s: s.replace("max_skill_gap = 0.4", "share_cutting = 0.9"), r"things_to_try\[0\]\.set: impossible combination: .*must sum to 1"),
    (lambda s: s.replace('metric = "mismatch_index"', 'metric = "mismatch"'), r"things_to_try\[0\]\.metric: unknown model metric 'mismatch'.*mismatch_index"),
    (lambda s: s.replace('metric = "mismatch_index"', 'metric = "firm:cuting:profit"'), r"unknown firm 'cuting'.*did you mean 'cutting'"),
    (lambda s: s.replace('expect = "down"', 'expect = "lower"'), r"things_to_try\[0\]\.expect: must be one of up, down, flat"),
    (lambda s: s.replace("window = [2024.0, 2030.0]", "window = [2030.0, 2024.0]"), r"window: must be \[from_year, to_year\]"),
    (lambda s: s.replace("window = [2024.0, 2030.0]", "window = [2024.0, 2040.0]"), r"window: .* is outside the scenario's run"),
    (lambda s: s.replace('expect = "down"\n', ""), r"give both 'metric' and 'expect'"),
    (lambda s: s.replace('charts = ["beveridge"]', 'charts = ["beveridg"]'), r"charts: unknown chart 'beveridg'.*did you mean 'beveridge'"),
    (lambda s: s.replace('source = "seeds/001"', 'source = "article one"'), r"facts\[0\]\.source: must name an article file as 'seeds/NNN'"),
    (lambda s: s.replace("minutes = 30", "minutes = 500"), r"minutes: must be an integer number of minutes"),
    (lambda s: s.replace('look_for = ["l"]', "look_for = []"), r"look_for: must be a non-empty list"),
    (lambda s: s.replace("n_workers = 1000", "n_workers = -1"), r"parameter 'n_workers' = -1 is invalid"),
    (lambda s: s[: s.index("[lesson]")], r"\[lesson\]: missing table"),
])
def test_bad_lesson_files_fail_with_one_line_errors(tmp_path, edit, message):
    path = _write(tmp_path, edit(GOOD))
    with pytest.raises(L.LessonError) as info:
        L.load_lesson(path)
    text = str(info.value)
    assert "\n" not in text, text
    assert re.search(message, text), text
    assert "01_t.toml" in text, text


def test_a_good_file_loads_and_the_directory_loader_checks_names(tmp_path):
    lesson = L.load_lesson(_write(tmp_path, GOOD))
    assert lesson.things_to_try[0].set == {"max_skill_gap": 0.4} and lesson.number == 1
    folder = tmp_path / "lessons"  # a lessons directory holds only lessons; the base is one level up
    folder.mkdir()
    for name in ("01_t.toml", "02_t.toml"):
        (folder / name).write_text(GOOD.replace('base = "baseline.toml"', 'base = "../baseline.toml"'), encoding="utf-8")
    with pytest.raises(L.LessonError, match="duplicate scenario name"):
        L.load_lessons(folder)
    (folder / "02_t.toml").unlink()
    assert [x.key for x in L.load_lessons(folder)] == ["t"]
    with pytest.raises(L.LessonError, match="lesson directory not found"):
        L.load_lessons(tmp_path / "nope")


# --- running, measuring, drawing ----------------------------------------------------------------
@pytest.fixture(scope="module")
def small_run():
    lesson = L.get_lesson(5)
    return lesson, L.run_lesson(lesson, seed=2, months=30, n_workers=1000)


def test_metric_series_of_every_kind(small_run):
    _, model = small_run
    for metric in ("unemployment_rate", "senior_and_staff", "cluster:ml_ai:vacancy_seeker_ratio",
                   "firm:cutting:profit_per_worker", "firm:counter_cyclical:juniors_per_firm", "location:india:employed"):
        s = L.metric_series(model, metric)
        assert len(s) == 31 and s.index[0] == 2022.0, metric
    assert L.measure(model, "senior_and_staff", (2022.0, 2023.0)) > 0
    with pytest.raises(L.LessonError, match="ends after the run"):
        L.measure(model, "unemployment_rate", (2024.0, 2030.0))


def test_compare_reuses_only_a_matching_base(small_run):
    lesson, model = small_run
    with pytest.raises(L.LessonError, match="same seed, n_workers and months"):
        L.compare(lesson, 0, seed=3, months=30, n_workers=1000, base=model)
    with pytest.raises(L.LessonError, match="index 9 is out of range"):
        L.compare(lesson, 9, seed=2, months=30, n_workers=1000, base=model)


def test_every_chart_draws_from_a_run(small_run):
    _, model = small_run
    fig = L.draw_charts(list(L.CHARTS), model, ncols=3)
    assert sum(ax.get_visible() for ax in fig.axes if ax.get_title(loc="left")) >= len(L.CHARTS)
    plt.close(fig)
    board = L.strategy_scoreboard(L.get_lesson(5), seeds=(1, 2), months=12, n_workers=500)
    assert set(board["strategy"]) == {"non_adopting", "cutting", "counter_cyclical", "recomposing"}
    assert sorted(board.loc[board["seed"] == 1, "rank"]) == [1, 2, 3, 4]
    fig, ax = plt.subplots()
    L.plot_scoreboard(board, ax)
    plt.close(fig)


# --- the notebooks ------------------------------------------------------------------------------
def test_notebooks_are_built_from_the_lessons_and_stored_without_outputs():
    assert build_notebooks.main(["--check"]) == 0, "run: python demos/build_notebooks.py"
    assert sorted(p.stem for p in DEMOS.glob("*.ipynb")) == STEMS
    for path in DEMOS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name} is stored with outputs"


def _execute(stem: str, kernel_name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(DEMOS / f"{stem}.ipynb", as_version=4)
    NotebookClient(nb, kernel_name=kernel_name, timeout=180, allow_errors=False,
                   resources={"metadata": {"path": str(DEMOS)}}).execute()  # raises CellExecutionError
    return nb


@pytest.fixture(scope="module")
def executed(request, tmp_path_factory):
    """``executed(stem)`` → the notebook run top to bottom in a kernel of *this* interpreter (a
    kernelspec in a temp dir, so the venv is used whatever else is installed)."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "abm-lessons"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "abm lessons (test)", "language": "python"}), encoding="utf-8")
    selected = [item.callspec.params["stem"] for item in request.session.items
                if item.name.startswith("test_notebook_runs_top_to_bottom[")]
    jobs: dict[str, Future] = {}
    with pytest.MonkeyPatch.context() as mp, ThreadPoolExecutor(max_workers=2) as pool:
        mp.setenv("JUPYTER_PATH", str(root))
        mp.delenv("MPLBACKEND", raising=False)

        def get(stem: str | None = None) -> nbformat.NotebookNode | None:
            # under pytest-xdist the workers share the notebooks out; alone, all selected ones are
            # started at once (two at a time) and run while the other tests of this file run
            alone = not os.environ.get("PYTEST_XDIST_WORKER")
            for s in ([stem] if stem else []) + (selected if alone else []):
                if s not in jobs:
                    jobs[s] = pool.submit(_execute, s, "abm-lessons")
            return jobs[stem].result() if stem else None

        yield get
        for job in jobs.values():
            job.cancel()


@pytest.fixture(scope="module", autouse=True)
def _start_notebooks(executed):
    executed()


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_runs_top_to_bottom(stem, executed):
    nb = executed(stem)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4, f"{stem}: expected the lesson's charts, two comparisons and 'your turn' as figures"
    shown = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    assert len(shown) == 2 and all("as predicted ✓" in md for md in shown), shown


def test_claims_of_an_answer_are_checked_like_the_named_output(tmp_path):
    """A claim the answer makes is one more row of ``abm lessons check``, counted seed by seed."""
    text = GOOD.replace('window = [2024.0, 2030.0]\n', 'window = [2024.0, 2030.0]\n\n[[lesson.things_to_try.claims]]\n'
                          'says = "vacancies stay open longer"\nmetric = "senior_vacancy_duration"\nexpect = "up"\n')
    lesson = L.load_lesson(_write(tmp_path, text))
    claim = lesson.things_to_try[0].claims[0]
    assert claim.says == "vacancies stay open longer" and claim.window is None
    df = L.check_predictions([lesson], seeds=(1, 2), months=96, n_workers=500)
    assert sorted(df["claim"].unique()) == [0, 1] and len(df) == 4
    summary = L.summarise_checks(df)
    md = L.checks_markdown(summary, "abm lessons check --seeds 2")
    assert "vacancies stay open longer" in md and re.search(r"on (all 2 seeds|none of 2 seeds|1 of 2 seeds)", md)
    bad = text.replace('metric = "senior_vacancy_duration"\nexpect = "up"', 'metric = "senior_vacancy_duration"\nexpect = "higher"')
    with pytest.raises(L.LessonError, match=r"claims\[0\]\.expect: must be one of up, down, flat"):
        L.load_lesson(_write(tmp_path, bad))
