"""Every bad input is a one-line error: a generated corpus of malformed inputs across every surface.

The corpus is generated here (not stored case by case): scenario files, ``abm run``, ``abm sweep``
options, experiment specs, ``abm report`` folders, ``abm calibrate``, ``abm lessons`` (and
``python -m abm.lessons``), the Python API and ``abm app``. Every reproducer of issue 13 is a case
(``issue=``; :data:`ISSUE_REPRODUCERS` lists them and a test checks each is present). For each case:

* the command exits non-zero (CLI) or raises the project's own error class, :class:`ParameterError`
  or a subclass (API);
* the message is one line, names the key or the value (``names``) and what is allowed;
* no traceback;
* nothing is written outside the case's output folder (each case runs in a fresh folder).

CLI cases call ``abm.cli.main(argv)`` in-process (stdout and stderr captured, ``SystemExit``
caught); :func:`test_the_real_entry_point_behaves_the_same` runs a few through the installed
``abm`` command in subprocesses. Valid controls (:data:`CONTROLS`) must pass.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from abm.files import LESSONS_DIR, ScenarioHeader, baseline_path
from abm.params import ParameterError, Params

ROOT = Path(__file__).resolve().parents[1]
BASE = str(baseline_path())
#: words that say what is allowed (every message has one)
ALLOWED_WORDS = ("allowed", "did you mean", "required", "expected", "must", "needs", "either", "at least", "at most")
#: the issue's reproducers (each is the ``issue`` of at least one case)
ISSUE_REPRODUCERS = (
    "scenario: a directory", "scenario: non-UTF-8", "scenario: base is itself", "scenario: base cycle",
    "scenario: base = 5", "scenario: app loader skips bad files", "scenario: typo bsae", "scenario: name = 5",
    "scenario: name escapes results/",
    "run: --set seed=5", "run: --set params=5", "run: --set scenario=5", "run: --out unwritable",
    "run: --out is a file", "run: --months 5000", "run: --months 0", "api: LaborMarket.run(1500)",
    "sweep: --local-cluster -1", "sweep: --workers -1", "sweep: --workers 0", "sweep: --chunk-size -1",
    "sweep: --limit -1", "sweep: unreachable --scheduler",
    "spec: ranges = {}", "spec: reversed bounds", "spec: empty grid axis", "spec: months = \"6\"",
    "spec: replicates = 1.0", "spec: sampled integer parameter (valid)",
    "report: missing folder", "report: empty folder", "report: corrupt folder",
    "calibrate: --seeds 0", "calibrate: --months 0", "calibrate: --processes -1",
    "calibrate: default baseline outside the checkout (valid)",
    "lessons: python -m abm.lessons catches LessonError",
    "api: params given a dict (valid)", "api: scenario=5", "api: extreme parameters emit no RuntimeWarning (valid)",
    "app: --port 99999",
    "batch: truncated file", "batch: emptied file", "batch: another spec in the folder", "batch: outputs = []",
    "batch: --local-cluster 0", "batch: name = \"\"",
)


# --- the case -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One malformed input: a command line (``argv``) or a Python call (``call``), the files it needs
    (``files``: path → text, bytes, or None for a folder), what the message must name, and the only
    folder it may write to (``out``)."""

    id: str
    argv: tuple[str, ...] = ()
    call: Callable[[], object] | None = None
    files: Mapping[str, str | bytes | None] = field(default_factory=dict)
    setup: Callable[[Path, Path], Callable[[], None] | None] | None = None  # (sandbox, reference results)
    names: tuple[str, ...] = ()
    out: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    issue: str = ""
    lessons_main: bool = False  # run through `python -m abm.lessons`'s main()


