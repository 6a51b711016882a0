"""Columnar state: workers, firms and vacancies as tables of numpy arrays.

The model's state lives here and only here. ``Worker`` and ``Firm`` agents (``abm.agents``) are
views onto a row. Each table keeps one array per attribute; the worker table grows (graduates
enter) by amortised doubling of its capacity, and retired workers stay as rows in the
``RETIRED`` state so that indices never change.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class WorkerState(IntEnum):
    """Every worker is in exactly one of these states.

    ``OTHER_WORK``: left tech for a job elsewhere (the outside option); may come back to search.
    ``RETIRED``: left the labour force for good. Both are outside the tech labour force.
    """

    EMPLOYED = 0
    UNEMPLOYED = 1
    RETRAINING = 2
    RETIRED = 3
    OTHER_WORK = 4


#: states that count in the tech labour force
IN_LABOR_FORCE = (WorkerState.EMPLOYED, WorkerState.UNEMPLOYED, WorkerState.RETRAINING)


class RemotePolicy(IntEnum):
    ONSITE = 0
    HYBRID = 1
    REMOTE_FIRST = 2


class PayPolicy(IntEnum):
    LOCATION_ADJUSTED = 0
    NATIONAL_BAND = 1


class VacancyScope(IntEnum):
    """Who may apply: onsite (same metro, or relocating), remote in the firm's region, remote worldwide."""

    ONSITE = 0
    REMOTE_REGION = 1
    REMOTE_GLOBAL = 2


NO_FIRM = -1
NO_OCC = -1
#: ``training_end`` of a worker who has not finished training (still a junior, or never trained)
NOT_TRAINED = np.iinfo(np.int32).max
#: ``apprentice_until`` of a worker who is not an apprentice
NOT_APPRENTICE = np.iinfo(np.int32).min


