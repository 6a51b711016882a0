"""The app without a browser: scenarios, parameter building, the simulation, the charts, and the
page rendered with ``solara.render`` (clicks and slider moves fired on the widgets)."""

from __future__ import annotations

import threading
from pathlib import Path

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara

from abm.app import charts
from abm.app.scenarios import comparison_presets, load_scenarios, read_scenario, single_strategy
from abm.app.session import (
    KNOBS,
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
    lesson = next(s for s in load_scenarios() if s.key == "lesson_mismatch")  # a real lesson: its Info-tab text
    assert "The question" in lesson.description and "How can one industry lay off" in lesson.description


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
    stepped = play(sim, None, threading.Event(), frames.append)
    assert stepped == 8 and sim.month == 8 and frames[-1].month == 8 and frames[-1].rate > 0
    assert all(len(f.runs) == 2 for f in frames)

    sim.reset([_spec(months=50)])
    cancel = threading.Event()
    published = []

    def publish(frame):
        published.append(frame)
        cancel.set()

    assert play(sim, 100.0, cancel, publish) >= 1 and len(published) == 1


# --- charts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("months", [0, 3])
def test_every_chart_draws_svg(months):
    sim = Simulation()
    sim.reset([_spec(), _spec(label="B", share_cutting=1.0, share_counter_cyclical=0.0, share_recomposing=0.0,
                              share_non_adopting=0.0)])
    frame = sim.step(months)
    for chart in {c.key: c for tab in charts.EXPLORE_TABS.values() for c in tab}.values():
        svg = charts.render(chart.draw, frame.runs[0], margins=chart.margins)
        assert svg.startswith(b"<?xml") and b"<svg" in svg, chart.key
    for chart in charts.COMPARE_CHARTS:
        assert b"<svg" in charts.render(chart.draw, frame.runs, margins=chart.margins), chart.key


def test_single_strategy_world_validates():
    p = single_strategy(Params(), "share_counter_cyclical")
    assert p.share_counter_cyclical == 1.0 and sum(getattr(p, k) for k in STRATEGY_SHARES) == 1.0


# --- the page, rendered without a browser ---------------------------------------------------------------------
def _texts(rc, cls):
    return ["".join(map(str, w.children)) for w in rc.find(v.Html).widgets if cls in (w.class_ or "").split()]


def _charts(rc):
    return {c: bytes(w.value) for w in rc.find(widgets.Image).widgets for c in w._dom_classes if c.startswith("abm-chart-")}


def test_page_steps_redraws_and_each_page_has_its_own_model():
    from abm.app.page import Page

    box, rc = solara.render(Page(), handle_error=False)
    assert _texts(rc, "abm-month-count") == ["month 0 of 156"]
    before = _charts(rc)
    assert set(before) == {f"abm-chart-{c.key}" for c in charts.EXPLORE_TABS["Overview"]}
    rc.find(v.Btn, class_="abm-step").widget.click()
    assert _texts(rc, "abm-month-count") == ["month 1 of 156"]
    after = _charts(rc)
    assert all(after[k] != before[k] for k in before)

    box2, rc2 = solara.render(Page(), handle_error=False)  # a second visitor
    assert _texts(rc2, "abm-month-count") == ["month 0 of 156"]
    rc2.find(v.Btn, class_="abm-step").widget.click()
    rc2.find(v.Btn, class_="abm-step").widget.click()
    assert _texts(rc2, "abm-month-count") == ["month 2 of 156"]
    assert _texts(rc, "abm-month-count") == ["month 1 of 156"]


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
