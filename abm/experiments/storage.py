"""Batch storage: one directory per batch, one tidy Parquet dataset per table, a run ledger.

    <out>/manifest.json                          spec, its fingerprint, versions, seeds, sessions, failures
    <out>/spec.toml                              the spec as run (copy)
    <out>/<table>/part-s<set>-r<run>-<id>.parquet   model, cluster, firm, location, pay, flow: the runs of one task
    <out>/runs/part-s<set>-r<run>-<id>.parquet      the ledger: one row per finished run (ok or failed)

**Atomic.** Every file is written to a hidden temporary name, flushed to disk and renamed
(``os.replace``), so a killed batch never leaves a half-written file under its real name; the
temporary files of killed writers are deleted on the next start (:func:`clean_uncommitted`).

**Committed.** A task's data files are written first and its ledger file last: the ledger file is
the commit. It records what the task wrote — for each table file its rows, bytes and SHA-256
(Parquet key-value metadata ``abm.files``). On start, data files without a ledger file (a task
killed between its writes) are deleted, so every run is in the dataset exactly once.

**Verified.** :func:`verify` checks every committed task against its record; a file that is
missing, truncated, emptied or changed (or a ledger file that cannot be read) makes the task not
trusted: ``abm sweep`` deletes its files and runs its runs again (and says so), ``abm report``
refuses with one line naming the file (:class:`ResultsError`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm.params import ParameterError

LEDGER = "runs"
MANIFEST = "manifest.json"
#: key of the ledger file's Parquet metadata that records the task's data files
FILES_KEY = b"abm.files"
#: what every manifest holds (a folder whose manifest lacks one is not a results folder of this abm)
MANIFEST_KEYS = ("fingerprint", "name", "factors", "columns", "outputs", "months", "replicates", "n_sets", "n_runs",
                 "sets", "spec", "versions")
COMPRESSION = "zstd"


class ResultsError(ParameterError):
    """A results directory cannot be used as it is (not one, damaged, another spec's, in use). One line."""


class BatchLocked(ResultsError):
    """Another process is writing to the same results directory."""


def part_name(set_id: int, run_id: int, session: str) -> str:
    return f"part-s{set_id:05d}-r{run_id:07d}-{session}.parquet"


# --- writing ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Encoded:
    """A table encoded as a Parquet file's bytes (in a worker), with what the ledger records of it."""

    data: bytes
    rows: int
    sha256: str

    def record(self) -> dict[str, Any]:
        return {"rows": self.rows, "bytes": len(self.data), "sha256": self.sha256}


def encode_table(table: pa.Table) -> Encoded:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=COMPRESSION)
    data = sink.getvalue().to_pybytes()
    return Encoded(data, table.num_rows, hashlib.sha256(data).hexdigest())


def encode(df: pd.DataFrame, schema: pa.Schema | None = None) -> Encoded:
    return encode_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False))


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path`` by a flushed temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())  # data on disk before the rename makes it visible
    os.replace(tmp, path)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    write_bytes_atomic(encode_table(table).data, path)


def write_json_atomic(obj: Any, path: Path) -> None:
    write_bytes_atomic(json.dumps(obj, indent=1, default=str).encode("utf-8"), path)


def commit(out: Path, name: str, tables: dict[str, Encoded], ledger: pd.DataFrame, schema: pa.Schema) -> None:
    """Write a finished task: its data files, then its ledger file (the commit) recording them."""
    for table, enc in tables.items():
        write_bytes_atomic(enc.data, out / table / name)
    rows = pa.Table.from_pandas(ledger, schema=schema, preserve_index=False)
    files = json.dumps({table: enc.record() for table, enc in tables.items()}, sort_keys=True)
    rows = rows.replace_schema_metadata({**(rows.schema.metadata or {}), FILES_KEY: files.encode()})
    write_table_atomic(rows, out / LEDGER / name)


