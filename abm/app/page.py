"""The Solara page: ``solara run abm.app.page`` (or ``abm app``).

One :class:`~abm.app.session.Simulation` per browser session for each mode (explore, compare),
created inside the ``Page`` component with ``solara.use_memo``: every visitor steps their own
models. Nothing mutable lives at module level.

Layout: the sidebar holds the scenario picker and the parameter sliders; the main area holds the
mode tabs (explore one world / compare two), the run controls (reset, step, play/pause, speed),
a "what am I looking at" card, headline numbers, and the charts of the selected chart tab.
Changing a parameter rebuilds the model at January of the start year (and keeps playing if it
was). An impossible combination is shown as the model's one-line ``ParameterError`` message;
the last valid model stays on screen and cannot be stepped until the parameters are fixed.
"""

from __future__ import annotations

import logging
from typing import Callable

import solara
import solara.lab

from abm.app import charts
from abm.app.scenarios import STRATEGY_LABELS, Scenario, comparison_presets, load_scenarios
from abm.app.session import (
    DEFAULT_SEED,
    DEFAULT_SPEED,
    DEFAULT_WORKERS,
    KNOB_GROUPS,
    KNOBS,
    MIX_SHARES,
    SPEEDS,
    WORKER_CHOICES,
    Frame,
    Knob,
    RunFrame,
    RunSpec,
    Simulation,
    build_params,
    error_text,
    knob_values,
    non_adopting_share,
    play,
    remote_split,
)

log = logging.getLogger(__name__)

TITLE = "Tech jobs in the AI era — a live agent-based model"
MODES = ("Explore a scenario", "Compare two worlds")
DEFAULT_COMPARE = ("all_cutting", "all_counter_cyclical")
CURRENT = "current"  # comparison preset: the explore tab's current settings

CSS = """
.abm-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; padding: 8px 12px;
           background: #f5f7fa; border-radius: 8px; margin-bottom: 10px; }
.abm-date { font-size: 20px; font-weight: 600; color: #1a237e; min-width: 150px; }
.abm-sub { font-size: 12px; color: #5f6368; }
.abm-kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; margin: 6px 0 12px 0; }
.abm-kpi { background: #ffffff; border: 1px solid #e0e4ea; border-radius: 8px; padding: 6px 12px; }
.abm-kpi-label { font-size: 11.5px; color: #5f6368; line-height: 1.2; }
.abm-kpi-value { font-size: 21px; font-weight: 600; color: #202124; line-height: 1.3; }
.abm-kpi-delta { font-size: 11.5px; color: #5f6368; }
.abm-chart-box { background: #ffffff; border: 1px solid #e0e4ea; border-radius: 8px; padding: 6px; }
.abm-chart { width: 100%; height: auto; display: block; }
.abm-caption { font-size: 12px; color: #5f6368; padding: 0 6px 4px 6px; line-height: 1.35; }
.abm-group { font-size: 13px; font-weight: 600; color: #1a237e; margin: 14px 0 0 0; text-transform: uppercase;
             letter-spacing: 0.03em; }
.abm-knob-label { font-size: 13px; color: #202124; }
.abm-knob-value { font-size: 13px; font-weight: 600; color: #1a237e; }
.abm-mix { display: flex; height: 10px; border-radius: 5px; overflow: hidden; margin: 4px 0 2px 0; background: #eee; }
.abm-story { background: #fffdf5; border: 1px solid #f1e3b3; border-radius: 8px; padding: 10px 14px; margin-bottom: 6px; }
.abm-story h3 { font-size: 15px; margin: 0 0 4px 0; color: #5d4300; }
.abm-story p, .abm-story li { font-size: 13.5px; line-height: 1.45; margin-bottom: 4px; }
.abm-vs { font-weight: 600; }
.abm-compare td, .abm-compare th { padding: 3px 10px; font-size: 13px; text-align: right; }
.abm-compare td:first-child, .abm-compare th:first-child { text-align: left; color: #5f6368; }
.abm-compare { border-collapse: collapse; margin: 4px 0 10px 0; background: #fff; border: 1px solid #e0e4ea; border-radius: 8px; }
.abm-compare tr:nth-child(even) { background: #f8f9fb; }
"""


