"""The pipeline as a public good (issue 11): the training record and poaching, retention pay and
repayment clauses, strategy imitation, and the public junior-hiring policies — each on a hand-arranged
world or against an independent recount, plus the rule that every lever at its default changes nothing."""

import types

import numpy as np
import pandas as pd
import pytest
from worlds import ladder_world

import abm.model
from abm import LaborMarket, Params, transitions
from abm.invariants import run_checked
from abm.phases import PIPELINE, accounts, imitation, matching, pipeline_policy
from abm.state import NO_FIRM, NOT_APPRENTICE, NOT_TRAINED, WorkerState
from abm.strategies import STRATEGY_NAMES
from abm.world import JUNIOR, MID

ALL_LEVERS = dict(retention_pay_share=0.15, training_repayment_months=4.0, imitation_rate=3.0, strategy_review_months=6,
                  junior_wage_subsidy=0.4, apprenticeship_slots=15.0, training_levy=0.03)
TABLES = ("model_metrics", "cluster_metrics", "firm_metrics", "location_metrics", "pay_metrics", "flow_metrics")


def employed(m):
    return np.flatnonzero(m.workers.view("state") == WorkerState.EMPLOYED)


# --- every lever off: nothing changes ------------------------------------------------------------------------
@pytest.mark.parametrize("inactive", [{}, dict(strategy_review_months=2, imitation_sample=30, imitation_noise=3.0,
                                               switch_cost_months=6.0, retention_pay_months=5, training_bond_months=99,
                                               junior_subsidy_cap=1.0, apprenticeship_pay_share=1.0, levy_refund_per_junior=0.0)])
def test_levers_at_zero_give_bit_identical_outputs_to_the_model_without_the_mechanisms(monkeypatch, inactive):
    """imitation_rate = 0 and every other lever at 0 (whatever the parameters that only matter when a
    lever is on): the same tables, bit for bit, and the same random stream as a run in which the new
    phases are not in the month and the hooks in demand and matching are never asked."""
    with_code = LaborMarket(seed=21, n_workers=2500, worker_agents=False, **inactive).run(40)

    monkeypatch.setattr(abm.model, "PIPELINE", tuple(ph for ph in PIPELINE if ph not in (imitation, pipeline_policy)))
    monkeypatch.setattr(pipeline_policy, "junior_cost_share", lambda model: None)
    monkeypatch.setattr(pipeline_policy, "binds_movers", lambda p: False)
    without = LaborMarket(seed=21, n_workers=2500, worker_agents=False, **inactive).run(40)

    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(with_code, table)(), getattr(without, table)(), check_exact=True)
    assert with_code.rng.bit_generator.state == without.rng.bit_generator.state
    assert (with_code.workers.view("wage") == without.workers.view("wage")).all()
    assert with_code.model_metrics()["strategy_switches"].sum() == 0
    assert with_code.model_metrics()["public_pipeline_spend"].abs().sum() == 0


def test_same_seed_same_run_with_every_lever_on():
    a = LaborMarket(seed=8, n_workers=2000, worker_agents=False, **ALL_LEVERS).run(30)
    b = LaborMarket(seed=8, n_workers=2000, worker_agents=False, **ALL_LEVERS).run(30)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table)(), getattr(b, table)(), check_exact=True)
    assert (a.firms.view("strategy") == b.firms.view("strategy")).all()


def test_invariants_hold_every_month_with_every_lever_on():
    m = run_checked(LaborMarket(seed=12, n_workers=3000, worker_agents=False, **ALL_LEVERS), 48)
    md = m.model_metrics()
    assert md["strategy_switches"].sum() > 0 and md["apprentices"].max() > 0
    assert md["retention_payments"].sum() > 0 and md["junior_wage_subsidies"].sum() > 0