def toml_value(v: object) -> str:
    """A Python value as TOML (inline tables and arrays on one line)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


def toml_text(tables: Mapping[str, object]) -> str:
    """A dict of tables (or top-level values) as TOML text."""
    lines = [f"{k} = {toml_value(v)}" for k, v in tables.items() if not isinstance(v, dict)]
    for name, table in tables.items():
        if isinstance(table, dict):
            lines += [f"[{name}]", *(f"{k} = {toml_value(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def typo(name: str) -> str:
    """``name`` with its first two different neighbouring letters after the first swapped (a typo close
    enough for 'did you mean')."""
    i = next((i for i in range(1, len(name) - 1) if name[i] != name[i + 1]), None)
    return name + name[-1] if i is None else name[:i] + name[i + 1] + name[i] + name[i + 2:]


# --- scenario files (read by abm run, sweep, calibrate, lessons and the app) -------------------------
RUN_FILE = ("run", "s.toml", "--months", "1", "--no-plots", "--out", "out")
NUMERIC = [r for r in Params.describe() if r["min"] is not None and isinstance(r["default"], (int, float))
           and not isinstance(r["default"], bool)]


def scenario_case(id: str, text: str | bytes | None, names: tuple[str, ...], issue: str = "",
                  **files: str | bytes | None) -> Case:
    return Case(f"scenario:{id}", RUN_FILE, files={"s.toml": text, **files}, names=names, out="out", issue=issue)


def scenario_cases() -> list[Case]:
    cases = [
        scenario_case("directory", None, ("s.toml", "directory"), "scenario: a directory"),
        scenario_case("latin-1", '[scenario]\nname = "café"\n'.encode("latin-1"), ("s.toml", "UTF-8"), "scenario: non-UTF-8"),
        scenario_case("utf-16", '[scenario]\nname = "x"\n'.encode("utf-16"), ("s.toml", "UTF-8")),
        scenario_case("binary", bytes(range(256)), ("s.toml", "UTF-8")),
        scenario_case("toml-no-value", "[params]\nquit_rate =\n", ("s.toml", "TOML")),
        scenario_case("toml-open-table", '[scenario\nname = "a"\n', ("s.toml", "TOML")),
        scenario_case("toml-duplicate-key", "[params]\nquit_rate = 0.1\nquit_rate = 0.2\n", ("s.toml", "TOML")),
        scenario_case("empty-file", "", ("s.toml", "[params]")),
        scenario_case("only-comments", "# nothing here\n", ("s.toml", "[params]")),
        scenario_case("base-self", '[scenario]\nbase = "s.toml"\n', ("cycle", "s.toml"), "scenario: base is itself"),
        scenario_case("base-self-dot", '[scenario]\nbase = "./s.toml"\n', ("cycle", "s.toml")),
        scenario_case("base-cycle-2", '[scenario]\nbase = "b.toml"\n', ("cycle", "b.toml"), "scenario: base cycle",
                      **{"b.toml": '[scenario]\nbase = "s.toml"\n'}),
        scenario_case("base-cycle-3", '[scenario]\nbase = "b.toml"\n', ("cycle", "c.toml"),
                      **{"b.toml": '[scenario]\nbase = "c.toml"\n', "c.toml": '[scenario]\nbase = "s.toml"\n'}),
        scenario_case("base-missing", '[scenario]\nbase = "missing.toml"\n', ("missing.toml", "not found")),
        scenario_case("base-unknown-name", '[scenario]\nbase = "baselin"\n', ("baselin", "did you mean 'baseline'")),
        scenario_case("base-empty", '[scenario]\nbase = ""\n', ("base", "''")),
        scenario_case("base-directory", '[scenario]\nbase = "d.toml"\n', ("d.toml", "directory"), **{"d.toml": None}),
        scenario_case("base-is-a-spec", '[scenario]\nbase = "e.toml"\n', ("e.toml", "experiment spec"),
                      **{"e.toml": f'[experiment]\nname = "e"\nbase = "{BASE}"\n'}),
        scenario_case("spec-as-scenario", f'[experiment]\nname = "e"\nbase = "{BASE}"\n', ("s.toml", "experiment spec")),
        scenario_case("params-not-a-table", "params = 5\n", ("params", "5", "table")),
        scenario_case("scenario-not-a-table", 'scenario = "x"\n', ("scenario", "table")),
        scenario_case("unknown-table", "[parms]\nquit_rate = 0.1\n", ("[parms]", "did you mean [params]")),
        scenario_case("unknown-table-lessons", "[lessons]\nminutes = 5\n", ("[lessons]",)),
        scenario_case("impossible-shares", "[params]\nshare_cutting = 0.9\n", ("share_cutting", "sum to 1")),
        scenario_case("impossible-remote-shares", "[params]\nshare_onsite = 0.9\n", ("share_onsite", "sum to 1")),
        scenario_case("too-few-firms", "[params]\nn_workers = 100\n", ("n_workers", "firms")),
    ]
    for value in ("5", "true", "1.5", '["baseline"]', "{ a = 1 }"):
        cases.append(scenario_case(f"base={value}", f"[scenario]\nbase = {value}\n", ("'base'",),
                                   "scenario: base = 5" if value == "5" else ""))
    for key in ScenarioHeader.model_fields:
        bad = "bsae" if key == "base" else typo(key)
        cases.append(scenario_case(f"header-typo-{bad}", f'[scenario]\n{bad} = "x"\n', (f"'{bad}'", f"did you mean '{key}'"),
                                   "scenario: typo bsae" if key == "base" else ""))
    for value in ("5", "true", '""', '"../../../tmp/x"', '"a/b"', '"/abs"', '".hidden"', f'"{"x" * 101}"', '"with space"'):
        issue = {"5": "scenario: name = 5", '"../../../tmp/x"': "scenario: name escapes results/"}.get(value, "")
        cases.append(scenario_case(f"name={value[:12]}", f"[scenario]\nname = {value}\n[params]\nn_workers = 400\n",
                                   ("'name'",), issue))
    for key, value in (("title", "5"), ("description", "[1]"), ("look_for", '"text"'), ("look_for", "[1]")):
        cases.append(scenario_case(f"{key}={value}", f"[scenario]\n{key} = {value}\n", (f"'{key}",)))
    for row in Params.describe()[::8]:  # a typo of every 8th parameter
        cases.append(scenario_case(f"param-typo-{row['name']}", f"[params]\n{typo(row['name'])} = 1\n",
                                   (typo(row["name"]), f"did you mean '{row['name']}'")))
    for row in NUMERIC[::2]:  # every other numeric parameter just outside its range, alternately above and below
        k = NUMERIC.index(row) // 2
        lo, hi = row["min"], row["max"]
        value = hi + max(1, (hi - lo)) if k % 2 else lo - max(1, (hi - lo))
        value = int(value) if isinstance(row["default"], int) else float(value)
        cases.append(scenario_case(f"param-range-{row['name']}", f"[params]\n{row['name']} = {value!r}\n",
                                   (row["name"], repr(value))))
    for name, value in (("n_workers", '"5000"'), ("n_workers", "5000.5"), ("applications_per_month", "6.0"),
                        ("quit_rate", '"0.1"'), ("quit_rate", "true"), ("worker_agents", "1"), ("start_year", '"2022"')):
        cases.append(scenario_case(f"param-type-{name}={value}", f"[params]\n{name} = {value}\n", (name,)))
    return cases


# --- abm run -------------------------------------------------------------------------------------------
def run_cases() -> list[Case]:
    run = ("run", "--workers", "400", "--no-plots", "--out", "out")
    cases = []
    for months, issue in (("0", "run: --months 0"), ("-1", ""), ("1201", ""), ("5000", "run: --months 5000"), ("x", ""),
                          ("1.5", ""), ("", "")):
        cases.append(Case(f"run:--months={months}", (*run, "--months", months), names=("--months", months or "''"),
                          out="out", issue=issue))
    for seed in ("-1", "9223372036854775808", "x", "1e3"):
        cases.append(Case(f"run:--seed={seed}", (*run, "--months", "1", "--seed", seed), names=("--seed", seed), out="out"))
    for workers in ("0", "49", "-5", "5000001", "x"):
        cases.append(Case(f"run:--workers={workers}", ("run", "--months", "1", "--workers", workers, "--out", "out"),
                          names=("--workers", workers), out="out"))
    sets = {"seed=5": ("seed", "--seed"), "params=5": ("params",), "scenario=5": ("scenario", "SCENARIO"),
            "out=x": ("out", "--out"), "=5": ("'=5'",), "novalue": ("'novalue'",), "quit_rat=0.1": ("quit_rat", "did you mean"),
            "quit_rate=abc": ("quit_rate", "abc"), "quit_rate=5": ("quit_rate", "5"), "n_workers=1.5": ("n_workers", "1.5"),
            "months=5000": ("months", "5000"), "months=0": ("months", "0"), "worker_agents=3": ("worker_agents", "3"),
            "share_cutting=0.9": ("share_cutting",)}
    for item, names in sets.items():
        issue = f"run: --set {item}" if item in ("seed=5", "params=5", "scenario=5") else ""
        cases.append(Case(f"run:--set={item}", (*run, "--months", "1", "--set", item), names=names, out="out", issue=issue))
    cases += [
        Case("run:--out-is-a-file", ("run", "--months", "1", "--workers", "400", "--no-plots", "--out", "afile"),
             files={"afile": "x"}, names=("--out", "afile", "file"), issue="run: --out is a file"),
        Case("run:--out-under-a-file", ("run", "--months", "1", "--workers", "400", "--no-plots", "--out", "afile/sub"),
             files={"afile": "x"}, names=("--out", "afile/sub")),
        Case("run:--out-unwritable", ("run", "--months", "1", "--workers", "400", "--no-plots", "--out", "/proc/abm-out"),
             names=("--out", "/proc/abm-out", "writable"), issue="run: --out unwritable"),
        Case("run:unknown-scenario-name", ("run", "baselin", "--months", "1"), names=("baselin", "did you mean 'baseline'")),
        Case("run:missing-scenario-file", ("run", "nosuch.toml", "--months", "1"), names=("nosuch.toml", "not found")),
        Case("run:scenario-is-a-directory", ("run", "d.toml", "--months", "1"), files={"d.toml": None}, names=("d.toml",)),
        Case("run:unknown-option", ("run", "--monhts", "5"), names=("--monhts",)),
        Case("run:file-name-escapes-results", ("run", "...toml", "--months", "1", "--workers", "400"),
             files={"...toml": "[params]\nquit_rate = 0.01\n"}, names=("'..'", "--out")),
        Case("cli:no-command", (), names=("COMMAND",)),
        Case("cli:unknown-command", ("rn",), names=("'rn'",)),
    ]
    return cases


# --- experiment specs and abm sweep ---------------------------------------------------------------------
def spec(experiment: Mapping[str, object] | None = None, drop: tuple[str, ...] = (), **tables: object) -> str:
    """A valid small spec (2 sets × 1 replicate × 2 months of 400 workers), changed by the arguments."""
    exp = {"name": "t", "base": BASE, "months": 2, "replicates": 1, **(experiment or {})}
    exp = {k: v for k, v in exp.items() if k not in drop}
    parts: dict[str, object] = {"experiment": exp, "fixed": {"n_workers": 400}, "grid": {"retraining_subsidy": [0.0, 0.5]}}
    for name, table in tables.items():
        if table is None:
            parts.pop(name, None)
        else:
            parts[name] = table
    return toml_text(parts)


GOOD_SPEC = spec()
SAMPLE = {"method": "random", "n": 2, "ranges": {"quit_rate": [0.0, 0.1]}}


def spec_case(id: str, text: str, names: tuple[str, ...], issue: str = "") -> Case:
    return Case(f"spec:{id}", ("sweep", "spec.toml", "--out", "out", "--processes", "1"), files={"spec.toml": text},
                names=names, out="out", issue=issue)


def spec_cases() -> list[Case]:
    e = {  # [experiment] values
        ("months", '"6"'): ("'6'", 'spec: months = "6"'), ("months", "0"): ("0", ""), ("months", "1201"): ("1201", ""),
        ("months", "1.5"): ("1.5", ""), ("months", "true"): ("True", ""),
        ("replicates", "1.0"): ("1.0", "spec: replicates = 1.0"), ("replicates", "0"): ("0", ""),
        ("replicates", "-1"): ("-1", ""), ("replicates", '"3"'): ("'3'", ""), ("replicates", "100001"): ("100001", ""),
        ("seed", "-1"): ("-1", ""), ("seed", '"x"'): ("'x'", ""), ("seed", "1.5"): ("1.5", ""),
        ("outputs", "[]"): ("[]", "batch: outputs = []"), ("outputs", '["modle"]'): ("modle", ""),
        ("outputs", '["model", "model"]'): ("model", ""), ("outputs", '"model"'): ("'model'", ""),
        ("chunk_size", "-1"): ("-1", ""), ("chunk_size", "1.5"): ("1.5", ""),
        ("setup", '"nomodule_xyz:fn"'): ("nomodule_xyz", ""), ("setup", '"bad"'): ("'bad'", ""),
        ("setup", '"os:nonexistent_fn"'): ("nonexistent_fn", ""), ("setup", '"os:sep"'): ("os:sep", ""),
        ("name", '""'): ("''", 'batch: name = ""'), ("name", '"../x"'): ("../x", ""), ("name", "5"): ("5", ""),
        ("base", "5"): ("5", ""), ("base", '"nosuch"'): ("nosuch", ""), ("base", '"missing.toml"'): ("missing.toml", ""),
        ("description", "5"): ("5", ""), ("seeds", "[]"): ("[]", ""), ("seeds", "[1, 1]"): ("[1, 1]", ""),
        ("seeds", '["a"]'): ("a", ""),
    }
    cases = []
    for (key, value), (shown, issue) in e.items():
        text = spec(drop=(key, "replicates") if key == "seeds" else (key,)).replace(
            "[experiment]\n", f"[experiment]\n{key} = {value}\n", 1)
        cases.append(spec_case(f"experiment.{key}={value}", text, (f"'{key}'" if key != "setup" else "setup", shown), issue))
    for bad, good in (("replicate", "replicates"), ("month", "months"), ("outptus", "outputs"), ("seeed", "seed")):
        text = spec().replace("[experiment]\n", f"[experiment]\n{bad} = 3\n", 1)
        cases.append(spec_case(f"experiment-typo-{bad}", text, (f"'{bad}'", f"did you mean '{good}'")))
    cases.append(spec_case("seeds-and-replicates-differ", spec({"seeds": [1, 2], "replicates": 3}), ("seeds", "replicates")))
    grids = {
        "empty-axis": ({"quit_rate": []}, ("quit_rate", "[]"), "spec: empty grid axis"),
        "axis-not-a-list": ({"quit_rate": 5}, ("quit_rate", "5"), ""),
        "unknown-axis": ({"quit_rat": [0.1]}, ("quit_rat", "did you mean 'quit_rate'"), ""),
        "axis-wrong-type": ({"quit_rate": ["a"]}, ("quit_rate", "'a'"), ""),
        "axis-out-of-range": ({"quit_rate": [0.5]}, ("quit_rate", "0.5"), ""),
        "axis-repeats": ({"quit_rate": [0.1, 0.1]}, ("quit_rate", "repeats"), ""),
        "axis-mixed": ({"quit_rate": [0.1, {"a": 1}]}, ("quit_rate", "mixes"), ""),
        "coupled-keys-differ": ({"c": [{"quit_rate": 0.1}, {"retraining_subsidy": 0.1}]}, ("'c'[1]",), ""),
        "axis-is-a-table": ({"quit_rate": {"a": 1}}, ("quit_rate",), ""),
        "huge-product": ({k: [round(0.01 * i, 2) for i in range(10)] for k in
                          ("quit_rate", "retraining_subsidy", "hiring_noise", "rehire_preference", "mentoring_load",
                           "sponsor_share", "bargaining_room", "hybrid_remote_job_share")},
                         ("100,000,000", "at most"), ""),
    }
    for id, (grid, names, issue) in grids.items():
        cases.append(spec_case(f"grid:{id}", spec(grid=grid), names, issue))
    cases.append(spec_case("grid-and-sample", spec(sample=SAMPLE), ("[grid]", "[sample]")))
    for id, fixed, names in (("unknown", {"quit_rat": 1}, ("quit_rat",)), ("out-of-range", {"quit_rate": 5}, ("quit_rate", "5")),
                             ("list", {"quit_rate": [0.1]}, ("quit_rate", "single value")),
                             ("also-varied", {"n_workers": 400, "retraining_subsidy": 0.5}, ("retraining_subsidy", "fixed"))):
        cases.append(spec_case(f"fixed:{id}", spec(fixed=fixed), names))
    samples = {
        "method-latin": ({**SAMPLE, "method": "latin"}, ("'method'", "latin"), ""),
        "n-0": ({**SAMPLE, "n": 0}, ("'n'", "0"), ""),
        "sobol-n-3": ({**SAMPLE, "method": "sobol", "n": 3}, ("'n'", "power of 2"), ""),
        "ranges-empty": ({**SAMPLE, "ranges": {}}, ("'ranges'", "{}"), "spec: ranges = {}"),
        "ranges-reversed": ({**SAMPLE, "method": "sobol", "ranges": {"quit_rate": [0.2, 0.1]}}, ("quit_rate", "low < high"),
                            "spec: reversed bounds"),
        "ranges-equal": ({**SAMPLE, "ranges": {"quit_rate": [0.1, 0.1]}}, ("quit_rate", "low < high"), ""),
        "ranges-unknown": ({**SAMPLE, "ranges": {"quit_rat": [0.0, 0.1]}}, ("quit_rat", "did you mean"), ""),
        "ranges-bool": ({**SAMPLE, "ranges": {"worker_agents": [0, 1]}}, ("worker_agents", "only numbers"), ""),
        "ranges-out-of-bounds": ({**SAMPLE, "ranges": {"quit_rate": [0.0, 5.0]}}, ("quit_rate", "5.0"), ""),
        "ranges-three": ({**SAMPLE, "ranges": {"quit_rate": [0.0, 0.1, 0.2]}}, ("quit_rate",), ""),
        "ranges-text": ({**SAMPLE, "ranges": {"quit_rate": ["a", 0.1]}}, ("quit_rate", "'a'"), ""),
        "int-range-not-whole": ({**SAMPLE, "ranges": {"applications_per_month": [1.5, 10]}}, ("applications_per_month", "1.5"), ""),
        "sobol-huge": ({"method": "sobol", "n": 2 ** 19, "ranges": {r["name"]: [0.0, 0.05] for r in NUMERIC
                        if isinstance(r["default"], float) and r["min"] == 0.0 and r["max"] >= 0.05
                        and "share" not in r["name"]}}, ("at most",), ""),
    }
    for id, (sample, names, issue) in samples.items():
        cases.append(spec_case(f"sample:{id}", spec(grid=None, sample=sample), names, issue))
    remainders = {"into-empty": ({"into": []}, ("'into'",)), "into-unknown": ({"into": ["nosuch"]}, ("nosuch",)),
                  "into-not-a-share": ({"into": ["quit_rate"]}, ("quit_rate", "share")),
                  "into-varied": ({"into": ["share_cutting"]}, ("share_cutting",))}
    for id, (rem, names) in remainders.items():
        grid = {"share_cutting": [0.5, 0.6]} if id == "into-varied" else {"retraining_subsidy": [0.0, 0.5]}
        cases.append(spec_case(f"remainder:{id}", spec(grid=grid, remainder=rem), names))
    reports = {"outputs-unknown": ({"outputs": ["nosuch"]}, ("nosuch",)),
               "x-not-varied": ({"x": "quit_rate"}, ("'x'", "quit_rate")),
               "figure-unknown": ({"figures": ["nosuch"]}, ("'figures'", "nosuch")),
               "figure-needs-firm": ({"figures": ["profit_by_strategy"]}, ("profit_by_strategy", "firm")),
               "sensitivity-on-grid": ({"figures": ["sensitivity"]}, ("sensitivity", "sobol")),
               "window-0": ({"window_months": 0}, ("'window_months'", "0"))}
    for id, (rep, names) in reports.items():
        cases.append(spec_case(f"report:{id}", spec(report=rep), names))
    cases += [
        spec_case("unknown-table", spec(grids={"quit_rate": [0.1]}), ("[grids]", "did you mean [grid]")),
        spec_case("experiment-not-a-table", "experiment = 5\n", ("experiment", "table")),
        spec_case("no-experiment-table", "[params]\nquit_rate = 0.1\n", ("[experiment]", "scenario file")),
        spec_case("not-utf8", GOOD_SPEC.encode("utf-16"), ("spec.toml", "UTF-8")),
        Case("spec:missing", ("sweep", "nosuch.toml"), names=("nosuch.toml", "not found")),
        Case("spec:directory", ("sweep", "d"), files={"d": None}, names=("d", "directory")),
    ]
    return cases


def copy_reference(then: Callable[[Path], object] = lambda res: None) -> Callable[[Path, Path], None]:
    """A setup: copy the reference results folder to ``res`` in the sandbox, then ``then(res)``."""
    def setup(sandbox: Path, ref: Path) -> None:
        shutil.copytree(ref, sandbox / "res")
        then(sandbox / "res")
    return setup


def first_part(out: Path, table: str = "model") -> Path:
    return sorted((out / table).glob("part-*.parquet"))[0]


def sweep_cases() -> list[Case]:
    sweep = ("sweep", "spec.toml", "--out", "out")
    files = {"spec.toml": GOOD_SPEC}
    options = {
        "--local-cluster": (("-1", "sweep: --local-cluster -1"), ("0", "batch: --local-cluster 0"), ("9999", ""), ("x", "")),
        "--processes": (("0", ""), ("-1", ""), ("9999", ""), ("x", "")),
        "--workers": (("0", "sweep: --workers 0"), ("-1", "sweep: --workers -1"), ("5000001", ""), ("x", "")),
        "--chunk-size": (("-1", "sweep: --chunk-size -1"), ("0", ""), ("100001", "")),
        "--limit": (("-1", "sweep: --limit -1"), ("0", ""), ("x", "")),
    }
    cases = [Case(f"sweep:{opt}={v}", (*sweep, opt, v), files=files, names=(opt, v), out="out", issue=issue)
             for opt, values in options.items() for v, issue in values]
    for address, names, issue in (("tcp://127.0.0.1:1", ("tcp://127.0.0.1:1", "refused"), "sweep: unreachable --scheduler"),
                                  ("tcp://127.0.0.1:99999", ("99999",), ""), ("tcp://:8786", ("tcp://:8786",), ""),
                                  ("tcp://nohost.invalid:8786", ("nohost.invalid",), "")):
        cases.append(Case(f"sweep:--scheduler={address}", (*sweep, "--scheduler", address), files=files, names=names,
                          out="out", issue=issue))
    cases += [
        Case("sweep:--upload-without-dask", (*sweep, "--upload", "x.whl"), files=files, names=("--upload", "--scheduler")),
        Case("sweep:--upload-missing", (*sweep, "--local-cluster", "2", "--upload", "x.whl"), files=files,
             names=("--upload", "x.whl")),
        Case("sweep:--processes-with-dask", (*sweep, "--local-cluster", "2", "--processes", "2"), files=files,
             names=("--processes",)),
        Case("sweep:--set-unknown", (*sweep, "--set", "quit_rat=1"), files=files, names=("quit_rat",), out="out"),
        Case("sweep:--set-varied", (*sweep, "--set", "retraining_subsidy=0.5"), files=files, names=("retraining_subsidy",)),
        Case("sweep:--set-out-of-range", (*sweep, "--set", "quit_rate=5"), files=files, names=("quit_rate", "5")),
        Case("sweep:--out-is-a-file", ("sweep", "spec.toml", "--out", "afile"), files={**files, "afile": "x"},
             names=("--out", "afile")),
        Case("sweep:--out-under-a-file", ("sweep", "spec.toml", "--out", "afile/x"), files={**files, "afile": "x"},
             names=("--out", "afile/x")),
        Case("sweep:another-spec-in-the-folder", ("sweep", "spec.toml", "--out", "res", "--processes", "1"),
             files={"spec.toml": spec(grid={"retraining_subsidy": [0.1, 0.9]})}, setup=copy_reference(),
             names=("res", "another experiment"), issue="batch: another spec in the folder"),
        Case("sweep:folder-without-manifest", ("sweep", "spec.toml", "--out", "res", "--processes", "1"), files=files,
             setup=copy_reference(then=lambda res: (res / "manifest.json").unlink()), names=("res", "manifest.json")),
        Case("sweep:folder-with-corrupt-manifest", ("sweep", "spec.toml", "--out", "res", "--processes", "1"), files=files,
             setup=copy_reference(then=lambda res: (res / "manifest.json").write_text("{oops")),
             names=("manifest.json", "damaged")),
    ]
    return cases


# --- abm report -----------------------------------------------------------------------------------------
def damage(how: str) -> Callable[[Path], object]:
    def hurt(res: Path) -> None:
        f = first_part(res, "runs" if how == "truncate-ledger" else "model")
        data = f.read_bytes()
        if how in ("truncate", "truncate-ledger"):
            f.write_bytes(data[: len(data) // 2])
        elif how == "empty":
            f.write_bytes(b"")
        elif how == "delete":
            f.unlink()
        elif how == "flip":
            f.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    return hurt


def report_cases() -> list[Case]:
    def manifest(obj: object) -> Callable[[Path], object]:
        return lambda res: (res / "manifest.json").write_text(json.dumps(obj) if not isinstance(obj, str) else obj)

    def drop_runs(res: Path) -> None:
        shutil.rmtree(res / "runs")

    cases = [
        Case("report:missing-folder", ("report", "nope"), names=("nope", "not found"), issue="report: missing folder"),
        Case("report:a-file", ("report", "afile"), files={"afile": "x"}, names=("afile", "file")),
        Case("report:empty-folder", ("report", "empty"), files={"empty": None}, names=("empty", "manifest.json"),
             issue="report: empty folder"),
        Case("report:manifest-not-json", ("report", "res"), setup=copy_reference(then=manifest("{not json")),
             names=("manifest.json", "damaged"), issue="report: corrupt folder"),
        Case("report:manifest-a-list", ("report", "res"), setup=copy_reference(then=manifest([1, 2])),
             names=("manifest.json", "list")),
        Case("report:manifest-empty-object", ("report", "res"), setup=copy_reference(then=manifest({})),
             names=("manifest.json", "fingerprint")),
        Case("report:manifest-not-utf8", ("report", "res"),
             setup=copy_reference(then=lambda res: (res / "manifest.json").write_bytes(b"\xff\xfe\x00")),
             names=("manifest.json", "damaged")),
        Case("report:no-runs", ("report", "res"), setup=copy_reference(then=drop_runs), names=("res", "no successful runs")),
        Case("report:--window-months=0", ("report", "res", "--window-months", "0"), setup=copy_reference(),
             names=("--window-months", "0")),
        Case("report:--window-months=-1", ("report", "res", "--window-months", "-1"), setup=copy_reference(),
             names=("--window-months", "-1")),
        Case("report:--window-months=x", ("report", "res", "--window-months", "x"), setup=copy_reference(),
             names=("--window-months", "'x'")),
        Case("report:--outputs-unknown", ("report", "res", "--outputs", "unemployment_rat"), setup=copy_reference(),
             names=("unemployment_rat", "did you mean 'unemployment_rate'"), out="res/report"),
        Case("report:--out-is-a-file", ("report", "res", "--out", "afile"), files={"afile": "x"}, setup=copy_reference(),
             names=("--out", "afile")),
    ]
    for how, issue in (("truncate", "batch: truncated file"), ("empty", "batch: emptied file"), ("delete", ""),
                       ("flip", ""), ("truncate-ledger", "")):
        cases.append(Case(f"report:{how}-a-file", ("report", "res"), setup=copy_reference(then=damage(how)),
                          names=("res", "do not verify", "abm sweep"), issue=issue))
    return cases


# --- abm calibrate ----------------------------------------------------------------------------------------
def calibrate_cases() -> list[Case]:
    cal = ("calibrate", "--workers", "400", "--no-diagnostics", "--out", "out")
    cases = []
    for opt, values in {"--seeds": ("0", "-1", "x", "1001"), "--months": ("0", "12", "59", "1201", "x"),
                        "--processes": ("-1", "0", "9999"), "--workers": ("0", "49")}.items():
        for v in values:
            issue = {("--seeds", "0"): "calibrate: --seeds 0", ("--months", "0"): "calibrate: --months 0",
                     ("--processes", "-1"): "calibrate: --processes -1"}.get((opt, v), "")
            argv = (*cal, opt, v) if opt != "--workers" else ("calibrate", "--workers", v, "--out", "out")
            cases.append(Case(f"calibrate:{opt}={v}", argv, names=(opt, v), out="out", issue=issue))
    cases += [
        Case("calibrate:unknown-scenario", ("calibrate", "nosuch", "--out", "out"), names=("nosuch",), out="out"),
        Case("calibrate:scenario-directory", ("calibrate", "d.toml", "--out", "out"), files={"d.toml": None},
             names=("d.toml", "directory"), out="out"),
        Case("calibrate:--out-is-a-file", (*cal[:-1], "afile", "--months", "60", "--seeds", "1"), files={"afile": "x"},
             names=("--out", "afile")),
        Case("calibrate:--search-missing", ("calibrate", "--search", "nosuch.toml", "--out", "out"),
             names=("nosuch.toml", "not found"), out="out"),
        Case("calibrate:--search-directory", ("calibrate", "--search", "d", "--out", "out"), files={"d": None},
             names=("d", "directory"), out="out"),
        Case("calibrate:--search-a-scenario", ("calibrate", "--search", "s.toml", "--out", "out"),
             files={"s.toml": "[params]\nquit_rate = 0.01\n"}, names=("s.toml", "[experiment]"), out="out"),
        Case("calibrate:--search-with-seeds", ("calibrate", "--search", "spec.toml", "--seeds", "2", "--out", "out"),
             files={"spec.toml": GOOD_SPEC}, names=("--seeds", "--search"), out="out"),
    ]
    return cases


# --- abm lessons --------------------------------------------------------------------------------------------
def lesson_text(change: Callable[[dict], None]) -> str:
    """The first shipped lesson (based on the shipped baseline), changed by ``change(data)``."""
    data = tomllib.loads((LESSONS_DIR / "01_mismatch.toml").read_text(encoding="utf-8"))
    data["scenario"]["base"] = BASE
    change(data)
    return toml_text(data)


def lessons_cases() -> list[Case]:
    def lesson_dir(change: Callable[[dict], None], names: tuple[str, ...], id: str) -> Case:
        return Case(f"lessons:file:{id}", ("lessons", "list"), files={"L/01_x.toml": lesson_text(change)},
                    env={"ABM_LESSONS_DIR": "L"}, names=("01_x.toml", *names))

    def drop(key: str) -> Callable[[dict], None]:
        return lambda d: d["lesson"].pop(key)

    def put(path: str, value: object) -> Callable[[dict], None]:
        def change(d: dict) -> None:
            *head, last = path.split(".")
            node = d
            for part in head:
                node = node[int(part)] if part.isdigit() else node[part]
            node[last] = value
        return change

    cases = [
        lesson_dir(drop("mechanism"), ("mechanism",), "missing-mechanism"),
        lesson_dir(put("params.quit_rate", 5), ("quit_rate",), "param-out-of-range"),
        lesson_dir(put("lesson.nosuch", 1), ("nosuch",), "unknown-key"),
        lesson_dir(put("lesson.charts", ["plot_nosuch"]), ("plot_nosuch",), "unknown-chart"),
        lesson_dir(put("lesson.minutes", 0), ("minutes", "0"), "minutes-0"),
        lesson_dir(put("lesson.facts", [{"fact": "x", "source": "article 1"}]), ("source", "article 1"), "bad-source"),
        lesson_dir(lambda d: d["lesson"]["things_to_try"][0].update(expect="sideways", metric="unemployment_rate"),
                   ("expect", "sideways"), "expect-sideways"),
        lesson_dir(lambda d: d["lesson"]["things_to_try"][0].update(window=[2030, 2020], metric="unemployment_rate",
                                                                     expect="up"), ("window",), "window-reversed"),
        lesson_dir(lambda d: d["lesson"]["things_to_try"][0].update(set={"quit_rat": 0.1}), ("quit_rat",), "try-unknown-param"),
        lesson_dir(lambda d: d["scenario"].update(title=""), ("title",), "empty-title"),
        Case("lessons:file:not-utf8", ("lessons", "list"), files={"L/01_x.toml": b"\xff\xfe[lesson]"},
             env={"ABM_LESSONS_DIR": "L"}, names=("01_x.toml", "UTF-8")),
        Case("lessons:dir-missing", ("lessons", "list"), env={"ABM_LESSONS_DIR": "nosuch"}, names=("nosuch", "not found")),
        Case("lessons:dir-empty", ("lessons", "list"), files={"L": None}, env={"ABM_LESSONS_DIR": "L"},
             names=("L", "no lesson files")),
        Case("lessons:duplicate-names", ("lessons", "list"), env={"ABM_LESSONS_DIR": "L"},
             files={"L/01_x.toml": lesson_text(lambda d: None), "L/02_y.toml": lesson_text(lambda d: None)},
             names=("lesson_mismatch", "duplicate")),
        Case("lessons:show-99", ("lessons", "show", "99"), names=("99",)),
        Case("lessons:show-nosuch", ("lessons", "show", "nosuch"), names=("'nosuch'",)),
        Case("lessons:show-0", ("lessons", "show", "0"), names=("0",)),
        Case("lessons:unknown-subcommand", ("lessons", "foo"), names=("'foo'",)),
        Case("lessons:python-m-show-99", ("show", "99"), names=("99",), lessons_main=True,
             issue="lessons: python -m abm.lessons catches LessonError"),
        Case("lessons:python-m-bad-file", ("list",), files={"L/01_x.toml": lesson_text(drop("question"))},
             env={"ABM_LESSONS_DIR": "L"}, names=("01_x.toml", "question"), lessons_main=True),
    ]
    for opt, v in (("--seeds", "0"), ("--months", "0"), ("--months", "12"), ("--workers", "0"), ("--processes", "0"),
                   ("--seeds", "x")):
        cases.append(Case(f"lessons:check-{opt}={v}", ("lessons", "check", opt, v), names=(opt, v)))
    cases += [
        Case("lessons:check---markdown-a-folder", ("lessons", "check", "--markdown", "d"), files={"d": None},
             names=("--markdown", "d")),
        Case("lessons:check---markdown-under-a-file", ("lessons", "check", "--markdown", "afile/p.md"),
             files={"afile": "x"}, names=("--markdown", "afile")),
    ]
    return cases


# --- the Python API ------------------------------------------------------------------------------------------
def api_cases() -> list[Case]:
    from abm import LaborMarket
    from abm.experiments import load_spec, read_table
    from abm.files import load_scenario
    from abm.lessons import load_lesson
    from abm.runs import Intervention, RunSpec, run_many, run_one

    small = {"n_workers": 400, "worker_agents": False, "burn_in_months": 0}
    p = Params.make(None, **small)
    calls: dict[str, tuple[Callable[[], object], tuple[str, ...], str]] = {
        "LaborMarket(params={'quit_rat': 0.1})": (lambda: LaborMarket(params={"quit_rat": 0.1}), ("quit_rat",), ""),
        "LaborMarket(params=5)": (lambda: LaborMarket(params=5), ("params", "5"), ""),
        "LaborMarket(params=[1])": (lambda: LaborMarket(params=[1]), ("params", "[1]"), ""),
        "LaborMarket(params={1: 2})": (lambda: LaborMarket(params={1: 2}), ("params",), ""),
        "LaborMarket(scenario=5)": (lambda: LaborMarket(scenario=5), ("scenario", "5"), "api: scenario=5"),
        "LaborMarket(scenario='nosuch')": (lambda: LaborMarket(scenario="nosuch"), ("nosuch",), ""),
        "LaborMarket(scenario='')": (lambda: LaborMarket(scenario=""), ("scenario", "''"), ""),
        "LaborMarket(scenario=params)": (lambda: LaborMarket(scenario=p), ("scenario",), ""),
        "LaborMarket(seed=-1)": (lambda: LaborMarket(seed=-1, **small), ("seed", "-1"), ""),
        "LaborMarket(seed=1.5)": (lambda: LaborMarket(seed=1.5, **small), ("seed", "1.5"), ""),
        "LaborMarket(seed='1')": (lambda: LaborMarket(seed="1", **small), ("seed", "'1'"), ""),
        "LaborMarket(n_workers='5')": (lambda: LaborMarket(n_workers="5"), ("n_workers", "'5'"), ""),
        "LaborMarket(n_workers=49)": (lambda: LaborMarket(n_workers=49), ("n_workers", "49"), ""),
        "LaborMarket(quit_rate=5)": (lambda: LaborMarket(quit_rate=5.0), ("quit_rate", "5.0"), ""),
        "LaborMarket(quit_rat=0.1)": (lambda: LaborMarket(quit_rat=0.1), ("quit_rat", "did you mean"), ""),
        "LaborMarket(params=..., scenario=...)": (lambda: LaborMarket(params=p, scenario="baseline"), ("scenario", "params"), ""),
        "LaborMarket.run(1500)": (lambda: LaborMarket(seed=1, params=p).run(1500), ("1500", "1200"), "api: LaborMarket.run(1500)"),
        "LaborMarket.run(-1)": (lambda: LaborMarket(seed=1, params=p).run(-1), ("-1",), ""),
        "LaborMarket.run(1.5)": (lambda: LaborMarket(seed=1, params=p).run(1.5), ("1.5",), ""),
        "LaborMarket.run('5')": (lambda: LaborMarket(seed=1, params=p).run("5"), ("'5'",), ""),
        "Params(quit_rate=5)": (lambda: Params(quit_rate=5.0), ("quit_rate", "5.0"), ""),
        "Params(nosuch=1)": (lambda: Params(nosuch=1), ("nosuch",), ""),
        "Params.make(5)": (lambda: Params.make(5), ("params", "5"), ""),
        "Params.make({'x': 1})": (lambda: Params.make({"x": 1}), ("'x'",), ""),
        "load_scenario(5)": (lambda: load_scenario(5), ("scenario", "5"), ""),
        "load_scenario(None)": (lambda: load_scenario(None), ("scenario", "None"), ""),
        "RunSpec(params=dict)": (lambda: run_one(RunSpec("r", {"quit_rate": 0.1}, 1, 1)), ("params", "dict"), ""),
        "RunSpec(seed=-1)": (lambda: run_one(RunSpec("r", p, -1, 1)), ("seed", "-1"), ""),
        "RunSpec(months=1500)": (lambda: run_one(RunSpec("r", p, 1, 1500)), ("months", "1500"), ""),
        "RunSpec(months=-1)": (lambda: run_one(RunSpec("r", p, 1, -1)), ("months", "-1"), ""),
        "RunSpec(months=1.5)": (lambda: run_one(RunSpec("r", p, 1, 1.5)), ("months", "1.5"), ""),
        "RunSpec(tables=('modle',))": (lambda: run_one(RunSpec("r", p, 1, 1, tables=("modle",))), ("modle",), ""),
        "RunSpec(tables='model')": (lambda: run_one(RunSpec("r", p, 1, 1, tables="model")), ("tables", "'model'"), ""),
        "Intervention(month=0)": (lambda: run_one(RunSpec("r", p, 1, 2, (Intervention(0, set={"quit_rate": 0.01}),))),
                                  ("month", "0"), ""),
        "Intervention(month=5) in 2 months": (lambda: run_one(RunSpec("r", p, 1, 2, (Intervention(5, set={"quit_rate": 0.01}),))),
                                             ("month", "5"), ""),
        "Intervention(set={'n_workers': 5})": (lambda: run_one(RunSpec("r", p, 1, 2, (Intervention(1, set={"n_workers": 500}),))),
                                              ("n_workers",), ""),
        "Intervention(set=5)": (lambda: run_one(RunSpec("r", p, 1, 2, (Intervention(1, set=5),))), ("set",), ""),
        "Intervention(switch={'cutting': 'nosuch'})": (
            lambda: run_one(RunSpec("r", p, 1, 2, (Intervention(1, switch={"cutting": "nosuch"}),))), ("nosuch",), ""),
        "Intervention() changes nothing": (lambda: run_one(RunSpec("r", p, 1, 2, (Intervention(1),))), ("changes nothing",), ""),
        "run_many([bad])": (lambda: run_many([RunSpec("r", p, -5, 1)]), ("seed", "-5"), ""),
        "load_spec(5)": (lambda: load_spec(5), ("experiment spec", "5"), ""),
        "load_spec('nosuch.toml')": (lambda: load_spec("nosuch.toml"), ("nosuch.toml",), ""),
        "load_lesson('nosuch.toml')": (lambda: load_lesson("nosuch.toml"), ("nosuch.toml",), ""),
        "read_table('nosuch')": (lambda: read_table("nosuch"), ("nosuch",), ""),
    }
    return [Case(f"api:{id}", call=call, names=names, issue=issue) for id, (call, names, issue) in calls.items()]


# --- abm app ---------------------------------------------------------------------------------------------
def hold_port(sandbox: Path, ref: Path) -> Callable[[], None]:
    """A setup: listen on a port (written to ``port``) until the case is over."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    (sandbox / "port").write_text(str(sock.getsockname()[1]))
    return sock.close


