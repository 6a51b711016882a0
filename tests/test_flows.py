"""The labour-market flow mechanisms, each on a hand-arranged world: on-the-job search and the job
ladder, counter-offers, the vacancy life cycle, the outside option, incumbents' pay rigidity, the
eligibility cache, the burn-in, and the flow table."""

import numpy as np
import pytest
from worlds import ladder_world

from abm import LaborMarket, Params, transitions
from abm.phases import careers, demand, matching, outside_option, vacancies, wages
from abm.state import NO_FIRM, WorkerState
from abm.world import N_LEVELS


def employed(m):
    return np.flatnonzero(m.workers.view("state") == WorkerState.EMPLOYED)


def test_underpaid_employee_with_a_better_offer_moves_up_the_ladder(small_model):
    m = small_model
    mover = ladder_world(m)
    w = m.workers
    old_firm, old_wage = w.employer[mover], w.wage[mover]
    before = m.now.headcount.copy()
    matching.run(m)
    assert m.flows["job_to_job_moves"] == 1 and m.flows["hires_from_search"] == 0
    assert w.state[mover] == WorkerState.EMPLOYED and w.employer[mover] != old_firm
    assert w.wage[mover] >= old_wage * (1.0 + m.p.job_switch_margin) - 1e-6
    assert before.sum() == m.now.headcount.sum()  # a move: one job left, one taken
    assert m.now.headcount[old_firm].sum() == before[old_firm].sum() - 1
    assert np.array_equal(m.now.headcount, demand.headcount(m))
    assert m.moves.sum() == 1


def test_a_counter_offer_keeps_the_worker_at_the_offer_s_pay(small_model):
    m = small_model
    mover = ladder_world(m, counter_offer_rate=1.0)
    w = m.workers
    m.now.target = m.now.headcount * 2.0  # the employer is not cutting any role
    old_firm, old_wage = w.employer[mover], w.wage[mover]
    matching.run(m)
    assert m.flows["counter_offers"] == 1 and m.flows["job_to_job_moves"] == 0
    assert w.employer[mover] == old_firm and w.wage[mover] > old_wage * (1.0 + m.p.job_switch_margin) - 1e-6


def test_nobody_moves_job_to_job_for_less_than_their_job_is_worth():
    m = LaborMarket(seed=6, n_workers=3000, worker_agents=False, ojs_search_rate=0.5, remote_amenity_value=0.15)
    p, w = m.p, m.workers
    checked = []
    hire = transitions.hire

    def spy(model, worker, vac, wage, factor, remote, moving):
        moving_job = w.state[worker] == WorkerState.EMPLOYED
        old = w.wage[worker] * matching.amenity(model, worker, w.remote[worker])
        new = wage * matching.amenity(model, worker, remote)
        required = old * (1.0 + p.job_switch_margin) * (1.0 + p.relocation_premium * moving)
        assert (new[moving_job] >= required[moving_job] * (1 - 1e-9)).all()
        checked.append(int(moving_job.sum()))
        hire(model, worker, vac, wage, factor, remote, moving)

    transitions.hire = spy
    try:
        m.run(24)
    finally:
        transitions.hire = hire
    assert sum(checked) > 20  # job-to-job moves happened and each was checked


def test_incumbents_pay_never_falls_while_they_stay_even_in_a_slump():
    m = LaborMarket(seed=7, n_workers=3000, worker_agents=False, demand_shock_size=-0.4, wage_downward_rigidity=1.0)
    w = m.workers
    for _ in range(36):
        before_emp, before_wage, before_start = w.view("employer").copy(), w.view("wage").copy(), w.view("hired_month").copy()
        m.step()
        n = len(before_emp)
        stayed = (before_emp != NO_FIRM) & (w.view("employer")[:n] == before_emp) & (w.view("hired_month")[:n] == before_start)
        assert (w.view("wage")[:n][stayed] >= before_wage[stayed] - 1e-6).all()
    assert (m.wage_index < 1.0).any()  # the market did fall: the rigidity was tested, not assumed


def _old_postings(m, n):
    v = m.vacancies
    v.keep(np.arange(v.n) < n)
    v.posted[:n] = m.month - 50
    v.first_posted[:n] = m.month - 60
    v.need_level[:n] = v.level[:n]
    v.ai_required[:n] = False
    v.pay_premium[:n] = 0.0
    v.reposts[:n] = 0
    return v


