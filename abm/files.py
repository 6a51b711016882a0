"""The project's TOML files: one pydantic schema family, and the scenarios shipped with the package.

Three kinds of file share one header (:class:`Header`: ``name``, ``description``, ``base``) and
are told apart by their tables (:func:`file_kind`), in one place:

==============  ===============================================  =====================================
kind            tables                                           read by
==============  ===============================================  =====================================
``scenario``    ``[scenario]`` (a header), ``[params]``          :func:`load_scenario`
``lesson``      a scenario + ``[lesson]``                        :func:`abm.lessons.load_lesson`
``experiment``  ``[experiment]`` (a header), ``[fixed]``,        :func:`abm.experiments.load_spec`
                ``[grid]`` or ``[sample]``, ``[remainder]``,
                ``[report]``
==============  ===============================================  =====================================

``base`` names the scenario a file builds on: a ``.toml`` path relative to the file
(``base = "../baseline.toml"``) or the name of a shipped scenario (``base = "baseline"``).

**Shipped scenarios** are package data, so an installed ``abm`` finds them from any folder:
``abm/scenarios/baseline.toml`` (the calibrated baseline, identical to the defaults of
:class:`~abm.params.Params`) and the teaching lessons ``abm/scenarios/lessons/NN_*.toml``. They
are found by file stem (``01_mismatch``) or by their ``[scenario]`` name (``lesson_mismatch``).
Every error is one :class:`~abm.params.ParameterError` line naming the file, the table and the key.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from abm.params import ParameterError, Params

#: Where the shipped scenarios live inside the package.
SCENARIOS_DIR = Path(str(resources.files("abm").joinpath("scenarios")))
LESSONS_DIR = SCENARIOS_DIR / "lessons"
BASELINE = "baseline"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

FileKind = Literal["scenario", "lesson", "experiment"]


class FileModel(BaseModel):
    """Base of every table model: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Header(FileModel):
    """What every file says about itself: its name, what it is for and the scenario it builds on."""

    name: str | None = Field(None, pattern=NAME_PATTERN, max_length=100, description="identifier")
    description: str = Field("", description="what the file is for, in plain words")
    base: str | None = Field(None, description="scenario built on: a .toml path relative to this file, or a shipped scenario's name")


class ScenarioHeader(Header):
    """The ``[scenario]`` table."""

    title: str = Field("", description="title shown in the app")
    look_for: list[str] = Field([], description="what to look for on the charts")


class ScenarioFile(FileModel):
    """A scenario file: a header and parameter overrides (a lesson file adds ``[lesson]``)."""

    scenario: ScenarioHeader = ScenarioHeader()
    params: dict[str, Any] = {}
    lesson: dict[str, Any] | None = Field(None, description="a teaching lesson: validated by abm.lessons")


