"""The initial population: firms, workers and their jobs in January of the start year.

Workers draw an occupation (``employment_share``), a seniority level (``workforce_share``), a
location (``workforce_share``), experience and skills (their occupation's profile × the level's
proficiency, plus noise). Firms draw a location (``firm_share``), a size (lognormal), a strategy
(the ``share_*`` mix), a remote policy, a pay policy and a pay level exp(ψ), ψ ~ N(−σ²/2, σ) with
σ = ``firm_pay_sd`` (the firm effect in pay: Card, Heining & Kline 2013). A share
``remote_preference_share`` of workers prefers remote work; initial tenure at the current employer
is uniform over the worker's experience, at most five years. Employed workers are placed in a firm of
their metro (onsite) or, with the share of remote jobs their firm's policy implies, in a firm
anywhere in their region (remote). A firm's 2022 workforce by occupation × seniority, grossed up by
the initial vacancy rate, is its **base labour demand** — the scale every later demand is
expressed in. All draws use the model's one generator.
"""

from __future__ import annotations

import numpy as np

from abm.params import Params
from abm.pay import location_factor
from abm.state import NO_FIRM, Firms, PayPolicy, Workers, WorkerState
from abm.strategies import strategy_shares
from abm.world import JUNIOR, N_LEVELS, World, cell_index

SKILL_NOISE = 0.05  # s.d. of individual skill noise around the profile (assumption)
FIRM_SIZE_SIGMA = 1.0  # lognormal dispersion of firm sizes (assumption: skewed size distribution)