class Table:
    """A set of equal-length columns with ``n`` live rows and spare capacity."""

    #: column name → (dtype, fill value, trailing shape); set by subclasses
    COLUMNS: dict[str, tuple[type, object]] = {}

    def __init__(self, capacity: int, width: dict[str, int] | None = None):
        self.n = 0
        self._width = width or {}
        cap = max(int(capacity), 1)
        for name, (dtype, fill) in self.COLUMNS.items():
            shape = (cap, self._width[name]) if name in self._width else (cap,)
            setattr(self, name, np.full(shape, fill, dtype=dtype))

    @property
    def capacity(self) -> int:
        first = next(iter(self.COLUMNS))
        return len(getattr(self, first))

    def append(self, **cols: np.ndarray) -> np.ndarray:
        """Append rows given as arrays (missing columns take their fill value); returns new indices."""
        k = len(next(iter(cols.values())))
        if self.n + k > self.capacity:
            self._grow(max(2 * self.capacity, self.n + k))
        idx = np.arange(self.n, self.n + k)
        for name, values in cols.items():
            getattr(self, name)[idx] = values
        self.n += k
        return idx

    def _grow(self, new_cap: int) -> None:
        for name, (dtype, fill) in self.COLUMNS.items():
            old = getattr(self, name)
            shape = (new_cap,) + old.shape[1:]
            new = np.full(shape, fill, dtype=dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def view(self, name: str) -> np.ndarray:
        """The live part of a column (a view, writable)."""
        return getattr(self, name)[: self.n]


class Workers(Table):
    """One row per worker. Wages are annual US dollars; times are months."""

    COLUMNS = {
        "state": (np.int8, WorkerState.UNEMPLOYED),
        "occupation": (np.int16, 0),
        "level": (np.int8, 0),
        "experience": (np.int32, 0),  # months worked in total
        "months_in_level": (np.int32, 0),
        "skills": (np.float32, 0.0),  # (n, K) skill vector over clusters, 0..1
        "location": (np.int16, 0),
        "will_relocate": (np.bool_, False),
        "employer": (np.int32, NO_FIRM),
        "remote": (np.bool_, False),
        "wage": (np.float64, 0.0),  # current annual pay (0 when not employed)
        "pay_factor": (np.float64, 0.0),  # location factor applied to the current job's pay
        "last_wage": (np.float64, 0.0),  # pay in the last job (or expected graduate pay)
        "reservation_wage": (np.float64, 0.0),
        "spell": (np.int32, 0),  # months in the current unemployment spell
        "laid_off_by": (np.int32, NO_FIRM),
        "training_target": (np.int16, NO_OCC),
        "training_left": (np.int32, 0),
        "training_start_capability": (np.float32, 0.0),
        "training_sponsor": (np.int32, NO_FIRM),
        "retrained": (np.bool_, False),  # completed a retraining programme
        "eligible": (np.uint64, 0),  # cached eligibility bits over job profiles (see matching)
        "eligible_fresh": (np.bool_, False),  # False when skills changed since the bits were set
        "ai_skill_to_qualify": (np.float32, np.inf),  # ML/AI skill at which a job the worker cannot do yet opens up
        "entry_month": (np.int32, 0),
        "hired_month": (np.int32, 0),  # month the current job started (tenure = month − hired_month)
        "prefers_remote": (np.bool_, False),  # values a fully remote job (remote_amenity_value)
        "left_tech_month": (np.int32, 0),  # month the worker left tech for other work
        "stand_in": (np.bool_, False),  # hired one level below a need, trained on the job into it
        # the pipeline (abm.phases.pipeline_policy): who trained the worker, when, and apprenticeships
        "trainer": (np.int32, NO_FIRM),  # firm where the worker did (or does) their junior years; NO_FIRM: none in the model
        "training_start": (np.int32, 0),  # month the junior years at the trainer began
        "training_end": (np.int32, NOT_TRAINED),  # month promoted out of junior at the trainer (NOT_TRAINED while junior)
        "apprentice_until": (np.int32, NOT_APPRENTICE),  # last month of a publicly funded apprenticeship (NOT_APPRENTICE: none)
    }


class Firms(Table):
    """One row per firm. Money in US dollars per month unless stated."""

    COLUMNS = {
        "location": (np.int16, 0),
        "strategy": (np.int8, 0),
        "remote_policy": (np.int8, 0),
        "pay_policy": (np.int8, 0),
        "pay_level": (np.float64, 1.0),  # firm pay effect: × market pay on every job (AKM firm effect)
        "layoff_risk": (np.float64, 0.0),  # layoffs over the last year / headcount, as employees see it
        "adoption": (np.float64, 0.0),
        "demand_shock": (np.float64, 0.0),  # idiosyncratic log demand shock (AR(1))
        "revenue": (np.float64, 0.0),
        "wage_bill": (np.float64, 0.0),
        "other_costs": (np.float64, 0.0),
        "output": (np.float64, 0.0),
        "demanded_output": (np.float64, 0.0),
        "profit": (np.float64, 0.0),
        "cumulative_profit": (np.float64, 0.0),
        "given_up_until": (np.int32, np.iinfo(np.int32).min),  # (F, O·L) month until which a need given up stays unposted
        # the pipeline (abm.phases.imitation, abm.phases.pipeline_policy)
        "profit_per_worker": (np.float64, np.nan),  # moving average of profit per worker ($/worker-year) its rivals can observe
        "last_experienced_hire": (np.int32, np.iinfo(np.int32).min),  # month of its last hire at mid level or above
        "apprentice_places": (np.int32, 0),  # (F, O) publicly funded apprenticeship places at the firm
    }


class Vacancies(Table):
    """One row per open job; filled or withdrawn rows are compacted away each month."""

    COLUMNS = {
        "firm": (np.int32, NO_FIRM),
        "occupation": (np.int16, 0),
        "level": (np.int8, 0),
        "scope": (np.int8, VacancyScope.ONSITE),
        "ai_required": (np.bool_, False),
        "posted": (np.int32, 0),  # month this posting went up (its age is month − posted)
        "first_posted": (np.int32, 0),  # month the firm first posted for this need (kept on re-posting)
        "need_level": (np.int8, 0),  # level of the need the posting serves (one above `level` when relaxed down)
        "reposts": (np.int16, 0),  # times the need was re-posted after a posting expired
        "pay_premium": (np.float32, 0.0),  # share above market pay offered after re-posting at higher pay
    }

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the live rows where ``mask`` is True (order preserved)."""
        rows = np.flatnonzero(mask)  # once, not once per column
        k = len(rows)
        for name in self.COLUMNS:
            col = getattr(self, name)
            col[:k] = col[: self.n][rows]
        self.n = k
