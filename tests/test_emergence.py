"""The phenomena the model exists to show emerge from its mechanisms (small populations, qualitative)."""

import numpy as np
import pytest

from abm import LaborMarket
from abm.measures import in_year
from abm.state import WorkerState

GROWTH = ("ml_ai", "security", "cloud_platform", "data_eng")
LEGACY = ("qa_testing", "program_mgmt", "frontend", "tech_writing")
ALL_CUTTING = dict(share_cutting=1.0, share_counter_cyclical=0.0, share_recomposing=0.0, share_non_adopting=0.0)
ALL_CC = dict(share_cutting=0.0, share_counter_cyclical=1.0, share_recomposing=0.0, share_non_adopting=0.0)


@pytest.fixture(scope="module")
def baseline():
    return LaborMarket(seed=21, n_workers=6000, worker_agents=False).run(60)


def test_mismatch_ai_roles_tight_while_legacy_slack(baseline):
    c = in_year(baseline.cluster_metrics(), 2026).groupby("cluster", observed=True)[["vacancies", "unemployed", "employed"]].sum()
    growth, legacy = c.loc[list(GROWTH)].sum(), c.loc[list(LEGACY)].sum()
    tight_growth = growth["vacancies"] / growth["unemployed"]
    tight_legacy = legacy["vacancies"] / legacy["unemployed"]
    assert tight_growth > 2.0 and tight_legacy < 1.5 and tight_growth > 2.0 * tight_legacy
    # experienced legacy workers are the ones out of work, or gone from tech (end of 2026); juniors
    # are out of work everywhere (the junior freeze), most of all in the growth clusters graduates choose
    w, names = baseline.workers, baseline.world.cluster_names
    cluster, state, experienced = baseline.world.occupation_cluster[w.view("occupation")], w.view("state"), w.view("level") > 0
    def out_of_work(group):
        g = np.isin(cluster, [names.index(c) for c in group]) & experienced
        e, u = ((state == WorkerState.EMPLOYED) & g).sum(), ((state == WorkerState.UNEMPLOYED) & g).sum()
        return u / (e + u), ((state == WorkerState.OTHER_WORK) & g).sum() / g.sum()
    (u_legacy, gone_legacy), (u_growth, gone_growth) = out_of_work(LEGACY), out_of_work(GROWTH)
    assert u_legacy > 2.0 * u_growth and gone_legacy > 2.0 * gone_growth
    m = baseline.model_metrics()
    assert in_year(m, 2026)["mismatch_index"].mean() > in_year(m, 2022)["mismatch_index"].mean()


def test_ai_premium_emerges_from_tightness(baseline):
    m = baseline.model_metrics()
    start = m["ai_premium"].iloc[0]  # equal 2022 market pay; only job-to-job raises differ at the start
    assert abs(start) < 0.05
    assert in_year(m, 2026)["ai_premium"].mean() > start + 0.08


def test_remote_pay_compressed_only_under_location_adjusted_pay(baseline):
    m = in_year(baseline.model_metrics(), 2026)
    assert m["remote_onsite_pay_ratio_adjusted"].mean() < 0.95
    assert m["remote_onsite_pay_ratio_national"].mean() == pytest.approx(1.0, abs=0.06)


def test_junior_freeze_shrinks_the_pipeline():
    cut = LaborMarket(seed=5, n_workers=4000, worker_agents=False, **ALL_CUTTING).run(96)
    cc = LaborMarket(seed=5, n_workers=4000, worker_agents=False, **ALL_CC).run(96)
    a, b = cut.model_metrics().iloc[-1], cc.model_metrics().iloc[-1]
    assert a["workers_by_seniority_junior"] < 0.6 * b["workers_by_seniority_junior"]
    assert a["workers_by_seniority_mid"] < b["workers_by_seniority_mid"]
    assert cut.model_metrics()["junior_hires"].iloc[-24:].sum() < cc.model_metrics()["junior_hires"].iloc[-24:].sum()


def test_retraining_subsidy_raises_enrolment():
    low = LaborMarket(seed=8, n_workers=4000, worker_agents=False, retraining_subsidy=0.0).run(48)
    high = LaborMarket(seed=8, n_workers=4000, worker_agents=False, retraining_subsidy=1.0).run(48)
    assert high.model_metrics()["retraining_started"].sum() > 1.3 * low.model_metrics()["retraining_started"].sum()
    assert high.model_metrics()["retraining_completed"].sum() > 0


def test_layoffs_concentrate_where_ai_substitutes(baseline):
    c = baseline.cluster_metrics()
    c = c[c["month"] > 12]
    rate = c.groupby("cluster", observed=True)["layoffs"].sum() / c.groupby("cluster", observed=True)["employed"].sum()
    legacy = rate[["qa_testing", "tech_writing", "program_mgmt", "frontend"]].mean()
    growth = rate[["ml_ai", "security", "cloud_platform"]].mean()
    assert legacy > growth
