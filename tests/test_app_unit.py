"""The app without a browser: scenarios, parameter building, the simulation and its play loop,
settings links, exports, seed runs, and the page rendered with ``solara.render`` (clicks and
slider moves fired on the widgets)."""

from __future__ import annotations

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from abm import charts
from abm.app import exports, links, seeds
from abm.app.chart_view import VegaChart
from abm.app.scenarios import comparison_presets, load_scenarios, read_scenario, single_strategy
from abm.app.session import (
    KNOBS,
    MAX_MONTHS_PER_FRAME,
    RunSpec,
    Simulation,
    build_params,
    knob_values,
    non_adopting_share,
    play,
)
from abm.files import SCENARIOS_DIR
from abm.params import REMOTE_POLICY_SHARES, STRATEGY_SHARES, ParameterError, Params

ROOT = Path(__file__).resolve().parents[1]


# --- scenarios ---------------------------------------------------------------------------------------
def test_scenarios_baseline_first_and_every_file_with_a_scenario_table(tmp_path):
    (tmp_path / "zz.toml").write_text('[scenario]\nname = "zz"\ntitle = "ZZ world"\ndescription = """\nline one\nline two\n"""\n'
                                      '[params]\nshare_cutting = 1.0\nshare_counter_cyclical = 0.0\n'
                                      'share_recomposing = 0.0\nshare_non_adopting = 0.0\n')
    (tmp_path / "batch.toml").write_text("[grid]\nseed = [1, 2]\n")  # no [scenario] table: not a preset
    (tmp_path / "spec.toml").write_text('[experiment]\nname = "spec"\n[scenario]\nname = "spec"\n')  # an experiment spec
    (tmp_path / "broken.toml").write_text('[scenario]\nname = "broken"\n[params]\nshare_cutting = 7.0\n')
    found = load_scenarios([SCENARIOS_DIR, tmp_path])
    keys = [s.key for s in found]
    assert keys[0] == "baseline" and found[0].path == SCENARIOS_DIR / "baseline.toml"  # the shipped file
    assert "zz" in keys and "broken" not in keys and "batch" not in keys and "spec" not in keys
    zz = next(s for s in found if s.key == "zz")
    assert zz.title == "ZZ world" and zz.description == "line one line two"
    assert zz.params.share_cutting == 1.0


def test_scenario_look_for_items_and_lesson_text(tmp_path):
    path = tmp_path / "teach.toml"
    path.write_text('[scenario]\nname = "teach"\ndescription = "d"\nlook_for = ["first thing", "second thing"]\n'
                    '[lesson]\ntext = "a lesson"\n')
    sc = read_scenario(path)  # an incomplete [lesson] table: the scenario still loads, its text is not shown
    assert sc is not None and sc.look_for == ("first thing", "second thing") and sc.description == "d"
    assert sc.lesson is None
    lesson = next(s for s in load_scenarios() if s.key == "lesson_mismatch")  # a real lesson: its question and tries
    assert lesson.lesson is not None and "How can one industry lay off" in lesson.lesson.question
    assert len(lesson.lesson.things_to_try) >= 3


def test_comparison_presets_are_single_strategy_worlds():
    presets = comparison_presets(load_scenarios())
    by_key = {p.key: p for p in presets}
    assert by_key["all_cutting"].params.share_cutting == 1.0
    cc = by_key["all_counter_cyclical"].params
    assert cc.share_counter_cyclical == 1.0 and cc.share_cutting == 0.0
    assert "baseline" in by_key


# --- parameters from the sliders -------------------------------------------------------------------------
def test_knob_values_reproduce_the_scenario():
    base = load_scenarios()[0].params
    p = build_params(base, knob_values(base), n_workers=2000)
    for name in KNOBS:
        assert getattr(p, name) == pytest.approx(getattr(base, name))
    for name in STRATEGY_SHARES + REMOTE_POLICY_SHARES:
        assert getattr(p, name) == pytest.approx(getattr(base, name), abs=1e-6)
    assert p.n_workers == 2000 and p.worker_agents is False


