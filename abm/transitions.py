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
``model.moves``) and the eligibility cache (``eligible_fresh``). No phase writes a worker's
``state`` or ``employer`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.invariants import InvariantError
from abm.state import NO_FIRM, NO_OCC, WorkerState
from abm.world import JUNIOR, N_LEVELS, SENIOR, cell_index

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


def _to_search(model: LaborMarket, idx: np.ndarray) -> None:
    """Into the job-seeker state: a new spell, the last wage as reservation wage, skills re-checked."""
    w = model.workers
    w.state[idx] = WorkerState.UNEMPLOYED
    w.reservation_wage[idx] = w.last_wage[idx]
    w.spell[idx] = 0
    w.eligible_fresh[idx] = False


# --- entries into employment ------------------------------------------------------------------------
def hire(model: LaborMarket, worker: np.ndarray, vac: np.ndarray, wage: np.ndarray, factor: np.ndarray,
         remote: np.ndarray, moving: np.ndarray) -> None:
    """Fill vacancies ``vac`` with ``worker`` (job seekers, or employees moving job to job) at ``wage``.

    A job-to-job move is a quit for the old firm (its replacement vacancy follows from its gap next
    month) and a hire for the new one; it is recorded by (old strategy, new strategy, level).
    """
    w, v, firms, f = model.workers, model.vacancies, model.firms, model.flows
    if len(np.unique(vac)) != len(vac) or len(np.unique(worker)) != len(worker):
        raise InvariantError("a vacancy would be filled twice or a worker hired twice in one month")
    firm = v.firm[vac]
    occupation, level = v.occupation[vac], v.level[vac]
    moved = w.state[worker] == WorkerState.EMPLOYED
    movers = worker[moved]
    if len(movers):
        old_firm = _leave_job(model, movers)
        S = model.n_strategies
        key = (firms.strategy[old_firm].astype(np.int64) * S + firms.strategy[firm[moved]]) * N_LEVELS + level[moved]
        model.moves += np.bincount(key, minlength=model.moves.size).reshape(model.moves.shape)
        model.count_by_cluster("job_to_job_moves", occupation[moved])
        f["job_to_job_moves"] += len(movers)
        f["job_to_job_pay_gain_sum"] += float((wage[moved] / np.maximum(w.last_wage[movers], 1.0) - 1.0).sum())
    rehired = w.laid_off_by[worker] == firm
    _take_job(model, worker, firm, occupation, level, wage, factor, remote)
    w.stand_in[worker] = v.need_level[vac] > level  # hired one level below the need: trained into it
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
