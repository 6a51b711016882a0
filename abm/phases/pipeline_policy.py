"""Phase 10b (after demographics, before accounts) — who pays for the pipeline: firms' retention
levers and the public junior-hiring policy.

The junior → senior pipeline is a public good (seeds/000, seeds/002): a firm that trains juniors
pays for talent its rivals can hire away (job-to-job moves are recorded with the worker's trainer
in ``abm.transitions``), and every firm that stops training saves money now while together they
create the senior shortage of 2028–2030. The levers, all off (0) by default — with every lever at
0 this phase draws no random number and changes nothing:

**Firm levers.** A worker's *trainer* is the firm where they did their junior years.

* *Retention pay*: a firm pays the workers it trained, while they stay and for
  ``retention_pay_months`` after their training ended, ``retention_pay_share`` of their pay on top:

      retention_i = retention_pay_share · w_i / 12      ($/month; never for a worker it did not train)

  It raises the value of staying in the on-the-job comparison (matching: an employee needs
  pay × (1 + retention share) × amenity × (1 + job_switch_margin) from a new job) and lowers the
  pay gap that drives on-the-job search.
* *Training repayment clause*: a worker leaving the trainer for another firm during training or
  within ``training_bond_months`` after it owes the trainer ``training_repayment_months`` months
  of pay (paid at the move, ``abm.transitions``). A bonded worker moves only if the new job repays
  it within ``repayment_payback_months``: the pay they need rises by
  ``training_repayment_months / repayment_payback_months`` × current pay.

**Public levers** (``public_pipeline_spend`` = subsidies − net levy receipts, $/month):

* *Junior wage subsidy*: for ``junior_subsidy_months`` from a junior's hire the public pays the
  employer min(``junior_wage_subsidy`` · w, ``junior_subsidy_cap``)/12 a month (apprentices excepted).
* *Apprenticeships*: ``apprenticeship_slots`` new places a year per 1,000 workers at the start,
  i.e. a standing stock of slots · n_workers/1000 · ``apprenticeship_months``/12 places, shared
  over firm × occupation cells in proportion to the firms' 2022 junior base (largest remainder).
  The places add to the firm's junior headcount and hiring targets (demand phase: even a firm
  with a junior freeze fills them); juniors hired into a cell fill its open places first. The
  public pays ``apprenticeship_pay_share`` of an apprentice's pay. At the end of the term a share
  ``apprenticeship_completion`` completes and is promoted to mid; the others stay juniors
  without the subsidy.
* *Training levy*: a firm that hired a mid-level or more experienced worker in the last
  ``LEVY_WINDOW_MONTHS`` owes ``training_levy`` × its monthly wage bill, less
  ``levy_refund_per_junior`` per junior it employs (never below 0).

**Firms' response.** Firms see a subsidy or refund as a cheaper junior: the demand phase scales
junior labour demand by (1 − c)^−ε, c being the share of a junior's cost the public pays (the
subsidy share within its cap × the share of a junior's years it covers; the marginal refund of a
firm liable to the levy), ε = ``labour_demand_elasticity`` (the same own-wage elasticity as the
market wage index; Hamermesh 1993). A cutting firm's junior freeze is its strategy and stays; the
policies reach it through the apprenticeship places and, with imitation on, through which
strategy pays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm import transitions
from abm.phases.wages import market_pay
from abm.state import NOT_APPRENTICE, WorkerState
from abm.world import JUNIOR

if TYPE_CHECKING:
    from abm.model import LaborMarket
    from abm.params import Params

#: months over which a firm's experienced hires make it liable to the training levy (a year)
LEVY_WINDOW_MONTHS = 12
#: largest share of a junior's cost the firms' demand response counts (keeps (1 − c)^−ε finite)
MAX_JUNIOR_COST_SHARE = 0.9


def active(p: Params) -> bool:
    """Is any lever of this phase on?"""
    return (p.retention_pay_share > 0 or p.junior_wage_subsidy > 0 or p.apprenticeship_slots > 0
            or p.training_levy > 0)


# --- what the other phases ask ------------------------------------------------------------------------
def _trained_here(model: LaborMarket) -> np.ndarray:
    """(n,) employees working for the firm that trained them (whole-column masks: cheaper than gathers)."""
    w = model.workers
    employer = w.view("employer")
    return (w.view("trainer") == employer) & (employer >= 0)


def retained_workers(model: LaborMarket) -> np.ndarray:
    """(n,) workers their employer pays retention: it trained them, and their training ended at most
    ``retention_pay_months`` ago."""
    end, month = model.workers.view("training_end"), model.month
    return _trained_here(model) & (end <= month) & (end > month - model.p.retention_pay_months)


def retained(model: LaborMarket, emp: np.ndarray) -> np.ndarray:
    """Mask of employees ``emp`` their employer pays retention (:func:`retained_workers`)."""
    return retained_workers(model)[emp]


def bonded(model: LaborMarket, emp: np.ndarray) -> np.ndarray:
    """Mask of employees ``emp`` who would owe their employer a training repayment if they left."""
    bound = _trained_here(model) & (model.workers.view("training_end") > model.month - model.p.training_bond_months)
    return bound[emp]


def binds_movers(p: Params) -> bool:
    """Do retention pay or a repayment clause change what a move must pay?"""
    return p.retention_pay_share > 0 or p.training_repayment_months > 0


def retention_factor(model: LaborMarket, emp: np.ndarray) -> np.ndarray:
    """(n,) employees' total pay over their pay: 1 + retention share for those retained, else 1."""
    return 1.0 + model.p.retention_pay_share * retained(model, emp)


