"""What leaves the app: the visible charts as one PNG, the tables behind them as one CSV.

Both are drawn from the same registry charts and the same frame the page shows: the PNG with the
static (matplotlib) renderer, the CSV from the charts' tidy frames — one row per point, with the
chart, the series, the axis titles (units included) and, for several seeds, the lowest and highest
seed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from abm import charts

CSV_COLUMNS = ["chart", "title", "subtitle", "run", "series", "x", "x_title", "value", "value_title", "lowest_seed",
               "highest_seed", "seeds"]


def charts_csv(chart_list: Sequence[charts.Chart], data) -> str:
    """The data behind ``chart_list`` (drawn from ``data``) as one long CSV table."""
    parts = []
    for chart in chart_list:
        df, _ = charts.frame(chart, data)
        out = pd.DataFrame({
            "chart": chart.name, "title": chart.title, "subtitle": df.attrs.get("subtitle", ""),
            "run": df["run"] if "run" in df else "", "series": df["series"], "x": df["x"],
            "x_title": chart.x_title or "category", "value": df["y"], "value_title": chart.y_title,
            "lowest_seed": df["lo"] if "lo" in df else None, "highest_seed": df["hi"] if "hi" in df else None,
            "seeds": df["n"] if "n" in df else None,
        }, columns=CSV_COLUMNS)
        parts.append(out)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CSV_COLUMNS)
    return table.to_csv(index=False)


def charts_png(chart_list: Sequence[charts.Chart], data, title: str) -> bytes:
    """The charts on one figure (two columns), as PNG bytes."""
    fig = charts.figure(list(chart_list), data, ncols=2, title=title)
    return charts.image(fig, "png", dpi=100)


def filename(*parts: object) -> str:
    """A safe file name from its parts: ``lesson_mismatch-month-12``."""
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "abm"
