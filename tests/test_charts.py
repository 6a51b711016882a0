"""The chart registry: every chart draws for one run, for runs side by side and for seeds; one
visual language (Okabe–Ito colours, dashes and markers that survive greyscale, human names, units).
"""

from __future__ import annotations

import json
import re

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from abm import charts
from abm.charts import interactive, theme
from abm.model import LaborMarket
from abm.strategies import STRATEGY_NAMES

matplotlib.use("Agg")

RAW_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")  # ml_ai, counter_cyclical, profit_per_worker: code, not words


@pytest.fixture(scope="module")
def runs():
    def run(seed, **kw):
        return charts.as_tables(LaborMarket(seed=seed, n_workers=600, worker_agents=False, **kw).run(14))

    return {"A": run(1), "B": run(2, share_cutting=1.0, share_counter_cyclical=0.0, share_recomposing=0.0,
                                 share_non_adopting=0.0), "A2": run(3)}


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_every_chart_draws_static_and_interactive_for_a_run_runs_and_seeds(name, runs):
    chart = charts.get(name)
    one, two, seeds = runs["A"], {"A": runs["A"], "B": runs["B"]}, {"A": [runs["A"], runs["A2"]], "B": [runs["B"]]}
    for data in (one, two, seeds):
        fig = Figure()
        charts.draw(chart, data, fig.subplots())
        assert charts.image(fig, "png")[:4] == b"\x89PNG"
        spec = charts.vega_lite(chart, data)
        assert spec["datasets"]["table"] and json.dumps(spec)  # valid JSON with its rows inlined
    df, styles = charts.frame(chart, seeds)
    assert {"lo", "hi", "n"} <= set(df.columns) and ((df["lo"] <= df["hi"]) | df["lo"].isna()).all()


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_human_names_units_and_a_text_alternative(name, runs):
    chart = charts.get(name)
    assert chart.y_title and (chart.kind == "hbars" or chart.x_title), "every value axis has its title and unit"
    df, styles = charts.frame(chart, runs["A"])
    for text in [chart.title, chart.x_title, chart.y_title, *styles, *df["x"].astype(str).unique()[:20]]:
        assert not RAW_NAME.search(text), f"{name}: {text!r} shows a code name"
    alt = charts.describe(chart, df, styles)
    assert alt.startswith(chart.title) and len(alt) > len(chart.title) + 10


def test_profit_is_per_2022_worker_in_thousands_of_dollars(runs):
    chart = charts.get("firm_profit")
    assert "per 2022 worker" in chart.title and chart.y_title == "$ thousand per 2022 worker"
    firm = runs["A"]["firm"]
    df, _ = charts.frame(chart, runs["A"])
    present = [n for n in STRATEGY_NAMES if firm.loc[firm["strategy"] == n, "headcount"].iloc[0] > 0]
    assert len(present) >= 2
    for name in present:
        sub = firm[firm["strategy"] == name]
        expected = sub["cumulative_profit"].iloc[-1] / sub["headcount"].iloc[0] / 1e3
        got = df[df["key"] == name]["y"].iloc[-1]
        assert got == pytest.approx(expected)


def _lightness(colour: str) -> float:
    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("family", ["strategy", "cluster_group", "level", "market", "policy", "retraining",
                                    "retraining_flow", "pay", "hard_to_fill", "run"])
def test_each_family_differs_in_colour_and_in_greyscale(family):
    styles = list(theme.family(family).values())
    assert len({s.color for s in styles}) == len(styles)
    assert len({(s.dash, s.marker) for s in styles}) == len(styles), "dash + marker tell series apart without colour"


def test_one_colour_per_strategy_from_the_okabe_ito_palette_and_the_seniority_ramp():
    palette = set(theme.OKABE_ITO.values()) | {theme.GREY}
    strategy = theme.family("strategy")
    assert set(strategy) == set(STRATEGY_NAMES) and all(s.color in palette for s in strategy.values())
    assert [s.label for s in strategy.values()] == [theme.strategy_label(n) for n in strategy]
    light = [_lightness(s.color) for s in theme.family("level").values()]
    assert light == sorted(light, reverse=True) and np.diff(light).max() < -0.1  # junior → staff: darker each step


def test_cluster_colours_follow_the_group_and_the_world_marks_legacy_clusters():
    clusters = theme.family("cluster")
    for name, style in clusters.items():
        assert style.color == theme.CLUSTER_GROUPS[theme.cluster_group(name)].color
    assert theme.cluster_group("qa_testing") == "legacy" and theme.cluster_group("ml_ai") == "growth"
    assert theme.cluster_label("ml_ai") == "ML / AI"


def test_unknown_chart_is_a_one_line_error():
    with pytest.raises(KeyError) as err:
        charts.get("beveridg")
    assert "did you mean 'beveridge'" in str(err.value) and "\n" not in str(err.value)


def test_series_chart_shades_the_judged_window(runs):
    chart = charts.series_chart("metric", "Unemployment rate", "share", lambda t: t["model"].set_index("year")["unemployment_rate"],
                                window=(2022.5, 2023.0))
    spec = charts.vega_lite(chart, {"A": runs["A"], "B": runs["B"]})
    assert "judged: mean 2022.5–2023" in json.dumps(spec, ensure_ascii=False)
    streamed = interactive.values(chart, runs["A"])
    assert len(streamed.rows) == len(runs["A"]["model"])
