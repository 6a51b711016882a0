"""The articles the model's facts come from, named so a reader can find them.

Facts, lessons and parameter sources cite an article by its key (``"seeds/003"``); the key's
title, outlet and date live in one data file, ``abm/data/sources.toml``. :func:`cite` turns a key
into the words a handout or a lesson shows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SOURCES_FILE = Path(__file__).resolve().parent / "data" / "sources.toml"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    outlet: str
    date: str

    def citation(self) -> str:
        """“Title”, outlet, date."""
        return f"“{self.title}”, {self.outlet}, {self.date}"


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    """Every source by key (read once)."""
    data = tomllib.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    out = {}
    for key, entry in data.get("sources", {}).items():
        missing = [f for f in ("title", "outlet", "date") if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            raise ValueError(f"{SOURCES_FILE.name}: source {key!r} is missing {', '.join(missing)}")
        out[key] = Source(key, entry["title"], entry["outlet"], entry["date"])
    return out


def cite(key: str) -> str:
    """The citation of source ``key``; an unknown key is a one-line ``KeyError`` naming the known ones."""
    try:
        return sources()[key].citation()
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known: {', '.join(sources())} (abm/data/sources.toml)") from None
