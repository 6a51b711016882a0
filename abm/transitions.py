"""Every change of a worker's state, in one place.

A worker is always in exactly one state (``abm.state.WorkerState``)::

    EMPLOYED ──layoff / discharge / quit──▶ UNEMPLOYED ──hire──▶ EMPLOYED
    EMPLOYED ──job-to-job move──▶ EMPLOYED (another firm)
    EMPLOYED ──sponsored retraining──▶ RETRAINING ──return──▶ EMPLOYED (the sponsor)
    UNEMPLOYED ──enrol──▶ RETRAINING ──complete / drop out──▶ UNEMPLOYED
    UNEMPLOYED ──leave tech──▶ OTHER_WORK ──come back──▶ UNEMPLOYED
    any state ──retire──▶ RETIRED                     (graduates enter as UNEMPLOYED)

The phases decide *who* moves; the functions here do the moving, vectorised over index arrays,
and keep everything that depends on it consistent: the worker columns, the firms' headcounts
(``model.now.headcount``), the month's flow counters (``model.flows``, ``model.cluster_flows``,
``model.strategy_flows``, ``model.moves``) and the eligibility cache (``eligible_fresh``). No phase
writes a worker's ``state`` or ``employer`` itself.

**The training record** (the pipeline, issue 11) is kept here too. Taking a junior job makes the
hiring firm the worker's ``trainer`` and restarts their training (``training_start``); promotion
out of junior at the trainer ends it (``training_end``) and counts a junior trained. Every
job-to-job move is recorded with the strategy of the worker's trainer and their months of
training; a move away from the trainer is a poached trained worker, and a worker bound by a
repayment clause pays the trainer back. A firm's strategy changes only through
:func:`switch_strategy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.arrays import all_distinct, rank_within_groups
from abm.invariants import InvariantError
from abm.state import NO_FIRM, NO_OCC, NOT_APPRENTICE, NOT_TRAINED, WorkerState
from abm.world import JUNIOR, MID, N_LEVELS, SENIOR, cell_index

if TYPE_CHECKING:
    from abm.model import LaborMarket


# --- jobs: the headcount bookkeeping shared by every entry and exit -------------------------------
def _count(model: LaborMarket, idx: np.ndarray, sign: int) -> None:
    """Add ``sign`` to the headcount cells of employees ``idx`` (before they leave / after they join)."""
    w = model.workers
    cells = cell_index(w.employer[idx], w.occupation[idx], w.level[idx], model.world.n_occupations)
    np.add.at(model.now.headcount.reshape(-1), cells, sign)


def _leave_job(model: LaborMarket, idx: np.ndarray) -> np.ndarray:
    """Employment columns of leavers cleared; returns the firms they left."""
    w = model.workers
    _count(model, idx, -1)
    firm = w.employer[idx].copy()
    w.last_wage[idx] = w.wage[idx]
    w.wage[idx] = 0.0
    w.pay_factor[idx] = 0.0
    w.employer[idx] = NO_FIRM
    w.remote[idx] = False
    w.stand_in[idx] = False
    w.apprentice_until[idx] = NOT_APPRENTICE  # an apprenticeship ends with the job
    return firm


def _take_job(model: LaborMarket, idx: np.ndarray, firm: np.ndarray, occupation: np.ndarray, level: np.ndarray,
              wage: np.ndarray, factor: np.ndarray, remote: np.ndarray) -> None:
    w = model.workers
    w.months_in_level[idx] = np.where(w.level[idx] == level, w.months_in_level[idx], 0)
    w.state[idx] = WorkerState.EMPLOYED
    w.employer[idx] = firm
    w.occupation[idx] = occupation
    w.level[idx] = level
    w.wage[idx] = wage
    w.pay_factor[idx] = factor
    w.remote[idx] = remote
    w.spell[idx] = 0
    w.hired_month[idx] = model.month
    _count(model, idx, +1)
    junior = level == JUNIOR  # a junior job: the firm trains the worker from now on
    w.trainer[idx[junior]] = firm[junior]
    w.training_start[idx[junior]] = model.month
    w.training_end[idx[junior]] = NOT_TRAINED


def _to_search(model: LaborMarket, idx: np.ndarray) -> None:
    """Into the job-seeker state: a new spell, the last wage as reservation wage (skills, and so the
    eligibility cache, are unchanged by losing a job)."""
    w = model.workers
    w.state[idx] = WorkerState.UNEMPLOYED
    w.reservation_wage[idx] = w.last_wage[idx]
    w.spell[idx] = 0


# --- entries into employment ------------------------------------------------------------------------
def hire(model: LaborMarket, worker: np.ndarray, vac: np.ndarray, wage: np.ndarray, factor: np.ndarray,
         remote: np.ndarray, moving: np.ndarray) -> None:
    """Fill vacancies ``vac`` with ``worker`` (job seekers, or employees moving job to job) at ``wage``.

    A job-to-job move is a quit for the old firm (its replacement vacancy follows from its gap next
    month) and a hire for the new one; it is recorded by (old strategy, new strategy, trainer's
    strategy, level) — see :func:`_record_moves`. A hire at mid level or above of a worker the firm
    did not train is an experienced hire from others. Junior hires fill the firm's open
    apprenticeship places first.
    """
    w, v, firms, f = model.workers, model.vacancies, model.firms, model.flows
    if not (all_distinct(vac) and all_distinct(worker)):
        raise InvariantError("a vacancy would be filled twice or a worker hired twice in one month")
    firm = v.firm[vac]
    occupation, level = v.occupation[vac], v.level[vac]
    moved = w.state[worker] == WorkerState.EMPLOYED
    movers = worker[moved]
    if len(movers):
        old_firm = _leave_job(model, movers)
        _record_moves(model, movers, old_firm, firm[moved], level[moved])
        model.count_by_cluster("job_to_job_moves", occupation[moved])
        f["job_to_job_moves"] += len(movers)
        f["job_to_job_pay_gain_sum"] += float((wage[moved] / np.maximum(w.last_wage[movers], 1.0) - 1.0).sum())
    rehired = w.laid_off_by[worker] == firm
    experienced = level >= MID
    if experienced.any():
        from_others = experienced & (w.trainer[worker] != firm)
        model.strategy_flows["experienced_hires_from_others"] += np.bincount(
            firms.strategy[firm[from_others]], minlength=model.n_strategies)
        firms.last_experienced_hire[firm[experienced]] = model.month
    _take_job(model, worker, firm, occupation, level, wage, factor, remote)
    w.stand_in[worker] = v.need_level[vac] > level  # hired one level below the need: trained into it
    if model.p.apprenticeship_slots > 0:
        junior = level == JUNIOR
        _start_apprenticeships(model, worker[junior], firm[junior], occupation[junior])
    w.location[worker] = np.where(moving, firms.location[firm], w.location[worker])
    retrained = w.retrained[worker]
    age = model.month - v.first_posted[vac]  # the recruiting cycle: from the first posting of the need

    f["hires"] += len(worker)
    f["market_hires"] += len(worker)
    f["hires_from_search"] += len(worker) - len(movers)
    f["junior_hires"] += int((level == JUNIOR).sum())
    f["rehires"] += int(rehired.sum())
    ai_job = model.world.is_ai_occupation[occupation]
    f["ai_hires"] += int(ai_job.sum())
    f["ai_rehires"] += int((rehired & ai_job).sum())
    f["relocations"] += int(moving.sum())
    f["retrained_hires"] += int(retrained.sum())
    f["retrained_hire_wage_sum"] += float(wage[retrained].sum())
    is_senior = level >= SENIOR
    f["senior_filled"] += int(is_senior.sum())
    f["senior_filled_duration"] += float(age[is_senior].sum())
    model.count_by_cluster("hires", occupation)
    model.count_by_cluster("hires_from_search", occupation[~moved])
    model.count_by_cluster("filled_duration", occupation, weights=age)
    model.count_by_cluster("filled", occupation)
    firms.other_costs[: firms.n] += np.bincount(firm, weights=wage * model.p.hiring_cost, minlength=firms.n)
    filled = np.zeros(v.n, dtype=bool)
    filled[vac] = True
    v.keep(~filled)


def _record_moves(model: LaborMarket, movers: np.ndarray, old_firm: np.ndarray, new_firm: np.ndarray,
                  level: np.ndarray) -> None:
    """Job-to-job ``movers`` (already out of ``old_firm``) by (strategy left, strategy joined, trainer's
    strategy — ``n_strategies`` for no trainer —, new level), with their months of training. A
    move away from the trainer is a poached trained worker; within the repayment clause's reach
    (during training or ``training_bond_months`` after it) the mover pays the trainer
    ``training_repayment_months`` months of the pay they had there."""
    w, firms, p = model.workers, model.firms, model.p
    S = model.n_strategies
    trainer = w.trainer[movers]
    trained = trainer != NO_FIRM
    trainer_strategy = np.where(trained, firms.strategy[np.maximum(trainer, 0)], S).astype(np.int64)
    end = w.training_end[movers]
    months = np.where(trained, np.minimum(end, model.month).astype(np.int64) - w.training_start[movers], 0)
    key = ((firms.strategy[old_firm].astype(np.int64) * S + firms.strategy[new_firm]) * (S + 1)
           + trainer_strategy) * N_LEVELS + level
    size, shape = model.moves.size, model.moves.shape
    from_trainer = trainer == old_firm
    model.moves += np.bincount(key, minlength=size).reshape(shape)
    model.moves_from_trainer += np.bincount(key[from_trainer], minlength=size).reshape(shape)
    model.move_training_months += np.bincount(key, weights=months, minlength=size).reshape(shape)
    model.flows["poached_trained_workers"] += int(from_trainer.sum())
    model.strategy_flows["trained_workers_lost"] += np.bincount(firms.strategy[old_firm[from_trainer]], minlength=S)
    if p.training_repayment_months > 0:
        bonded = from_trainer & (end > model.month - p.training_bond_months)  # NOT_TRAINED: still in training
        owed = p.training_repayment_months * w.last_wage[movers[bonded]] / 12.0
        firms.other_costs[: firms.n] -= np.bincount(old_firm[bonded], weights=owed, minlength=firms.n)
        model.flows["training_repayments"] += float(owed.sum())


def _start_apprenticeships(model: LaborMarket, juniors: np.ndarray, firm: np.ndarray, occupation: np.ndarray) -> None:
    """New ``juniors`` fill the open apprenticeship places of their firm × occupation, in hiring order;
    an apprenticeship ends ``apprenticeship_months`` later (``abm.phases.pipeline_policy``)."""
    if len(juniors) == 0:
        return
    w, firms = model.workers, model.firms
    O = model.world.n_occupations
    places = firms.apprentice_places[: firms.n].ravel()
    current = np.flatnonzero(w.view("apprentice_until") != NOT_APPRENTICE)
    taken = np.bincount(w.employer[current].astype(np.int64) * O + w.occupation[current], minlength=places.size)
    cell = firm.astype(np.int64) * O + occupation
    fills = rank_within_groups(cell, np.arange(len(cell))) < (places - taken)[cell]
    w.apprentice_until[juniors[fills]] = model.month + model.p.apprenticeship_months
    model.flows["apprenticeships_started"] += int(fills.sum())


def return_to_sponsor(model: LaborMarket, idx: np.ndarray, wage: np.ndarray, factor: np.ndarray, remote: np.ndarray) -> None:
    """Sponsored trainees who completed their programme take the job their sponsor trained them for."""
    w = model.workers
    firm = w.training_sponsor[idx]
    _take_job(model, idx, firm, w.occupation[idx], w.level[idx], wage, factor, remote)
    w.training_sponsor[idx] = NO_FIRM
    model.flows["hires"] += len(idx)
    model.flows["sponsored_returns"] += len(idx)


def promote(model: LaborMarket, idx: np.ndarray) -> None:
    """Employees move up one level at their firm; pay rises along the occupation's pay ladder."""
    w, world = model.workers, model.world
    _count(model, idx, -1)
    old, occ = w.level[idx], w.occupation[idx]
    w.wage[idx] *= world.base_pay[occ, old + 1] / world.base_pay[occ, old]
    w.level[idx] = old + 1
    w.months_in_level[idx] = 0
    w.stand_in[idx] = False
    _count(model, idx, +1)
    model.flows["promotions"] += len(idx)
    # out of junior: training at the trainer ends (a junior's trainer is always their employer)
    done = idx[old == JUNIOR]
    w.training_end[done] = model.month
    w.apprentice_until[done] = NOT_APPRENTICE
    model.strategy_flows["juniors_trained"] += np.bincount(
        model.firms.strategy[w.employer[done]], minlength=model.n_strategies)


