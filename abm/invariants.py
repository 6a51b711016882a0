"""Conservation invariants of the model state, checkable after any step.

``check(model)`` raises :class:`InvariantError` naming the first broken invariant. The tests call
it after every month; users can call it on their own runs (it costs a few array passes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from abm.state import NO_FIRM, NO_OCC, NOT_APPRENTICE, NOT_TRAINED, WorkerState

if TYPE_CHECKING:
    from abm.model import LaborMarket


class InvariantError(AssertionError):
    """A conservation law of the model state does not hold."""


def headcount(model: LaborMarket) -> np.ndarray:
    from abm.phases.demand import headcount as recount  # the phases import this module: import late

    return recount(model)


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise InvariantError(what)


def check(model: LaborMarket, previous: dict[str, float] | None = None) -> None:
    """Check the state of ``model`` after a month; ``previous`` (last month's ``model.current``)
    adds the stock-flow identities."""
    w, v, f = model.workers, model.vacancies, model.firms
    state = w.view("state")
    employer = w.view("employer")
    wage = w.view("wage")
    _require(np.isin(state, [s.value for s in WorkerState]).all(), "a worker has no valid state")
    counts = np.bincount(state, minlength=len(WorkerState))
    _require(counts.sum() == w.n, "states do not partition the workers")
    emp = state == WorkerState.EMPLOYED
    _require(((employer >= 0) & (employer < f.n) == emp).all(), "employed ⇔ has a valid employer is violated")
    _require((wage[emp] > 0).all() and (wage[~emp] == 0).all(), "employees must have positive pay, others none")
    _require(np.isfinite(wage).all() and np.isfinite(w.view("reservation_wage")).all(), "non-finite wage")
    _require((w.view("remote")[~emp] == False).all(), "a non-employee holds a remote job")  # noqa: E712
    training = state == WorkerState.RETRAINING
    _require((w.view("training_target")[training] != NO_OCC).all(), "a trainee has no target occupation")
    _require((w.view("training_sponsor")[~training] == NO_FIRM).all(), "a non-trainee has a sponsor")
    _require(((w.view("level") >= 0) & (w.view("level") <= 3)).all(), "seniority level out of range")
    skills = w.view("skills")
    _require(((skills >= 0) & (skills <= 1)).all(), "skills outside [0, 1]")
    _require((w.view("hired_month")[emp] <= model.month).all(), "an employee was hired in the future")
    _require(not w.view("stand_in")[~emp].any(), "a stand-in who is not employed")
    _require(((v.view("need_level") == v.view("level")) | (v.view("need_level") == v.view("level") + 1)).all(),
             "a posting is more than one level below its need")
    _require(((v.view("firm") >= 0) & (v.view("firm") < f.n)).all(), "a vacancy belongs to no firm")
    _require((v.view("first_posted") <= v.view("posted")).all() and (v.view("posted") <= model.month).all(),
             "a posting's dates are out of order")
    _require((v.view("reposts") <= model.p.vacancy_max_reposts).all(), "a need was re-posted more often than allowed")
    _require(((v.view("pay_premium") >= 0) & (v.view("pay_premium") <= model.p.max_vacancy_pay_premium + 1e-6)).all(),
             "a posting's pay premium is outside [0, max_vacancy_pay_premium]")
    _require(np.array_equal(model.now.headcount, headcount(model)),
             "firm headcounts kept by the transitions differ from a recount of the workers")
    _check_pipeline(model)
    cur = model.current
    _require(cur["employed"] == int(emp.sum()), "reported employment differs from the state")
    _require(cur["labor_force"] + cur["other_work"] + cur["retired"] == w.n, "labour force + other work + retired ≠ workers")
    if previous is not None:
        _require(cur["employed"] == previous["employed"] + cur["hires"] - cur["separations"],
                 f"stock-flow: employed {cur['employed']} ≠ {previous['employed']} + hires {cur['hires']} − separations {cur['separations']}")
        other = previous["other_work"] + cur["exits_to_other_work"] - cur["returns_from_other_work"] \
            - model.flows["retirements_from_other_work"]
        _require(cur["other_work"] == other, f"stock-flow: other work {cur['other_work']} ≠ {other}")
        _require(cur["quits"] == cur["job_to_job_moves"] + cur["quits_to_unemployment"], "quits ≠ job-to-job + to unemployment")
        _require(cur["market_hires"] == cur["hires_from_search"] + cur["job_to_job_moves"],
                 "market hires ≠ hires from search + job-to-job moves")
    for k, x in cur.items():
        _require(np.isfinite(x), f"metric {k} is not finite")
    _require(cur["job_to_job_moves"] == int(model.moves.sum()), "the flow table's moves ≠ job-to-job moves")
    _require(cur["poached_trained_workers"] == int(model.moves_from_trainer.sum()) and (model.moves_from_trainer <= model.moves).all(),
             "moves away from the trainer are not a part of the moves")
    for k in ("retention_payments", "training_repayments", "junior_wage_subsidies", "apprenticeship_subsidies", "training_levy_receipts"):
        _require(cur[k] >= 0, f"{k} is negative")
    _require(abs(cur["public_pipeline_spend"] - (cur["junior_wage_subsidies"] + cur["apprenticeship_subsidies"]
                                                 - cur["training_levy_receipts"])) <= 1e-6 * (1.0 + abs(cur["public_pipeline_spend"])),
             "public pipeline spend ≠ subsidies − levy receipts")
    firm_rows = model.tables["firm"][-1] if model.tables["firm"] else None
    if firm_rows is not None:
        _require(firm_rows["firms"].sum() == f.n, "firms per strategy do not add up to the firms")
        _require((firm_rows["switched_in"].sum() == firm_rows["switched_out"].sum() == cur["strategy_switches"]),
                 "strategy switches in ≠ out ≠ the switches counted")


def _check_pipeline(model: LaborMarket) -> None:
    """The training record, apprenticeships and strategy codes (abm.transitions, abm.phases.pipeline_policy)."""
    w, f = model.workers, model.firms
    state, level, employer = w.view("state"), w.view("level"), w.view("employer")
    trainer, end = w.view("trainer"), w.view("training_end")
    junior = (state == WorkerState.EMPLOYED) & (level == 0)
    _require((trainer[junior] == employer[junior]).all() and (end[junior] == NOT_TRAINED).all(),
             "an employed junior is not in training at their employer")
    _require(((trainer >= NO_FIRM) & (trainer < f.n)).all(), "a worker's trainer is not a firm")
    done = end != NOT_TRAINED
    _require((end[done] <= model.month).all() and (end[done] >= w.view("training_start")[done]).all(),
             "a training ended before it began or in the future")
    _require((trainer[done] != NO_FIRM).all(), "a worker finished training with no trainer")
    apprentice = w.view("apprentice_until") != NOT_APPRENTICE
    _require((junior[apprentice]).all(), "an apprentice is not an employed junior")
    _require((w.view("apprentice_until")[apprentice] > model.month).all(), "an apprenticeship is past its end")
    if apprentice.any():
        O = model.world.n_occupations
        cell = employer[apprentice].astype(np.int64) * O + w.view("occupation")[apprentice]
        taken = np.bincount(cell, minlength=f.n * O)
        _require((taken <= f.apprentice_places[: f.n].ravel()).all(), "more apprentices than places in a firm cell")
    strategy = f.view("strategy")
    _require(((strategy >= 0) & (strategy < model.n_strategies)).all(), "a firm has no valid strategy")


def run_checked(model: LaborMarket, months: int) -> LaborMarket:
    """Step ``model`` ``months`` months, checking every invariant (and the stock-flow identities)
    after each; raises :class:`InvariantError` at the first month that breaks one."""
    check(model)
    for _ in range(months):
        before = dict(model.current)
        model.step()
        check(model, previous=before)
    return model
