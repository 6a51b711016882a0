"""Conservation invariants every month, on the default mix and on random valid parameters (every
lever live, the pipeline levers of issue 11 included)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm import LaborMarket
from abm.invariants import run_checked
from abm.metrics import MODEL_COLUMNS


def test_invariants_hold_every_month_default():
    model = run_checked(LaborMarket(seed=11, n_workers=4000), 48)
    df = model.model_metrics()
    assert list(df.columns) == list(MODEL_COLUMNS)
    assert np.isfinite(df.to_numpy(dtype=float)).all()
    assert (df["median_wage"] > 0).all()
    # flows add up over the whole run
    emp = df["employed"].to_numpy()
    assert (np.diff(emp) == (df["hires"] - df["separations"]).to_numpy()[1:]).all()


def _shares(draw, n):
    raw = np.array([draw(st.integers(0, 10)) for _ in range(n)], dtype=float)
    if raw.sum() == 0:
        raw[0] = 1
    shares = np.floor(raw / raw.sum() * 1e6) / 1e6  # rounded down, so the last share is never negative
    shares[-1] = round(1.0 - shares[:-1].sum(), 6)
    return [float(x) for x in shares]


@st.composite
def valid_params(draw):
    strat = _shares(draw, 4)
    remote = _shares(draw, 3)
    return dict(
        n_workers=draw(st.integers(400, 1500)),
        workers_per_firm=draw(st.floats(20, 100)),
        share_cutting=strat[0], share_counter_cyclical=strat[1], share_recomposing=strat[2], share_non_adopting=strat[3],
        share_onsite=remote[0], share_hybrid=remote[1], share_remote_first=remote[2],
        share_location_adjusted_pay=draw(st.floats(0, 1)),
        ai_adoption_speed=draw(st.floats(0, 5)),
        ai_adoption_midpoint=draw(st.floats(2020, 2035)),
        demand_shock_size=draw(st.floats(-0.5, 0.5)),
        demand_cycle_amplitude=draw(st.floats(0, 0.5)),
        quit_rate=draw(st.floats(0, 0.05)),
        max_skill_gap=draw(st.floats(0.05, 1.0)),
        applications_per_month=draw(st.integers(1, 12)),
        retraining_subsidy=draw(st.floats(0, 1)),
        retraining_uptake=draw(st.floats(0, 0.5)),
        retraining_length_scale=draw(st.floats(0.2, 3)),
        graduate_rate=draw(st.floats(0, 0.2)),
        late_retirement_rate=draw(st.floats(0, 0.5)),
        outside_exit_rate=draw(st.floats(0, 0.5)),
        return_rate=draw(st.floats(0, 0.3)),
        ojs_search_rate=draw(st.floats(0, 0.5)),
        ojs_applications=draw(st.integers(1, 8)),
        job_switch_margin=draw(st.floats(0, 0.3)),
        counter_offer_rate=draw(st.floats(0, 1)),
        firm_pay_sd=draw(st.floats(0, 0.4)),
        discharge_rate=draw(st.floats(0, 0.05)),
        vacancy_life_months=draw(st.floats(0.5, 24)),
        vacancy_life_shape=draw(st.floats(0.5, 3)),
        vacancy_max_reposts=draw(st.integers(0, 5)),
        repost_pay_step=draw(st.floats(0, 0.2)),
        max_vacancy_pay_premium=draw(st.floats(0, 0.5)),
        give_up_months=draw(st.integers(0, 24)),
        burn_in_months=draw(st.integers(0, 24)),
        sponsor_share=draw(st.floats(0, 1)),
        initial_unemployment_rate=draw(st.floats(0, 0.3)),
        worker_agents=draw(st.booleans()),
        # the pipeline levers (issue 11), every one of them live
        retention_pay_share=draw(st.floats(0, 0.5)),
        retention_pay_months=draw(st.integers(1, 60)),
        training_repayment_months=draw(st.floats(0, 12)),
        training_bond_months=draw(st.integers(0, 48)),
        repayment_payback_months=draw(st.floats(1, 36)),
        imitation_rate=draw(st.floats(0, 10)),
        strategy_review_months=draw(st.integers(1, 8)),
        imitation_sample=draw(st.integers(1, 20)),
        imitation_noise=draw(st.floats(0, 3)),
        switch_cost_months=draw(st.floats(0, 6)),
        junior_wage_subsidy=draw(st.floats(0, 1)),
        junior_subsidy_cap=draw(st.floats(0, 100_000)),
        junior_subsidy_months=draw(st.integers(1, 48)),
        apprenticeship_slots=draw(st.floats(0, 50)),
        apprenticeship_pay_share=draw(st.floats(0, 1)),
        apprenticeship_months=draw(st.integers(1, 36)),
        apprenticeship_completion=draw(st.floats(0, 1)),
        training_levy=draw(st.floats(0, 0.2)),
        levy_refund_per_junior=draw(st.floats(0, 10_000)),
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=valid_params(), seed=st.integers(0, 2**31))
def test_invariants_hold_for_random_valid_parameters(params, seed):
    model = run_checked(LaborMarket(seed=seed, **params), 18)
    assert model.current["labor_force"] + model.current["other_work"] + model.current["retired"] == model.workers.n