def end_apprenticeships(model: LaborMarket, idx: np.ndarray, completed: np.ndarray) -> None:
    """Apprentices ``idx`` at the end of their term: those ``completed`` (mask) qualify and are promoted
    to mid; the others stay juniors without the apprenticeship subsidy."""
    model.workers.apprentice_until[idx] = NOT_APPRENTICE
    model.flows["apprenticeships_completed"] += int(completed.sum())
    promote(model, idx[completed])


# --- exits from employment ----------------------------------------------------------------------------
def lay_off(model: LaborMarket, idx: np.ndarray) -> None:
    """Structural layoffs (the strategy's cuts): severance paid, the firm remembered for rehiring."""
    w, firms = model.workers, model.firms
    firms.other_costs[: firms.n] += np.bincount(
        w.employer[idx], weights=w.wage[idx] * model.p.severance_months / 12.0, minlength=firms.n)
    model.count_by_cluster("layoffs", w.occupation[idx])
    firm = _leave_job(model, idx)
    firms.layoff_risk[: firms.n] += np.bincount(firm, minlength=firms.n) / np.maximum(model.now.headcount.sum(axis=(1, 2)), 1)
    w.laid_off_by[idx] = firm
    _to_search(model, idx)
    model.flows["layoffs"] += len(idx)