def test_fourth_strategy_share_is_the_rest_and_an_impossible_mix_is_a_one_line_error():
    base = Params()
    values = knob_values(base) | {"share_cutting": 0.5, "share_counter_cyclical": 0.2, "share_recomposing": 0.1}
    assert non_adopting_share(values) == pytest.approx(0.2)
    assert build_params(base, values, 1000).share_non_adopting == pytest.approx(0.2)
    values["share_counter_cyclical"] = 0.9
    with pytest.raises(ParameterError) as err:
        build_params(base, values, 1000)
    assert "must sum to 1" in str(err.value) and "\n" not in str(err.value)


def test_remote_first_slider_keeps_the_policy_shares_summing_to_one():
    base = Params()
    for remote in (0.0, 0.3, 1.0):
        p = build_params(base, knob_values(base) | {"share_remote_first": remote}, 1000)
        assert sum(getattr(p, k) for k in REMOTE_POLICY_SHARES) == pytest.approx(1.0)
        assert p.share_remote_first == pytest.approx(remote)


# --- the simulation --------------------------------------------------------------------------------------
def _spec(months=12, label="A", **kw):
    return RunSpec(label, build_params(Params.make(months=months, **kw), knob_values(Params()), 600), seed=2)


def test_simulation_steps_and_frames_are_snapshots():
    sim = Simulation()
    f0 = sim.reset([_spec()])
    assert f0.month == 0 and f0.date == "Jan 2022" and len(f0.runs[0].model) == 1
    f2 = sim.step(2)
    assert f2.month == 2 and f2.date == "Mar 2022" and f2.id > f0.id
    assert len(f0.runs[0].model) == 1 and len(f2.runs[0].model) == 3  # old frames do not change
    assert sim.step(100).month == 12 and sim.frame.at_end  # never past the horizon


def test_stale_generation_neither_steps_nor_publishes():
    sim = Simulation()
    sim.reset([_spec()])
    old = sim.generation
    sim.reset([_spec()])
    assert sim.step(1, generation=old) is None and sim.month == 0
    assert sim.publishable(old) is None


def test_play_runs_to_the_horizon_and_stops_on_cancel():
    sim = Simulation()
    sim.reset([_spec(months=8), _spec(months=8, label="B")])
    frames = []
    stepped = play(sim, None, threading.Event(), frames.append, min_interval=0.0)
    assert stepped == 8 and sim.month == 8 and frames[-1].month == 8 and frames[-2].rate > 0
    assert frames[-1].rate is None  # the last frame says the run no longer plays
    assert all(len(f.runs) == 2 for f in frames)

    sim.reset([_spec(months=50)])
    cancel = threading.Event()
    published = []

    def publish(frame):
        published.append(frame)
        cancel.set()

    assert play(sim, 100.0, cancel, publish) >= 1 and len(published) == 2


def test_every_frame_of_play_covers_at_most_a_quarter_and_stops_at_the_stop_month():
    sim = Simulation()
    sim.reset([_spec(months=40)])
    months = [0]
    play(sim, None, threading.Event(), lambda f: months.append(f.month), stop_month=14, min_interval=0.0)
    assert sim.month == 14 and months[-1] == 14
    assert max(b - a for a, b in zip(months, months[1:])) <= MAX_MONTHS_PER_FRAME


def test_pause_stops_play_between_two_months():
    """Pause is checked between single months: a pause set while a frame is being stepped stops it there."""
    sim = Simulation()
    sim.reset([_spec(months=60)])
    seen = []

    def publish(frame):
        seen.append(frame.month)
        if len(seen) == 2:
            sim.pause.set()  # as the Pause button does, from another thread, while the next batch steps

    play(sim, None, threading.Event(), publish, min_interval=0.0)
    assert sim.month == seen[1] and seen[-1] == seen[1]  # no month stepped after the pause


def test_listeners_get_every_frame_and_reset_announces_itself():
    sim = Simulation()
    got = []
    stop = sim.subscribe(got.append)
    sim.reset([_spec()])
    sim.notify(sim.step(2))
    assert [f.month for f in got] == [0, 2]
    stop()
    sim.reset([_spec()])
    assert len(got) == 2