# --- the training record and poaching --------------------------------------------------------------------------
def test_a_junior_hire_makes_the_firm_the_trainer_and_promotion_ends_the_training(small_model):
    m = small_model
    w = m.workers
    juniors = employed(m)[w.level[employed(m)] == JUNIOR]
    assert (w.trainer[juniors] == w.employer[juniors]).all() and (w.training_end[juniors] == NOT_TRAINED).all()
    seniors = employed(m)[w.level[employed(m)] >= MID]
    assert np.isin(w.trainer[seniors], [NO_FIRM]).mean() > 0.9  # the 2022 mid-career were trained outside the model
    one = juniors[:5]
    transitions.promote(m, one)
    assert (w.training_end[one] == m.month).all() and (w.trainer[one] == w.employer[one]).all()
    assert m.strategy_flows["juniors_trained"].sum() == 5


def trained_mover_world(m, **params):
    """As the ladder world of test_flows: one underpaid employee who would move up the ladder, here
    a worker their employer trained and who finished training last month."""
    mover = ladder_world(m, pick=lambda m, emp: emp[m.workers.level[emp] == MID][0], **params)
    w = m.workers
    w.trainer[mover] = w.employer[mover]
    w.training_start[mover] = m.month - 30
    w.training_end[mover] = m.month - 1
    return mover


def test_a_move_away_from_the_trainer_is_recorded_as_a_poached_trained_worker(small_model):
    m = small_model
    mover = trained_mover_world(m)
    w = m.workers
    trainer = w.employer[mover]
    matching.run(m)
    assert w.employer[mover] != trainer and m.flows["poached_trained_workers"] == 1
    assert m.moves_from_trainer.sum() == 1 and m.moves.sum() == 1
    from_s, to_s, trainer_s, level = np.argwhere(m.moves_from_trainer)[0]
    assert trainer_s == m.firms.strategy[trainer] == from_s and level == MID
    assert m.move_training_months.sum() == 29  # junior from month − 30 to month − 1
    assert m.strategy_flows["trained_workers_lost"][m.firms.strategy[trainer]] == 1
    assert w.trainer[mover] == trainer  # the record keeps who trained them


def test_a_repayment_clause_keeps_a_bonded_worker_who_would_otherwise_move(small_model):
    m = small_model
    mover = trained_mover_world(m, training_repayment_months=24.0)  # owes two years' pay: needs 3× pay to move
    trainer, before = m.workers.employer[mover], m.firms.other_costs[: m.firms.n].copy()
    matching.run(m)
    assert m.workers.employer[mover] == trainer and m.flows["poached_trained_workers"] == 0
    assert (m.firms.other_costs[: m.firms.n] == before).all()


def test_a_bonded_mover_repays_the_trainer(small_model):
    m = small_model
    mover = trained_mover_world(m, training_repayment_months=1.0, repayment_payback_months=120.0)
    trainer, pay = m.workers.employer[mover], m.workers.wage[mover]
    costs = m.firms.other_costs[trainer]
    matching.run(m)
    assert m.workers.employer[mover] != trainer
    assert m.flows["training_repayments"] == pytest.approx(pay / 12.0)
    assert m.firms.other_costs[trainer] == pytest.approx(costs - pay / 12.0)


def test_a_repayment_clause_lowers_the_moves_of_trained_workers():
    runs = {k: LaborMarket(seed=5, n_workers=4000, worker_agents=False, training_repayment_months=k).run(48).model_metrics()
            for k in (0.0, 6.0)}
    poached = {k: df["poached_trained_workers"].sum() for k, df in runs.items()}
    assert poached[6.0] < 0.6 * poached[0.0], poached
    assert runs[6.0]["training_repayments"].sum() > 0