def discharge(model: LaborMarket, idx: np.ndarray) -> None:
    """Match-specific dismissals (performance, fit): into search, no severance, no rehiring preference."""
    _leave_job(model, idx)
    _to_search(model, idx)
    model.flows["discharges"] += len(idx)


def quit_to_search(model: LaborMarket, idx: np.ndarray) -> None:
    """Employees who quit without another job lined up."""
    _leave_job(model, idx)
    _to_search(model, idx)
    model.flows["quits_to_unemployment"] += len(idx)


# --- retraining ------------------------------------------------------------------------------------------
def enrol(model: LaborMarket, idx: np.ndarray, target: np.ndarray, sponsor: np.ndarray, months: np.ndarray) -> None:
    """Job seekers (sponsor NO_FIRM) or employees sent by their firm start a programme towards ``target``."""
    w = model.workers
    sponsored = sponsor != NO_FIRM
    if sponsored.any():
        _leave_job(model, idx[sponsored])
        model.flows["to_sponsored_retraining"] += int(sponsored.sum())
    w.state[idx] = WorkerState.RETRAINING
    w.training_target[idx] = target
    w.training_left[idx] = months
    w.training_start_capability[idx] = model.now.capability
    w.training_sponsor[idx] = sponsor
    model.flows["retraining_started"] += len(idx)


