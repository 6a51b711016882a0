"""Report figures for batches: each function draws from tidy DataFrames and saves one PNG.

Bands and error bars are 95 % confidence intervals over replicates (``analysis.replicate_ci``).
Single-run charts live in the chart registry (:mod:`abm.charts`); :func:`beveridge` draws its
Beveridge curve, and strategies, clusters and outputs are named and coloured by its theme.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from abm import charts
from abm.charts import theme
from abm.experiments.analysis import replicate_ci

MAX_LINES = 12
#: colours of unordered parameter sets: the theme's Okabe–Ito palette
CYCLE = [theme.OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "black")]
DPI = 90


def _grid(n: int, cols: int = 3, w: float = 5.2, h: float = 3.7) -> tuple[Figure, np.ndarray]:
    cols = min(cols, max(n, 1))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def _colors(labels: pd.DataFrame, x: str | None) -> dict:
    """A colour per set: by the x parameter's rank (viridis), so 'more x' reads as one direction."""
    cmap = plt.get_cmap("viridis")
    if x is None or x not in labels or labels[x].nunique() < 2:
        return {s: CYCLE[i % len(CYCLE)] for i, s in enumerate(labels["set_id"])}
    ranks = labels[x].rank(method="dense")
    ranks = (ranks - 1) / max(ranks.max() - 1, 1)
    return {s: cmap(0.9 * r) for s, r in zip(labels["set_id"], ranks)}


def _styles(labels: pd.DataFrame, x: str | None, factors: list[str]) -> dict:
    others = [f for f in factors if f != x and f in labels]
    if not others:
        return {s: "-" for s in labels["set_id"]}
    combos = labels[others].astype(str).agg("|".join, axis=1)
    order = {c: i for i, c in enumerate(dict.fromkeys(combos))}
    styles = ["-", "--", ":", "-."]
    return {s: styles[order[c] % 4] for s, c in zip(labels["set_id"], combos)}


def _save(fig: Figure, path: Path, title: str) -> None:
    from matplotlib.ticker import FormatStrFormatter

    for ax in fig.axes:
        if ax.get_xlabel() == "year":
            ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def timeseries(model: pd.DataFrame, labels: pd.DataFrame, outputs: list[str], x: str | None, path: Path,
               title: str = "") -> bool:
    """One panel per output: replicate mean by month ± 95 % CI band, one line per parameter set.
    With more than 12 sets (samples), the median over sets and the 5–95 % range of set means."""
    fig, axes = _grid(len(outputs))
    factors = [c for c in labels.columns if c not in ("set_id", "label")]
    present = labels[labels["set_id"].isin(model["set_id"].unique())]
    colors, styles = _colors(present, x), _styles(present, x, [c for c in factors if c in present])
    for ax, o in zip(axes, outputs):
        if len(present) <= MAX_LINES:
            for _, s in present.iterrows():
                ci = replicate_ci(model[model["set_id"] == s["set_id"]], ["year"], o)
                ax.plot(ci["year"], ci["mean"], color=colors[s["set_id"]], ls=styles[s["set_id"]], lw=1.3, label=s["label"])
                ax.fill_between(ci["year"], ci["ci_low"], ci["ci_high"], color=colors[s["set_id"]], alpha=0.18, lw=0)
        else:
            means = model.groupby(["set_id", "year"])[o].mean().unstack(0)
            ax.fill_between(means.index, means.quantile(0.05, axis=1), means.quantile(0.95, axis=1), alpha=0.3,
                            color="C0", lw=0, label="5–95 % of parameter sets")
            ax.plot(means.index, means.median(axis=1), color="C0", label="median over sets")
        ax.set(title=theme.output_label(o), xlabel="year")
        ax.grid(alpha=0.3)
    if len(outputs):
        axes[0].legend(fontsize=7)
    _save(fig, path, f"{title}: mean over replicates with 95 % CI" if title else "")
    return True


