"""Lesson files: the ``[lesson]`` table's schema (pydantic), loading and finding lessons.

A lesson is a scenario file (:mod:`abm.files`: ``[scenario]``, ``[params]``) with a ``[lesson]``
table that tells a class what to ask, how the mechanism works, what to look for and what to try.
The shipped lessons are ``abm/scenarios/lessons/NN_*.toml``. The table's keys:

========================  ===========================================================================
``question``              the question the lesson answers (text)
``mechanism``             how the model produces the answer, in plain words (text)
``look_for``              things to notice on the charts (list of text)
``things_to_try``         list of tables ``{change, set, predict}`` and optionally ``metric``,
                          ``expect`` (``"up"``, ``"down"`` or ``"flat"``) and ``window`` (``[from, to]``
                          years): one change, the parameter overrides that make it, the model's
                          answer, and the output that shows it (:func:`abm.measures.check_metric`);
                          optionally ``claims``: further claims of the answer, each a table
                          ``{says, metric, expect}`` and optionally ``window`` (``[[...claims]]``),
                          checked on many seeds by ``abm lessons check`` like the named output
``discussion``            discussion questions (list of text)
``facts``                 list of tables ``{fact, source}`` (``source = "seeds/00N"``), optionally
                          ``in_model`` (how the fact appears in the model: input or output)
``minutes``               minutes the lesson takes in class (int)
``charts``                names of the charts to show (of the chart registry, :data:`abm.charts.CHARTS`)
``extending``             optional: ideas for extending the model (list of text)
========================  ===========================================================================

Every problem is a one-line :class:`LessonError` naming the file and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError, ValidationInfo, field_validator, model_validator

from abm.files import LESSONS_DIR, FileModel, ScenarioFile, load_scenario, read_scenario_file
from abm.measures import check_metric, suggest
from abm.params import ParameterError, Params

EXPECT = ("up", "down", "flat")
SOURCE_PATTERN = re.compile(r"^seeds/\d{3}$")
#: a "flat" prediction holds when the relative change is within this
FLAT_TOLERANCE = 0.02


class LessonError(ParameterError):
    """A lesson file is invalid. The message is one line naming the file and the key."""


def lessons_dir() -> Path:
    """The lesson folder: ``$ABM_LESSONS_DIR`` if set, else the lessons shipped with the package."""
    env = os.environ.get("ABM_LESSONS_DIR")
    return Path(env) if env else LESSONS_DIR


# --- text -----------------------------------------------------------------------------------------
_LIST_ITEM = re.compile(r"^\s*([-*]|\d+\.)\s")


def paragraphs(text: str) -> str:
    """TOML multi-line text → Markdown paragraphs: wrapped lines are joined, blank lines kept, and a
    line starting a list item (``- ``, ``* ``, ``1. ``) starts a new line."""
    out = []
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            if not line.strip():
                continue
            if lines and not _LIST_ITEM.match(line):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.strip())
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be non-empty text, got {value!r}")
    return paragraphs(value)


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"must be a non-empty list of text, got {type(value).__name__}")
    for i, v in enumerate(value):
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"item {i} must be non-empty text, got {v!r}")
    return tuple(paragraphs(v) for v in value)


def _tables(what: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError(f"must be a non-empty list of tables ([[lesson.{what}]])")
        return tuple(value)
    return BeforeValidator(check)


Text = Annotated[str, BeforeValidator(_text)]
Texts = Annotated[tuple[str, ...], BeforeValidator(_texts)]


# --- the [lesson] table ----------------------------------------------------------------------------
class Judged(FileModel):
    """An output a comparison is judged by: the metric, the direction it should move and the years."""

    metric: str | None = None
    expect: str | None = None
    window: tuple[float, float] | None = None

    @field_validator("metric", mode="before")
    @classmethod
    def _metric(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"must be text, got {value!r}")
        check_metric(value)
        return value

    @field_validator("expect", mode="before")
    @classmethod
    def _expect(cls, value: Any) -> Any:
        if value not in EXPECT:
            raise ValueError(f"must be one of {', '.join(EXPECT)}, got {value!r}")
        return value

    @field_validator("window", mode="before")
    @classmethod
    def _window(cls, value: Any, info: ValidationInfo) -> tuple[float, float]:
        ok = (isinstance(value, list) and len(value) == 2
              and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value) and value[0] < value[1])
        if not ok:
            raise ValueError(f"must be [from_year, to_year] with from < to, got {value!r}")
        p = _params(info)
        end = p.start_year + p.months / 12
        if value[0] < p.start_year or value[1] > end:
            raise ValueError(f"{value} is outside the scenario's run {p.start_year}–{end:g}")
        return (float(value[0]), float(value[1]))

    @model_validator(mode="after")
    def _judged(self) -> Judged:
        if (self.metric is None) != (self.expect is None):
            raise ValueError("give both 'metric' and 'expect' or neither")
        if self.window is not None and self.metric is None:
            raise ValueError("a window needs a 'metric'")
        return self


class Claim(Judged):
    """A further claim the answer of a thing to try makes ("the mismatch index first rises"), with
    the output and years that check it: ``abm lessons check`` counts the seeds it holds on."""

    says: Text
    metric: str
    expect: str


class ThingToTry(Judged):
    """One "thing to try": a change, the overrides that make it, the model's answer, the output it is
    judged by and the further claims the answer makes."""

    change: Text
    set: dict[str, Any]
    predict: Text
    claims: tuple[Claim, ...] = ()

    @field_validator("claims", mode="before")
    @classmethod
    def _claims(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError("must be a list of tables ([[lesson.things_to_try.claims]])")
        return tuple(value)

    @field_validator("set", mode="before")
    @classmethod
    def _overrides(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValueError("must be a non-empty table of parameter overrides, e.g. set = { max_skill_gap = 0.45 }")
        try:
            Params.make(_params(info), **value)
        except ParameterError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def judged(self) -> tuple[Judged, ...]:
        """What a check counts: the named output (if any), then every claim."""
        return ((self,) if self.metric else ()) + self.claims


class Fact(FileModel):
    """A figure from the source articles the lesson relates to."""

    fact: Text
    source: str
    in_model: Annotated[str, BeforeValidator(_text)] = ""

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> Any:
        if not isinstance(value, str) or not SOURCE_PATTERN.match(value):
            raise ValueError(f"must name an article file as 'seeds/NNN' (e.g. 'seeds/001'), got {value!r}")
        return value


class LessonTable(FileModel):
    """The ``[lesson]`` table."""

    question: Text
    mechanism: Text
    look_for: Texts
    things_to_try: Annotated[tuple[ThingToTry, ...], _tables("things_to_try")]
    discussion: Texts
    facts: Annotated[tuple[Fact, ...], _tables("facts")]
    minutes: int
    charts: tuple[str, ...]
    extending: Texts = ()

    @field_validator("minutes", mode="before")
    @classmethod
    def _minutes(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not 5 <= value <= 180:
            raise ValueError(f"must be an integer number of minutes in [5, 180], got {value!r}")
        return value

    @field_validator("charts", mode="before")
    @classmethod
    def _charts(cls, value: Any) -> Any:
        from abm.charts import CHARTS

        if not isinstance(value, list) or not value:
            raise ValueError("must be a non-empty list of chart names")
        for name in value:
            if not isinstance(name, str) or name not in CHARTS:
                raise ValueError(f"unknown chart {name!r}{suggest(str(name), list(CHARTS))}; allowed: {', '.join(CHARTS)}")
        return tuple(value)


class LessonFile(ScenarioFile):
    """A lesson file: a scenario file whose ``[lesson]`` table is a :class:`LessonTable`."""

    lesson: LessonTable  # type: ignore[assignment]


def _params(info: ValidationInfo) -> Params:
    """The lesson scenario's parameters, passed as validation context."""
    params = (info.context or {}).get("params")
    return params if isinstance(params, Params) else Params()