def drop_out(model: LaborMarket, idx: np.ndarray) -> None:
    """Trainees who leave their programme before the end go back to search."""
    w = model.workers
    w.training_target[idx] = NO_OCC
    w.training_sponsor[idx] = NO_FIRM
    _to_search(model, idx)
    model.flows["retraining_dropouts"] += len(idx)


def complete(model: LaborMarket, idx: np.ndarray, skills: np.ndarray, level: np.ndarray) -> None:
    """Programme completed: new skills, the target occupation at ``level``. Sponsored trainees are then
    returned by :func:`return_to_sponsor`; the others become job seekers expecting the market pay of
    their new occupation (``last_wage`` set by the caller)."""
    w = model.workers
    w.skills[idx] = skills
    w.level[idx] = level
    w.occupation[idx] = w.training_target[idx]
    w.months_in_level[idx] = 0
    w.retrained[idx] = True
    w.eligible_fresh[idx] = False
    w.training_target[idx] = NO_OCC
    model.flows["retraining_completed"] += len(idx)


def search_after_training(model: LaborMarket, idx: np.ndarray, expected_wage: np.ndarray) -> None:
    model.workers.last_wage[idx] = expected_wage
    _to_search(model, idx)


# --- the outside option and demographics ---------------------------------------------------------------
def leave_tech(model: LaborMarket, idx: np.ndarray) -> None:
    """Job seekers who take other work outside tech."""
    w = model.workers
    w.state[idx] = WorkerState.OTHER_WORK
    w.left_tech_month[idx] = model.month
    model.count_by_cluster("exits_to_other_work", w.occupation[idx])
    model.flows["exits_to_other_work"] += len(idx)


