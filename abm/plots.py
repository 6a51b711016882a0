"""Plotting functions shared by the CLI, the batch reports and the teaching notebooks.

Each ``plot_*`` function draws one chart on a matplotlib ``Axes`` from the model's tidy tables
(``model_metrics()``, ``cluster_metrics()``, ``firm_metrics()``), so the same figure can be made
from a live model, a saved run or a batch result. ``overview`` puts the headline charts together.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm.model import default_world  # noqa: E402
from abm.world import LEVELS  # noqa: E402

LEGACY = default_world().legacy_cluster_names  # the world's legacy-exposed clusters (clusters.csv)
GROWTH = ("ml_ai", "security", "cloud_platform", "data_eng")


def plot_rates(df: pd.DataFrame, ax) -> None:
    ax.plot(df["year"], 100 * df["unemployment_rate"], label="unemployment rate")
    ax.plot(df["year"], 100 * df["vacancy_rate"], label="vacancy rate")
    ax.set(title="Unemployment and vacancies", xlabel="year", ylabel="% ")
    ax.legend(fontsize=8)


def plot_beveridge(df: pd.DataFrame, ax) -> None:
    """Vacancy rate against unemployment rate, coloured by time (the Beveridge curve)."""
    sc = ax.scatter(100 * df["unemployment_rate"], 100 * df["vacancy_rate"], c=df["year"], s=8, cmap="viridis")
    ax.plot(100 * df["unemployment_rate"], 100 * df["vacancy_rate"], lw=0.5, color="grey")
    ax.set(title="Beveridge curve", xlabel="unemployment rate (%)", ylabel="vacancy rate (%)")
    plt.colorbar(sc, ax=ax, label="year")


def plot_mismatch(df: pd.DataFrame, ax) -> None:
    ax.plot(df["year"], df["mismatch_index"], color="C3")
    ax.set(title="Mismatch index (Şahin et al. 2014)", xlabel="year", ylabel="index (0–1)")


def plot_pay(df: pd.DataFrame, ax) -> None:
    ax.plot(df["year"], 100 * df["ai_premium"], label="AI pay premium (%)")
    ax.plot(df["year"], 100 * (df["remote_onsite_pay_ratio_adjusted"] - 1), label="remote vs onsite, location-adjusted payers (%)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set(title="Pay: AI premium and remote compression", xlabel="year", ylabel="% difference")
    ax.legend(fontsize=8)


def plot_seniority(df: pd.DataFrame, ax) -> None:
    """Employed workers by seniority level over time (the pipeline)."""
    for lv in LEVELS:
        ax.plot(df["year"], df[f"workers_by_seniority_{lv}"], label=lv)
    ax.set(title="Workforce by seniority (pipeline)", xlabel="year", ylabel="employed workers")
    ax.legend(fontsize=8)


def plot_junior_hires(df: pd.DataFrame, ax) -> None:
    yearly = df[df["month"] > 0].groupby(df["year"].astype(float).sub(1 / 12).floordiv(1))["junior_hires"].sum()
    ax.bar(yearly.index.astype(int), yearly.values, color="C2")
    ax.set(title="Junior hires per year", xlabel="year", ylabel="hires")


def plot_cluster_ratio(cluster_df: pd.DataFrame, ax, clusters=LEGACY + GROWTH) -> None:
    """Vacancies per job seeker by skill cluster over time (log scale)."""
    for name in clusters:
        sub = cluster_df[cluster_df["cluster"] == name]
        ax.plot(sub["year"], sub["vacancy_seeker_ratio"].clip(lower=0.01), label=name, ls="-" if name in GROWTH else "--")
    ax.set_yscale("log")
    ax.axhline(1, color="grey", lw=0.5)
    ax.set(title="Vacancies per job seeker by cluster", xlabel="year", ylabel="ratio (log)")
    ax.legend(fontsize=7, ncol=2)


def plot_firm_profit(firm_df: pd.DataFrame, ax) -> None:
    """Cumulative profit per 2022 worker of each strategy's firms (so firm sizes do not confound)."""
    for name, sub in firm_df.groupby("strategy", observed=True):
        size = max(float(sub["headcount"].iloc[0]), 1.0)
        ax.plot(sub["year"], sub["cumulative_profit"] / size / 1e3, label=str(name))
    ax.set(title="Cumulative profit per 2022 worker, by strategy", xlabel="year", ylabel="$ thousand")
    ax.legend(fontsize=8)


def plot_retraining(df: pd.DataFrame, ax) -> None:
    ax.plot(df["year"], df["retraining_enrolled"], label="in retraining")
    ax.plot(df["year"], df["retraining_completed"].cumsum(), label="completed (cumulative)")
    ax2 = ax.twinx()
    ax2.plot(df["year"], 100 * df["retrained_employment_rate"], color="C3", label="completers employed (%, right)")
    ax2.set_ylabel("% of completers employed")
    ax2.set_ylim(0, 105)
    ax.set(title="Retraining", xlabel="year", ylabel="workers")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="upper left")


def overview(model_df: pd.DataFrame, cluster_df: pd.DataFrame, firm_df: pd.DataFrame, title: str = ""):
    """A 3×3 figure of the headline charts."""
    fig, axes = plt.subplots(3, 3, figsize=(17, 13))
    plot_rates(model_df, axes[0, 0])
    plot_beveridge(model_df, axes[0, 1])
    plot_mismatch(model_df, axes[0, 2])
    plot_cluster_ratio(cluster_df, axes[1, 0])
    plot_pay(model_df, axes[1, 1])
    plot_seniority(model_df, axes[1, 2])
    plot_junior_hires(model_df, axes[2, 0])
    plot_firm_profit(firm_df, axes[2, 1])
    plot_retraining(model_df, axes[2, 2])
    if title:
        fig.suptitle(title, fontsize=14)
    fig.tight_layout()
    return fig
