"""Hand-arranged worlds shared by several test modules."""

import numpy as np

from abm import Params
from abm.phases import wages
from abm.state import VacancyScope, WorkerState


def ladder_world(m, pick=lambda m, emp: emp[0], **params):
    """Everyone can do every job and reach every posting; nobody but one underpaid employee (chosen
    by ``pick`` among the employees) wants to move: the job seekers are gone and every other
    employee is paid far above any offer. Returns the mover."""
    w = m.workers
    m.p = Params.make(m.p, ojs_search_rate=1.0, **params)
    w.view("state")[w.view("state") == WorkerState.UNEMPLOYED] = WorkerState.RETIRED
    w.view("skills")[:] = 1.0
    w.view("eligible_fresh")[:] = False
    m.vacancies.scope[: m.vacancies.n] = VacancyScope.REMOTE_GLOBAL
    m.vacancies.pay_premium[: m.vacancies.n] = 0.0
    emp = np.flatnonzero(w.view("state") == WorkerState.EMPLOYED)
    w.wage[emp] *= 10.0
    mover = pick(m, emp)
    w.wage[mover] = 0.5 * wages.market_wage(m, w.occupation[[mover]], w.level[[mover]])[0]
    return mover
