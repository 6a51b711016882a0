"""The Solara page: ``solara run abm.app.page`` (or ``abm app``).

One :class:`~abm.app.session.Simulation` per browser session for each mode (explore, compare),
created inside the ``Page`` component with ``solara.use_memo``: every visitor steps their own
models. Nothing mutable about a visitor lives at module level.

Layout (it holds from 1024 × 768 up): a title bar; a fixed-width sidebar with the scenario or
lesson picker and the parameter sliders (☰ folds it away); the main column, whose run controls
stay on screen while it scrolls. A lesson sits in its own card: its question always visible, its
other sections (how it works, things to notice, things to try, discussion, sources) folded behind
one row of buttons, the model's answers folded until a student opens them. Every "thing to try"
is a button that opens the comparison with the lesson's world and the changed world, same seed.
Below the charts: several seeds in the background (compare mode), PNG and CSV export, a settings
link and, for a lesson, the printable handout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

import reacton.ipyvuetify as rv
import solara
import solara.lab

from abm import charts
from abm.app import exports, links, seeds
from abm.app.chart_view import DocumentLanguage, LiveChart, LiveHTML, StaticChart
from abm.app.lesson_view import TRY, CompareHeader, LessonCard, ScenarioCard, escape
from abm.app.scenarios import Scenario, comparison_presets, load_scenarios
from abm.app.session import (
    DEFAULT_SPEED,
    KNOB_GROUPS,
    KNOBS,
    MIX_SHARES,
    REMAINDER_STRATEGY,
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
    month_name,
    non_adopting_share,
    play,
    remote_split,
)
from abm.charts import theme
from abm.charts.lessons import metric_chart
from abm.params import Params

log = logging.getLogger(__name__)

TITLE = "Tech jobs in the AI era — a live agent-based model"
MODES = ("Explore", "Compare two worlds")
DEFAULT_COMPARE = ("all_cutting", "all_counter_cyclical")
CURRENT = "current"  # comparison world: the explore tab's current settings
END = "the end"  # "stop at" choice: run to the scenario's horizon

EXPLORE_TABS: dict[str, tuple[str, ...]] = {
    "Overview": ("beveridge", "cluster_ratio", "remote_pay", "seniority"),
    "Mismatch": ("seekers_vacancies", "cluster_ratio", "vacancy_duration", "mismatch"),
    "Pay": ("remote_pay", "remote_by_cluster", "ai_premium", "wage_change"),
    "Pipeline": ("seniority", "junior_hires", "hard_to_fill", "strategy_juniors"),
    "Firms": ("firm_profit", "strategy_headcount", "strategy_juniors", "strategy_seniors"),
    "Retraining": ("retraining", "retrained_employed", "retraining_flows", "retrained_pay", "long_term_unemployed"),
    "Locations": ("location_workers", "location_unemployment", "location_pay", "location_remote"),
}
COMPARE_CHARTS = ("juniors", "seniors", "junior_hires", "profit", "unemployment", "mismatch")

SIDEBAR_WIDTH = 290  # px: fixed, whatever the scenario's title length
CSS = f"""
.abm-app {{ position: fixed; inset: 0; display: flex; flex-direction: column; background: #fafafa; z-index: 1; }}
.abm-appbar {{ flex: 0 0 48px; display: flex; align-items: center; gap: 10px; padding: 0 10px; background: #1a237e;
               color: #fff; }}
.abm-appbar h1 {{ font-size: 17px; font-weight: 500; margin: 0; flex: 1 1 auto; white-space: nowrap; overflow: hidden;
                  text-overflow: ellipsis; }}
.abm-appbar .v-btn {{ color: #fff !important; }}
.abm-body {{ flex: 1 1 auto; display: flex; min-height: 0; }}
.abm-sidebar {{ flex: 0 0 {SIDEBAR_WIDTH}px; width: {SIDEBAR_WIDTH}px; max-width: {SIDEBAR_WIDTH}px; overflow-y: auto;
                overflow-x: hidden; padding: 8px 14px 24px 14px; background: #fff; border-right: 1px solid #e0e4ea; }}
.abm-sidebar .v-select__selection {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 230px; }}
.abm-main {{ flex: 1 1 auto; min-width: 0; overflow-y: auto; padding: 0 14px 40px 14px; }}
.abm-sticky {{ position: sticky; top: 0; z-index: 6; background: #fafafa; padding-top: 6px; }}
.abm-bar {{ display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; padding: 6px 10px; background: #eef1f6;
            border-radius: 8px; }}
.abm-bar .v-input {{ margin-top: 0; padding-top: 0; }}
.abm-when {{ flex: 1 1 170px; min-width: 150px; }}
.abm-date {{ font-size: 18px; font-weight: 600; color: #1a237e; line-height: 1.1; }}
.abm-progress {{ height: 4px; background: #c5cae9; border-radius: 2px; margin-top: 2px; }}
.abm-progress > div {{ height: 4px; background: #1a237e; border-radius: 2px; }}
.abm-sub {{ font-size: 12px; color: #4a4f55; }}
.abm-card {{ background: #fffdf5; border: 1px solid #f1e3b3; border-radius: 8px; padding: 8px 12px; margin: 8px 0; }}
.abm-card-title {{ font-size: 13px; font-weight: 600; color: #5d4300; }}
.abm-question {{ font-size: 15px; line-height: 1.4; margin: 2px 0 4px 0; color: #202124; }}
.abm-clamp {{ display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }}
.abm-knob .v-input__slot > .v-label {{ position: absolute !important; width: 1px; height: 1px; overflow: hidden;
                                        clip: rect(0 0 0 0); white-space: nowrap; }}
.abm-sections {{ display: flex; flex-wrap: wrap; gap: 4px; }}
.abm-section {{ font-size: 14px; line-height: 1.45; padding: 6px 2px 2px 2px; max-height: 46vh; overflow-y: auto; }}
.abm-try {{ border-top: 1px solid #eadbb0; padding: 6px 0; }}
.abm-try-head {{ font-weight: 600; }}
.abm-kpis {{ display: flex; gap: 6px; overflow-x: auto; margin: 6px 0; padding-bottom: 2px; }}
.abm-kpi {{ flex: 0 0 auto; min-width: 128px; background: #fff; border: 1px solid #e0e4ea; border-radius: 8px;
            padding: 3px 10px; }}
.abm-kpi-label {{ font-size: 11.5px; color: #4a4f55; line-height: 1.2; white-space: nowrap; }}
.abm-kpi-value {{ font-size: 17px; font-weight: 600; color: #202124; line-height: 1.25; }}
.abm-kpi-delta {{ font-size: 11px; color: #4a4f55; white-space: nowrap; }}
.abm-grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 10px; margin-top: 6px;
             align-items: start; }}
.abm-main .v-tabs:not(.abm-modes) .v-tabs-bar {{ height: 38px; }}
details.abm-answer {{ margin: 4px 0; padding: 4px 10px; background: #fff; border: 1px solid #e0e4ea; border-radius: 6px; }}
details.abm-answer summary {{ cursor: pointer; font-weight: 500; color: #1a237e; }}
.abm-chart-box {{ background: #fff; border: 1px solid #e0e4ea; border-radius: 8px; padding: 6px 8px 4px 8px; min-width: 0; }}
.abm-caption {{ font-size: 12px; color: #4a4f55; line-height: 1.35; margin-top: 2px; }}
.abm-group {{ font-size: 12.5px; font-weight: 600; color: #1a237e; margin: 12px 0 0 0; text-transform: uppercase;
              letter-spacing: 0.03em; }}
.abm-knob-label {{ font-size: 13px; color: #202124; }}
.abm-knob-value {{ font-size: 13px; font-weight: 600; color: #1a237e; }}
.abm-mix {{ display: flex; height: 10px; border-radius: 5px; overflow: hidden; margin: 4px 0 2px 0; background: #eee; }}
.abm-compare td, .abm-compare th {{ padding: 3px 10px; font-size: 13px; text-align: right; font-weight: normal; }}
.abm-compare th[scope="row"], .abm-compare td:first-child {{ text-align: left; color: #4a4f55; }}
.abm-compare th[scope="col"] {{ font-weight: 600; }}
.abm-compare {{ border-collapse: collapse; margin: 6px 0; background: #fff; border: 1px solid #e0e4ea; }}
.abm-compare tr:nth-child(even) {{ background: #f6f7f9; }}
.abm-exports {{ display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 14px 0 4px 0; }}
.abm-exports a {{ font-size: 14px; }}
.abm-note {{ font-size: 13px; }}
@media (max-width: 900px) {{
  .abm-sidebar {{ position: absolute; top: 48px; bottom: 0; left: 0; z-index: 20; box-shadow: 2px 0 8px rgba(0,0,0,.25); }}
}}
"""


# --- small building blocks -------------------------------------------------------------------------
@solara.component
def KnobSlider(knob: Knob, value: float, on_value: Callable[[float], None], disabled: bool = False):
    """A labelled slider: the label names the slider for screen readers too; the tooltip says which
    parameter it sets."""
    with solara.Column(gap="0px", classes=["abm-knob", f"abm-knob-{knob.name}"]):
        with solara.Row(justify="space-between", style={"margin-top": "6px"}):
            with solara.Tooltip(knob.help):
                solara.Text(knob.label, classes=["abm-knob-label"])
            solara.Text(knob.format(value), classes=["abm-knob-value"])
        # the range always covers the value (a scenario may set one outside the usual range)
        solara.SliderFloat(knob.label, value=value, min=min(knob.min, value), max=max(knob.max, value), step=knob.step,
                           on_value=on_value, thumb_label=False, disabled=disabled)


@solara.component
def MixBar(parts: list[tuple[str, float, str]]):
    """A thin stacked bar showing shares (label, share, colour)."""
    segments = "".join(f'<div title="{escape(label)} {100 * share:.0f} %" style="width:{100 * max(share, 0):.2f}%;'
                       f'background:{color}"></div>' for label, share, color in parts)
    text = ", ".join(f"{label} {100 * share:.0f} %" for label, share, _ in parts)
    solara.HTML(tag="div", unsafe_innerHTML=segments, classes=["abm-mix"], attributes={"role": "img", "aria-label": f"strategy mix: {text}"})


def lesson_charts(scenario: Scenario) -> tuple[str, ...]:
    """The registry charts a lesson asks for."""
    return scenario.lesson.charts if scenario.lesson is not None else ()


def _chart(name) -> charts.Chart:
    return name if isinstance(name, charts.Chart) else charts.get(name)


@solara.component
def ChartGrid(names: tuple, sim: Simulation, runs: bool = False):
    """The charts of the simulation's newest frame, updated with every frame."""
    with solara.Div(classes=["abm-grid"]):
        for name in names:
            chart = _chart(name)
            LiveChart(chart, sim, runs).key(chart.name)


# --- run controls ----------------------------------------------------------------------------------
@solara.component
def RunControls(sim: Simulation, tick: solara.Reactive[int], playing: bool, speed: solara.Reactive[str],
                stop_at: solara.Reactive[str], on_play: Callable[[], None], on_pause: Callable[[], None],
                on_step: Callable[[], None], on_reset: Callable[[], None], blocked: bool):
    """Reset, Step, Play and Pause (two buttons: a click always means what its button says, even
    when it arrives while the page redraws), speed, where to stop, and the date.

    Reads ``tick``, bumped when a step, a reset or the end of a run changes what can be pressed;
    the date follows every frame by itself.
    """
    _ = tick.value
    frame = sim.frame
    at_end = frame is not None and frame.at_end
    years = [END]
    if frame is not None:
        years += [str(y) for y in range(frame.start_year + 1, frame.start_year + frame.horizon // 12 + (frame.horizon % 12 > 0))]
    with solara.Div(classes=["abm-bar"]):
        solara.Button("Reset", icon_name="mdi-restart", on_click=on_reset, outlined=True, small=True, classes=["abm-reset"])
        solara.Button("Step", icon_name="mdi-skip-next", on_click=on_step, outlined=True, small=True, classes=["abm-step"],
                      disabled=playing or blocked or at_end)
        solara.Button("Play", icon_name="mdi-play", on_click=on_play, color="primary", small=True, classes=["abm-play"],
                      disabled=playing or blocked or at_end)
        solara.Button("Pause", icon_name="mdi-pause", on_click=on_pause, color="warning", small=True, classes=["abm-pause"],
                      disabled=not playing)
        with solara.Div(style={"width": "150px"}):
            solara.Select("Speed", values=list(SPEEDS), value=speed, dense=True, classes=["abm-speed"])
        with solara.Div(style={"width": "118px"}):
            solara.Select("Stop at (January)", values=years, value=stop_at.value if stop_at.value in years else END,
                          on_value=stop_at.set, dense=True, classes=["abm-stop"])
        LiveHTML(sim, _date_html, classes=["abm-when"], attributes={"aria-live": "off"})


def _date_html(frame: Frame) -> str:
    rate = f" · {frame.rate:.1f} months/s" if frame.rate else ""
    end = " · end: reset to run again" if frame.at_end else ""
    share = 100.0 * frame.month / max(frame.horizon, 1)
    return (f'<div class="abm-date abm-month">{frame.date}</div>'
            f'<div class="abm-sub abm-month-count">month {frame.month} of {frame.horizon}{rate}{end}</div>'
            f'<div class="abm-progress" role="progressbar" aria-label="months simulated" aria-valuemin="0" '
            f'aria-valuemax="{frame.horizon}" aria-valuenow="{frame.month}"><div style="width:{share:.1f}%"></div></div>')


# --- explore mode -----------------------------------------------------------------------------------
def _kpi_html(label: str, value: str, delta: str, key: str) -> str:
    return (f'<div class="abm-kpi abm-kpi-{key}"><div class="abm-kpi-label">{label}</div>'
            f'<div class="abm-kpi-value">{value}</div><div class="abm-kpi-delta">{delta}</div></div>')


def headlines_html(frame: Frame) -> str:
    """The headline numbers of the frame's (first) run, with their value in the first year."""
    df = frame.runs[0].model
    now, first = df.iloc[-1], df.iloc[0]
    start = frame.start_year
    last12 = df[df["month"] > max(0, int(now["month"]) - 12)]
    seniors = now["workers_by_seniority_senior"] + now["workers_by_seniority_staff"]
    return "".join([
        _kpi_html("Unemployment rate", f"{100 * now['unemployment_rate']:.1f} %", f"{start}: {100 * first['unemployment_rate']:.1f} %", "unemployment"),
        _kpi_html("Vacancy rate", f"{100 * now['vacancy_rate']:.1f} %", f"{start}: {100 * first['vacancy_rate']:.1f} %", "vacancies"),
        _kpi_html("Mismatch index", f"{now['mismatch_index']:.2f}", f"{start}: {first['mismatch_index']:.2f}", "mismatch"),
        _kpi_html("ML/AI vacancies per seeker", f"{now['ai_vacancy_seeker_ratio']:.1f}", f"legacy roles: {now['legacy_vacancy_seeker_ratio']:.2f}", "ai-ratio"),
        _kpi_html("AI pay premium", f"{100 * now['ai_premium']:+.0f} %", "ML/AI vs other developers", "ai-premium"),
        _kpi_html("Remote ÷ onsite pay", f"{now['remote_onsite_pay_ratio_adjusted']:.2f}", "location-adjusted payers", "remote"),
        _kpi_html("Junior hires, 12 months", f"{last12['junior_hires'].sum():.0f}", f"seniors + staff: {seniors:,.0f}", "juniors"),
        _kpi_html("In retraining", f"{now['retraining_enrolled']:.0f}", f"completed so far: {df['retraining_completed'].sum():.0f}", "retraining"),
    ])


@solara.component
def ExploreView(sim: Simulation, tab_names: list[str], tab: solara.Reactive[int], tabs: dict[str, tuple[str, ...]],
                export: ExportInfo):
    """The explore mode's chart tabs, charts, headline numbers and exports."""
    if sim.frame is None:
        solara.Info("No model yet: fix the parameters in the sidebar.")
        return
    with solara.lab.Tabs(value=tab, background_color="#fafafa", slider_color="primary"):
        for name in tab_names:
            solara.lab.Tab(name, classes=[f"abm-tab-{name.lower()}"])
    name = tab_names[min(tab.value, len(tab_names) - 1)]
    ChartGrid(tabs[name], sim).key(f"grid-{name}")
    LiveHTML(sim, headlines_html, classes=["abm-kpis"], attributes={"aria-label": "headline numbers", "role": "region", "tabindex": "0"})
    ExportBar(tabs[name], sim, export)


# --- compare mode -----------------------------------------------------------------------------------
@solara.component
def CompareView(sim: Simulation, chart_names: tuple, export: ExportInfo):
    """The two worlds' table, charts and exports."""
    frame = sim.frame
    if frame is None or len(frame.runs) != 2:
        solara.Info("No comparison yet: pick two worlds (and check the parameters in the sidebar).")
        return
    LiveHTML(sim, compare_table_html, tag="table", classes=["abm-compare", "abm-compare-table"])
    ChartGrid(chart_names, sim, runs=True)
    ExportBar(chart_names, sim, export)


def compare_table_html(frame: Frame) -> str:
    """The headline numbers of the two worlds side by side."""
    rows = []
    for label, fn in (
        ("Unemployment rate", lambda d: f"{100 * d.iloc[-1]['unemployment_rate']:.1f} %"),
        ("Juniors employed", lambda d: f"{d.iloc[-1]['workers_by_seniority_junior']:,.0f}"),
        ("Seniors + staff employed", lambda d: f"{d.iloc[-1]['workers_by_seniority_senior'] + d.iloc[-1]['workers_by_seniority_staff']:,.0f}"),
        ("Junior hires, last 12 months", lambda d: f"{d[d['month'] > d['month'].max() - 12]['junior_hires'].sum():,.0f}"),
        ("Senior vacancies: months open", lambda d: f"{d.iloc[-1]['senior_vacancy_duration']:.1f}"),
        ("Mismatch index", lambda d: f"{d.iloc[-1]['mismatch_index']:.2f}"),
    ):
        rows.append(f"<tr><th scope='row'>{label}</th>" + "".join(f"<td>{fn(r.model)}</td>" for r in frame.runs) + "</tr>")
    rows.append("<tr><th scope='row'>Cumulative profit per 2022 worker</th>" + "".join(f"<td>{_profit_per_worker(r)}</td>" for r in frame.runs) + "</tr>")
    styles = theme.run_styles([r.label for r in frame.runs])
    head = "<tr><td></td>" + "".join(f'<th scope="col"><span style="color:{styles[r.label].color}">{"AB"[i]}: {escape(r.label)}</span></th>'
                                     for i, r in enumerate(frame.runs)) + "</tr>"
    return head + "".join(rows)


def _profit_per_worker(run: RunFrame) -> str:
    df, _ = charts.frame(charts.get("profit"), run.tables)
    return f"$ {df['y'].iloc[-1]:,.0f} k" if len(df) else "n/a"


@solara.component
def SeedPanel(worlds: list[tuple[str, Params]], seed: int, months: int, end_label: str, metric: seeds.Metric | None,
              expect: str | None, chart_names: tuple):
    """Run the two worlds on N seeds in the background and show the spread."""
    count = solara.use_reactive(seeds.DEFAULT_SEEDS)
    request = solara.use_reactive(0)  # bumped by the button: starts a job
    result = solara.use_reactive(None)
    progress = solara.use_reactive((0, 0))

    def job(cancel):
        if not request.value:
            return
        seed_list = list(range(seed, seed + count.value))
        out = seeds.run_seeds(worlds, seed_list, months, metric=metric, progress=lambda done, total: progress.set((done, total)))
        if not cancel.is_set():
            result.set(out)

    solara.use_thread(job, dependencies=[request.value], intrusive_cancel=False)

    def start():
        result.set(None)
        progress.set((0, 2 * count.value))
        request.set(request.value + 1)

    out: seeds.SeedRuns | None = result.value
    running = request.value > 0 and out is None
    with solara.Div(classes=["abm-card", "abm-seeds"]):
        solara.HTML(tag="div", classes=["abm-card-title"], unsafe_innerHTML="Robust or noise? Both worlds on several seeds")
        with solara.Row(gap="10px", style={"align-items": "center", "flex-wrap": "wrap"}):
            with solara.Div(style={"width": "110px"}):
                solara.Select("Seeds", values=[str(n) for n in seeds.SEED_CHOICES], value=str(count.value),
                              on_value=lambda s: count.set(int(s)), dense=True, disabled=running, classes=["abm-seed-count"])
            solara.Button(f"Run {count.value} seeds to {end_label}", icon_name="mdi-dice-multiple", on_click=start,
                          small=True, outlined=True, disabled=running, classes=["abm-run-seeds"])
            if running:
                done, total = progress.value
                solara.Text(f"running in the background: {done} of {total} runs done", classes=["abm-sub", "abm-seed-progress"])
        if out is None:
            solara.Text(f"Runs seeds {seed}, {seed + 1}, … of both worlds to {end_label} and shows the mean and the range "
                        "(lowest to highest seed): what holds on every seed is robust, what flips is noise.", classes=["abm-sub"])
            return
        if out.error:
            solara.Error(f"The seed runs failed: {out.error}", dense=True)
            return
        a, b = out.labels
        if metric is not None and expect is not None:
            held = sum(_moved(expect, x, y) for x, y in zip(out.measured[a], out.measured[b]))
            solara.HTML(tag="p", classes=["abm-question", "abm-seed-verdict"],
                        unsafe_innerHTML=f"{escape(theme.output_label(metric.name))} moved the predicted way "
                                         f"(<strong>{expect}</strong>) on <strong>{held} of {len(out.seeds)} seeds</strong>.")
        data = {label: out.runs[label] for label in out.labels}
        with solara.Div(classes=["abm-grid"]):
            for name in chart_names:
                chart = _chart(name)
                StaticChart(chart, data, id(out)).key(chart.name)


def _moved(expect: str, before: float, after: float) -> bool:
    from abm.lessons import judge

    return bool(judge(expect, before, after))


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
    solara.Select("Lesson or scenario", values=list(by_title), value=current.title, on_value=pick, classes=["abm-scenario"])
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
            styles = theme.family("strategy")
            MixBar([(styles[k.removeprefix("share_")].label, v.get(k, rest), styles[k.removeprefix("share_")].color)
                    for k in MIX_SHARES] + [(styles[REMAINDER_STRATEGY].label, rest, styles[REMAINDER_STRATEGY].color)])
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
    solara.Text("Hover a slider's name for the parameter behind it. All parameters: abm params; the model: docs/ODD.md.",
                classes=["abm-sub"], style={"margin-top": "12px", "display": "block"})


def _changed(scenario: Scenario, values: dict[str, float]) -> list[str]:
    base = knob_values(scenario.params)
    return [f"{KNOBS[k].label.lower()} {KNOBS[k].format(base[k])} → {KNOBS[k].format(values[k])}"
            for k in KNOBS if abs(values[k] - base[k]) > 1e-9]


# --- exports ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportInfo:
    """What the export bar needs besides the frame: the world's settings and the scenario."""

    scenario: Scenario
    settings: links.Settings  # month 0: the frame's month is filled in
    scenario_values: tuple[tuple[str, float], ...]


@solara.component
def ExportBar(chart_names: tuple, sim: Simulation, export: ExportInfo):
    """PNG of the visible charts, CSV of their data (both of the newest frame, made when clicked),
    the settings link and the lesson handout."""
    chart_list = [_chart(n) for n in chart_names]
    scenario = export.scenario
    runs = export.settings.mode == "compare"
    stem = exports.filename(scenario.key, export.settings.mode)

    def data():
        frame = sim.frame
        return frame, ({r.label: r.tables for r in frame.runs} if runs else frame.runs[0].tables)

    def png() -> bytes:
        frame, tables = data()
        return exports.charts_png(chart_list, tables, f"{scenario.title} — {frame.date}")

    def csv() -> str:
        return exports.charts_csv(chart_list, data()[1])

    def link(frame: Frame) -> str:
        query = links.to_query(replace(export.settings, month=frame.month), dict(export.scenario_values))
        return f'<a class="abm-settings-link" href="?{escape(query)}" target="_blank" rel="noopener">Settings link</a> (opens this world at {frame.date})'

    with solara.Div(classes=["abm-exports"]):
        solara.FileDownload(png, filename=f"{stem}.png", mime_type="image/png",
                            children=[solara.Button("Charts (PNG)", icon_name="mdi-image", small=True, outlined=True,
                                                    classes=["abm-export-png"])])
        solara.FileDownload(csv, filename=f"{stem}.csv", mime_type="text/csv",
                            children=[solara.Button("Data (CSV)", icon_name="mdi-table", small=True, outlined=True,
                                                    classes=["abm-export-csv"])])
        if scenario.lesson is not None:
            def handout() -> str:
                from abm.lessons.handout import handout_html

                return handout_html(scenario.lesson)

            solara.FileDownload(handout, filename=f"{scenario.lesson.path.stem}-handout.html", mime_type="text/html",
                                children=[solara.Button("Lesson handout (HTML)", icon_name="mdi-printer", small=True,
                                                        outlined=True, classes=["abm-export-handout"])])
        LiveHTML(sim, link, tag="span", classes=["abm-link"])


# --- the page --------------------------------------------------------------------------------------
def Layout(children=()):
    """No Solara app layout: the page draws its own bar, sidebar and scrolling main column."""
    return solara.Div(children=list(children))


def _world_titles(presets: list[Scenario], scenario: Scenario) -> dict[str, str]:
    titles = {p.key: p.title for p in presets}
    titles[CURRENT] = "Current settings of the Explore tab"
    if scenario.lesson is not None:
        titles[scenario.key] = f"The lesson's world ({scenario.title.split(' · ')[0]})"
        for i, thing in enumerate(scenario.lesson.things_to_try, start=1):
            titles[f"{TRY}{i}"] = f"Try {i}: {thing.change}"
    return titles


@solara.component
def Page():
    scenarios = solara.use_memo(load_scenarios, [])
    presets = solara.use_memo(lambda: comparison_presets(scenarios), [])
    by_key = {s.key: s for s in scenarios}
    preset_by_key = {p.key: p for p in presets}
    router = solara.use_router()

    def first_settings():
        def is_world(key: str) -> bool:
            return key in preset_by_key or key == CURRENT or (key.startswith(TRY) and key.removeprefix(TRY).isdigit())

        return links.from_query(router.search, {s.key: s.params for s in scenarios}, scenarios[0].key, is_world)

    initial, problems = solara.use_memo(first_settings, [])
    explore = solara.use_memo(Simulation, [])  # this visitor's models: created per browser session
    compare = solara.use_memo(Simulation, [])

    mode = solara.use_reactive(links.MODES.index(initial.mode))
    scenario_key = solara.use_reactive(initial.scenario)
    values = solara.use_reactive(initial.values)
    n_workers = solara.use_reactive(initial.n_workers)
    seed = solara.use_reactive(initial.seed)
    compare_keys = solara.use_reactive(initial.compare or DEFAULT_COMPARE)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    stop_at = solara.use_reactive(END)
    tick = solara.use_reactive(0)  # the newest frame's id: only the live parts read it, so only they redraw
    sidebar_open = solara.use_reactive(True)
    notes = solara.use_reactive(problems)
    pending_month = solara.use_reactive(initial.month)  # a link's month: stepped to once
    explore_tab = solara.use_reactive(0)

    scenario = by_key.get(scenario_key.value, scenarios[0])
    error: str | None = None
    try:
        params = build_params(scenario.params, values.value, n_workers.value)
    except Exception as exc:  # ParameterError: shown in the page, never a traceback
        params, error = None, error_text(exc)

    if params is not None:  # (re)build the models when their settings change; keyed, idempotent
        key = ("explore", scenario.key, tuple(sorted(values.value.items())), n_workers.value, seed.value)
        if explore.key != key:
            try:
                explore.reset([RunSpec(scenario.title, params, seed.value)], key)
            except Exception as exc:
                error = error_text(exc)

    titles = _world_titles(presets, scenario)
    if any(k not in titles for k in compare_keys.value):  # a lesson's try, after another scenario was picked
        compare_keys.set(DEFAULT_COMPARE)
    compare_error: str | None = None
    compare_worlds: list[tuple[str, Params]] = []
    if mode.value == 1:
        try:
            compare_worlds = [(_short_title(titles[k]), _world_params(k, scenario, preset_by_key, params, n_workers.value))
                              for k in compare_keys.value]
            ckey = ("compare", compare_keys.value, scenario.key, n_workers.value, seed.value,
                    explore.key if CURRENT in compare_keys.value else None)
            if compare.key != ckey:
                compare.reset([RunSpec(label, p, seed.value) for label, p in compare_worlds], ckey)
        except Exception as exc:
            compare_error = error_text(exc)

    sim = explore if mode.value == 0 else compare
    blocked = (error is not None) if mode.value == 0 else (compare_error is not None)

    def apply_link_month():
        if pending_month.value and sim.models:
            f = sim.step(pending_month.value)
            pending_month.set(0)
            if f is not None:
                sim.notify(f)
                tick.set(f.id)

    solara.use_effect(apply_link_month, [sim.generation])

    def loop(cancel):
        if not playing.value or blocked:
            return
        stop = None if stop_at.value == END else (int(stop_at.value) - sim.start_year) * 12
        page_open = _page_open()

        def publish(frame: Frame) -> None:
            sim.notify(frame)
            if not page_open():  # the visitor's tab is gone (or offline): stop spending the server's time
                sim.pause.set()

        play(sim, SPEEDS[speed.value], cancel, publish, stop_month=stop if stop is not None and stop > sim.month else None)
        if not cancel.is_set() and (not sim.pause.is_set() or not page_open()):
            playing.set(False)  # reached the stop or the end, or nobody is watching

    solara.use_thread(loop, dependencies=[playing.value, speed.value, mode.value, sim.generation, blocked, stop_at.value],
                      intrusive_cancel=False)

    def on_play():
        sim.pause.clear()
        playing.set(True)

    def on_pause():
        sim.pause.set()  # first: the play loop stops within the month it is stepping
        playing.set(False)

    def on_step():
        f = sim.step(1)
        if f is not None:
            sim.notify(f)
            if f.at_end:
                tick.set(f.id)  # Step and Play are no longer possible

    def on_reset():
        on_pause()
        if sim.models:
            f = sim.reset([RunSpec(label, m.p, m.seed) for label, m in sim.models], sim.key)
            tick.set(f.id)

    def set_mode(i: int):
        explore.pause.set()
        compare.pause.set()
        playing.set(False)
        mode.set(i)

    def on_try(i: int):
        set_mode(1)
        compare_keys.set((scenario.key, f"{TRY}{i + 1}"))

    # what the exports and the settings link carry (the month is the frame's)
    tab_names, tabs = _explore_tabs(scenario)
    compare_shown = _compare_charts(compare_keys.value, scenario)
    export = ExportInfo(scenario, links.Settings(scenario.key, values.value, n_workers.value, seed.value,
                                                 links.MODES[mode.value], tuple(compare_keys.value)),
                        tuple(knob_values(scenario.params).items()))

    solara.Title("AI-era tech labour market")
    solara.Style(CSS)
    with solara.Div(classes=["abm-app"]):
        DocumentLanguage.element()
        with rv.Html(tag="header", class_="abm-appbar"):
            solara.Button(icon_name="mdi-menu", icon=True, on_click=lambda: sidebar_open.set(not sidebar_open.value),
                          classes=["abm-menu"], attributes={"aria-label": "show or hide the settings"})
            solara.HTML(tag="h1", unsafe_innerHTML=escape(TITLE))
            with solara.lab.Tabs(value=mode.value, on_value=set_mode, dark=True, background_color="#1a237e",
                                 slider_color="#ffd54f"):
                for i, name in enumerate(MODES):
                    solara.lab.Tab(name, classes=[f"abm-mode-{i}"])
        with solara.Div(classes=["abm-body"]):
            if sidebar_open.value:
                with rv.Html(tag="aside", class_="abm-sidebar", attributes={"aria-label": "settings", "tabindex": "0"}):
                    Sidebar(scenarios, scenario_key, values, n_workers, seed, error)
            with rv.Html(tag="main", class_="abm-main", attributes={"tabindex": "0"}):
                with solara.Div(classes=["abm-sticky"]):
                    RunControls(sim, tick, playing.value, speed, stop_at, on_play, on_pause, on_step, on_reset, blocked)
                for note in notes.value:
                    solara.Warning(f"Settings link: {note}", dense=True, classes=["abm-note"])
                if scenario.lesson is not None:
                    LessonCard(scenario, on_try).key(f"lesson-{scenario.key}")
                if mode.value == 0:
                    if scenario.lesson is None:
                        ScenarioCard(scenario, _changed(scenario, values.value)).key(f"story-{scenario.key}")
                    if error:
                        solara.Error(f"These parameters cannot be run — {error}. The charts show the last valid run.",
                                     classes=["abm-main-error"])
                    ExploreView(explore, tab_names, explore_tab, tabs, export)
                else:
                    if compare_error:
                        solara.Error(f"Cannot build the comparison — {compare_error}", classes=["abm-main-error"])
                    CompareHeader(titles, compare_keys, scenario)
                    if not compare_error:
                        CompareView(compare, compare_shown, export)
                        metric, expect = _try_metric(compare_keys.value, scenario)
                        end = month_name(compare.start_year, compare.horizon)
                        SeedPanel(compare_worlds, seed.value, compare.horizon, end, metric, expect, compare_shown).key(
                            f"seeds-{compare.key}")


def _page_open() -> Callable[[], bool]:
    """Whether a browser page of this visitor is connected (always True outside a Solara server)."""
    try:
        from solara.server.kernel_context import PageStatus, get_current_context

        context = get_current_context()
    except Exception:  # solara.render in tests: no server, no pages
        return lambda: True
    return lambda: PageStatus.CONNECTED in context.page_status.values()


def _short_title(title: str) -> str:
    return title if len(title) <= 60 else title[:57] + "…"


def _world_params(key: str, scenario: Scenario, presets: dict[str, Scenario], current: Params | None, n_workers: int) -> Params:
    """The parameters of a comparison world (the sidebar's size for all of them)."""
    if key == CURRENT:
        if current is None:
            raise ValueError("the Explore tab's parameters are invalid")
        return current
    if key.startswith(TRY):
        base = build_params(scenario.params, knob_values(scenario.params), n_workers)
        thing = scenario.lesson.things_to_try[int(key.removeprefix(TRY)) - 1]
        return Params.make(base, **thing.set)
    world = presets.get(key) or (scenario if key == scenario.key else None)
    if world is None:
        raise ValueError(f"unknown world {key!r}")
    return build_params(world.params, knob_values(world.params), n_workers)


def _try_metric(keys: tuple[str, str], scenario: Scenario) -> tuple[seeds.Metric | None, str | None]:
    trying = next((k for k in keys if k.startswith(TRY)), None)
    if trying is None or scenario.lesson is None:
        return None, None
    thing = scenario.lesson.things_to_try[int(trying.removeprefix(TRY)) - 1]
    if not thing.metric:
        return None, None
    return seeds.Metric(thing.metric, thing.window), thing.expect


def _compare_charts(keys: tuple[str, str], scenario: Scenario) -> tuple:
    metric, _ = _try_metric(keys, scenario)
    if metric is None:
        return COMPARE_CHARTS
    return (metric_chart(metric.name, metric.window), *COMPARE_CHARTS)


def _explore_tabs(scenario: Scenario) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    tabs = dict(EXPLORE_TABS)
    own = lesson_charts(scenario)
    if own:
        tabs = {"Lesson": own, **tabs}
    return list(tabs), tabs