def needed_to_move(model: LaborMarket, emp: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """What employees ``emp`` need from another job, given ``needed`` without the pipeline levers:
    retention pay raises the value of staying; a repayment they would owe raises the pay they need."""
    p, w = model.p, model.workers
    out = needed * retention_factor(model, emp) if p.retention_pay_share > 0 else needed.copy()
    if p.training_repayment_months > 0:
        owe = bonded(model, emp)
        out[owe] += w.wage[emp[owe]] * p.training_repayment_months / p.repayment_payback_months
    return out


def junior_cost_share(model: LaborMarket) -> np.ndarray | None:
    """(F, O) share c of a junior's cost the public pays, as firms see it (module docstring), or None
    when no policy lowers it."""
    p, firms, world = model.p, model.firms, model.world
    if p.junior_wage_subsidy == 0 and p.training_levy == 0:
        return None
    pay = market_pay(model)[:, JUNIOR]  # (O,) national junior pay
    covered = min(1.0, p.junior_subsidy_months / max(float(world.months_to_promotion[JUNIOR]), 1.0))
    share = np.broadcast_to(np.minimum(p.junior_wage_subsidy, p.junior_subsidy_cap / pay) * covered,
                            (firms.n, len(pay))).copy()
    if p.training_levy > 0:
        juniors = model.now.headcount[:, :, JUNIOR].sum(axis=1)
        owed = p.training_levy * firms.view("wage_bill")
        refunding = liable(model) & (p.levy_refund_per_junior * juniors < owed)  # an extra junior is refunded
        share += refunding[:, None] * (12.0 * p.levy_refund_per_junior / pay)[None, :]
    return np.clip(share, 0.0, MAX_JUNIOR_COST_SHARE)


def liable(model: LaborMarket) -> np.ndarray:
    """(F,) firms liable to the training levy: an experienced hire within the last year."""
    return model.firms.view("last_experienced_hire") > model.month - LEVY_WINDOW_MONTHS


def place_apprentices(model: LaborMarket) -> None:
    """Share the scheme's standing stock of places over firm × occupation cells in proportion to the
    firms' 2022 junior base (largest-remainder rounding: deterministic)."""
    p = model.p
    total = int(round(p.apprenticeship_slots * p.n_workers / 1000.0 * p.apprenticeship_months / 12.0))
    base = model.base_need[:, :, JUNIOR]
    if total == 0 or base.sum() <= 0:
        return
    exact = (base / base.sum() * total).ravel()
    places = np.floor(exact).astype(np.int64)
    rest = total - int(places.sum())
    places[np.argsort(-(exact - places), kind="stable")[:rest]] += 1
    model.firms.apprentice_places[: model.firms.n] = places.reshape(base.shape)


# --- the month --------------------------------------------------------------------------------------------
def run(model: LaborMarket) -> None:
    if not active(model.p):
        return
    if model.p.apprenticeship_slots > 0:
        _end_apprenticeships(model)
    _retention_pay(model)
    _junior_wage_subsidy(model)
    _apprenticeship_subsidy(model)
    _training_levy(model)


def _pay(model: LaborMarket, firm: np.ndarray, amount: np.ndarray, flow: str, sign: float) -> None:
    """Add ``amount`` ($ this month) to the costs of ``firm`` (sign +1: the firm pays; −1: it receives)."""
    firms = model.firms
    per_firm = np.bincount(firm, weights=amount, minlength=firms.n)
    firms.other_costs[: firms.n] += sign * per_firm
    model.flows[flow] += float(amount.sum())
    model.strategy_flows[flow] += np.bincount(firms.view("strategy"), weights=per_firm, minlength=model.n_strategies)


def retention_payments(model: LaborMarket, emp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(employees paid retention, $ this month each); ``emp``: only among these."""
    w = model.workers
    paid = np.flatnonzero(retained_workers(model)) if emp is None else emp[retained(model, emp)]
    return paid, model.p.retention_pay_share * w.wage[paid] / 12.0


def _retention_pay(model: LaborMarket) -> None:
    if model.p.retention_pay_share == 0:
        return
    paid, amount = retention_payments(model)
    _pay(model, model.workers.employer[paid], amount, "retention_payments", +1.0)


def subsidised_juniors(model: LaborMarket) -> tuple[np.ndarray, np.ndarray]:
    """(juniors whose pay is subsidised this month, $ this month each): employed juniors, not
    apprentices, hired less than ``junior_subsidy_months`` ago."""
    p, w = model.p, model.workers
    who = np.flatnonzero((w.view("state") == WorkerState.EMPLOYED) & (w.view("level") == JUNIOR)
                         & (w.view("apprentice_until") == NOT_APPRENTICE)
                         & (w.view("training_start") > model.month - p.junior_subsidy_months))
    return who, np.minimum(p.junior_wage_subsidy * w.wage[who], p.junior_subsidy_cap) / 12.0


def _junior_wage_subsidy(model: LaborMarket) -> None:
    if model.p.junior_wage_subsidy == 0:
        return
    who, amount = subsidised_juniors(model)
    _pay(model, model.workers.employer[who], amount, "junior_wage_subsidies", -1.0)


def _apprenticeship_subsidy(model: LaborMarket) -> None:
    if model.p.apprenticeship_slots == 0:
        return
    w = model.workers
    who = np.flatnonzero(w.view("apprentice_until") != NOT_APPRENTICE)  # apprentices are employed (invariant)
    _pay(model, w.employer[who], model.p.apprenticeship_pay_share * w.wage[who] / 12.0, "apprenticeship_subsidies", -1.0)


def _training_levy(model: LaborMarket) -> None:
    p, w, firms = model.p, model.workers, model.firms
    if p.training_levy == 0:
        return
    emp = np.flatnonzero(w.view("state") == WorkerState.EMPLOYED)
    wage_bill = np.bincount(w.employer[emp], weights=w.wage[emp] / 12.0, minlength=firms.n)
    juniors = model.now.headcount[:, :, JUNIOR].sum(axis=1)
    owed = liable(model) * p.training_levy * wage_bill
    net = np.maximum(owed - p.levy_refund_per_junior * juniors, 0.0)
    _pay(model, np.arange(firms.n), net, "training_levy_receipts", +1.0)


def _end_apprenticeships(model: LaborMarket) -> None:
    """Apprenticeships whose term is over: a share ``apprenticeship_completion`` completes and is
    promoted to mid; the others stay juniors without the subsidy."""
    w = model.workers
    until = w.view("apprentice_until")
    ending = np.flatnonzero((until != NOT_APPRENTICE) & (until <= model.month))
    if len(ending) == 0:
        return
    transitions.end_apprenticeships(model, ending, model.rng.random(len(ending)) < model.p.apprenticeship_completion)