# --- settings links, exports, seed runs ---------------------------------------------------------------
def test_a_settings_link_round_trips_and_bad_values_are_one_line_notes():
    scenarios = {s.key: s.params for s in load_scenarios()}
    base = knob_values(scenarios["baseline"])
    settings = links.Settings("baseline", base | {"retraining_subsidy": 0.55}, 2000, 7, "compare",
                              ("all_cutting", "try-2"), 12)
    query = links.to_query(settings, base)
    assert "retraining_subsidy=0.55" in query and "share_cutting" not in query  # only what differs
    back, problems = links.from_query(query, scenarios, "baseline", lambda k: k in ("all_cutting", "try-2"))
    assert problems == [] and back == settings
    _, problems = links.from_query("seed=abc&workers=3&nope=1&retraining_subsidy=7", scenarios, "baseline", lambda k: False)
    assert len(problems) == 4 and all("\n" not in p for p in problems)
    assert any("seed='abc'" in p and "int in [0," in p for p in problems)
    assert any("retraining_subsidy='7'" in p for p in problems)


def test_exports_are_the_charts_data_with_units_and_a_png():
    sim = Simulation()
    sim.reset([_spec()])
    frame = sim.step(3)
    chart_list = [charts.get("seniority"), charts.get("junior_hires")]
    rows = list(csv.DictReader(io.StringIO(exports.charts_csv(chart_list, frame.runs[0].tables))))
    assert {r["chart"] for r in rows} == {"seniority", "junior_hires"}
    assert all(r["value_title"] and r["series"] for r in rows)
    assert exports.charts_png(chart_list, frame.runs[0].tables, "t")[:4] == b"\x89PNG"
    assert exports.filename("lesson 1/x", "month", 3) == "lesson_1_x-month-3"


def test_seed_runs_collect_every_world_and_seed_in_seed_order():
    from abm.runs import RunSpec, run_one

    p = build_params(Params.make(months=6), knob_values(Params()), 600)
    progress = []
    with ThreadPoolExecutor(2) as pool:
        out = seeds.run_seeds([("A", p), ("B", Params.make(p, max_skill_gap=0.45))], [3, 4], 6,
                              metric=seeds.Metric("unemployment_rate", None), progress=lambda d, t: progress.append((d, t)),
                              executor=pool)
    assert out.error is None and progress[-1] == (4, 4)
    assert [len(out.runs[k]) for k in ("A", "B")] == [2, 2] and [r.seed for r in out.runs["B"]] == [3, 4]
    same = run_one(RunSpec("A", p, 4, 6))  # the runs layer's run: the same tables
    assert out.runs["A"][1].model.equals(same.model)
    assert len(out.measured["A"]) == 2 and all(v == v for v in out.measured["A"])


def test_single_strategy_world_validates():
    p = single_strategy(Params(), "share_counter_cyclical")
    assert p.share_counter_cyclical == 1.0 and sum(getattr(p, k) for k in STRATEGY_SHARES) == 1.0


# --- the page, rendered without a browser ---------------------------------------------------------------------
def _texts(rc, cls):
    return ["".join(map(str, w.children)) for w in rc.find(v.Html).widgets if cls in (w.class_ or "").split()]


def _html(rc, cls):
    return [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets if cls in (w.attributes or {}).get("class", "")]


def _month_text(rc) -> str:
    import re

    return re.search(r"month \d+ of \d+", _html(rc, "abm-when")[0]).group(0)


def _button(rc, cls):
    return next(w for w in rc.find(v.Btn).widgets if cls in (w.class_ or "").split())


def _charts(rc):
    return {w.filename: dict(w.values) for w in rc.find(VegaChart).widgets}


