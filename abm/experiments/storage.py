"""Batch storage: one directory per batch, one Parquet dataset per table, a manifest.

    <out>/manifest.json                 spec, package version, seeds, timings, failures
    <out>/<table>/set=<k>.parquet       all replicates of parameter set k (several runs per file)
    <out>/failures.jsonl                one line per failed run (parameters, error)

Files are written to a temporary name and renamed (``os.replace``), so a killed batch never leaves
a half-written file; a parameter set counts as done when its model file exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def set_file(out: Path, table: str, set_id: int) -> Path:
    return out / table / f"set={set_id:05d}.parquet"


def write_atomic(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp)
    os.replace(tmp, path)


def write_json_atomic(obj, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def append_failure(out: Path, record: dict) -> None:
    with open(out / "failures.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def done_sets(out: Path) -> set[int]:
    folder = out / "model"
    if not folder.exists():
        return set()
    return {int(p.stem.split("=")[1]) for p in folder.glob("set=*.parquet")}


def forget_failures(out: Path) -> None:
    """Remove the files of parameter sets that had failed runs, and the failure records."""
    for record in failed_runs(out):
        for folder in out.iterdir():
            if folder.is_dir():
                set_file(out, folder.name, record["set_id"]).unlink(missing_ok=True)
    (out / "failures.jsonl").unlink(missing_ok=True)


def failed_runs(out: Path) -> list[dict]:
    path = out / "failures.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_table(out: str | Path, table: str = "model") -> pd.DataFrame:
    """All runs of one table of a batch, as a pandas DataFrame (also readable with DuckDB:
    ``SELECT * FROM read_parquet('<out>/model/*.parquet')``)."""
    files = sorted((Path(out) / table).glob("set=*.parquet"))
    if not files:
        raise FileNotFoundError(f"no '{table}' results in {out}")
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return df[df["month"].notna()].reset_index(drop=True) if "month" in df else df.iloc[0:0]