# --- reading ------------------------------------------------------------------------------------------
def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; a missing file, a folder, a file that is not UTF-8 text or not TOML, or one
    the system will not read is a one-line ParameterError naming ``what``."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{what} not found: {path}; allowed: an existing .toml file") from None
    except IsADirectoryError:
        raise ParameterError(f"{what} {path} is a directory; allowed: a .toml file") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{what} {path} is not UTF-8 text (byte {exc.start}); allowed: a UTF-8 encoded .toml file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{what} {path} is not valid TOML ({exc}); allowed: a TOML file (https://toml.io)") from None
    except OSError as exc:
        raise ParameterError(f"{what} {path} cannot be read ({exc.strerror or exc}); allowed: a readable .toml file") from None


def file_kind(data: dict[str, Any]) -> FileKind | None:
    """Which kind of file ``data`` (a parsed TOML file) is; None if none (not a project file)."""
    if "experiment" in data:
        return "experiment"
    if "lesson" in data:
        return "lesson"
    if "scenario" in data or "params" in data:
        return "scenario"
    return None


#: What to say when a file of one kind is given where another is wanted.
RUN_WITH = {"scenario": "a scenario file: run it with `abm run`",
            "lesson": "a lesson file: `abm lessons show` / `abm run`",
            "experiment": "an experiment spec: run it with `abm sweep` (or `abm calibrate --search`)"}


def fmt_value(value: Any) -> str:
    """A value for an error message, cut to 80 characters."""
    s = repr(value)
    return s if len(s) <= 80 else s[:77] + "..."


def type_text(annotation: Any) -> str:
    """A field's type in words: ``int`` → "an integer", ``list[str]`` → "a list of text", ``Literal`` → its values."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (Union, UnionType):
        return " or ".join(type_text(a) for a in args if a is not type(None))
    if origin is Annotated:
        return type_text(args[0])
    if origin in (list, tuple):
        inner = type_text(args[0]) if args else ""
        plural = {"an integer": "integers", "a number": "numbers", "text": "texts"}
        return ("a list" + (f" of {plural[inner]}" if inner in plural else f" of values, each {inner}" if inner else ""))
    if origin is dict or annotation is dict:
        return "a table"
    words = {int: "an integer", float: "a number", str: "text", bool: "true or false"}
    return words.get(annotation, getattr(annotation, "__name__", str(annotation)))


def allowed_text(field: FieldInfo) -> str:
    """What a field of a file model accepts, in words: its type, range, length and form."""
    text = type_text(field.annotation)
    meta = {type(m).__name__: m for m in field.metadata}
    lo = getattr(meta.get("Ge"), "ge", None)
    hi = getattr(meta.get("Le"), "le", getattr(meta.get("Lt"), "lt", None))
    if lo is not None and hi is not None:
        text += f" in [{lo}, {hi}{')' if 'Lt' in meta else ']'}"
    elif lo is not None:
        text += f" >= {lo}"
    if any(getattr(m, "pattern", None) == NAME_PATTERN for m in field.metadata):
        text += " made of letters, digits, '_', '.' and '-', starting with a letter or digit"
    if any(getattr(m, "min_length", None) for m in field.metadata):
        text = f"non-empty {text.removeprefix('a ')}" if text.startswith("a ") else f"{text}, not empty"
    return text


def table_errors(exc: ValidationError, table: str, model: type[BaseModel]) -> list[str]:
    """A pydantic error on table ``[table]`` as one-line messages naming the key, the value and what is allowed."""
    msgs = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        if not loc:  # a check of the whole table
            msgs.append(f"[{table}] {err['msg'].removeprefix('Value error, ')}")
        elif err["type"] == "extra_forbidden":
            keys = list(model.model_fields)
            close = difflib.get_close_matches(loc, keys, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            msgs.append(f"[{table}] unknown key '{loc}'{hint}; allowed: {', '.join(keys)}")
        elif err["type"] == "missing":
            f = model.model_fields.get(loc)
            msgs.append(f"[{table}] '{loc}' is required ({f.description if f and f.description else 'see the docs'})")
        else:
            key, *inner = err["loc"]
            f = model.model_fields.get(str(key))
            what = f" — {f.description}" if f is not None and f.description else ""
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == NAME_PATTERN:
                msg = "not a name"
            allowed = f"; allowed: {allowed_text(f)}" if f is not None and "allowed" not in msg else ""
            where = f"'{key}'" + "".join(f"[{x!r}]" for x in inner)  # 'outputs'[0], 'ranges'['quit_rate'][0]
            msgs.append(f"[{table}] {where} = {fmt_value(err.get('input'))} is invalid ({msg}){allowed}{what}")
    return msgs


def check_tables(data: dict[str, Any], model: type[FileModel], where: str) -> None:
    """Unknown or non-table top-level entries of a file of ``model`` → one-line error."""
    allowed = list(model.model_fields)
    for key, value in data.items():
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            raise ParameterError(f"{where}: unknown table [{key}]{hint}; allowed: " + ", ".join(f"[{t}]" for t in allowed))
        if not isinstance(value, dict):
            raise ParameterError(f"{where}: '{key}' = {fmt_value(value)} must be a table [{key}]")


# --- shipped scenarios -----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by file stem and by ``[scenario]`` name."""
    found: dict[str, Path] = {}
    for path in sorted(SCENARIOS_DIR.glob("*.toml")) + sorted(LESSONS_DIR.glob("*.toml")):
        found.setdefault(path.stem, path)
        name = read_toml(path, "scenario file").get("scenario", {}).get("name")
        if isinstance(name, str):
            found.setdefault(name, path)
    return found


def scenario_path(ref: str | Path, relative_to: Path | None = None) -> Path:
    """The file a scenario reference names: a shipped scenario's name (``"baseline"``) or a path
    (relative to ``relative_to``'s folder, if given). A name that is not shipped is an error listing them."""
    if not isinstance(ref, (str, os.PathLike)) or not str(ref).strip():
        raise ParameterError(f"scenario = {fmt_value(ref)} is invalid; allowed: a .toml file path or a shipped "
                             f"scenario's name ({', '.join(sorted(shipped_scenarios()))})")
    text = str(ref)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        return path if relative_to is None or path.is_absolute() else relative_to.parent / path
    shipped = shipped_scenarios()
    if text in shipped:
        return shipped[text]
    if Path(text).exists():  # a file without the .toml suffix
        return Path(text)
    close = difflib.get_close_matches(text, list(shipped), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ParameterError(f"scenario '{text}' is neither a .toml file nor a shipped scenario{hint}; allowed: a .toml file "
                         "or a shipped scenario: " + ", ".join(sorted(shipped)))


def baseline_path() -> Path:
    """The shipped baseline scenario file."""
    return SCENARIOS_DIR / f"{BASELINE}.toml"


class BaseCycle(ParameterError):
    """Scenario files that are their own base, directly or through others."""


# --- scenarios ----------------------------------------------------------------------------------------------
def read_scenario_file(path: Path) -> ScenarioFile:
    """Parse and validate the tables of a scenario (or lesson) file, not yet its parameters."""
    where = f"scenario file {path}"
    data = read_toml(path, "scenario file")
    kind = file_kind(data)
    if kind == "experiment":
        raise ParameterError(f"{where} is {RUN_WITH['experiment']}; allowed here: a scenario file")
    check_tables(data, ScenarioFile, where)
    if kind is None:
        raise ParameterError(f"{where} has no [scenario] or [params] table; allowed: a scenario file (a [scenario] "
                             "header and/or [params] overrides)")
    try:
        header = ScenarioHeader(**data.get("scenario", {}))
    except ValidationError as exc:
        raise ParameterError(f"{where}: " + "; ".join(table_errors(exc, "scenario", ScenarioHeader))) from None
    return ScenarioFile(scenario=header, params=data.get("params", {}), lesson=data.get("lesson"))


def load_scenario(ref: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Params]:
    """Read a scenario file (a path, or a shipped scenario's name): its header as a dict (with the
    raw ``[lesson]`` table under ``"lesson"`` if it has one) and its validated :class:`Params`.

    A scenario may name a ``base`` scenario whose parameters it overrides; a file that is its own
    base, directly or through others, is an error naming the cycle.
    """
    path = scenario_path(ref)
    if path.resolve() in _chain:
        names = " → ".join(p.name for p in (*_chain, path.resolve()))
        raise BaseCycle(f"scenario file {path}: [scenario] base makes a cycle ({names}); allowed: a chain of bases that ends in a "
                             "file without one (e.g. base = \"baseline\")")
    file = read_scenario_file(path)
    meta = file.scenario.model_dump(exclude_unset=True)
    if file.lesson is not None:
        meta["lesson"] = file.lesson
    base = None
    if file.scenario.base is not None:
        try:
            _, base = load_scenario(scenario_path(file.scenario.base, relative_to=path), (*_chain, path.resolve()))
        except BaseCycle:
            raise
        except ParameterError as exc:
            raise ParameterError(f"scenario file {path}: [scenario] 'base' = {file.scenario.base!r}: {exc}") from None
    try:
        return meta, Params.make(base, **file.params)
    except ParameterError as exc:
        raise ParameterError(f"scenario file {path}: {exc}") from None