# --- small building blocks -------------------------------------------------------------------------
@solara.component
def KnobSlider(knob: Knob, value: float, on_value: Callable[[float], None], disabled: bool = False):
    """A labelled slider with its current value and the parameter's description as a tooltip."""
    with solara.Column(gap="0px", classes=["abm-knob", f"abm-knob-{knob.name}"]):
        with solara.Row(justify="space-between", style={"margin-top": "6px"}):
            with solara.Tooltip(knob.help):
                solara.Text(knob.label, classes=["abm-knob-label"])
            solara.Text(knob.format(value), classes=["abm-knob-value"])
        # the range always covers the value (a scenario may set one outside the usual range)
        solara.SliderFloat("", value=value, min=min(knob.min, value), max=max(knob.max, value), step=knob.step, on_value=on_value,
                           thumb_label=False, disabled=disabled)


@solara.component
def MixBar(parts: list[tuple[str, float, str]]):
    """A thin stacked bar showing shares (label, share, colour)."""
    segments = "".join(f'<div title="{label} {100 * share:.0f} %" style="width:{100 * max(share, 0):.2f}%;background:{color}"></div>'
                       for label, share, color in parts)
    solara.HTML(tag="div", unsafe_innerHTML=segments, classes=["abm-mix"])


def _kpi(label: str, value: str, delta: str = "", testid: str = ""):
    with solara.Column(gap="0px", classes=["abm-kpi"] + ([f"abm-kpi-{testid}"] if testid else [])):
        solara.Text(label, classes=["abm-kpi-label"])
        solara.Text(value, classes=["abm-kpi-value"])
        if delta:
            solara.Text(delta, classes=["abm-kpi-delta"])


@solara.component
def ChartView(chart: charts.Chart, data, frame_id: int):
    """One chart, drawn once per frame (memoised on the frame id)."""

    def draw() -> bytes | None:
        try:
            return charts.render(chart.draw, data, margins=chart.margins)
        except Exception:  # a chart must never take the page down
            log.exception("chart %s failed", chart.key)
            return None

    image = solara.use_memo(draw, [frame_id, chart.key])
    with solara.Column(gap="0px", classes=["abm-chart-box"]):
        if image is None:
            solara.Warning(f"This chart could not be drawn for this month ({chart.key}); see the server log.", dense=True)
        else:
            solara.Image(image, format="svg+xml", width="100%", classes=["abm-chart", f"abm-chart-{chart.key}"])
        if chart.caption:
            solara.Text(chart.caption, classes=["abm-caption"])


@solara.component
def ChartGrid(chart_list: list[charts.Chart], data, frame_id: int):
    with solara.ColumnsResponsive(12, large=6, xlarge=6):
        for chart in chart_list:
            ChartView(chart, data, frame_id).key(chart.key)


# --- run controls ----------------------------------------------------------------------------------
@solara.component
def RunControls(frame: Frame | None, playing: solara.Reactive[bool], speed: solara.Reactive[str],
                on_step: Callable[[], None], on_reset: Callable[[], None], blocked: bool):
    at_end = frame is not None and frame.at_end
    with solara.Row(classes=["abm-bar"], gap="10px"):
        solara.Button("Reset", icon_name="mdi-restart", on_click=on_reset, outlined=True, classes=["abm-reset"])
        solara.Button("Step", icon_name="mdi-skip-next", on_click=on_step, outlined=True, classes=["abm-step"],
                      disabled=playing.value or blocked or at_end)
        if playing.value:
            solara.Button("Pause", icon_name="mdi-pause", on_click=lambda: playing.set(False), color="warning",
                          classes=["abm-play"])
        else:
            solara.Button("Play", icon_name="mdi-play", on_click=lambda: playing.set(True), color="primary",
                          classes=["abm-play"], disabled=blocked or at_end)
        with solara.Column(style={"width": "190px"}, gap="0px"):
            solara.Select("Speed", values=list(SPEEDS), value=speed, dense=True, classes=["abm-speed"])
        with solara.Column(gap="0px", style={"margin-left": "12px", "flex": "1 1 220px"}):
            if frame is not None:
                solara.Text(f"{frame.date}", classes=["abm-date", "abm-month"])
                rate = f" · {frame.rate:.1f} months/s" if playing.value and frame.rate else ""
                end = " · end of horizon: reset to run again" if at_end else ""
                solara.Text(f"month {frame.month} of {frame.horizon}{rate}{end}", classes=["abm-sub", "abm-month-count"])
                solara.ProgressLinear(value=100.0 * frame.month / max(frame.horizon, 1), color="primary")