def test_page_steps_redraws_and_each_page_has_its_own_model():
    from abm.app.page import EXPLORE_TABS, Page

    box, rc = solara.render(Page(), handle_error=False)
    assert _month_text(rc) == "month 0 of 156"
    before = _charts(rc)
    assert set(before) == set(EXPLORE_TABS["Overview"]) and all(before.values())
    rc.find(v.Btn, class_="abm-step").widget.click()
    assert _month_text(rc) == "month 1 of 156"
    after = _charts(rc)
    assert all(after[k] != before[k] for k in before)  # every chart got the new month

    box2, rc2 = solara.render(Page(), handle_error=False)  # a second visitor
    assert _month_text(rc2) == "month 0 of 156"
    rc2.find(v.Btn, class_="abm-step").widget.click()
    rc2.find(v.Btn, class_="abm-step").widget.click()
    assert _month_text(rc2) == "month 2 of 156"
    assert _month_text(rc) == "month 1 of 156"


def test_a_lesson_shows_its_question_and_a_thing_to_try_opens_the_comparison():
    from abm.app.page import Page

    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    select = next(w for w in rc.find(v.Select).widgets if "abm-scenario" in (w.class_ or ""))
    select.v_model = next(t for t in select.items if t.startswith("Lesson 1"))
    assert any("How can one industry lay off" in t for t in _html(rc, "abm-lesson-question"))
    _button(rc, "abm-section-try").click()
    _button(rc, "abm-try-2").click()
    table = _html(rc, "abm-try-changes")[0]
    assert "max_skill_gap" in table and "0.45" in table
    compare = _html(rc, "abm-compare-table")[0]
    assert "Try 2" in compare and "lesson" in compare.lower()


def test_page_shows_an_impossible_mix_as_a_message_and_blocks_stepping():
    from abm.app.page import Page

    # the sidebar is a portal into the app layout, as under `solara run`
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    sliders = rc.find(v.Slider).widgets
    assert len(sliders) == len(KNOBS)
    cc = sliders[list(KNOBS).index("share_counter_cyclical")]  # the sidebar lists KNOBS in order
    assert cc.v_model == pytest.approx(load_scenarios()[0].params.share_counter_cyclical)
    cc.v_model = 1.0
    alerts = [w for w in rc.find(v.Alert).widgets if "abm-param-error" in (w.class_ or "")]
    assert alerts and "must sum to 1" in str(alerts[0].children)
    assert rc.find(v.Btn, class_="abm-step").widget.disabled
    rc.find(v.Btn, class_="abm-normalise").widget.click()  # the offered fix
    assert not [w for w in rc.find(v.Alert).widgets if "abm-param-error" in (w.class_ or "")]
    assert not rc.find(v.Btn, class_="abm-step").widget.disabled


def test_cli_registers_the_app_command():
    from abm.app.cli import DEFAULT_HOST, DEFAULT_PORT, solara_command
    from abm.cli import build_parser

    args = build_parser().parse_args(["app"])
    assert (args.port, args.host) == (DEFAULT_PORT, DEFAULT_HOST) == (8765, "127.0.0.1")
    cmd = solara_command("127.0.0.1", 9999)
    assert cmd[-6:] == ["abm.app.page", "--host", "127.0.0.1", "--port", "9999", "--production"]


def test_app_command_rejects_a_bad_port_or_size_in_one_line():
    import subprocess
    import sys

    for args, name in ((["--port", "99999"], "--port 99999"), (["--workers", "3"], "--workers 3")):
        done = subprocess.run([sys.executable, "-m", "abm.cli", "app", *args], capture_output=True, text=True, timeout=60)
        option, value = name.split()
        assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
        assert option in done.stderr and value in done.stderr and "allowed" in done.stderr


_KILLED_SERVER = """
import os, signal
from abm.app import seeds
if __name__ == "__main__":
    print(seeds.shared_pool().submit(os.getpid).result(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_seed_run_pool_ends_when_its_server_is_killed(tmp_path):
    """A server killed with SIGKILL cannot shut its pool down: the pool process sees it gone and exits."""
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(_KILLED_SERVER)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    worker = int(done.stdout.split()[0])
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, 9)
    pytest.fail(f"pool process {worker} outlived its killed server by 15 s")