def final(summ: pd.DataFrame, factors: list[str], outputs: list[str], x: str | None, path: Path, title: str = "",
          sample: bool = False) -> bool:
    """Final-window mean ± 95 % CI against ``x``, a line per combination of the other factors
    (for a sampled design: a scatter of the set means against ``x``)."""
    if x is None or summ.empty:
        return False
    others = [f for f in factors if f != x]
    fig, axes = _grid(len(outputs), w=4.6, h=3.4)
    sample_like = sample
    for ax, o in zip(axes, outputs):
        sub = summ[summ["output"] == o].sort_values(x)
        if sample_like:
            ax.scatter(sub[x], sub["mean"], s=10, alpha=0.6)
        else:
            groups = sub.groupby(others, sort=False) if others else [((), sub)]
            for i, (key, g) in enumerate(groups):
                key = key if isinstance(key, tuple) else (key,)
                lab = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in zip(others, key)) or None
                err = np.vstack([g["mean"] - g["ci_low"], g["ci_high"] - g["mean"]])
                ax.errorbar(g[x], g["mean"], yerr=np.nan_to_num(err), marker="o", ms=4, capsize=3, lw=1.2,
                            color=CYCLE[i % len(CYCLE)], label=lab)
        ax.set(title=theme.output_label(o), xlabel=x)
        ax.grid(alpha=0.3)
    if others and not sample_like and len(outputs):
        axes[0].legend(fontsize=7)
    _save(fig, path, title)
    return True


def heatmap(summ: pd.DataFrame, factors: list[str], outputs: list[str], path: Path, title: str = "") -> bool:
    """Two-factor grids: the final-window mean of each output on the grid, annotated with ± CI."""
    if len(factors) != 2 or summ.empty:
        return False
    a, b = factors
    fig, axes = _grid(len(outputs), w=4.6, h=3.8)
    for ax, o in zip(axes, outputs):
        sub = summ[summ["output"] == o]
        m = sub.pivot_table(index=b, columns=a, values="mean")
        h = sub.assign(h=(sub["ci_high"] - sub["ci_low"]) / 2).pivot_table(index=b, columns=a, values="h")
        im = ax.imshow(m.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(m.columns)), [f"{v:g}" for v in m.columns])
        ax.set_yticks(range(len(m.index)), [f"{v:g}" for v in m.index])
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                v, e = m.iat[i, j], h.iat[i, j]
                if np.isfinite(v):
                    txt = f"{v:.3g}" + (f"\n±{e:.2g}" if np.isfinite(e) else "")
                    ax.text(j, i, txt, ha="center", va="center", fontsize=7, color="w")
        ax.set(title=theme.output_label(o), xlabel=a, ylabel=b)
        plt.colorbar(im, ax=ax)
    _save(fig, path, title)
    return True


def _panels(labels: pd.DataFrame, n_max: int = 9) -> pd.DataFrame:
    if len(labels) <= n_max:
        return labels
    idx = np.unique(np.linspace(0, len(labels) - 1, n_max).round().astype(int))
    return labels.iloc[idx]


def profit_by_strategy(per: pd.DataFrame, labels: pd.DataFrame, overtake: pd.DataFrame, path: Path, title: str = "") -> None:
    """Per parameter set: cumulative profit per 2022 worker by strategy, mean ± 95 % CI over replicates."""
    shown = _panels(labels[labels["set_id"].isin(per["set_id"].unique())])
    fig, axes = _grid(len(shown))
    styles = theme.family("strategy")
    ov = overtake.set_index("set_id") if "set_id" in overtake else pd.DataFrame()
    handles = {}
    for ax, (_, s) in zip(axes, shown.iterrows()):
        sub = per[per["set_id"] == s["set_id"]]
        for strategy, g in sub.groupby("strategy", observed=True, sort=True):
            ci = replicate_ci(g, ["year"], "profit_per_worker")
            style = styles[str(strategy)]
            if ci["mean"].notna().any():
                (handles[str(strategy)],) = ax.plot(ci["year"], ci["mean"] / 1e3, label=style.label, color=style.color,
                                                    dashes=style.dash or (None, None))
                ax.fill_between(ci["year"], ci["ci_low"] / 1e3, ci["ci_high"] / 1e3, alpha=0.2, color=style.color, lw=0)
        year = ov["overtakes_for_good_year"].get(s["set_id"], np.nan) if "overtakes_for_good_year" in ov else np.nan
        if np.isfinite(year):
            ax.axvline(year, color="k", ls="--", lw=0.8)
            ax.text(year, ax.get_ylim()[1], f" {int(year)}", va="top", fontsize=8)
        ax.set(title=s["label"], xlabel="year", ylabel="$ thousand per 2022 worker")
        ax.grid(alpha=0.3)
    if handles:
        order = [n for n in styles if n in handles]
        fig.legend([handles[n] for n in order], [styles[n].label for n in order], loc="lower right", fontsize=8, ncol=len(order))
    _save(fig, path, f"{title}: cumulative profit by strategy" if title else "")


