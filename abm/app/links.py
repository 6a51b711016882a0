"""Settings links: the page's world as a URL query string, and back.

A link carries what makes the run reproducible — the scenario, every slider that differs from
it, the number of workers, the seed — plus where the visitor was: the mode, the two worlds of a
comparison and the month. Opening it rebuilds the same models and steps them to that month, so
the numbers on screen are the same. A value that does not parse is reported in one line and the
default is used instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from abm.app.session import DEFAULT_SEED, DEFAULT_WORKERS, KNOBS, WORKER_CHOICES, knob_values

MODES = ("explore", "compare")
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Settings:
    """Everything a link restores."""

    scenario: str
    values: dict[str, float] = field(default_factory=dict)  # every slider, scenario values included
    n_workers: int = DEFAULT_WORKERS
    seed: int = DEFAULT_SEED
    mode: str = "explore"
    compare: tuple[str, str] | None = None
    month: int = 0


def to_query(settings: Settings, scenario_values: dict[str, float]) -> str:
    """The query string (without ``?``): only the sliders that differ from the scenario."""
    items: list[tuple[str, str]] = [("scenario", settings.scenario), ("seed", str(settings.seed)),
                                    ("workers", str(settings.n_workers))]
    items += [(k, f"{v:.6g}") for k, v in settings.values.items() if abs(v - scenario_values.get(k, v)) > 1e-12]
    if settings.mode != "explore":
        items.append(("mode", settings.mode))
    if settings.compare is not None and settings.mode == "compare":
        items += [("a", settings.compare[0]), ("b", settings.compare[1])]
    if settings.month:
        items.append(("month", str(settings.month)))
    return urlencode(items)


def from_query(search: str | None, scenarios: dict[str, object], default: str,
               is_world: Callable[[str], bool]) -> tuple[Settings, list[str]]:
    """Settings from a query string, and one line per value that was ignored (with what is allowed).

    ``scenarios``: scenario key → its :class:`~abm.params.Params`; ``is_world``: whether a key
    names a world a comparison side may show.
    """
    problems: list[str] = []
    query = dict(parse_qsl(search or "", keep_blank_values=True))
    scenario = query.pop("scenario", default)
    if scenario not in scenarios:
        problems.append(f"scenario={scenario!r} is not a scenario here; allowed: {', '.join(scenarios)}")
        scenario = default
    values = knob_values(scenarios[scenario])

    def number(key: str, kind, lo: float, hi: float, fallback):
        raw = query.pop(key, None)
        if raw is None:
            return fallback
        try:
            value = kind(raw)
            if not lo <= value <= hi:
                raise ValueError
            return value
        except ValueError:
            problems.append(f"{key}={raw!r} is not valid; allowed: {kind.__name__} in [{lo:g}, {hi:g}]")
            return fallback

    seed = number("seed", int, 0, MAX_SEED, DEFAULT_SEED)
    workers = number("workers", int, min(WORKER_CHOICES), max(WORKER_CHOICES), DEFAULT_WORKERS)
    if workers not in WORKER_CHOICES:
        problems.append(f"workers={workers} is not offered; allowed: {', '.join(map(str, WORKER_CHOICES))}")
        workers = DEFAULT_WORKERS
    month = number("month", int, 0, 1200, 0)
    mode = query.pop("mode", "explore")
    if mode not in MODES:
        problems.append(f"mode={mode!r} is not valid; allowed: {', '.join(MODES)}")
        mode = "explore"
    sides = (query.pop("a", None), query.pop("b", None))
    compare = None
    if any(sides):
        if all(s is not None and is_world(s) for s in sides):
            compare = (sides[0], sides[1])
        else:
            problems.append(f"a={sides[0]!r}, b={sides[1]!r}: not two worlds of the comparison; allowed: the keys of "
                            "the single-strategy worlds, the scenarios, 'current' and 'try-N' of a lesson")
    for key in list(query):
        if key in KNOBS:
            knob = KNOBS[key]
            values[key] = float(number(key, float, knob.min, knob.max, values[key]))
    for key in query:
        problems.append(f"{key}= is not a setting; allowed: scenario, seed, workers, mode, a, b, month, {', '.join(KNOBS)}")
    return Settings(scenario, values, workers, seed, mode, compare, month), problems