def draw_skills(world: World, occupation: np.ndarray, level: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Skills of workers of the given occupations and levels: profile × proficiency + noise, in [0, 1]."""
    prof = world.skill_proficiency[level][:, None]
    skills = world.profiles[occupation] * prof + rng.normal(0.0, SKILL_NOISE, (len(occupation), world.n_clusters)).astype(np.float32)
    return np.clip(skills, 0.0, 1.0, out=skills)


#: longest initial tenure drawn at the current employer (months; assumption)
MAX_INITIAL_TENURE = 60


def build_firms(p: Params, world: World, rng: np.random.Generator) -> tuple[Firms, np.ndarray]:
    """Firms with location, strategy, policies and pay level; returns the table and relative sizes."""
    n = p.n_firms
    firms = Firms(n, width={"given_up_until": world.n_occupations * N_LEVELS, "apprentice_places": world.n_occupations})
    firms.append(
        location=rng.choice(world.n_locations, n, p=world.locations["firm_share"].to_numpy()),
        strategy=_assign_shares(strategy_shares(p), n, rng),
        remote_policy=_assign_shares(np.array([p.share_onsite, p.share_hybrid, p.share_remote_first]), n, rng),
        pay_policy=np.where(rng.random(n) < p.share_location_adjusted_pay, PayPolicy.LOCATION_ADJUSTED, PayPolicy.NATIONAL_BAND),
        pay_level=np.exp(rng.normal(-0.5 * p.firm_pay_sd**2, p.firm_pay_sd, n)),
    )
    size = rng.lognormal(0.0, FIRM_SIZE_SIGMA, n)
    return firms, size / size.sum()


def _assign_shares(shares: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Codes 0..len(shares)-1 in proportions as close to ``shares`` as n allows, shuffled."""
    counts = np.floor(shares * n).astype(int)
    rest = n - counts.sum()
    if rest:
        frac = shares * n - counts
        counts[np.argsort(-frac, kind="stable")[:rest]] += 1
    codes = np.repeat(np.arange(len(shares)), counts)
    return rng.permutation(codes).astype(np.int8)


def remote_job_share(p: Params, remote_policy: np.ndarray) -> np.ndarray:
    """Share of a firm's jobs posted fully remote, by its remote policy."""
    table = np.array([0.0, p.hybrid_remote_job_share, p.remote_first_remote_job_share])
    return table[remote_policy]


def build_workers(p: Params, world: World, firms: Firms, firm_size: np.ndarray, rng: np.random.Generator,
                  month: int = 0) -> Workers:
    """Initial workers at ``month``, employed in firms or unemployed; wages at 2022 market rates."""
    n = p.n_workers
    workers = Workers(n, width={"skills": world.n_clusters})
    occupation = rng.choice(world.n_occupations, n, p=world.occupations["employment_share"].to_numpy()).astype(np.int16)
    level = rng.choice(4, n, p=world.seniority["workforce_share"].to_numpy()).astype(np.int8)
    lo = world.seniority["initial_experience_min"].to_numpy()[level]
    hi = world.seniority["initial_experience_max"].to_numpy()[level]
    experience = rng.integers(lo, hi + 1)
    location = rng.choice(world.n_locations, n, p=world.locations["workforce_share"].to_numpy()).astype(np.int16)
    employed = rng.random(n) >= p.initial_unemployment_rate

    employer, remote = _place_in_firms(p, world, firms, firm_size, location, employed, rng)
    employed &= employer != NO_FIRM
    state = np.where(employed, WorkerState.EMPLOYED, WorkerState.UNEMPLOYED).astype(np.int8)

    pay_factor = _initial_pay_factor(world, firms, location, employer, remote)
    wage = np.where(employed, world.base_pay[occupation, level] * pay_factor, 0.0)
    local_pay = world.base_pay[occupation, level] * world.pay_index[location]
    workers.append(
        state=state,
        occupation=occupation,
        level=level,
        experience=experience,
        months_in_level=rng.integers(0, np.maximum(world.months_to_promotion[level], 1)),
        skills=draw_skills(world, occupation, level, rng),
        location=location,
        will_relocate=rng.random(n) < p.relocation_willingness,
        employer=np.where(employed, employer, NO_FIRM),
        remote=remote & employed,
        wage=wage,
        pay_factor=np.where(employed, pay_factor, 0.0),
        last_wage=np.where(employed, wage, local_pay),
        reservation_wage=np.where(employed, 0.0, local_pay),
        spell=np.where(employed, 0, rng.integers(1, 7, n)),
        hired_month=month - rng.integers(0, np.minimum(experience, MAX_INITIAL_TENURE) + 1),
        prefers_remote=rng.random(n) < p.remote_preference_share,
        entry_month=np.full(n, month, dtype=np.int32),
    )
    in_training = employed & (level == JUNIOR)  # employed juniors are being trained by their employer
    workers.trainer[:n] = np.where(in_training, employer, NO_FIRM)
    workers.training_start[:n] = np.where(in_training, workers.hired_month[:n], 0)
    return workers


def _place_in_firms(p, world, firms, firm_size, location, employed, rng):
    """Assign each employed worker a firm: onsite in their metro, or remote within their region."""
    n = len(location)
    f_loc = firms.view("location")
    f_region = world.region_codes[f_loc]
    remote_share = remote_job_share(p, firms.view("remote_policy"))
    # weight of each firm as an onsite / remote employer
    onsite_w = firm_size * (1.0 - remote_share)
    remote_w = firm_size * remote_share
    employer = np.full(n, NO_FIRM, dtype=np.int32)
    remote = np.zeros(n, dtype=bool)
    for loc in range(world.n_locations):  # loop over locations (≤ ~10), vectorised over workers
        who = np.flatnonzero((location == loc) & employed)
        if len(who) == 0:
            continue
        local = onsite_w * (f_loc == loc)
        distant = remote_w * (f_region == world.region_codes[loc])
        total = local.sum() + distant.sum()
        if total <= 0:
            continue
        weights = np.concatenate([local, distant]) / total
        pick = rng.choice(2 * len(f_loc), len(who), p=weights)
        employer[who] = pick % len(f_loc)
        remote[who] = pick >= len(f_loc)
    return employer, remote


def _initial_pay_factor(world, firms, location, employer, remote):
    """Pay factor of each initial job: location factor (see ``abm.pay``) × the firm's pay level."""
    f = np.maximum(employer, 0)
    return location_factor(world.pay_index, firms.location[f], firms.pay_policy[f], remote, location) * firms.pay_level[f]


def base_demand(p: Params, world: World, workers: Workers, n_firms: int) -> np.ndarray:
    """(F, O, L) 2022 labour demand: current workforce grossed up by the initial vacancy rate."""
    emp = np.flatnonzero(workers.view("state") == WorkerState.EMPLOYED)
    O, L = world.n_occupations, N_LEVELS
    key = cell_index(workers.employer[emp], workers.occupation[emp], workers.level[emp], O)
    counts = np.bincount(key, minlength=n_firms * O * L).reshape(n_firms, O, L).astype(float)
    return counts / (1.0 - p.initial_vacancy_rate)

