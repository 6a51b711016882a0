"""Scenario presets for the app.

Two kinds:

* **Scenario files**: every scenario or lesson file (:func:`abm.files.file_kind`) with a
  ``[scenario]`` table (name, title, description and optionally ``look_for``), read with
  :func:`abm.files.load_scenario`. The baseline comes first, the others follow by title. Other
  files (e.g. batch specs) are not presets; a scenario file that does not validate is skipped with
  a warning in the server log rather than breaking the page.
* **Single-strategy worlds** for the comparison mode: the baseline with every firm following one
  AI-adoption strategy (``share_cutting = 1`` and the other shares 0, and so on), titled and
  described by the strategy classes (:mod:`abm.strategies`).

Directories searched, in order: ``$ABM_SCENARIO_DIRS`` (``os.pathsep``-separated), then the
scenarios shipped with the package (``abm/scenarios`` and ``abm/scenarios/lessons``), so the
installed app finds them from any folder.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from abm.files import LESSONS_DIR, SCENARIOS_DIR, file_kind, load_scenario, read_toml
from abm.params import STRATEGY_SHARES, ParameterError, Params
from abm.strategies import STRATEGIES

if TYPE_CHECKING:
    from abm.lessons import Lesson

log = logging.getLogger(__name__)

BASELINE = "baseline"


@dataclass(frozen=True)
class Scenario:
    """A named parameter set with the text that tells a visitor what to look at."""

    key: str
    title: str
    description: str
    params: Params
    look_for: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)
    lesson: Lesson | None = field(default=None, compare=False, repr=False)  # a teaching lesson's text and things to try


def scenario_dirs() -> list[Path]:
    """Folders searched for scenario files (existing ones only, no duplicates)."""
    env = [Path(p) for p in os.environ.get("ABM_SCENARIO_DIRS", "").split(os.pathsep) if p]
    candidates = [*env, SCENARIOS_DIR, LESSONS_DIR]
    seen: list[Path] = []
    for d in candidates:
        if d.is_dir() and d.resolve() not in seen:
            seen.append(d.resolve())
    return seen


def _paragraphs(text: str) -> str:
    """TOML multi-line text → paragraphs (single line breaks joined, blank lines kept)."""
    blocks = [" ".join(line.strip() for line in block.splitlines() if line.strip())
              for block in text.strip().split("\n\n")]
    return "\n\n".join(b for b in blocks if b)


def _as_list(value: object) -> tuple[str, ...]:
    """Text items from a string, a list of strings or a table of either (a ``[lesson]`` table)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (_paragraphs(value),) if value.strip() else ()
    if isinstance(value, (list, tuple)):
        return tuple(item for v in value for item in _as_list(v))
    if isinstance(value, dict):
        return tuple(item for v in value.values() for item in _as_list(v))
    return (str(value),)


def read_scenario(path: Path) -> Scenario | None:
    """One scenario file → :class:`Scenario`; None if it is not a scenario with a ``[scenario]`` table."""
    try:
        data = read_toml(path, "scenario file")
    except ParameterError as exc:
        log.warning("skipping scenario %s: %s", path, exc)
        return None
    if file_kind(data) not in ("scenario", "lesson") or not isinstance(data.get("scenario"), dict):
        return None
    try:
        meta, params = load_scenario(path)
    except ParameterError as exc:
        log.warning("skipping scenario %s: %s", path, exc)
        return None
    key = str(meta.get("name") or path.stem)
    title = str(meta.get("title") or key.replace("_", " ").capitalize())
    look_for = _as_list(meta.get("look_for"))
    description = _paragraphs(str(meta.get("description", "")))
    lesson = None
    if "lesson" in meta:  # a teaching lesson: the page shows its question, text and things to try
        from abm.lessons import LessonError, load_lesson

        try:
            lesson = load_lesson(path)
        except (LessonError, ParameterError) as exc:
            log.warning("lesson text of %s not shown: %s", path, exc)
    return Scenario(key=key, title=title, description=description, params=params, look_for=look_for, path=path,
                    lesson=lesson)


def default_baseline() -> Scenario:
    """The built-in defaults (identical to the shipped baseline) when no file is found."""
    return Scenario(key=BASELINE, title="Baseline (built-in defaults)",
                    description="The calibrated baseline parameter set of abm.params.Params.", params=Params())


def load_scenarios(dirs: list[Path] | None = None) -> list[Scenario]:
    """All scenario presets, baseline first, then by title; keys are unique."""
    found: dict[str, Scenario] = {}
    for d in scenario_dirs() if dirs is None else dirs:
        for path in sorted(d.glob("*.toml")):
            sc = read_scenario(path)
            if sc is not None and sc.key not in found:
                found[sc.key] = sc
    if BASELINE not in found:
        found[BASELINE] = default_baseline()
    rest = sorted((s for k, s in found.items() if k != BASELINE), key=lambda s: s.title.lower())
    return [found[BASELINE], *rest]




def single_strategy(base: Params, share: str) -> Params:
    """``base`` with every firm following the strategy of ``share`` (one of STRATEGY_SHARES)."""
    return Params.make(base, **{k: (1.0 if k == share else 0.0) for k in STRATEGY_SHARES})


def comparison_presets(scenarios: list[Scenario]) -> list[Scenario]:
    """Presets offered on each side of the comparison: the single-strategy worlds, then the files."""
    base = scenarios[0].params if scenarios else Params()
    worlds = [Scenario(key=f"all_{s.name}",
                       title=f"All firms {s.label.lower()}" if s.adoption_appetite > 0 else "No firm adopts AI",
                       description=f"Every firm {s.description[0].lower()}{s.description[1:]}" if s.adoption_appetite > 0
                       else "No firm adopts AI.", params=single_strategy(base, s.share))
              for s in STRATEGIES]
    return worlds + list(scenarios)
