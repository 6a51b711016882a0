"""Conservation invariants of the model state, checkable after any step.

``check(model)`` raises :class:`InvariantError` naming the first broken invariant. The tests call
it after every month; users can call it on their own runs (it costs a few array passes).
"""

from __future__ import annotations

import numpy as np

from abm.state import NO_FIRM, NO_OCC, WorkerState


class InvariantError(AssertionError):
    """A conservation law of the model state does not hold."""


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise InvariantError(what)


def check(model, previous_employed: int | None = None) -> None:
    w, v, f = model.workers, model.vacancies, model.firms
    state = w.view("state")
    employer = w.view("employer")
    wage = w.view("wage")
    _require(np.isin(state, [s.value for s in WorkerState]).all(), "a worker has no valid state")
    counts = np.bincount(state, minlength=4)
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
    _require(((v.view("firm") >= 0) & (v.view("firm") < f.n)).all(), "a vacancy belongs to no firm")
    _require(int(model.headcount.sum()) == int(emp.sum()), "firm headcounts do not add up to employment")
    cur = model.current
    _require(cur["employed"] == int(emp.sum()), "reported employment differs from the state")
    if previous_employed is not None:
        _require(cur["employed"] == previous_employed + cur["hires"] - cur["separations"],
                 f"stock-flow: employed {cur['employed']} ≠ {previous_employed} + hires {cur['hires']} − separations {cur['separations']}")
    for k, x in cur.items():
        _require(np.isfinite(x), f"metric {k} is not finite")
