"""Per-visitor simulation state: the models, stepping, play loop and immutable snapshots.

No model or visitor state lives at module level (only constants and a frame-id counter): the page
creates its :class:`Simulation` objects per browser session (inside a component,
``solara.use_memo``), so every visitor steps their own models.

Models are built, seeded and snapshotted by the runs layer (:func:`abm.runs.build`,
:func:`abm.runs.snapshot`), as every other front end's are: a :class:`RunSpec` stepped here to
month m gives the same tables as ``abm.runs.run_one`` with ``months=m``.

The page never reads a live model while it renders. After every batch of steps the simulation
takes a :class:`Frame` — the tidy tables of each run at that month — under its lock, and the page
draws only frames. The play loop (:func:`play`) runs in a background thread, steps as many months
as the chosen speed asks for since the last frame, publishes a frame, and repeats; drawing a
frame takes longer than stepping a month, so at high speed a frame covers several months.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from abm.model import LaborMarket
from abm.params import ParameterError, Params
from abm.runs import Results, RunSpec, build, snapshot
from abm.strategies import STRATEGIES

#: The strategy that takes up what the strategy sliders leave (it has no slider).
REMAINDER_STRATEGY = "non_adopting"
#: The strategy shares set by sliders, in the registry's order.
MIX_SHARES = tuple(s.share for s in STRATEGIES if s.name != REMAINDER_STRATEGY)

# --- the controls ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Knob:
    """One slider: a parameter of :class:`~abm.params.Params` with a display range and format."""

    name: str
    label: str
    min: float
    max: float
    step: float
    percent: bool = False  # show as % (value × 100)
    unit: str = ""
    decimals_percent: int | None = None  # show as % with this many decimals

    def format(self, value: float) -> str:
        if self.percent:
            return f"{100 * value:.0f} %"
        if self.decimals_percent is not None:
            return f"{100 * value:.{self.decimals_percent}f} %"
        digits = max(1, -int(f"{self.step:e}".split("e")[1]))
        text = f"{value:.{digits}f}".rstrip("0")
        text += "0" if text.endswith(".") else ""
        return text + (f" {self.unit}" if self.unit else "")

    @property
    def help(self) -> str:
        f = Params.model_fields[self.name]
        unit = (f.json_schema_extra or {}).get("unit", "")
        return f"{f.description} ({unit}; parameter {self.name})"


KNOB_GROUPS: dict[str, list[Knob]] = {
    "Firm AI strategies (share of firms)": [
        Knob("share_cutting", "Cutting", 0.0, 1.0, 0.01, percent=True),
        Knob("share_counter_cyclical", "Counter-cyclical junior hiring", 0.0, 1.0, 0.01, percent=True),
        Knob("share_recomposing", "Recomposing", 0.0, 1.0, 0.01, percent=True),
    ],
    "AI adoption": [
        Knob("ai_adoption_speed", "Adoption speed", 0.1, 3.0, 0.05, unit="/yr"),
        Knob("ai_adoption_midpoint", "Adoption midpoint (year)", 2022.0, 2035.0, 0.25),
    ],
    "Remote work and pay": [
        Knob("share_remote_first", "Remote-first firms", 0.0, 1.0, 0.01, percent=True),
        Knob("share_location_adjusted_pay", "Firms paying by location", 0.0, 1.0, 0.01, percent=True),
    ],
    "Retraining and entry": [
        Knob("retraining_subsidy", "Retraining subsidy (public share)", 0.0, 1.0, 0.01, percent=True),
        Knob("retraining_length_scale", "Programme length ×", 0.2, 3.0, 0.05),
        Knob("graduate_rate", "Graduates a year (share of labour force)", 0.0, 0.08, 0.001, decimals_percent=1),
    ],
    "Labour-market flows": [
        Knob("ojs_search_rate", "On-the-job search (employees searching a month)", 0.0, 0.5, 0.01, percent=True),
        Knob("vacancy_life_months", "Life of a job posting", 0.5, 12.0, 0.5, unit=" months"),
        Knob("outside_exit_rate", "Leaving tech for other work (top monthly rate)", 0.0, 0.4, 0.01, percent=True),
    ],
}
KNOBS: dict[str, Knob] = {k.name: k for group in KNOB_GROUPS.values() for k in group}
WORKER_CHOICES = (1_000, 2_000, 5_000, 10_000, 20_000)
#: the world size a visitor starts with: 5,000, or what ``abm app --workers N`` set (``ABM_APP_WORKERS``)
DEFAULT_WORKERS = int(os.environ.get("ABM_APP_WORKERS", "5000"))
DEFAULT_SEED = 1
SPEEDS: dict[str, float | None] = {"1 month/s": 1.0, "3 months/s": 3.0, "6 months/s": 6.0, "12 months/s": 12.0,
                                   "as fast as possible": None}  # None: a quarter a frame, 8 frames a second at most
DEFAULT_SPEED = "6 months/s"


def knob_values(params: Params) -> dict[str, float]:
    """The slider positions that reproduce ``params``."""
    return {name: float(getattr(params, name)) for name in KNOBS}


def non_adopting_share(values: dict[str, float]) -> float:
    """The remainder strategy's share: what the strategy sliders leave (never below 0)."""
    rest = 1.0 - sum(values[k] for k in MIX_SHARES)
    return round(max(0.0, rest), 6)