# --- explore mode -----------------------------------------------------------------------------------

@solara.component
def Headlines(run: RunFrame, start_year: int):
    df = run.model
    now, first = df.iloc[-1], df.iloc[0]
    last12 = df[df["month"] > max(0, int(now["month"]) - 12)]
    with solara.Div(classes=["abm-kpis"]):
        _kpi("Unemployment rate", f"{100 * now['unemployment_rate']:.1f} %", f"{start_year}: {100 * first['unemployment_rate']:.1f} %", "unemployment")
        _kpi("Vacancy rate", f"{100 * now['vacancy_rate']:.1f} %", f"{start_year}: {100 * first['vacancy_rate']:.1f} %", "vacancies")
        _kpi("Mismatch index", f"{now['mismatch_index']:.2f}", f"{start_year}: {first['mismatch_index']:.2f}", "mismatch")
        _kpi("ML/AI vacancies per seeker", f"{now['ai_vacancy_seeker_ratio']:.1f}", f"legacy roles: {now['legacy_vacancy_seeker_ratio']:.2f}", "ai-ratio")
        _kpi("AI pay premium", f"{100 * now['ai_premium']:+.0f} %", "ML/AI vs other developers", "ai-premium")
        _kpi("Remote ÷ onsite pay", f"{now['remote_onsite_pay_ratio_adjusted']:.2f}", "location-adjusted payers", "remote")
        _kpi("Junior hires, last 12 months", f"{last12['junior_hires'].sum():.0f}", f"seniors + staff: {now['workers_by_seniority_senior'] + now['workers_by_seniority_staff']:,.0f}", "juniors")
        _kpi("In retraining", f"{now['retraining_enrolled']:.0f}", f"completed so far: {df['retraining_completed'].sum():.0f}", "retraining")


@solara.component
def Story(scenario: Scenario, changed: list[str]):
    with solara.Column(gap="0px", classes=["abm-story", "abm-scenario-story"]):
        solara.HTML(tag="h3", unsafe_innerHTML=f"What am I looking at? — {_escape(scenario.title)}")
        solara.Markdown(scenario.description or "No description in the scenario file.")
        if scenario.look_for:
            solara.Markdown("**Look for:**\n\n" + "\n".join(f"- {item}" for item in scenario.look_for))
        if changed:
            solara.Markdown("*You changed:* " + "; ".join(changed) + ".")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@solara.component
def ExploreView(frame: Frame | None, scenario: Scenario, changed: list[str]):
    tab = solara.use_reactive(0)
    Story(scenario, changed)
    if frame is None:
        solara.Info("No model yet: fix the parameters in the sidebar.")
        return
    run = frame.runs[0]
    Headlines(run, frame.start_year)
    names = list(charts.EXPLORE_TABS)
    with solara.lab.Tabs(value=tab, background_color="#fafafa", slider_color="primary"):
        for name in names:
            solara.lab.Tab(name, classes=[f"abm-tab-{name.lower()}"])
    ChartGrid(charts.EXPLORE_TABS[names[tab.value]], run, frame.id).key(f"grid-{names[tab.value]}")


