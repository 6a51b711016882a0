"""The project's one visual language: colours, line styles, markers and human names.

Every chart in the app, the notebooks, the lesson handouts, ``abm run`` and ``abm report`` takes
its colours and labels from here, so a strategy, a skill-cluster group or a seniority level looks
the same everywhere. Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal
Design"), distinguishable for the common forms of colour blindness; every family also differs by
dash pattern and marker, so a chart printed in greyscale or projected washed-out still reads.
Seniority is ordered, so its colours are a sequential ramp (viridis: lightness falls from junior
to staff) with its own dashes and markers.

A *family* maps the keys that appear in a chart's data (``"cutting"``, ``"ml_ai"``,
``"senior"``, ...) to a :class:`Style`. Names shown to people come from the world data
(``abm/data/*.csv``) and the strategy classes, never the raw keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
GREY = "#8C8C8C"
INK = "#222222"  # text and reference lines
GRID = "#E6E6E6"

#: Dash patterns (matplotlib on/off sequences in points; Vega-Lite uses the same numbers).
SOLID: tuple[float, ...] = ()
DASHED = (6.0, 3.0)
DOTTED = (1.5, 2.5)
DASH_DOT = (6.0, 2.5, 1.5, 2.5)
LONG_DASH = (10.0, 3.0)


@dataclass(frozen=True)
class Style:
    """How one series looks: its name for people, colour, dash pattern and marker."""

    label: str
    color: str
    dash: tuple[float, ...] = SOLID
    marker: str = "o"  # matplotlib marker; :data:`VEGA_SHAPES` maps it for Vega-Lite


#: matplotlib marker → Vega-Lite point shape
VEGA_SHAPES = {"o": "circle", "s": "square", "^": "triangle-up", "v": "triangle-down", "D": "diamond", "P": "cross"}

#: Each strategy's colour (used where its class in ``abm.strategies`` has no ``colour``), dash and marker.
STRATEGY_STYLE = {
    "cutting": (OKABE_ITO["vermillion"], DASHED, "v"),
    "counter_cyclical": (OKABE_ITO["bluish_green"], SOLID, "^"),
    "recomposing": (OKABE_ITO["blue"], DASH_DOT, "s"),
    "non_adopting": (GREY, DOTTED, "o"),
}
#: Skill clusters whose demand AI raises (the rest are "other" unless the world marks them legacy).
GROWTH_CLUSTERS = ("ml_ai", "security", "cloud_platform", "data_eng")
CLUSTER_GROUPS = {
    "growth": Style("growth clusters (AI, platform, data, security)", OKABE_ITO["reddish_purple"], SOLID, "o"),
    "legacy": Style("legacy-exposed clusters (QA, docs, PM, front-end)", OKABE_ITO["orange"], DASHED, "s"),
    "other": Style("other clusters", GREY, DOTTED, "D"),
}
#: junior → staff: dark to light would hide juniors on white, so light-ish to dark
LEVEL_COLORS = ("#86D549", "#20A386", "#31678E", "#481D6F")
LEVEL_DASHES = (DOTTED, DASH_DOT, DASHED, SOLID)
LEVEL_MARKERS = ("o", "s", "^", "D")


@lru_cache(maxsize=1)
def _world_names() -> dict[str, dict[str, str]]:
    from abm.model import default_world

    w = default_world()
    return {
        "cluster": dict(zip(w.clusters["cluster"], w.clusters["label"])),
        "location": dict(zip(w.locations["location"], w.locations["label"])),
        "level": dict(zip(w.seniority["level"], w.seniority["label"])),
        "legacy": {c: "legacy" for c in w.legacy_cluster_names},  # the world's one list of legacy clusters
    }


def cluster_label(name: str) -> str:
    """``"ml_ai"`` → ``"ML / AI"`` (the world data's label)."""
    return _world_names()["cluster"].get(name, name)


def location_label(name: str, short: bool = True) -> str:
    """``"bay_area"`` → ``"San Francisco Bay Area"`` (``short``: without the parenthesis)."""
    label = _world_names()["location"].get(name, name)
    return label.split(" (")[0] if short else label


def level_label(name: str) -> str:
    return _world_names()["level"].get(name, name)


def cluster_group(name: str) -> str:
    """``"growth"``, ``"legacy"`` or ``"other"``: the colour group of a skill cluster."""
    if name in GROWTH_CLUSTERS:
        return "growth"
    return _world_names()["legacy"].get(name, "other")


def strategy_label(name: str) -> str:
    from abm.strategies import STRATEGIES

    for s in STRATEGIES:
        if s.name == name:
            return s.label
    return name.replace("_", " ")


POLICY_LABELS = {"location_adjusted": "location-adjusted payers", "national_band": "national-band payers",
                 "all": "all firms"}


@cache
def family(name: str) -> dict[str, Style]:
    """The styles of one family of series, by key."""
    from abm.world import LEVELS

    if name == "strategy":
        from abm.strategies import STRATEGIES

        out = {}
        for s in STRATEGIES:
            color, dash, marker = STRATEGY_STYLE.get(s.name, (GREY, LONG_DASH, "P"))
            out[s.name] = Style(s.label, getattr(s, "colour", color), dash, marker)
        return out
    if name == "level":
        return {lv: Style(level_label(lv), c, d, m) for lv, c, d, m in zip(LEVELS, LEVEL_COLORS, LEVEL_DASHES, LEVEL_MARKERS)}
    if name == "cluster":  # every cluster: its group's colour and dash, its own marker
        markers = ("o", "s", "^", "v", "D", "P")
        out, seen = {}, {"growth": 0, "legacy": 0, "other": 0}
        for c in _world_names()["cluster"]:
            g = cluster_group(c)
            out[c] = Style(cluster_label(c), CLUSTER_GROUPS[g].color, CLUSTER_GROUPS[g].dash, markers[seen[g] % len(markers)])
            seen[g] += 1
        return out
    if name == "cluster_group":
        return dict(CLUSTER_GROUPS)
    if name == "market":  # the two sides of the labour market: the same colours in every chart
        return {"unemployed": Style("job seekers", INK, SOLID, "o"),
                "vacancies": Style("open vacancies", OKABE_ITO["sky_blue"], DASHED, "s"),
                "employed": Style("employed", OKABE_ITO["blue"], DASH_DOT, "D")}
    if name == "policy":
        return {"location_adjusted": Style(POLICY_LABELS["location_adjusted"], OKABE_ITO["vermillion"], SOLID, "o"),
                "national_band": Style(POLICY_LABELS["national_band"], OKABE_ITO["blue"], DASHED, "s"),
                "all": Style(POLICY_LABELS["all"], GREY, DOTTED, "D")}
    if name == "retraining":  # stocks
        return {"enrolled": Style("in a programme", OKABE_ITO["blue"], SOLID, "o"),
                "completed": Style("completed (cumulative)", OKABE_ITO["bluish_green"], DASHED, "s")}
    if name == "retraining_flow":  # flows a year: the stock's colours for the flow that feeds it
        return {"started": Style("enrolments", OKABE_ITO["blue"], SOLID, "o"),
                "completions": Style("completions", OKABE_ITO["bluish_green"], DASHED, "s"),
                "dropouts": Style("dropouts", OKABE_ITO["vermillion"], DOTTED, "v")}
    if name == "pay":
        return {"retrained": Style("retrained and employed (mean)", OKABE_ITO["bluish_green"], SOLID, "o"),
                "median": Style("all employees (median)", GREY, DASHED, "s")}
    if name == "hard_to_fill":
        return {"senior": Style("senior + staff vacancies", LEVEL_COLORS[3], SOLID, "D"),
                "ml_ai": Style("ML / AI vacancies", CLUSTER_GROUPS["growth"].color, DASHED, "o")}
    if name == "run":  # worlds side by side (compare mode, things to try)
        return {"A": Style("A", INK, SOLID, "o"), "B": Style("B", OKABE_ITO["orange"], DASHED, "s")}
    if name == "single":
        return {"value": Style("", OKABE_ITO["blue"], SOLID, "o")}
    raise KeyError(f"unknown style family {name!r}")


def run_styles(labels: list[str]) -> dict[str, Style]:
    """Styles for worlds drawn on one chart, in order (A, B, then the Okabe–Ito colours)."""
    extra = [OKABE_ITO[k] for k in ("blue", "bluish_green", "vermillion", "reddish_purple", "sky_blue")]
    base = list(family("run").values())
    dashes = (SOLID, DASHED, DOTTED, DASH_DOT, LONG_DASH)
    out = {}
    for i, label in enumerate(labels):
        if i < len(base):
            out[label] = Style(label, base[i].color, base[i].dash, base[i].marker)
        else:
            out[label] = Style(label, extra[(i - len(base)) % len(extra)], dashes[i % len(dashes)], "^")
    return out


# --- matplotlib -----------------------------------------------------------------------------
FONT = {"title": 10.5, "label": 9.0, "tick": 8.0, "legend": 7.5}


def style_axes(ax: Axes) -> None:
    """The house look for one matplotlib Axes (no global rcParams: safe in threads)."""
    ax.title.set_fontsize(FONT["title"])
    ax.title.set_fontweight("bold")
    ax.xaxis.label.set_fontsize(FONT["label"])
    ax.yaxis.label.set_fontsize(FONT["label"])
    ax.tick_params(labelsize=FONT["tick"], colors=INK)
    ax.grid(True, color=GRID, lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    leg = ax.get_legend()
    if leg is not None:
        for text in leg.get_texts():
            text.set_fontsize(FONT["legend"])
        leg.get_frame().set_linewidth(0)
        leg.get_frame().set_alpha(0.85)


# --- Vega-Lite (Altair) -----------------------------------------------------------------------
def vega_config() -> dict:
    """Top-level Vega-Lite ``config`` matching :func:`style_axes`."""
    return {
        "font": "Roboto, Helvetica, Arial, sans-serif",
        "view": {"stroke": None},
        "title": {"fontSize": 13, "fontWeight": "bold", "anchor": "start", "color": INK, "subtitleColor": "#555555"},
        "axis": {"labelFontSize": 11, "titleFontSize": 11.5, "titleFontWeight": "normal", "gridColor": GRID,
                 "labelColor": INK, "titleColor": INK, "domainColor": "#888888", "tickColor": "#888888"},
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "top", "direction": "horizontal",
                   "columns": 4, "symbolStrokeWidth": 2.2, "labelLimit": 260, "title": None},
    }


# --- outputs named for people (lesson metrics, headline numbers) --------------------------------
OUTPUT_LABELS = {
    "unemployment_rate": "unemployment rate",
    "vacancy_rate": "vacancy rate",
    "mismatch_index": "mismatch index",
    "long_term_unemployed_share": "share of job seekers out of work over 6 months",
    "public_retraining_spend": "public spending on retraining",
    "remote_onsite_pay_ratio": "remote ÷ onsite pay (all firms)",
    "remote_onsite_pay_ratio_adjusted": "remote ÷ onsite pay (location-adjusted payers)",
    "remote_onsite_pay_ratio_national": "remote ÷ onsite pay (national-band payers)",
    "remote_share": "share of employees in fully remote jobs",
    "retrained_employment_rate": "share of retraining completers in work",
    "retrained_mean_wage": "mean pay of retrained workers",
    "senior_and_staff": "senior + staff workers employed",
    "senior_vacancy_duration": "months senior vacancies stay open",
    "ai_vacancy_duration": "months ML/AI vacancies stay open",
    "junior_hires": "junior hires",
    "ai_premium": "AI pay premium",
    "vacancy_seeker_ratio": "vacancies per job seeker",
    "profit_per_worker": "cumulative profit per 2022 worker",
    "juniors_per_firm": "juniors per firm",
    "seniors_per_firm": "seniors + staff per firm",
    "headcount_per_firm": "employees per firm",
    **{f"workers_by_seniority_{lv}": f"{lv}-level workers employed" for lv in ("junior", "mid", "senior", "staff")},
}


def output_label(metric: str) -> str:
    """A model output for people: ``"firm:cutting:profit_per_worker"`` → ``"cumulative profit per
    2022 worker, Cutting firms"``; ``"unemployment_rate"`` → ``"unemployment rate"``."""
    parts = metric.split(":")
    column = parts[-1]
    label = OUTPUT_LABELS.get(column, column.replace("_", " "))
    if len(parts) == 3:
        kind, name = parts[0], parts[1]
        where = {"firm": lambda n: f"{strategy_label(n)} firms", "cluster": lambda n: f"{cluster_label(n)} cluster",
                 "location": lambda n: location_label(n)}.get(kind, lambda n: n)(name)
        return f"{label}, {where}"
    return label