def remote_split(base: Params, remote_first: float) -> dict[str, float]:
    """Onsite / hybrid / remote-first shares: remote-first as set, the rest split as in ``base``."""
    onsite, hybrid = base.share_onsite, base.share_hybrid
    rest = max(0.0, 1.0 - remote_first)
    if onsite + hybrid > 0:
        onsite_new = round(rest * onsite / (onsite + hybrid), 6)
    else:
        onsite_new = round(rest, 6)
    return {"share_onsite": onsite_new, "share_hybrid": round(rest - onsite_new, 6), "share_remote_first": round(remote_first, 6)}


def build_params(base: Params, values: dict[str, float], n_workers: int) -> Params:
    """``base`` with the sliders applied; raises :class:`ParameterError` for an impossible mix.

    The strategy sliders set three shares and the fourth (non-adopting) is what is left; if the
    three add up to more than 1 the combination is impossible and the error says so. The
    remote-first slider keeps the onsite : hybrid proportion of ``base`` for the remainder.
    """
    overrides: dict[str, object] = {k: float(round(v, 6)) for k, v in values.items() if k in KNOBS}
    overrides[f"share_{REMAINDER_STRATEGY}"] = non_adopting_share(values)
    overrides.update(remote_split(base, float(values["share_remote_first"])))
    overrides["n_workers"] = int(n_workers)
    overrides["worker_agents"] = False  # the arrays are the state; the app needs no agent objects
    return Params.make(base, **overrides)


# --- runs and frames -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RunFrame(Results):
    """The tidy tables of one run at one month (a :class:`~abm.runs.Results`: immutable copies, safe
    to draw from any thread); ``tables`` is what the chart registry draws from."""

    @classmethod
    def of(cls, spec: RunSpec, model: LaborMarket) -> RunFrame:
        r = snapshot(model, spec)
        return cls(spec=r.spec, months=r.months, n_firms=r.n_firms, tables=r.tables)


_frame_ids = itertools.count(1)
#: Play never steps more than a quarter between two frames, at any speed: the picture never
#: jumps more than three months and Pause never overshoots by more than one frame.
MAX_MONTHS_PER_FRAME = 3
#: "As fast as possible" draws at most this often (s): 8 frames, 24 months a second.
MIN_FRAME_INTERVAL = 0.125


@dataclass(frozen=True)
class Frame:
    """A snapshot of the simulation: every run at the same month."""

    id: int
    generation: int
    month: int
    year: float
    horizon: int
    start_year: int
    runs: tuple[RunFrame, ...]
    rate: float | None = None  # months per second while playing

    @property
    def at_end(self) -> bool:
        return self.month >= self.horizon

    @property
    def date(self) -> str:
        return month_name(self.start_year, self.month)