def test_retention_pay_lowers_the_moves_of_trained_workers():
    """Retention pay covers workers whose training has ended: their moves away from the trainer (into
    mid-level jobs and above) fall; juniors still in training are not covered."""
    def poached_after_training(share):
        fl = LaborMarket(seed=5, n_workers=4000, worker_agents=False, retention_pay_share=share).run(48).flow_metrics()
        return fl.loc[fl["level"] != "junior", "moves_from_trainer"].sum()

    base, retained = poached_after_training(0.0), poached_after_training(0.3)
    assert retained < 0.5 * base, (base, retained)


def test_a_firm_never_pays_retention_to_a_worker_it_did_not_train():
    m = LaborMarket(seed=7, n_workers=3000, worker_agents=False, retention_pay_share=0.2).run(36)
    w = m.workers
    emp = employed(m)
    # a worker trained at one firm who now works at another
    outsider = emp[(w.trainer[emp] != NO_FIRM) & (w.trainer[emp] != w.employer[emp])]
    assert len(outsider) > 0
    paid, amount = pipeline_policy.retention_payments(m, emp)
    assert (w.trainer[paid] == w.employer[paid]).all() and not np.isin(outsider, paid).any()
    # what each firm is charged is exactly the retention of the workers it trained and employs
    m.firms.other_costs[: m.firms.n] = 0.0
    pipeline_policy._retention_pay(m)
    own = (w.trainer[emp] == w.employer[emp]) & (w.training_end[emp] <= m.month) \
        & (m.month - w.training_end[emp].astype(np.int64) < m.p.retention_pay_months)
    expected = np.bincount(w.employer[emp[own]], weights=0.2 * w.wage[emp[own]] / 12.0, minlength=m.firms.n)
    np.testing.assert_allclose(m.firms.other_costs[: m.firms.n], expected)
    trains_none = np.bincount(w.employer[emp[own]], minlength=m.firms.n) == 0
    assert trains_none.any() and (m.firms.other_costs[: m.firms.n][trains_none] == 0).all()


# --- strategy imitation ---------------------------------------------------------------------------------------------
def bonus_accounts(strategy_code, per_worker_year):
    """The accounts phase, with firms of one strategy made more profitable by construction."""
    def run(model):
        accounts.run(model)
        firms = model.firms
        lucky = firms.view("strategy") == strategy_code
        bonus = per_worker_year / 12.0 * model.now.headcount.sum(axis=(1, 2))
        firms.profit[: firms.n] += np.where(lucky, bonus, 0.0)
    return types.SimpleNamespace(run=run)


def test_with_imitation_the_strategy_made_more_profitable_spreads(monkeypatch):
    code = STRATEGY_NAMES.index("non_adopting")
    pipeline = tuple(bonus_accounts(code, 200_000.0) if ph is accounts else ph for ph in PIPELINE)
    monkeypatch.setattr(abm.model, "PIPELINE", pipeline)
    m = run_checked(LaborMarket(seed=3, n_workers=3000, worker_agents=False, imitation_rate=2.0,
                                strategy_review_months=6, imitation_noise=0.2), 48)
    firms = m.firm_metrics().pivot_table(index="month", columns="strategy", values="firms", observed=False)
    share = firms["non_adopting"] / firms.sum(axis=1)
    assert share.iloc[-1] > share.iloc[0] + 0.3, share.iloc[[0, -1]]
    assert (np.diff(share.to_numpy()) >= 0).mean() > 0.9  # it rises (firms seldom leave it)
    fm = m.firm_metrics()
    assert fm.loc[fm.strategy == "non_adopting", "switched_in"].sum() > 0


