"""Text summaries of a run: the headline numbers at the start, in 2026 and at the end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.measures import in_year as _year_rows


def summary_table(model_df: pd.DataFrame, cluster_df: pd.DataFrame, firm_df: pd.DataFrame,
                  years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Headline metrics by calendar year (annual means of monthly values, sums of flows)."""
    first = int(model_df["year"].iloc[0])
    last = int(np.floor(model_df["year"].iloc[-1] - 1e-9))
    if years is None:
        years = tuple(sorted({first, min(2026, last), last}))
    rows: dict[str, dict[int, float]] = {}
    for y in years:
        m = _year_rows(model_df, y)
        c = _year_rows(cluster_df, y)
        if m.empty:
            continue
        ai = c[c["cluster"] == "ml_ai"]
        emp = m["employed"].mean()
        rows.setdefault("unemployment rate (%)", {})[y] = 100 * m["unemployment_rate"].mean()
        rows.setdefault("vacancy rate (%)", {})[y] = 100 * m["vacancy_rate"].mean()
        rows.setdefault("mismatch index", {})[y] = m["mismatch_index"].mean()
        rows.setdefault("hires (% of employment / month)", {})[y] = 100 * m["hires_rate"].mean()
        rows.setdefault("quits (% of employment / month)", {})[y] = 100 * m["quits_rate"].mean()
        rows.setdefault("job-to-job share of hires (%)", {})[y] = 100 * m["job_to_job_share"].mean()
        rows.setdefault("job-finding rate of the unemployed (%/month)", {})[y] = 100 * m["job_finding_rate"].mean()
        rows.setdefault("left tech for other work (workers)", {})[y] = m["other_work"].mean()
        rows.setdefault("layoffs (% of employment / yr)", {})[y] = 100 * m["layoffs"].sum() * 12 / len(m) / emp if emp > 0 else np.nan
        rows.setdefault("junior hires / yr", {})[y] = m["junior_hires"].sum() * 12 / len(m)
        rows.setdefault("AI pay premium (%)", {})[y] = 100 * m["ai_premium"].mean()
        rows.setdefault("remote/onsite pay, location-adjusted", {})[y] = m["remote_onsite_pay_ratio_adjusted"].mean()
        rows.setdefault("ML/AI vacancies per job seeker", {})[y] = ai["vacancy_seeker_ratio"].mean()
        rows.setdefault("ML/AI mean posting age (months)", {})[y] = ai["mean_vacancy_duration"].mean()
        rows.setdefault("ML/AI recruiting time so far (months)", {})[y] = ai["mean_recruiting_duration"].mean()
        rows.setdefault("AI-skill share of vacancies (%)", {})[y] = 100 * m["ai_skill_vacancy_share"].mean()
        rows.setdefault("long-term unemployed share (%)", {})[y] = 100 * m["long_term_unemployed_share"].mean()
        rows.setdefault("senior + staff employed", {})[y] = (m["workers_by_seniority_senior"] + m["workers_by_seniority_staff"]).mean()
        rows.setdefault("senior recruiting time so far (months)", {})[y] = m["senior_vacancy_duration"].mean()
        rows.setdefault("in retraining", {})[y] = m["retraining_enrolled"].mean()
    table = pd.DataFrame(rows).T
    return table.round(2)