def month_name(start_year: int, month: int) -> str:
    """``"Mar 2027"`` for month 62 of a run starting in January 2022."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{months[month % 12]} {start_year + month // 12}"


@dataclass
class Simulation:
    """One visitor's models (one, or two in the comparison), stepped together.

    ``pause`` is set by the page's Pause button the moment it is clicked (before the page
    re-renders); the play loop checks it between single months, so a run stops within the month
    it is stepping, whatever the load, and a click is never lost to a re-render.
    """

    models: list[tuple[str, LaborMarket]] = field(default_factory=list)
    specs: list[RunSpec] = field(default_factory=list)
    generation: int = 0
    frame: Frame | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    key: object = None  # what the current models were built from (the page's settings)
    pause: threading.Event = field(default_factory=threading.Event)
    listeners: list[Callable[[Frame], None]] = field(default_factory=list)

    def subscribe(self, listener: Callable[[Frame], None]) -> Callable[[], None]:
        """Call ``listener(frame)`` for every frame :meth:`notify` announces; returns the unsubscribe."""
        with self.lock:
            self.listeners.append(listener)

        def unsubscribe() -> None:
            with self.lock:
                if listener in self.listeners:
                    self.listeners.remove(listener)

        return unsubscribe

    def notify(self, frame: Frame) -> None:
        """Hand ``frame`` to every listener (the page's live charts and numbers)."""
        with self.lock:
            listeners = list(self.listeners)
        for listener in listeners:
            listener(frame)

    def reset(self, specs: list[RunSpec], key: object = None) -> Frame:
        """Build fresh models at month 0 (raises ParameterError for invalid parameters); the
        listeners get the new frame."""
        models = [(s.label, build(s)) for s in specs]
        with self.lock:
            self.models = models
            self.specs = list(specs)
            self.generation += 1
            self.key = key
            self.frame = self._snapshot()
            frame = self.frame
        self.notify(frame)
        return frame

    @property
    def month(self) -> int:
        return self.models[0][1].month if self.models else 0

    @property
    def horizon(self) -> int:
        return min(m.p.months for _, m in self.models) if self.models else 0

    @property
    def start_year(self) -> int:
        return self.models[0][1].p.start_year if self.models else 0

    def step(self, months: int = 1, generation: int | None = None, *, snapshot: bool = True,
             stop: Callable[[], bool] | None = None) -> Frame | None:
        """Step every model ``months`` months (not past the horizon) and take a frame.

        With ``generation`` given, does nothing and returns None if the models were rebuilt since
        (a play loop of an earlier run must not step or publish the new one). ``stop`` is asked
        before every month; once it says True no further month is stepped. With
        ``snapshot=False`` the frame is left for :meth:`publishable` to take.
        """
        with self.lock:
            if not self.models or (generation is not None and generation != self.generation):
                return None
            months = max(0, min(months, self.horizon - self.month))
            for _ in range(months):
                if stop is not None and stop():
                    break
                for _, model in self.models:
                    model.step()
            if snapshot:
                self.frame = self._snapshot()
            return self.frame

    def publishable(self, generation: int, rate: float | None = None) -> Frame | None:
        """A frame of the current month for a play loop of ``generation`` (None if rebuilt since)."""
        with self.lock:
            if generation != self.generation or not self.models:
                return None
            self.frame = self._snapshot(rate)
            return self.frame

    def _snapshot(self, rate: float | None = None) -> Frame:
        first = self.models[0][1]
        return Frame(id=next(_frame_ids), generation=self.generation, month=first.month, year=first.year,
                     horizon=self.horizon, start_year=first.p.start_year,
                     runs=tuple(RunFrame.of(spec, m) for spec, (_, m) in zip(self.specs, self.models)), rate=rate)


def play(sim: Simulation, speed: float | None, cancel: threading.Event, publish: Callable[[Frame], None], *,
         stop_month: int | None = None, max_batch: int = MAX_MONTHS_PER_FRAME, min_interval: float = MIN_FRAME_INTERVAL,
         clock: Callable[[], float] = time.perf_counter) -> int:
    """Step ``sim`` at ``speed`` months per second (None: as fast as the frames go) until the
    horizon, ``stop_month``, ``sim.pause`` or ``cancel``; ``publish(frame)`` after each batch of at
    most ``max_batch`` months, at most one frame every ``min_interval`` seconds. Returns the months
    stepped.

    Months owed at the chosen speed accumulate while a frame is being drawn, so the rate holds
    when drawing is slower than one month's interval, up to ``max_batch`` a frame. Pause and cancel
    are checked between single months; the frame of the month reached is always published, so the
    page shows where the run stopped.
    """
    generation = sim.generation
    start, start_month = clock(), sim.month
    end = sim.horizon if stop_month is None else min(stop_month, sim.horizon)
    last, owed = start, 1.0  # the first month at once
    last_frame: float | None = None

    def halted() -> bool:
        return cancel.is_set() or sim.pause.is_set()

    while not halted() and sim.month < end:
        now = clock()
        if speed is None:
            k = max_batch
            if last_frame is not None and now - last_frame < min_interval:
                if sim.pause.wait(min_interval - (now - last_frame)) or cancel.is_set():
                    break
                continue
        else:
            owed = min(owed + (now - last) * speed, float(max_batch))
            last = now
            k = int(owed)
            if k < 1:
                if sim.pause.wait((1.0 - owed) / speed) or cancel.is_set():
                    break
                continue
            owed -= k
        if sim.step(min(k, end - sim.month), generation, snapshot=False, stop=halted) is None:
            return sim.month - start_month
        elapsed = clock() - start
        frame = sim.publishable(generation, rate=(sim.month - start_month) / elapsed if elapsed > 0 else None)
        if frame is None:
            break
        last_frame = clock()
        publish(frame)
    if sim.month > start_month:  # where the run stopped, without a rate: it no longer runs
        frame = sim.publishable(generation)
        if frame is not None:
            publish(frame)
    return sim.month - start_month


def error_text(exc: Exception) -> str:
    """One line for the page: a ParameterError's message, or the exception's type and message."""
    if isinstance(exc, ParameterError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