def test_no_imitation_without_a_gap_and_certain_imitation_of_a_big_one(small_model):
    m = small_model
    m.p = Params.make(m.p, imitation_rate=10.0, imitation_noise=0.0, imitation_sample=50)
    firms = m.firms
    n = firms.n
    strategy = firms.view("strategy")
    cut, cc = STRATEGY_NAMES.index("cutting"), STRATEGY_NAMES.index("counter_cyclical")
    strategy[:] = cut
    strategy[: n // 2] = cc
    avg = firms.view("profit_per_worker")
    avg[:] = 10_000.0
    avg[strategy == cc] = 50_000.0  # counter-cyclical firms earn five times as much
    reviewing = np.arange(n)
    switch, new = imitation.choose(m, reviewing, np.ones(n, dtype=bool))
    assert set(switch.tolist()) == set(np.flatnonzero(strategy == cut).tolist())  # every cutting firm copies
    assert (new == cc).all()
    avg[:] = 10_000.0  # no gap: nobody moves
    switch, _ = imitation.choose(m, reviewing, np.ones(n, dtype=bool))
    assert len(switch) == 0


def test_a_switch_costs_a_month_of_wage_bill_and_changes_the_strategy(small_model):
    m = small_model
    firms = m.firms
    firms.view("wage_bill")[:] = 1_000.0
    firms.view("other_costs")[:] = 0.0
    old = int(firms.strategy[0])
    new = (old + 1) % m.n_strategies
    transitions.switch_strategy(m, np.array([0]), np.array([new], dtype=np.int8))
    assert firms.strategy[0] == new and firms.other_costs[0] == pytest.approx(m.p.switch_cost_months * 1_000.0)
    assert m.strategy_flows["switched_in"][new] == 1 and m.strategy_flows["switched_out"][old] == 1
    assert m.flows["strategy_switches"] == 1


def test_reviews_are_staggered_every_review_period(small_model):
    m = small_model
    m.p = Params.make(m.p, strategy_review_months=4)
    seen = np.zeros(m.firms.n, dtype=int)
    for month in range(4, 12):
        m.month = month
        seen += imitation.due_for_review(m)
    assert (seen == 2).all()  # each firm twice in 8 months, a quarter of them each month
    m.month = 2
    assert not imitation.due_for_review(m).any()


# --- the public levers --------------------------------------------------------------------------------------------------
def test_subsidy_spend_equals_the_sum_over_subsidised_juniors():
    m = LaborMarket(seed=9, n_workers=3000, worker_agents=False, junior_wage_subsidy=0.4, junior_subsidy_cap=20_000.0,
                    junior_subsidy_months=12)
    for _ in range(24):
        m.step()
        w = m.workers
        emp = employed(m)
        junior = emp[(w.level[emp] == JUNIOR) & (m.month - w.hired_month[emp] < 12)]
        expected = np.minimum(0.4 * w.wage[junior], 20_000.0).sum() / 12.0
        assert m.current["junior_wage_subsidies"] == pytest.approx(expected, rel=1e-12)
        assert m.current["public_pipeline_spend"] == pytest.approx(expected, rel=1e-12)
    fm = m.firm_metrics()
    assert fm.groupby("month")["public_support"].sum().iloc[-1] == pytest.approx(m.current["junior_wage_subsidies"])


def test_a_junior_subsidy_raises_junior_hiring():
    hires = {s: LaborMarket(seed=4, n_workers=4000, worker_agents=False, junior_wage_subsidy=s).run(48)
             .model_metrics()["junior_hires"].sum() for s in (0.0, 0.6)}
    assert hires[0.6] > hires[0.0], hires


def test_apprenticeships_fill_places_even_at_freezing_firms_and_completers_become_mids():
    m = run_checked(LaborMarket(seed=6, n_workers=4000, worker_agents=False, apprenticeship_slots=20.0,
                                apprenticeship_months=12, apprenticeship_completion=1.0), 40)
    md = m.model_metrics()
    places = int(m.firms.apprentice_places[: m.firms.n].sum())
    assert places == round(20.0 * 4000 / 1000 * 12 / 12)
    assert 0 < md["apprentices"].max() <= places
    assert md["apprenticeships_completed"].sum() > 0
    w = m.workers
    appr = np.flatnonzero(w.view("apprentice_until") != NOT_APPRENTICE)
    cutting = STRATEGY_NAMES.index("cutting")
    assert (m.firms.strategy[w.employer[appr]] == cutting).any()  # a junior freeze does not stop the scheme
    spend = m.p.apprenticeship_pay_share * w.wage[appr].sum() / 12.0
    assert m.current["apprenticeship_subsidies"] == pytest.approx(spend, rel=1e-12)


def test_the_levy_falls_on_firms_that_hire_experienced_workers_without_training(small_model):
    m = small_model
    m.p = Params.make(m.p, training_levy=0.05, levy_refund_per_junior=1_000.0)
    firms, w = m.firms, m.workers
    emp = employed(m)
    hc_juniors = m.now.headcount[:, :, JUNIOR].sum(axis=1)
    bill = np.bincount(w.employer[emp], weights=w.wage[emp] / 12.0, minlength=firms.n)
    juniors_per_bill = hc_juniors / np.maximum(bill, 1.0)
    trainer_firm = int(np.argmax(juniors_per_bill))  # trains the most for its size …
    taker = int(np.argmin(juniors_per_bill))  # … trains the least
    firms.view("last_experienced_hire")[:] = m.month - 100  # nobody hired experienced workers lately …
    firms.last_experienced_hire[[taker, trainer_firm]] = m.month  # … but these two
    firms.view("other_costs")[:] = 0.0
    pipeline_policy._training_levy(m)
    assert firms.other_costs[taker] == pytest.approx(max(0.0, 0.05 * bill[taker] - 1_000.0 * hc_juniors[taker]))
    assert firms.other_costs[taker] > 0
    assert firms.other_costs[trainer_firm] == pytest.approx(max(0.0, 0.05 * bill[trainer_firm] - 1_000.0 * hc_juniors[trainer_firm]))
    assert firms.other_costs[trainer_firm] / bill[trainer_firm] < firms.other_costs[taker] / bill[taker]
    others = np.setdiff1d(np.arange(firms.n), [taker, trainer_firm])
    assert (firms.other_costs[others] == 0).all()
    assert m.flows["training_levy_receipts"] == pytest.approx(firms.other_costs[: firms.n].sum())


# --- outputs -------------------------------------------------------------------------------------------------------------------
def test_flow_table_records_the_trainer_and_adds_up_to_the_moves():
    m = LaborMarket(seed=2, n_workers=3000, worker_agents=False).run(24)
    fl, md = m.flow_metrics(), m.model_metrics()
    assert list(fl["trainer_strategy"].cat.categories) == [*STRATEGY_NAMES, "none"]
    by_month = fl.groupby("month")[["moves", "moves_from_trainer"]].sum()
    assert (by_month["moves"].to_numpy() == md["job_to_job_moves"].to_numpy()).all()
    assert (by_month["moves_from_trainer"].to_numpy() == md["poached_trained_workers"].to_numpy()).all()
    assert md["poached_trained_workers"].sum() > 0
    untrained = fl[fl.trainer_strategy == "none"]
    assert untrained["moves_from_trainer"].sum() == 0 and untrained["mean_training_months"].sum() == 0
    poached = fl[fl.moves_from_trainer > 0]
    assert (fl["mean_training_months"] >= 0).all() and poached["mean_training_months"].mean() > 3
    fm = m.firm_metrics()
    assert (fm["pipeline_balance"] == fm["juniors_trained"] - fm["experienced_hires_from_others"]).all()
    assert fm.groupby("month")["juniors_trained"].sum().sum() == md["juniors_trained"].sum()


def test_money_columns_are_floats_even_when_no_money_flows():
    """Batch tables concatenate runs with and without a policy: a money column must never be an integer 0."""
    md = LaborMarket(seed=1, n_workers=500, worker_agents=False).run(2).model_metrics()
    for col in ("training_repayments", "retention_payments", "junior_wage_subsidies", "apprenticeship_subsidies",
                "training_levy_receipts", "public_pipeline_spend"):
        assert md[col].dtype == np.float64, col