def app_cases() -> list[Case]:
    cases = [Case(f"app:--port={v}", ("app", "--port", v), names=("--port", v), issue="app: --port 99999" if v == "99999" else "")
             for v in ("99999", "0", "-1", "65536", "x")]
    cases += [Case("app:--host-unknown", ("app", "--host", "nohost.invalid"), names=("--host", "nohost.invalid")),
              Case("app:--port-in-use", ("app", "--port", "PORT"), setup=hold_port, names=("--port", "in use")),
              Case("app:unknown-option", ("app", "--prot", "8000"), names=("--prot",)),
              Case("app:--workers-not-offered", ("app", "--workers", "1234"), names=("--workers", "1234")),
              Case("app:--workers-x", ("app", "--workers", "x"), names=("--workers", "'x'"))]
    return cases


# --- running a case -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A small finished batch (2 sets × 1 replicate), made once: report and resume cases copy it."""
    folder = tmp_path_factory.mktemp("reference")
    (folder / "spec.toml").write_text(GOOD_SPEC)
    rc, out, err = run_cli(("sweep", str(folder / "spec.toml"), "--out", str(folder / "res"), "--processes", "1"))
    assert rc == 0, err
    return folder / "res"


def run_cli(argv: tuple[str, ...], lessons_main: bool = False) -> tuple[int, str, str]:
    """``abm.cli.main(argv)`` (or ``python -m abm.lessons``'s) in this process: exit status, stdout, stderr."""
    from abm.cli import main
    from abm.lessons.cli import main as lessons

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = (lessons if lessons_main else main)(list(argv))
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return rc, out.getvalue(), err.getvalue()