def test_an_expired_posting_gets_the_response_the_firm_s_rule_says(small_model):
    m = small_model
    m.p = Params.make(m.p, vacancy_life_months=0.1, vacancy_max_reposts=3, repost_pay_step=0.05,
                      max_vacancy_pay_premium=0.2, give_up_months=6)
    v = _old_postings(m, 4)
    # 0: first expiry → re-post at higher pay; 1: AI posting expired before → drop the AI skill;
    # 2: pay already at the cap → re-post as it was; 3: re-posted enough → give up
    v.ai_required[1], v.reposts[1] = True, 1
    v.reposts[2], v.pay_premium[2] = 1, 0.2
    v.reposts[3] = 3
    firm3, need3 = v.firm[3], v.occupation[3] * N_LEVELS + v.level[3]
    first = v.first_posted[:3].copy()
    base = m.base_need[firm3].reshape(-1)[need3]
    vacancies._expire(m)
    assert v.n == 3 and m.flows["vacancies_expired"] == 4 and m.flows["vacancies_given_up"] == 1
    assert (v.posted[:3] == m.month).all() and (v.first_posted[:3] == first).all()  # the need keeps its age
    assert v.pay_premium[0] == pytest.approx(0.05) and v.reposts[0] == 1
    assert not v.ai_required[1] and v.pay_premium[1] == 0.0
    assert v.pay_premium[2] == pytest.approx(0.2) and v.reposts[2] == 2
    assert m.firms.given_up_until[firm3, need3] == m.month + 6
    assert m.base_need[firm3].reshape(-1)[need3] < base  # the work is given up: the plan needs one worker fewer
    # a need given up is not posted again while it is held, however large the gap
    cell = (firm3 * m.world.n_occupations * N_LEVELS) + need3
    gap = np.zeros(m.base_need.size)
    gap[cell] = 5.0
    n_before = v.n
    vacancies._post(m, gap)
    assert v.n == n_before


def test_a_young_posting_is_rarely_withdrawn_and_an_old_one_usually():
    young = vacancies.withdrawal_probability(np.array([0]), 3.0, 1.5)[0]
    old = vacancies.withdrawal_probability(np.array([12]), 3.0, 1.5)[0]
    assert 0 < young < old < 1
    assert vacancies.withdrawal_probability(np.array([-1]), 3.0, 1.5)[0] == 0.0


def test_a_graduate_with_no_prospects_eventually_leaves_tech(small_model):
    m = small_model
    w = m.workers
    grads = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)[:50]
    w.level[grads] = 0
    w.skills[grads] = 0.0  # eligible for no job
    w.spell[grads] = 0
    w.last_wage[grads] = wages.market_wage(m, w.occupation[grads], w.level[grads]) * m.world.pay_index[w.location[grads]]
    w.reservation_wage[grads] = w.last_wage[grads]
    m.p = Params.make(m.p, return_rate=0.0)  # the exit alone (coming back is tested below)
    left = []
    for _ in range(120):
        m.month += 1
        careers.run(m)
        wages.run(m)  # the reservation wage falls with the spell
        outside_option.run(m)
        left.append((w.state[grads] == WorkerState.OTHER_WORK).mean())
    assert 0 < left[11] < left[59] and left[-1] > 0.9
    assert m.flows["exits_to_other_work"] >= (w.state[grads] == WorkerState.OTHER_WORK).sum()


def test_those_who_would_lose_most_outside_tech_leave_it_slowest(small_model):
    m = small_model
    w = m.workers
    pair = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)[:2]
    w.spell[pair] = 24
    w.location[pair] = 0
    w.reservation_wage[pair] = [m.p.outside_wage * 1.2, m.p.outside_wage * 3.0]  # a graduate, a senior specialist
    h = outside_option.exit_hazard(m, pair)
    assert h[0] > 3 * h[1] > 0


def test_people_come_back_when_their_market_recovers(small_model):
    m = small_model
    w = m.workers
    away = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)[:20]
    transitions.leave_tech(m, away)
    m.now.tightness = m.reference_tightness * 0.5
    slack = outside_option.return_hazard(m, away)
    m.now.tightness = m.reference_tightness * 2.0
    tight = outside_option.return_hazard(m, away)
    assert (tight > slack).all()
    m.month += 120  # long settled elsewhere
    assert (outside_option.return_hazard(m, away) < tight).all()