def _where(loc: Sequence[int | str]) -> str:
    """A pydantic error location as the file's key path: ``things_to_try[0].set``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "[lesson]"


def _messages(exc: ValidationError) -> str:
    """The first error of a ``[lesson]`` table's validation as ``<key path>: <what is wrong>``."""
    err = exc.errors()[0]
    loc = list(err["loc"][1:])  # without the table's name ("lesson")
    model: type[FileModel] = LessonTable
    if len(loc) >= 2 and loc[0] == "things_to_try":
        model = ThingToTry
    elif len(loc) >= 2 and loc[0] == "facts":
        model = Fact
    fields = list(model.model_fields)
    required = [k for k, f in model.model_fields.items() if f.is_required()]
    if err["type"] == "missing":
        return f"{_where(loc[:-1])}: missing key '{loc[-1]}'; required: {', '.join(required)}"
    if err["type"] == "extra_forbidden":
        key = str(loc[-1])
        return f"{_where(loc[:-1])}: unknown key '{key}'{suggest(key, fields)}; allowed: {', '.join(fields)}"
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        return f"{_where(loc)}: must be a table"
    return f"{_where(loc)}: {err['msg'].removeprefix('Value error, ')}"


# --- the loaded lesson -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lesson:
    """A lesson: the scenario (path, validated params), its header and its ``[lesson]`` table."""

    key: str
    title: str
    description: str
    table: LessonTable
    path: Path
    params: Params

    @property
    def number(self) -> int | None:
        """The lesson's number from its file name (``01_mismatch.toml`` → 1), if any."""
        m = re.match(r"^(\d+)", self.path.stem)
        return int(m.group(1)) if m else None

    @property
    def question(self) -> str:
        return self.table.question

    @property
    def mechanism(self) -> str:
        return self.table.mechanism

    @property
    def look_for(self) -> tuple[str, ...]:
        return self.table.look_for

    @property
    def things_to_try(self) -> tuple[ThingToTry, ...]:
        return self.table.things_to_try

    @property
    def discussion(self) -> tuple[str, ...]:
        return self.table.discussion

    @property
    def facts(self) -> tuple[Fact, ...]:
        return self.table.facts

    @property
    def minutes(self) -> int:
        return self.table.minutes

    @property
    def charts(self) -> tuple[str, ...]:
        return self.table.charts

    @property
    def extending(self) -> tuple[str, ...]:
        return self.table.extending

    def try_params(self, index: int) -> Params:
        """The lesson's params with "thing to try" ``index`` applied."""
        return Params.make(self.params, **self.things_to_try[index].set)


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate one lesson file; any problem (including a bad ``[params]`` value) raises a
    one-line :class:`LessonError` naming the file and the key."""
    path = Path(path)
    try:
        meta, params = load_scenario(path)
        file = read_scenario_file(path)
    except ParameterError as exc:
        raise LessonError(str(exc)) from None
    where = f"lesson file {path.name}"
    if file.lesson is None:
        raise LessonError(f"{where}: [lesson]: missing table; a lesson file needs [scenario], [params] and [lesson]")
    for key in ("name", "title", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise LessonError(f"{where}: [scenario]: missing or empty '{key}'; required: a non-empty '{key}'")
    try:
        lesson = LessonFile.model_validate({"scenario": file.scenario, "params": file.params, "lesson": file.lesson},
                                           context={"params": params}).lesson
    except ValidationError as exc:
        raise LessonError(f"{where}: {_messages(exc)}") from None
    return Lesson(key=meta["name"], title=paragraphs(meta["title"]), description=paragraphs(meta["description"]),
                  table=lesson, path=path, params=params)


def load_lessons(directory: str | Path | None = None) -> list[Lesson]:
    """Every ``*.toml`` lesson in ``directory`` (default :func:`lessons_dir`), in file-name order."""
    directory = lessons_dir() if directory is None else Path(directory)
    if not directory.is_dir():
        raise LessonError(f"lesson directory not found: {directory}; allowed: a folder of lesson .toml files "
                          "($ABM_LESSONS_DIR)")
    lessons = [load_lesson(p) for p in sorted(directory.glob("*.toml"))]
    if not lessons:
        raise LessonError(f"no lesson files (*.toml) in {directory}; allowed: a folder of lesson .toml files")
    keys = [lesson.key for lesson in lessons]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise LessonError(f"lesson directory {directory}: duplicate scenario name(s) {dup}; allowed: one lesson per "
                          "[scenario] name")
    return lessons


def get_lesson(which: int | str, directory: str | Path | None = None) -> Lesson:
    """One lesson by number (1), scenario name (``"lesson_mismatch"``) or file stem (``"01_mismatch"``)."""
    for lesson in load_lessons(directory):
        if which in (lesson.number, lesson.key, lesson.path.stem):
            return lesson
    raise LessonError(f"no lesson {which!r} in {directory or lessons_dir()}; allowed: a lesson's number, scenario name "
                      "or file stem (see `abm lessons list`)")