def files_in(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def prepare(case: Case, sandbox: Path, ref: Path = Path()) -> Callable[[], None] | None:
    for rel, content in case.files.items():
        path = sandbox / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return case.setup(sandbox, ref) if case.setup else None


def check_message(case: Case, message: str) -> None:
    assert "Traceback" not in message, message
    assert "\n" not in message.strip(), f"not one line: {message!r}"
    for name in case.names:
        assert name in message, f"{name!r} not named in {message!r}"
    assert any(w in message for w in ALLOWED_WORDS), f"what is allowed is not said: {message!r}"


def run_case(case: Case, sandbox: Path, ref: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a failing case in ``sandbox``; returns its message after checking the exit, the traceback and the files."""
    from abm.app import cli as app_cli

    cleanup = prepare(case, sandbox, ref)
    monkeypatch.chdir(sandbox)
    monkeypatch.setattr(app_cli.os, "execve", lambda *a: pytest.fail("the app server would start"))
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    before = files_in(sandbox)
    try:
        if case.call is not None:
            with pytest.raises(ParameterError) as info:
                case.call()
            message = str(info.value)
        else:
            argv = tuple((sandbox / "port").read_text() if a == "PORT" else a for a in case.argv)
            rc, out, err = run_cli(argv, case.lessons_main)
            assert rc not in (0, None), f"exit status {rc}; stdout {out[-300:]!r}"
            assert "Traceback" not in out + err
            message = err.strip()
    finally:
        if cleanup:
            cleanup()
    written = {p for p, stat in files_in(sandbox).items() if before.get(p) != stat}
    allowed = (case.out + "/") if case.out else None
    stray = sorted(p for p in written if not (allowed and p.startswith(allowed)))
    assert not stray, f"written outside the output folder: {stray}"
    return message


CORPUS = (scenario_cases() + run_cases() + spec_cases() + sweep_cases() + report_cases() + calibrate_cases()
          + lessons_cases() + api_cases() + app_cases())


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_bad_input_is_a_one_line_error(case, tmp_path, monkeypatch, reference):
    t0 = time.perf_counter()
    message = run_case(case, tmp_path, reference, monkeypatch)
    check_message(case, message)
    if "--scheduler" in case.id:
        assert time.perf_counter() - t0 < 10, "an unreachable scheduler must be an error within seconds"


def test_the_corpus_is_large_and_has_every_reproducer():
    assert len(CORPUS) >= 200, len(CORPUS)
    assert len({c.id for c in CORPUS}) == len(CORPUS), "case ids repeat"
    surfaces = {c.id.split(":")[0] for c in CORPUS}
    assert surfaces >= {"scenario", "run", "spec", "sweep", "report", "calibrate", "lessons", "api", "app"}, surfaces
    covered = {c.issue for c in CORPUS} | {c.issue for c in CONTROLS}
    assert not set(ISSUE_REPRODUCERS) - covered, set(ISSUE_REPRODUCERS) - covered


# --- valid controls ---------------------------------------------------------------------------------------------
def extreme_params_run_quietly() -> None:
    """Valid but extreme parameter sets run without a numpy RuntimeWarning (warnings are errors here)."""
    from abm import LaborMarket

    extremes = [{"ai_adoption_speed": row_max("ai_adoption_speed"), "ai_adoption_midpoint": row_min("ai_adoption_midpoint")},
                {k: row_max(k) for k in ("quit_rate", "layoff_speed_cutting", "retraining_uptake", "graduate_rate")},
                {k: row_min(k) for k in ("vacancy_life_months", "wage_index_min", "retraining_length_scale")},
                {"initial_unemployment_rate": 0.0, "initial_vacancy_rate": 0.0},
                {"initial_unemployment_rate": 0.5, "initial_vacancy_rate": 0.5, "max_skill_gap": 0.0}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for over in extremes:
            model = LaborMarket(seed=3, n_workers=400, worker_agents=False, burn_in_months=12, **over)
            model.run(24)
            for table in (model.model_metrics, model.cluster_metrics, model.firm_metrics, model.pay_metrics):
                table()


def row_min(name: str) -> float:
    return next(r["min"] for r in Params.describe() if r["name"] == name)


def row_max(name: str) -> float:
    return next(r["max"] for r in Params.describe() if r["name"] == name)


@dataclass(frozen=True)
class Control:
    id: str
    argv: tuple[str, ...] = ()
    call: Callable[[], object] | None = None
    files: Mapping[str, str | bytes | None] = field(default_factory=dict)
    expect: tuple[str, ...] = ()   # in stdout + stderr
    issue: str = ""


CONTROLS = [
    Control("run:a-small-run", ("run", "--months", "2", "--workers", "400", "--no-plots", "--out", "out"),
            expect=("unemployment rate",)),
    Control("run:a-chain-of-bases", ("run", "a.toml", "--months", "1", "--workers", "400", "--no-plots", "--out", "out"),
            files={"a.toml": '[scenario]\nname = "a"\nbase = "b.toml"\n[params]\nquit_rate = 0.01\n',
                   "b.toml": f'[scenario]\nbase = "{BASE}"\n[params]\nhiring_noise = 0.2\n'}, expect=("a: 400 workers",)),
    Control("spec:sampled-integer-parameter", call=lambda: ctl_integer_sample(),
            issue="spec: sampled integer parameter (valid)"),
    Control("calibrate:default-baseline-outside-the-checkout",
            ("calibrate", "--seeds", "1", "--months", "60", "--workers", "400", "--no-diagnostics", "--out", "out"),
            expect=("calibration of baseline",), issue="calibrate: default baseline outside the checkout (valid)"),
    Control("lessons:list", ("lessons", "list"), expect=("01_mismatch.toml",)),
    Control("api:params-given-a-dict", call=lambda: ctl_params_dict(), issue="api: params given a dict (valid)"),
    Control("api:extreme-parameters-without-warnings", call=extreme_params_run_quietly,
            issue="api: extreme parameters emit no RuntimeWarning (valid)"),
    Control("api:app-scenario-loader-skips-bad-files", call=lambda: ctl_app_loader(),
            issue="scenario: app loader skips bad files"),
    Control("app:--help", ("app", "--help"), expect=("--port",)),
]


def ctl_integer_sample() -> None:
    """An integer parameter sampled by SALib runs (its values rounded) and the report says so."""
    Path("spec.toml").write_text(spec(grid=None, sample={"method": "sobol", "n": 2,
                                                         "ranges": {"applications_per_month": [1, 10]}}))
    rc, out, err = run_cli(("sweep", "spec.toml", "--out", "out", "--processes", "1"))
    assert rc == 0 and "complete" in out and "0 failed" in out, err
    assert json.loads(Path("out/manifest.json").read_text())["rounded"] == ["applications_per_month"]
    values = {s["applications_per_month"] for s in json.loads(Path("out/manifest.json").read_text())["sets"]}
    assert values <= set(range(1, 11)) and len(values) > 1, values
    rc, out, err = run_cli(("report", "out"))
    assert rc == 0, err
    assert "applications_per_month: the sampled values were rounded" in Path("out/report/report.md").read_text()


def ctl_params_dict() -> None:
    from abm import LaborMarket

    assert LaborMarket(seed=1, n_workers=400, params={"quit_rate": 0.1}).p.quit_rate == 0.1


def ctl_app_loader() -> None:
    """The app's scenario loader skips (with a warning) every bad scenario file of the corpus."""
    from abm.app.scenarios import load_scenarios

    folder = Path("out/scenarios")
    folder.mkdir(parents=True)
    bad = [c for c in scenario_cases() if isinstance(c.files.get("s.toml"), (str, bytes)) and len(c.files) == 1]
    for k, case in enumerate(bad):
        content = case.files["s.toml"]
        path = folder / f"{k:03d}.toml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    found = load_scenarios([folder])
    assert [s.key for s in found] == ["baseline"], [s.key for s in found]


@pytest.mark.parametrize("control", CONTROLS, ids=[c.id for c in CONTROLS])
def test_valid_control_passes(control, tmp_path, monkeypatch):
    from abm.app import cli as app_cli

    prepare(Case(control.id, files=control.files), tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(app_cli.os, "execve", lambda *a: pytest.fail("the app server would start"))
    if control.call is not None:
        control.call()
        return
    rc, out, err = run_cli(control.argv)
    assert rc == 0, err
    for text in control.expect:
        assert text in out + err
    assert "Traceback" not in out + err
    stray = [p for p in files_in(tmp_path) if not p.startswith("out/") and p not in control.files]
    assert not stray, stray


# --- the real entry point ----------------------------------------------------------------------------------------
def test_the_real_entry_point_behaves_the_same(tmp_path):
    """A few cases through the installed `abm` command and `python -m abm.lessons`, in parallel subprocesses."""
    (tmp_path / "spec.toml").write_text(GOOD_SPEC)
    abm = [str(Path(sys.executable).parent / "abm")]
    commands = {
        "run --set seed=5": (abm + ["run", "--set", "seed=5"], ("seed", "--seed")),
        "run --months 0": (abm + ["run", "--months", "0"], ("--months", "0")),
        "sweep --scheduler tcp://127.0.0.1:1": (abm + ["sweep", "spec.toml", "--out", "out", "--scheduler",
                                                       "tcp://127.0.0.1:1"], ("tcp://127.0.0.1:1",)),
        "report nope": (abm + ["report", "nope"], ("nope",)),
        "app --port 99999": (abm + ["app", "--port", "99999"], ("--port", "99999")),
        "python -m abm.lessons show 99": ([sys.executable, "-m", "abm.lessons", "show", "99"], ("99",)),
    }
    t0 = time.perf_counter()
    procs = {name: subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, (cmd, _) in commands.items()}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, (name, proc.returncode, err)
        check_message(Case(name, names=commands[name][1]), err.strip())
    assert time.perf_counter() - t0 < 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"], "nothing written"