def test_returners_come_back_with_depreciated_skills(small_model):
    m = small_model
    w = m.workers
    away = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)[:30]
    skills = w.skills[away].copy()
    transitions.leave_tech(m, away)
    m.p = Params.make(m.p, return_rate=1.0, return_memory_months=600.0)
    m.now.tightness = m.reference_tightness * 50.0
    m.month += 24
    outside_option.run(m)
    back = away[w.state[away] == WorkerState.UNEMPLOYED]
    assert len(back) > 0 and m.flows["returns_from_other_work"] >= len(back)  # (+ those away since the burn-in)
    lost = 1.0 - (1.0 - m.p.skill_depreciation) ** 24
    kept = w.skills[back] / np.maximum(skills[np.isin(away, back)], 1e-9)
    assert np.allclose(kept[skills[np.isin(away, back)] > 0], 1.0 - lost, atol=1e-5)


def test_the_eligibility_cache_is_exact_after_years_of_on_the_job_learning():
    m = LaborMarket(seed=9, n_workers=3000, worker_agents=False, ai_learning_rate=0.08).run(48)
    w = m.workers
    fresh = np.flatnonzero(w.view("eligible_fresh"))
    cached = w.eligible[fresh].copy()
    ok, _ = matching._gaps(m, w.skills[fresh])
    exact = (ok * matching._BITS[: ok.shape[1]]).sum(axis=1, dtype=np.uint64)
    assert len(fresh) > 1000 and np.array_equal(cached, exact)


def test_the_burn_in_starts_the_market_in_motion():
    m = LaborMarket(seed=12, n_workers=6000, worker_agents=False).run(6)
    df = m.model_metrics()
    u = df["unemployment_rate"].to_numpy()
    assert np.abs(np.diff(u)).max() < 0.01  # no start-up transient
    assert df["hires"].iloc[0] > 0 and df["mean_tenure"].iloc[0] > 6
    assert df["mismatch_index"].iloc[:7].max() < 0.06
    cold = LaborMarket(seed=12, n_workers=6000, worker_agents=False, burn_in_months=0)
    assert cold.model_metrics()["hires"].iloc[0] == 0  # without a burn-in, month 0 is the built state


def test_the_flow_table_adds_up_to_the_job_to_job_moves():
    m = LaborMarket(seed=13, n_workers=3000, worker_agents=False).run(12)
    moves = m.flow_metrics().groupby("month")["moves"].sum()
    assert (moves.to_numpy() == m.model_metrics()["job_to_job_moves"].to_numpy()).all()
    assert moves.sum() > 0


def test_a_hard_to_fill_need_is_filled_one_level_down_by_a_stand_in_trained_into_it(small_model):
    m = small_model
    m.p = Params.make(m.p, vacancy_life_months=0.1, vacancy_max_reposts=5)
    v = _old_postings(m, 1)
    v.level[0] = v.need_level[0] = 2  # a senior need, re-posted twice already
    v.reposts[0] = 2
    firm, occ = v.firm[0], v.occupation[0]
    m.now.hiring_target[firm, occ, 1] = max(m.now.hiring_target[firm, occ, 1], 1.0)  # the firm hires mids
    vacancies._expire(m)
    assert v.level[0] == 1 and v.need_level[0] == 2 and m.flows["vacancies_stepped_down"] == 1
    # whoever takes it is a stand-in, counted at the level of the need
    w = m.workers
    seeker = np.flatnonzero(w.view("state") == WorkerState.UNEMPLOYED)[:1]
    before = vacancies.staffing_by_need(m).reshape(m.now.headcount.shape)[firm, occ].copy()
    transitions.hire(m, seeker, np.array([0]), np.array([100_000.0]), np.array([1.0]), np.array([False]), np.array([False]))
    assert w.stand_in[seeker[0]] and w.level[seeker[0]] == 1
    after = vacancies.staffing_by_need(m).reshape(m.now.headcount.shape)[firm, occ]
    assert after[2] == before[2] + 1 and after[1] == before[1]
    transitions.promote(m, seeker)  # trained into the need
    assert not w.stand_in[seeker[0]] and w.level[seeker[0]] == 2


def test_a_frozen_junior_level_is_never_used_to_step_down(small_model):
    m = small_model
    m.p = Params.make(m.p, vacancy_life_months=0.1, vacancy_max_reposts=5)
    v = _old_postings(m, 1)
    v.level[0] = v.need_level[0] = 1  # a mid need
    v.reposts[0] = 2
    m.now.hiring_target[v.firm[0], v.occupation[0], 0] = 0.0  # junior freeze
    vacancies._expire(m)
    assert v.level[0] == 1 and m.flows["vacancies_stepped_down"] == 0