# --- reading ----------------------------------------------------------------------------------------
def read_json(path: Path) -> dict | None:
    """A JSON object from ``path``; None if there is no file; a damaged one is a :class:`ResultsError`."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path} is damaged (not valid JSON: {exc}); allowed: the manifest `abm sweep` wrote — "
                           "use another --out, or delete the folder to start again") from None
    if not isinstance(obj, dict):
        raise ResultsError(f"{path} is damaged (a JSON {type(obj).__name__}, not an object); allowed: the manifest "
                           "`abm sweep` wrote — use another --out")
    return obj


def load_manifest(out: Path) -> dict[str, Any]:
    """The manifest of results directory ``out``; anything else is a one-line :class:`ResultsError`."""
    if not out.exists():
        raise ResultsError(f"results directory {out} not found; allowed: a directory written by `abm sweep`")
    if not out.is_dir():
        raise ResultsError(f"{out} is a file; allowed: a results directory written by `abm sweep`")
    manifest = read_json(out / MANIFEST)
    if manifest is None:
        raise ResultsError(f"{out} is not a results directory of `abm sweep` (no {MANIFEST}); allowed: a directory "
                           "written by `abm sweep`")
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise ResultsError(f"{out / MANIFEST} is damaged or from another program (no '{missing[0]}'); allowed: the "
                           "manifest `abm sweep` wrote")
    for key, kind in (("spec", dict), ("sets", list), ("factors", list), ("columns", list), ("outputs", list)):
        if not isinstance(manifest[key], kind):
            raise ResultsError(f"{out / MANIFEST} is damaged: '{key}' is a {type(manifest[key]).__name__}, not a "
                               f"{kind.__name__}; allowed: the manifest `abm sweep` wrote")
    return manifest


class Lock:
    """An exclusive lock on a results directory (released by the OS if the process dies)."""

    def __init__(self, out: Path):
        self.path = out / ".lock"
        self.fh: TextIO | None = None

    def __enter__(self) -> Lock:
        self.fh = fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            raise BatchLocked(f"another `abm sweep` (pid {holder}) is writing to {self.path.parent}; wait for it or stop it") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


def ledger_files(out: Path) -> list[Path]:
    folder = out / LEDGER
    return sorted(folder.glob("part-*.parquet")) if folder.exists() else []


def read_ledger(out: Path) -> pd.DataFrame:
    """One row per finished run (status ok or failed), from every committed task."""
    files = ledger_files(out)
    if not files:
        return pd.DataFrame({"run_id": pd.Series(dtype="int64"), "status": pd.Series(dtype="str")})
    frames = []
    for f in files:
        try:
            frames.append(pq.read_table(f).to_pandas())
        except (OSError, pa.ArrowException) as exc:
            raise ResultsError(f"{f} is damaged ({exc}); run `abm sweep` on this folder again to re-run its runs") from None
    return pd.concat(frames, ignore_index=True)


def data_tables(out: Path) -> list[str]:
    from abm.runs import TABLES

    return [t for t in TABLES if (out / t).is_dir()]


# --- verifying ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Damage:
    """A committed task whose files do not verify: its name, what is wrong, the runs it held (if readable)."""

    task: str
    problem: str
    runs: int | None = None


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def check_task(out: Path, ledger_file: Path) -> Damage | None:
    """None if ``ledger_file`` reads and every data file it records is there with its size and checksum."""
    name = ledger_file.name
    try:
        rows = pq.read_table(ledger_file)
    except (OSError, pa.ArrowException) as exc:
        return Damage(name, f"{LEDGER}/{name} cannot be read ({str(exc).splitlines()[0][:120]})")
    meta = rows.schema.metadata or {}
    if FILES_KEY not in meta:
        return Damage(name, f"{LEDGER}/{name} has no record of the task's files (written by an older abm)", rows.num_rows)
    for table, rec in sorted(json.loads(meta[FILES_KEY]).items()):
        f = out / table / name
        if not f.is_file():
            return Damage(name, f"{table}/{name} is missing", rows.num_rows)
        size = f.stat().st_size
        if size != rec["bytes"]:
            return Damage(name, f"{table}/{name} has {size} bytes, {rec['bytes']} were written", rows.num_rows)
        if sha256_of(f) != rec["sha256"]:
            return Damage(name, f"{table}/{name} has changed since it was written (SHA-256 differs)", rows.num_rows)
    return None


def verify(out: Path) -> list[Damage]:
    """Every committed task of ``out`` whose files do not verify (empty: all verify)."""
    return [d for f in ledger_files(out) if (d := check_task(out, f)) is not None]


def discard(out: Path, damaged: list[Damage]) -> None:
    """Delete the ledger file and the data files of damaged tasks: their runs count as not done."""
    for d in damaged:
        (out / LEDGER / d.task).unlink(missing_ok=True)
        for table in data_tables(out):
            (out / table / d.task).unlink(missing_ok=True)


def clean_uncommitted(out: Path) -> list[Path]:
    """Delete temporary files and data files of tasks that never wrote their ledger file."""
    committed = {p.name for p in ledger_files(out)}
    removed = []
    for folder in [out, out / LEDGER, *(out / t for t in data_tables(out))]:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            stale_tmp = p.name.startswith(".") and p.name.endswith(".tmp")
            orphan = folder != out and folder.name != LEDGER and p.name.startswith("part-") and p.name not in committed
            if stale_tmp or orphan:
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


def forget_failed(out: Path) -> int:
    """Drop failed runs from the ledger so the next session runs them again; returns how many."""
    n = 0
    for f in ledger_files(out):
        t = pq.read_table(f)
        status = t.column("status").to_pylist()
        if "failed" not in status:
            continue
        n += status.count("failed")
        keep = pa.array([s != "failed" for s in status])
        if any(keep.to_pylist()):
            write_table_atomic(t.filter(keep), f)  # the record of the task's data files goes with it
        else:  # every run of the task failed: the task wrote no data files
            f.unlink()
    return n


def read_table(out: str | Path, table: str = "model", columns: list[str] | None = None) -> pd.DataFrame:
    """All runs of one table of a batch, sorted by run (and month), as a pandas DataFrame.

    The same as ``pd.read_parquet(out / table)`` up to row order. DuckDB:
    ``SELECT * FROM read_parquet('<out>/model/*.parquet')``.
    """
    folder = Path(out) / table
    if not folder.is_dir() or not any(folder.glob("part-*.parquet")):
        raise ResultsError(f"no '{table}' results in {out}; allowed: a results directory written by `abm sweep` "
                           f"with the '{table}' table")
    df = pd.read_parquet(folder, columns=columns)
    order = [c for c in ("run_id", "month") if c in df.columns]
    return df.sort_values(order, kind="stable").reset_index(drop=True) if order else df