# --- compare mode -----------------------------------------------------------------------------------
@solara.component
def CompareView(frame: Frame | None, presets: list[Scenario], keys: solara.Reactive[tuple[str, str]]):
    titles = {p.key: p.title for p in presets}
    titles[CURRENT] = "Current settings of the Explore tab"
    by_title = {v: k for k, v in titles.items()}

    def set_side(i: int, title: str):
        new = list(keys.value)
        new[i] = by_title[title]
        keys.set(tuple(new))

    with solara.Column(gap="0px", classes=["abm-story"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Two worlds, same people, same seed")
        solara.Markdown("Both models start from the same workforce (same seed and size) and are stepped together. "
                        "The default pits **cutting** firms (AI gains taken as headcount cuts, junior hiring frozen) "
                        "against **counter-cyclical** firms (keep hiring and mentoring juniors). Watch the junior "
                        "hires, then the senior stock a few years later — and what each strategy earns. "
                        "Workers and seed come from the sidebar; choose *Current settings of the Explore tab* "
                        "on either side to put your own parameter mix in the ring.")
    with solara.Row(gap="16px"):
        for i, color in enumerate(charts.RUN_COLORS):
            with solara.Column(style={"flex": "1 1 300px"}, gap="0px"):
                solara.Select(f"World {'AB'[i]}", values=list(titles.values()), value=titles.get(keys.value[i], keys.value[i]),
                              on_value=lambda t, i=i: set_side(i, t), classes=[f"abm-compare-{'ab'[i]}"])
                desc = next((p.description for p in presets if p.key == keys.value[i]), "")
                if desc:
                    solara.Text(desc.split("\n\n")[0][:240], classes=["abm-caption"], style={"border-left": f"3px solid {color}"})
    if frame is None or len(frame.runs) != 2:
        solara.Info("No comparison yet: pick two worlds (and check the parameters in the sidebar).")
        return
    CompareTable(frame)
    ChartGrid(charts.COMPARE_CHARTS, frame.runs, frame.id)


@solara.component
def CompareTable(frame: Frame):
    rows = []
    for label, fn in (
        ("Unemployment rate", lambda d: f"{100 * d.iloc[-1]['unemployment_rate']:.1f} %"),
        ("Juniors employed", lambda d: f"{d.iloc[-1]['workers_by_seniority_junior']:,.0f}"),
        ("Seniors + staff employed", lambda d: f"{d.iloc[-1]['workers_by_seniority_senior'] + d.iloc[-1]['workers_by_seniority_staff']:,.0f}"),
        ("Junior hires, last 12 months", lambda d: f"{d[d['month'] > d['month'].max() - 12]['junior_hires'].sum():,.0f}"),
        ("Senior vacancies: months open", lambda d: f"{d.iloc[-1]['senior_vacancy_duration']:.1f}"),
        ("Mismatch index", lambda d: f"{d.iloc[-1]['mismatch_index']:.2f}"),
    ):
        rows.append(f"<tr><td>{label}</td>" + "".join(f"<td>{fn(r.model)}</td>" for r in frame.runs) + "</tr>")
    for label, fn in (("Cumulative profit per firm", _profit_per_firm),):
        rows.append(f"<tr><td>{label}</td>" + "".join(f"<td>{fn(r)}</td>" for r in frame.runs) + "</tr>")
    head = "<tr><th></th>" + "".join(f'<th><span class="abm-vs" style="color:{c}">{"AB"[i]}: {_escape(r.label)}</span></th>'
                                      for i, (r, c) in enumerate(zip(frame.runs, charts.RUN_COLORS))) + "</tr>"
    solara.HTML(tag="table", unsafe_innerHTML=head + "".join(rows), classes=["abm-compare"])


def _profit_per_firm(run: RunFrame) -> str:
    f = run.firms[run.firms["month"] == run.firms["month"].max()]
    return f"$ {f['cumulative_profit'].sum() / max(f['firms'].sum(), 1) / 1e6:,.1f} M"


# --- sidebar ---------------------------------------------------------------------------------------
@solara.component
def Sidebar(scenarios: list[Scenario], scenario_key: solara.Reactive[str], values: solara.Reactive[dict],
            n_workers: solara.Reactive[int], seed: solara.Reactive[int], error: str | None):
    by_title = {s.title: s for s in scenarios}
    current = next((s for s in scenarios if s.key == scenario_key.value), scenarios[0])

    def pick(title: str):
        sc = by_title[title]
        scenario_key.set(sc.key)
        values.set(knob_values(sc.params))

    def setter(name: str) -> Callable[[float], None]:
        return lambda v: values.set({**values.value, name: float(v)})

    v = values.value
    solara.Select("Scenario", values=list(by_title), value=current.title, on_value=pick, classes=["abm-scenario"])
    solara.Text("Changing a parameter restarts the run from January of the first year.", classes=["abm-sub"])
    if error:
        solara.Error(f"Invalid parameters: {error}", classes=["abm-param-error"], dense=True)
    for group, knobs in KNOB_GROUPS.items():
        solara.Text(group, classes=["abm-group"])
        for knob in knobs:
            KnobSlider(knob, v[knob.name], setter(knob.name)).key(knob.name)
        if knobs[0].name == MIX_SHARES[0]:
            rest = non_adopting_share(v)
            total = sum(v[k] for k in MIX_SHARES)
            MixBar([(STRATEGY_LABELS[k], v.get(k, rest), charts.STRATEGY_COLORS[k.removeprefix("share_")])
                    for k in MIX_SHARES] + [("non-adopting", rest, charts.STRATEGY_COLORS["non_adopting"])])
            solara.Text(f"Non-adopting (the rest): {100 * rest:.0f} %", classes=["abm-sub", "abm-non-adopting"])
            if total > 1.0 + 1e-9:
                def normalise():
                    values.set({**values.value, **{k: round(values.value[k] / total, 4) for k in MIX_SHARES}})

                solara.Button("Scale the three to 100 %", on_click=normalise, text=True, color="primary",
                              classes=["abm-normalise"], icon_name="mdi-scale-balance")
        if knobs[0].name == "share_remote_first":
            split = remote_split(current.params, v["share_remote_first"])
            solara.Text(f"onsite {100 * split['share_onsite']:.0f} % · hybrid {100 * split['share_hybrid']:.0f} % · "
                        f"remote-first {100 * split['share_remote_first']:.0f} %", classes=["abm-sub"])
    solara.Text("Model", classes=["abm-group"])
    with solara.Row(gap="12px"):
        solara.Select("Workers", values=[f"{n:,}" for n in WORKER_CHOICES], value=f"{n_workers.value:,}",
                      on_value=lambda s: n_workers.set(int(s.replace(",", ""))), classes=["abm-workers"])
        solara.InputInt("Seed", value=seed.value, on_value=lambda s: seed.set(max(0, int(s))), classes=["abm-seed"])
    if v != knob_values(current.params):
        solara.Button("Restore the scenario's values", icon_name="mdi-undo", text=True,
                      on_click=lambda: values.set(knob_values(current.params)), classes=["abm-restore"])
    solara.Markdown("Hover a slider's name for the parameter behind it. All parameters: `abm params`; "
                    "the model: `docs/ODD.md`.", style={"font-size": "12px", "color": "#5f6368", "margin-top": "12px"})


def _changed(scenario: Scenario, values: dict[str, float]) -> list[str]:
    base = knob_values(scenario.params)
    return [f"{KNOBS[k].label.lower()} {KNOBS[k].format(base[k])} → {KNOBS[k].format(values[k])}"
            for k in KNOBS if abs(values[k] - base[k]) > 1e-9]


# --- the page --------------------------------------------------------------------------------------
@solara.component
def Page():
    scenarios = solara.use_memo(load_scenarios, [])
    presets = solara.use_memo(lambda: comparison_presets(scenarios), [])
    explore = solara.use_memo(Simulation, [])  # this visitor's models: created per browser session
    compare = solara.use_memo(Simulation, [])

    mode = solara.use_reactive(0)
    scenario_key = solara.use_reactive(scenarios[0].key)
    values = solara.use_reactive(knob_values(scenarios[0].params))
    n_workers = solara.use_reactive(DEFAULT_WORKERS)
    seed = solara.use_reactive(DEFAULT_SEED)
    compare_keys = solara.use_reactive(DEFAULT_COMPARE)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    tick = solara.use_reactive(0)  # set to the id of each new frame: makes the page redraw
    _ = tick.value

    scenario = next((s for s in scenarios if s.key == scenario_key.value), scenarios[0])
    error: str | None = None
    try:
        params = build_params(scenario.params, values.value, n_workers.value)
    except Exception as exc:  # ParameterError: shown in the page, never a traceback
        params, error = None, error_text(exc)

    # (re)build the models when their settings change; cheap, keyed, idempotent
    if params is not None:
        key = ("explore", scenario.key, tuple(sorted(values.value.items())), n_workers.value, seed.value)
        if explore.key != key:
            try:
                explore.reset([RunSpec(scenario.title, params, seed.value)], key)
            except Exception as exc:
                error = error_text(exc)
    compare_error: str | None = None
    if mode.value == 1:
        by_key = {p.key: p for p in presets}
        specs, ckey = [], ("compare", compare_keys.value, n_workers.value, seed.value)
        try:
            for k in compare_keys.value:
                if k == CURRENT:
                    if params is None:
                        raise ValueError("the Explore tab's parameters are invalid")
                    specs.append(RunSpec("current settings", params, seed.value))
                    ckey += (explore.key,)
                else:
                    p = by_key[k]
                    specs.append(RunSpec(p.title, build_params(p.params, knob_values(p.params), n_workers.value), seed.value))
            if compare.key != ckey:
                compare.reset(specs, ckey)
        except Exception as exc:
            compare_error = error_text(exc)

    sim = explore if mode.value == 0 else compare
    blocked = (error is not None) if mode.value == 0 else (compare_error is not None)
    frame = sim.frame

    def loop(cancel):
        if not playing.value or blocked:
            return
        play(sim, SPEEDS[speed.value], cancel, lambda f: tick.set(f.id))
        if not cancel.is_set() and sim.frame is not None and sim.frame.at_end:
            playing.set(False)

    solara.use_thread(loop, dependencies=[playing.value, speed.value, mode.value, sim.generation, blocked],
                      intrusive_cancel=False)

    def step():
        f = sim.step(1)
        if f is not None:
            tick.set(f.id)

    def reset():
        playing.set(False)
        if sim.models:
            f = sim.reset([RunSpec(label, m.p, m.seed) for label, m in sim.models], sim.key)
            tick.set(f.id)

    def set_mode(i: int):
        playing.set(False)
        mode.set(i)

    solara.Title("AI-era tech labour market")
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text(TITLE)
    with solara.Sidebar():
        Sidebar(scenarios, scenario_key, values, n_workers, seed, error)
    with solara.Column(gap="0px", style={"max-width": "1500px"}):
        with solara.lab.Tabs(value=mode.value, on_value=set_mode):
            for i, name in enumerate(MODES):
                solara.lab.Tab(name, classes=[f"abm-mode-{i}"])
        RunControls(frame, playing, speed, step, reset, blocked)
        if mode.value == 0:
            if error:
                solara.Error(f"These parameters cannot be run — {error}. The charts show the last valid run.",
                             classes=["abm-main-error"])
            ExploreView(frame, scenario, _changed(scenario, values.value))
        else:
            if compare_error:
                solara.Error(f"Cannot build the comparison — {compare_error}", classes=["abm-main-error"])
            CompareView(frame if not compare_error else None, presets, compare_keys)