def come_back(model: LaborMarket, idx: np.ndarray, skills: np.ndarray, expected_wage: np.ndarray) -> None:
    """Workers in other work who return to search in tech, with the skills they kept."""
    w = model.workers
    w.skills[idx] = skills
    w.eligible_fresh[idx] = False  # skills changed while away
    w.last_wage[idx] = expected_wage
    _to_search(model, idx)
    model.flows["returns_from_other_work"] += len(idx)


def retire(model: LaborMarket, idx: np.ndarray) -> None:
    """Workers in any state leave the labour force for good (rows stay, state RETIRED)."""
    w = model.workers
    employed = idx[w.state[idx] == WorkerState.EMPLOYED]
    if len(employed):
        _leave_job(model, employed)
    model.flows["retirements"] += len(employed)
    model.flows["retirements_from_other_work"] += int((w.state[idx] == WorkerState.OTHER_WORK).sum())
    model.flows["retirements_total"] += len(idx)
    w.state[idx] = WorkerState.RETIRED
    w.training_sponsor[idx] = NO_FIRM
    w.training_target[idx] = NO_OCC


def enter(model: LaborMarket, **columns: np.ndarray) -> np.ndarray:
    """New job seekers (graduates) appended to the worker table; returns their indices."""
    w = model.workers
    n = len(columns["occupation"])
    idx = w.append(state=np.full(n, WorkerState.UNEMPLOYED, dtype=np.int8),
                   entry_month=np.full(n, model.month, dtype=np.int32), **columns)
    model.flows["graduates"] += n
    model.on_new_workers(idx)
    return idx


# --- firms ----------------------------------------------------------------------------------------------
def switch_strategy(model: LaborMarket, firm: np.ndarray, strategy: np.ndarray) -> None:
    """Firms ``firm`` (distinct) adopt ``strategy``: a re-organisation costing ``switch_cost_months``
    of their monthly wage bill. Their targets follow the new strategy from the next demand phase;
    their AI adoption moves towards its appetite by itself (ai_adoption phase)."""
    firms, S = model.firms, model.n_strategies
    if len(np.unique(firm)) != len(firm):
        raise InvariantError("a firm would switch strategy twice in one month")
    firms.other_costs[firm] += model.p.switch_cost_months * firms.wage_bill[firm]
    model.strategy_flows["switched_out"] += np.bincount(firms.strategy[firm], minlength=S)
    model.strategy_flows["switched_in"] += np.bincount(strategy, minlength=S)
    firms.strategy[firm] = strategy
    model.flows["strategy_switches"] += len(firm)
