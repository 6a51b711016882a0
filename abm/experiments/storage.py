"""Batch storage: one directory per batch, one tidy Parquet dataset per table, a run ledger.

    <out>/manifest.json                          spec, versions, seeds, sessions (timings), failures
    <out>/spec.toml                              the spec as run (copy)
    <out>/<table>/part-s<set>-r<run>-<id>.parquet   model, cluster, firm, location, pay: the runs of one task
    <out>/runs/part-s<set>-r<run>-<id>.parquet      the ledger: one row per finished run (ok or failed)

Every file is written to a hidden temporary name and renamed (``os.replace``), so a killed batch
never leaves a half-written file. A task's data files are written first and its ledger file last:
the ledger file is the commit. On start, data files without a ledger file (a task killed between
its writes) are deleted, so every run is in the dataset exactly once.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

LEDGER = "runs"
MANIFEST = "manifest.json"


class BatchLocked(RuntimeError):
    """Another process is writing to the same results directory."""


def part_name(set_id: int, run_id: int, session: str) -> str:
    return f"part-s{set_id:05d}-r{run_id:07d}-{session}.parquet"


def write_table_atomic(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as fh:  # data on disk before the rename makes it visible
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_df_atomic(df: pd.DataFrame, path: Path, schema: pa.Schema | None = None) -> None:
    write_table_atomic(pa.Table.from_pandas(df, schema=schema, preserve_index=False), path)


def write_json_atomic(obj: Any, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


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
    return pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)


def data_tables(out: Path) -> list[str]:
    from abm.runs import TABLES

    return [t for t in TABLES if (out / t).is_dir()]


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
            write_table_atomic(t.filter(keep), f)
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
        raise FileNotFoundError(f"no '{table}' results in {out}")
    df = pd.read_parquet(folder, columns=columns)
    order = [c for c in ("run_id", "month") if c in df.columns]
    return df.sort_values(order, kind="stable").reset_index(drop=True) if order else df