def pay_by_cluster(by_cluster: pd.DataFrame, by_policy: pd.DataFrame, x: str, factors: list[str], path: Path,
                   title: str = "") -> None:
    """Remote/onsite pay ratio against ``x``: a line per skill cluster, and per pay policy."""
    fig, axes = _grid(2, cols=2, w=6.5, h=4.2)
    for ax, (df, by) in zip(axes, ((by_cluster, "cluster"), (by_policy, "pay_policy"))):
        others = [f for f in factors if f != x]
        if others:  # several factors: the first combination of the others
            first = df[others].iloc[0]
            df = df[(df[others] == first).all(axis=1)]
        styles = theme.family("cluster" if by == "cluster" else "policy")
        for name, g in df.groupby(by, observed=True, sort=True):
            g = g.sort_values(x)
            style = styles.get(str(name), theme.Style(str(name), theme.GREY))
            ax.plot(g[x], g["mean"], marker=style.marker, ms=3, lw=1.2, label=style.label, color=style.color,
                    dashes=style.dash or (None, None))
            ax.fill_between(g[x], g["ci_low"], g["ci_high"], alpha=0.12, color=style.color, lw=0)
        ax.axhline(1.0, color="grey", lw=0.6)
        ax.set(title=f"remote / onsite pay by {by.replace('_', ' ')}", xlabel=x, ylabel="ratio (cell-matched)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    _save(fig, path, title)


def beveridge(model: pd.DataFrame, labels: pd.DataFrame, path: Path, title: str = "") -> None:
    """Per parameter set: the Beveridge curve of the replicate-mean rates (the registry's ``beveridge``)."""
    shown = _panels(labels[labels["set_id"].isin(model["set_id"].unique())])
    fig, axes = _grid(len(shown), w=5.0, h=3.9)
    for ax, (_, s) in zip(axes, shown.iterrows()):
        mean = model[model["set_id"] == s["set_id"]].groupby(["month", "year"])[["unemployment_rate", "vacancy_rate"]].mean().reset_index()
        charts.draw("beveridge", {"model": mean}, ax, title=s["label"])
    _save(fig, path, f"{title}: Beveridge curves (replicate means)" if title else "")


def sensitivity(sens: pd.DataFrame, path: Path, title: str = "") -> None:
    """Bars per output: Sobol S1 and ST (with confidence) or Morris mu* (with confidence) and sigma."""
    outputs = list(dict.fromkeys(sens["output"]))
    fig, axes = _grid(len(outputs), w=4.8, h=3.4)
    sobol = "ST" in sens
    for ax, o in zip(axes, outputs):
        sub = sens[sens["output"] == o]
        pos = np.arange(len(sub))
        if sobol:
            ax.bar(pos - 0.2, sub["S1"], 0.4, yerr=sub["S1_conf"], label="S1 (first order)", capsize=2)
            ax.bar(pos + 0.2, sub["ST"], 0.4, yerr=sub["ST_conf"], label="ST (total)", capsize=2)
        else:
            ax.bar(pos - 0.2, sub["mu_star"], 0.4, yerr=sub["mu_star_conf"], label="mu*", capsize=2)
            ax.bar(pos + 0.2, sub["sigma"], 0.4, label="sigma")
        ax.set_xticks(pos, sub["parameter"], rotation=30, ha="right", fontsize=7)
        ax.set_title(o, fontsize=9)
        ax.grid(alpha=0.3, axis="y")
    if outputs:
        axes[0].legend(fontsize=7)
    _save(fig, path, f"{title}: sensitivity ({'Sobol' if sobol else 'Morris'}, SALib)" if title else "")
