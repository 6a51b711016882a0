"""The model's parameter set: one validated object with units, ranges, defaults and sources.

``Params`` is a frozen pydantic model. Every field carries its unit, its allowed range and where
its default comes from (``seeds/NNN`` are the articles in ``shared/seeds``; "calibrated" means
fitted in ``docs/calibration.md``; "assumption" means neither). Bad input never passes silently:
an unknown key, a value out of range, a wrong type or an impossible combination raises
:class:`ParameterError` with one line naming the key, the value and what is allowed.

Scenarios are TOML files with a ``[scenario]`` header and a ``[params]`` table of overrides
(:mod:`abm.files` reads them; the calibrated baseline ships as ``abm/scenarios/baseline.toml``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from abm.strategies import STRATEGIES

#: The strategy-share parameters, one per registered strategy, in the registry's order.
STRATEGY_SHARES = tuple(s.share for s in STRATEGIES)
REMOTE_POLICY_SHARES = ("share_onsite", "share_hybrid", "share_remote_first")


class ParameterError(ValueError):
    """A parameter or scenario file is invalid. The message is one line naming the key."""


def P(default: Any, lo: float | None = None, hi: float | None = None, *, unit: str, doc: str, source: str) -> Any:
    """A parameter field with range [lo, hi], a unit, a description and a source."""
    kw: dict[str, Any] = {}
    if lo is not None:
        kw["ge"] = lo
    if hi is not None:
        kw["le"] = hi
    return Field(default, description=doc, json_schema_extra={"unit": unit, "source": source}, **kw)


class Params(BaseModel):
    """All parameters of :class:`abm.model.LaborMarket`. Time unit: one month."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_default=True)

    # --- population and time ------------------------------------------------------------------
    n_workers: int = P(20_000, 50, 5_000_000, unit="workers", doc="initial number of worker agents (labour force)", source="model size; 20k is the baseline")
    workers_per_firm: float = P(100.0, 5.0, 10_000.0, unit="workers", doc="mean initial firm size; sets the number of firms", source="assumption")
    start_year: int = P(2022, 1990, 2100, unit="year", doc="calendar year of month 0 (January)", source="FACTS.md horizon 2022 → 2035")
    months: int = P(156, 1, 1200, unit="months", doc="default horizon of run() with no argument", source="2022 → 2035")
    initial_unemployment_rate: float = P(0.035, 0.0, 0.5, unit="share", doc="unemployed share of the labour force at start", source="assumption (tech unemployment ~2-4 % in 2022)")
    initial_vacancy_rate: float = P(0.06, 0.0, 0.5, unit="share", doc="open jobs as a share of filled + open jobs at start", source="assumption (hot 2022 market)")
    worker_agents: bool = P(True, unit="flag", doc="materialise a mesa Worker agent per worker (off for fast batch runs; the arrays are the state either way)", source="performance switch")

    # --- firm strategies ----------------------------------------------------------------------
    share_cutting: float = P(0.60, 0.0, 1.0, unit="share of firms", doc="firms taking AI gains as headcount cuts and freezing junior hiring", source="calibrated; entry-level hiring -73 % (seeds/001)")
    share_counter_cyclical: float = P(0.08, 0.0, 1.0, unit="share of firms", doc="firms that keep hiring and mentoring juniors", source="some large firms raised junior hiring in 2026 (seeds/002)")
    share_recomposing: float = P(0.20, 0.0, 1.0, unit="share of firms", doc="firms cutting substitutable roles, hiring AI-complement roles, sponsoring retraining", source="recomposition example: 4 frontend cut, 8 AI/platform opened (seeds/001)")
    share_non_adopting: float = P(0.12, 0.0, 1.0, unit="share of firms", doc="firms that do not adopt AI", source="calibrated (docs/calibration.md)")
    junior_freeze_adoption: float = P(0.10, 0.0, 1.0, unit="adoption level", doc="cutting firms freeze junior hiring once their AI adoption exceeds this", source="calibrated (docs/calibration.md)")
    junior_hiring_boost: float = P(1.2, 0.0, 5.0, unit="× baseline juniors", doc="counter-cyclical firms keep junior headcount at least this multiple of their 2022 junior base", source="assumption; 'raised junior hiring' (seeds/002)")
    cc_productivity_to_headcount: float = P(0.4, 0.0, 1.0, unit="share", doc="share of AI productivity gains counter-cyclical firms take as fewer workers (cutting/recomposing take all)", source="assumption")
    layoff_speed_cutting: float = P(0.45, 0.0, 1.0, unit="share of excess per month", doc="share of excess headcount cutting firms lay off each month", source="assumption")
    layoff_speed_default: float = P(0.15, 0.0, 1.0, unit="share of excess per month", doc="share of excess headcount other firms lay off each month", source="assumption")
    layoff_tolerance: float = P(0.005, 0.0, 1.0, unit="share of target", doc="excess headcount a firm tolerates before laying off (counter-cyclical firms tolerate twice this)", source="assumption")
    layoff_slack: float = P(0.2, 0.0, 10.0, unit="workers", doc="excess (in workers) per firm × occupation a firm carries before laying off", source="assumption")
    sponsor_share: float = P(0.3, 0.0, 1.0, unit="share of excess", doc="share of excess incumbents recomposing/counter-cyclical firms send to retraining instead of laying off", source="assumption; recomposition retrains incumbents (DESIGN.md)")

    # --- remote work and pay policy ------------------------------------------------------------
    share_onsite: float = P(0.40, 0.0, 1.0, unit="share of firms", doc="firms whose jobs are all onsite", source="assumption")
    share_hybrid: float = P(0.35, 0.0, 1.0, unit="share of firms", doc="hybrid firms: mostly onsite, some fully remote jobs", source="assumption")
    share_remote_first: float = P(0.25, 0.0, 1.0, unit="share of firms", doc="remote-first firms: most jobs fully remote", source="assumption")
    hybrid_remote_job_share: float = P(0.2, 0.0, 1.0, unit="share of jobs", doc="share of a hybrid firm's vacancies posted as fully remote", source="assumption")
    remote_first_remote_job_share: float = P(0.9, 0.0, 1.0, unit="share of jobs", doc="share of a remote-first firm's vacancies posted as fully remote", source="assumption")
    share_location_adjusted_pay: float = P(0.7, 0.0, 1.0, unit="share of firms", doc="firms paying remote workers by their local cost of living (others: one national band at the firm's own location rate)", source="remote offers benchmarked to local cost of living (seeds/000)")
    global_remote_share: float = P(0.15, 0.0, 1.0, unit="share of remote jobs", doc="remote vacancies open to workers in every region (others only to the firm's own region)", source="offshore/nearshore moves (seeds/001, seeds/002); assumption")

    # --- AI adoption ---------------------------------------------------------------------------
    ai_adoption_midpoint: float = P(2025.0, 1990.0, 2100.0, unit="year", doc="year the exogenous AI capability path reaches half its ceiling (logistic)", source="calibrated")
    ai_adoption_speed: float = P(0.9, 0.0, 10.0, unit="1/year", doc="slope of the logistic AI capability path", source="calibrated")
    ai_adoption_ceiling: float = P(1.0, 0.0, 1.0, unit="adoption level", doc="long-run AI capability available to firms", source="assumption")
    ai_cooldown_year: float = P(2100.0, 1990.0, 2100.0, unit="year", doc="year an AI investment cool-down starts (2100 = never)", source="scenario lever")
    ai_cooldown_depth: float = P(0.0, 0.0, 1.0, unit="share", doc="share of AI investment lost in the cool-down", source="scenario lever")
    ai_substitution_scale: float = P(1.0, 0.0, 5.0, unit="×", doc="multiplier on every occupation's AI substitution (occupations.csv)", source="calibrated; directions from seeds/002")
    ai_complementarity_scale: float = P(1.1, 0.0, 5.0, unit="×", doc="multiplier on every occupation's AI complementarity (occupations.csv)", source="calibrated; ML openings +59 % y/y (seeds/000)")
    firm_adoption_rate: float = P(0.08, 0.0, 1.0, unit="1/month", doc="speed at which a firm's adoption converges to its strategy's target", source="assumption")
    ai_skill_vacancy_base: float = P(0.08, 0.0, 1.0, unit="share of vacancies", doc="share of vacancies asking for AI skills at zero adoption", source="8 % of software job descriptions in 2022 (seeds/001)")
    ai_skill_vacancy_sensitivity: float = P(0.9, 0.0, 1.0, unit="share per adoption", doc="rise of the AI-skill share of a firm's vacancies per unit of its adoption", source="calibrated to 42 % in 2026 (seeds/001)")
    ai_skill_requirement: float = P(0.35, 0.0, 1.0, unit="skill level", doc="ML/AI skill a vacancy asking for AI skills requires", source="assumption")
    ai_learning_rate: float = P(0.02, 0.0, 1.0, unit="skill per month", doc="ML/AI skill an employed worker gains per month per unit of employer adoption", source="assumption")
    graduate_ai_readiness: float = P(1.0, 0.0, 2.0, unit="× requirement", doc="graduates' ML/AI skill as a multiple of requirement × current AI capability", source="assumption")

    # --- aggregate demand ----------------------------------------------------------------------
    demand_trend: float = P(0.015, -0.2, 0.2, unit="1/year", doc="trend growth of tech labour demand", source="software developer jobs +17 % through 2033 (seeds/001) ≈ 1.6 %/yr")
    demand_shock_year: float = P(2022.5, 1990.0, 2100.0, unit="year", doc="start of the post-pandemic demand correction", source="2022-23 tech correction (seeds/000, seeds/004)")
    demand_shock_size: float = P(-0.08, -0.9, 0.9, unit="share of demand", doc="permanent level change of demand in the correction", source="calibrated; listings 36 % below Feb 2020 (seeds/001)")
    demand_shock_months: int = P(12, 1, 240, unit="months", doc="months over which the correction unfolds", source="assumption")
    demand_cycle_amplitude: float = P(0.0, 0.0, 0.9, unit="share of demand", doc="amplitude of a sinusoidal demand cycle (0 = none)", source="scenario lever")
    demand_cycle_period: float = P(8.0, 1.0, 50.0, unit="years", doc="period of the demand cycle", source="scenario lever")

    firm_shock_sd: float = P(0.03, 0.0, 0.5, unit="log points per month", doc="s.d. of the monthly innovation of each firm's idiosyncratic demand shock", source="assumption; gross job flows exceed net flows")
    firm_shock_persistence: float = P(0.95, 0.0, 0.999, unit="per month", doc="AR(1) persistence of the firm demand shock", source="assumption")

    # --- separations ---------------------------------------------------------------------------
    quit_rate: float = P(0.004, 0.0, 0.2, unit="1/month", doc="monthly probability an employed worker quits into unemployment (quits to another job come from on-the-job search)", source="calibrated to JOLTS quits ≈ 2 %/month of which ~1/3 into non-employment (BLS JOLTS 2024; Census Job-to-Job flows)")
    discharge_rate: float = P(0.004, 0.0, 0.2, unit="1/month", doc="monthly probability an employee is discharged for match-specific reasons (performance, fit), on top of the strategy's layoffs", source="JOLTS layoffs and discharges ≈ 1 %/month (BLS JOLTS 2024) less the structural layoffs; calibrated")
    new_match_separation_boost: float = P(1.0, 0.0, 10.0, unit="× hazard", doc="extra quit and discharge hazard of a new match, decaying with tenure (× exp(−tenure/12 months)): separations fall with tenure", source="Farber (1994) 'The analysis of interfirm worker mobility', J. Labor Econ.; Jovanovic (1979) match learning")
    retirement_rate: float = P(0.0008, 0.0, 0.1, unit="1/month", doc="monthly retirement hazard before the late-career threshold", source="assumption")
    late_career_years: float = P(30.0, 5.0, 60.0, unit="years of experience", doc="experience after which retirement hazard is late_retirement_rate", source="assumption")
    late_retirement_rate: float = P(0.02, 0.0, 1.0, unit="1/month", doc="monthly retirement hazard after late_career_years", source="assumption")
    severance_months: float = P(2.0, 0.0, 24.0, unit="months of wage", doc="severance a firm pays per layoff", source="assumption")

    # --- on-the-job search ---------------------------------------------------------------------
    ojs_search_rate: float = P(0.15, 0.0, 1.0, unit="1/month", doc="monthly probability an employee paid the market rate, at a firm without layoffs, searches for another job", source="calibrated; employed search is common (Faberman, Mueller, Şahin & Topa 2022, Econometrica 'Job search behavior among the employed and non-employed')")
    ojs_pay_gap_weight: float = P(2.0, 0.0, 50.0, unit="per unit pay gap", doc="search probability rises by this × the relative gap between market pay for the worker's skills and place and their pay", source="lower-paid workers search more (Faberman et al. 2022); assumption")
    ojs_layoff_risk_weight: float = P(5.0, 0.0, 100.0, unit="per annual layoff rate", doc="search probability rises by this × the share of the employer's workforce laid off over the last year", source="workers search when layoff risk rises; assumption")
    ojs_remote_weight: float = P(0.5, 0.0, 10.0, unit="× base", doc="extra search probability of a worker who prefers remote work and holds an onsite job", source="assumption")
    ojs_applications: int = P(2, 1, 100, unit="applications", doc="applications an employed searcher sends per month", source="the employed send fewer applications than the unemployed (Faberman et al. 2022)")
    job_switch_margin: float = P(0.04, 0.0, 1.0, unit="share of current pay", doc="an employee accepts another job only if its value exceeds their current job's by this margin", source="job changes raise pay (Topel & Ward 1992, QJE); assumption")
    counter_offer_rate: float = P(0.0, 0.0, 1.0, unit="probability", doc="probability the current employer matches an outside offer the worker would accept, when it is not cutting that role (0 = never)", source="sequential auctions (Postel-Vinay & Robin 2002, Econometrica); off by default")
    firm_pay_sd: float = P(0.10, 0.0, 1.0, unit="log points", doc="s.d. of the firm pay effect: every job at a firm pays the market rate × exp(ψ_f), ψ_f ~ N(−sd²/2, sd)", source="firm effects in pay (Card, Heining & Kline 2013, QJE; Song et al. 2019, QJE); the job ladder")
    remote_preference_share: float = P(0.4, 0.0, 1.0, unit="share of workers", doc="workers who value a fully remote job", source="WFH Research / Survey of Working Arrangements and Attitudes (Barrero, Bloom & Davis 2021)")
    remote_amenity_value: float = P(0.08, 0.0, 1.0, unit="share of pay", doc="pay a remote-preferring worker would give up for a fully remote job (they compare job values, not only pay)", source="willingness to pay for working from home ≈ 8 % (Mas & Pallais 2017, AER)")

    # --- outside option: leaving tech and coming back ------------------------------------------------
    outside_wage: float = P(70_000.0, 0.0, 1_000_000.0, unit="$/year at national rate", doc="pay of the work a tech job seeker can find outside tech (× the local pay index)", source="median earnings of bachelor's degree holders ≈ $74k (BLS, Usual weekly earnings 2022); assumption")
    outside_exit_rate: float = P(0.14, 0.0, 1.0, unit="1/month", doc="monthly hazard of leaving tech for other work of a job seeker whose reservation wage equals the outside wage, after outside_exit_spell months", source="calibrated; the unemployed change occupation more the longer they search (Carrillo-Tudela & Visschers 2023, Econometrica)")
    outside_exit_spell: float = P(6.0, 1.0, 120.0, unit="months", doc="unemployment spell at which the exit hazard reaches its full level (rises linearly before)", source="assumption")
    outside_pay_elasticity: float = P(2.0, 0.0, 10.0, unit="elasticity", doc="exit hazard ∝ (outside wage / reservation wage)^e: those whose pay would fall most stay longest", source="assumption; mid-career specialists lose most outside tech (seeds/003)")
    return_rate: float = P(0.025, 0.0, 1.0, unit="1/month", doc="monthly hazard a worker in other work comes back to tech search when the market of their skill cluster and level is as tight as at the start", source="assumption; re-entry follows tech demand")
    return_tightness_elasticity: float = P(1.0, 0.0, 5.0, unit="elasticity", doc="return hazard ∝ (tightness of the worker's market / its tightness at the start)^e", source="assumption")
    return_memory_months: float = P(30.0, 1.0, 600.0, unit="months", doc="return hazard falls as exp(−months away / this): people settle in other work", source="assumption")
    skill_depreciation: float = P(0.005, 0.0, 0.1, unit="1/month", doc="share of tech skills lost per month spent outside tech", source="skill depreciation in non-employment ≈ 5 %/year (Edin & Gustavsson 2008, AER P&P)")

    # --- a steady start -------------------------------------------------------------------------------
    burn_in_months: int = P(36, 0, 240, unit="months", doc="months simulated before January of start_year (dated before it, no outputs) so that flows, spells, tenure and vacancy ages start at their running values", source="standard ABM practice (transient removal)")

    # --- search and matching -------------------------------------------------------------------
    applications_per_month: int = P(6, 1, 100, unit="applications", doc="applications a job seeker sends per month", source="assumption")
    max_skill_gap: float = P(0.3, 0.0, 1.0, unit="skill gap", doc="largest skill gap at which a worker is eligible for a job", source="calibrated")
    relocation_willingness: float = P(0.15, 0.0, 1.0, unit="share of workers", doc="workers willing to move metro for an onsite job (housing and family make it hard: seeds/003)", source="assumption")
    relocation_premium: float = P(0.10, 0.0, 2.0, unit="share of wage", doc="extra pay a worker asks to relocate (the cost of moving)", source="assumption")
    rehire_preference: float = P(0.10, 0.0, 1.0, unit="score", doc="hiring-score bonus a firm gives a worker it laid off earlier", source="assumption; 20 % of new AI hires were rehires (seeds/004)")
    downgrade_search_weight: float = P(0.3, 0.0, 1.0, unit="relative weight", doc="weight of applying one level below one's own, relative to one's own level", source="assumption")
    hiring_noise: float = P(0.10, 0.0, 1.0, unit="score", doc="s.d. of noise in the firm's ranking of applicants", source="assumption")

    # --- wages ---------------------------------------------------------------------------------
    labour_demand_elasticity: float = P(0.5, 0.0, 5.0, unit="elasticity", doc="own-wage elasticity of firms' labour demand: demand ∝ (market wage index)^−e", source="≈ 0.5 (Hamermesh 1993, Labor Demand; Lichter, Peichl & Siegloch 2015, EER meta-analysis)")
    wage_tightness_elasticity: float = P(0.27, 0.0, 2.0, unit="elasticity", doc="elasticity of a cluster's market wage level to its tightness (vacancies / job seekers): the wage curve", source="calibrated")
    wage_adjustment_speed: float = P(0.10, 0.0, 1.0, unit="1/month", doc="share of the gap to the wage-curve level a cluster's market wage closes each month", source="calibrated")
    wage_downward_rigidity: float = P(0.3, 0.0, 1.0, unit="share", doc="market wages fall at this share of the speed at which they rise", source="new-hire wages are rigid downward (Hazell & Taska 2020, 'Downward rigidity in the wage for new hires'); calibrated")
    wage_index_min: float = P(0.6, 0.1, 1.0, unit="× 2022 pay", doc="floor of a cluster's market wage index", source="assumption")
    wage_index_max: float = P(2.5, 1.0, 10.0, unit="× 2022 pay", doc="ceiling of a cluster's market wage index", source="assumption")
    incumbent_wage_adjustment: float = P(0.08, 0.0, 1.0, unit="1/month", doc="share of the gap to the market wage an incumbent's pay closes each month", source="assumption (annual reviews)")
    reservation_decay: float = P(0.03, 0.0, 1.0, unit="1/month", doc="fall of the reservation wage per month of unemployment, as a share of its start", source="reservation wages fall slowly over the spell (Krueger & Mueller 2016, AEJ: Policy); calibrated")
    reservation_floor: float = P(0.6, 0.0, 1.0, unit="share of last wage", doc="lowest reservation wage relative to its start (min of last wage and going rate)", source="assumption")
    bargaining_room: float = P(0.15, 0.0, 1.0, unit="share of posted wage", doc="how far above the posted wage a firm goes to meet a reservation wage", source="assumption")

    # --- careers -------------------------------------------------------------------------------
    mentees_per_senior: float = P(2.0, 0.0, 20.0, unit="juniors", doc="juniors one senior/staff engineer can mentor", source="assumption")
    mentoring_load: float = P(0.10, 0.0, 1.0, unit="senior FTE per junior", doc="senior time a mentored junior costs (lost output)", source="mentoring costs senior time (seeds/000)")

    # --- retraining ----------------------------------------------------------------------------
    retraining_subsidy: float = P(0.3, 0.0, 1.0, unit="share of cost", doc="public share of a retraining programme's cost", source="policy lever")
    retraining_uptake: float = P(0.04, 0.0, 1.0, unit="1/month", doc="monthly enrolment probability of an eligible unemployed worker at full subsidy and no pay cut", source="assumption")
    retraining_self_funded_uptake: float = P(0.3, 0.0, 1.0, unit="share", doc="uptake with no subsidy relative to uptake with full subsidy", source="assumption")
    retraining_pay_cut_aversion: float = P(2.0, 0.0, 10.0, unit="exponent", doc="how strongly an expected pay cut deters enrolment", source="assumption; mid-career workers too senior to retrain cheaply (seeds/003)")
    retraining_level_drop: int = P(1, 0, 3, unit="levels", doc="seniority levels lost on entering the target occupation", source="assumption")
    retraining_min_spell: int = P(3, 0, 120, unit="months", doc="unemployment spell after which a worker considers retraining", source="assumption")
    retraining_base_months: float = P(3.0, 0.0, 60.0, unit="months", doc="programme length for a zero skill gap", source="assumption")
    retraining_months_per_gap: float = P(30.0, 0.0, 120.0, unit="months per unit gap", doc="extra length per unit of skill gap", source="QA/PM → ML or security takes 2-3 years (seeds/003)")
    retraining_length_scale: float = P(1.0, 0.2, 5.0, unit="×", doc="programme length multiplier (policy: intensive programmes < 1)", source="policy lever")
    retraining_dropout: float = P(0.01, 0.0, 1.0, unit="1/month", doc="monthly dropout hazard in retraining", source="assumption")
    retraining_proficiency: float = P(0.9, 0.1, 1.0, unit="share of target profile", doc="skill reached at completion relative to the target occupation's profile", source="assumption")
    retraining_target_drift: float = P(0.5, 0.0, 5.0, unit="skill per unit capability", doc="ML/AI skill lost to the moving target per unit rise of AI capability during training", source="the target skills move while people train (seeds/003)")
    retraining_cost: float = P(2_000.0, 0.0, 50_000.0, unit="$ per month", doc="monthly cost of a retraining programme", source="assumption")
    sponsored_wage_share: float = P(0.5, 0.0, 1.0, unit="share of wage", doc="share of wage a sponsoring firm keeps paying during retraining", source="assumption")

    # --- demographics --------------------------------------------------------------------------
    graduate_rate: float = P(0.025, 0.0, 0.5, unit="1/year", doc="graduate cohort size as a share of the labour force per year", source="assumption")
    graduate_choice_elasticity: float = P(0.5, 0.0, 5.0, unit="elasticity", doc="how graduates' occupation mix tilts towards tight occupations: share ∝ graduate_share · (θ_o/θ)^e", source="assumption")

    # --- measurement --------------------------------------------------------------------------
    mismatch_alpha: float = P(0.5, 0.01, 0.99, unit="elasticity", doc="vacancy elasticity of matching in the mismatch index", source="Şahin, Song, Topa & Violante (2014) use ≈ 0.5")

    # --- firms' economics ----------------------------------------------------------------------
    profit_margin: float = P(0.15, -0.5, 0.9, unit="share of revenue", doc="margin at the initial state; sets the output price", source="assumption")
    excess_output_value: float = P(0.3, 0.0, 1.0, unit="share of price", doc="value of output beyond the firm's market demand", source="assumption")
    hiring_cost: float = P(0.10, 0.0, 2.0, unit="share of annual wage", doc="recruiting cost per hire", source="assumption")

    # --- vacancy life cycle ---------------------------------------------------------------------
    vacancy_life_months: float = P(4.0, 0.1, 120.0, unit="months", doc="scale of the Weibull life of a posting: an unfilled posting is withdrawn with a hazard rising with its age", source="tech postings stay up ~1-3 months (Davis, Faberman & Haltiwanger 2013, QJE, for vacancy durations); calibrated")
    vacancy_life_shape: float = P(2.0, 0.5, 5.0, unit="Weibull shape", doc="shape of the posting life (> 1: the withdrawal hazard rises with age)", source="assumption")
    vacancy_max_reposts: int = P(3, 0, 20, unit="reposts", doc="times a firm re-posts an unmet need before giving it up", source="assumption")
    repost_pay_step: float = P(0.05, 0.0, 1.0, unit="share of market pay", doc="pay added to a need's offer each time it is re-posted at higher pay", source="assumption; firms raise offers for hard-to-fill roles (seeds/002: AI premiums)")
    max_vacancy_pay_premium: float = P(0.20, 0.0, 2.0, unit="share of market pay", doc="largest premium over market pay a re-posted need may offer", source="assumption")
    give_up_months: int = P(12, 0, 120, unit="months", doc="months a firm leaves a need it gave up unposted (the work is not done)", source="assumption")

    # --- the pipeline as a public good: poaching levers, strategy imitation, junior-hiring policy ---
    # every lever is off at its default (0): no random draw and no output changes (tests/test_pipeline.py)
    retention_pay_share: float = P(0.0, 0.0, 1.0, unit="share of pay", doc="retention pay a firm adds, on top of pay, for workers it trained (promoted out of junior at the firm) while they stay, for retention_pay_months after training; 0 = none", source="firm lever (issue 11); retention bonuses for trained staff (assumption)")
    retention_pay_months: int = P(48, 1, 600, unit="months", doc="months after the end of training during which a trained worker receives retention pay", source="assumption (retention awards typically vest over 2-4 years)")
    training_repayment_months: float = P(0.0, 0.0, 24.0, unit="months of pay", doc="months of pay a worker owes the firm that trained them when leaving for another firm during training or within training_bond_months after it (paid to the trainer); 0 = no clause", source="firm lever (issue 11); training repayment agreements (assumption)")
    training_bond_months: int = P(24, 0, 240, unit="months", doc="months after the end of training during which the repayment clause binds", source="assumption")
    repayment_payback_months: float = P(12.0, 1.0, 120.0, unit="months", doc="a bonded worker moves only if the new job's extra pay repays what they owe within this many months: the pay they need rises by training_repayment_months / this × current pay", source="assumption")
    imitation_rate: float = P(0.0, 0.0, 10.0, unit="probability per unit relative gap", doc="at a strategy review a firm switches to the best strategy it observes with probability min(1, this × relative profit gap); 0 = strategies fixed (the baseline)", source="proportional imitation (Schlag 1998, JET 'Why imitate, and if so, how?'); evolutionary firms copying better routines (Nelson & Winter 1982)")
    strategy_review_months: int = P(12, 1, 120, unit="months", doc="months between a firm's strategy reviews; also the time constant of the moving average of profit per worker it compares", source="assumption (annual planning)")
    imitation_sample: int = P(5, 1, 100, unit="firms", doc="rival firms a firm observes at a review (random sample)", source="assumption")
    imitation_noise: float = P(0.5, 0.0, 10.0, unit="× cross-firm s.d.", doc="s.d. of the noise on an observed rival's profit per worker, relative to the cross-firm s.d. of profit per worker", source="assumption (rivals' accounts are seen imperfectly)")
    switch_cost_months: float = P(1.0, 0.0, 24.0, unit="months of wage bill", doc="cost of switching strategy (a re-organisation), in months of the firm's wage bill, paid in the month of the switch", source="assumption ('a re-organisation month', issue 11)")
    junior_wage_subsidy: float = P(0.0, 0.0, 1.0, unit="share of pay", doc="public subsidy of a junior's pay paid to the employer, for junior_subsidy_months from the junior's hire; 0 = none", source="policy lever (issue 11); hiring subsidies for young workers (e.g. Cahuc, Carcillo & Le Barbanchon 2019, REStud)")
    junior_subsidy_cap: float = P(30_000.0, 0.0, 500_000.0, unit="$/year per junior", doc="largest subsidy per junior", source="policy lever")
    junior_subsidy_months: int = P(24, 1, 120, unit="months", doc="months from a junior's hire during which the subsidy is paid", source="policy lever")
    apprenticeship_slots: float = P(0.0, 0.0, 50.0, unit="per 1,000 workers a year", doc="new publicly funded apprenticeships a year per 1,000 workers at the start: a standing stock of slots × apprenticeship_months/12 junior places at firms, shared in proportion to their 2022 junior base; 0 = no scheme", source="policy lever (issue 11); apprenticeship schemes (assumption for the size)")
    apprenticeship_pay_share: float = P(0.5, 0.0, 1.0, unit="share of pay", doc="share of an apprentice's pay the public pays", source="policy lever")
    apprenticeship_months: int = P(24, 1, 72, unit="months", doc="length of an apprenticeship", source="assumption (≈ a junior's time to promotion, seniority.csv)")
    apprenticeship_completion: float = P(0.7, 0.0, 1.0, unit="share", doc="share of apprentices who complete: they are promoted to mid at the end; the others stay juniors without the subsidy", source="assumption (apprenticeship completion rates are typically 50-80 %)")
    training_levy: float = P(0.0, 0.0, 0.2, unit="share of wage bill", doc="levy on the monthly wage bill of firms that hired an experienced (mid or above) worker in the last 12 months, refunded per junior they employ; 0 = none", source="policy lever (issue 11); training levies (e.g. the UK apprenticeship levy, 0.5 % of pay bills)")
    levy_refund_per_junior: float = P(2_000.0, 0.0, 50_000.0, unit="$/month per junior", doc="levy refunded per junior the firm employs, up to the levy it owes", source="policy lever")

    @model_validator(mode="after")
    def _combinations(self) -> Params:
        for group in (STRATEGY_SHARES, REMOTE_POLICY_SHARES):
            total = sum(getattr(self, k) for k in group)
            if abs(total - 1.0) > 1e-6:
                vals = ", ".join(f"{k}={getattr(self, k):g}" for k in group)
                raise ValueError(f"{'+'.join(group)} must sum to 1, got {total:.4g} ({vals})")
        if self.wage_index_min > self.wage_index_max:
            raise ValueError(f"wage_index_min={self.wage_index_min} must not exceed wage_index_max={self.wage_index_max}")
        n_firms = self.n_firms
        if n_firms < 4:
            raise ValueError(f"n_workers/workers_per_firm gives {n_firms} firms; at least 4 needed (n_workers={self.n_workers}, workers_per_firm={self.workers_per_firm})")
        return self

    @property
    def n_firms(self) -> int:
        return max(1, round(self.n_workers / self.workers_per_firm))

    # --- construction with one-line errors -----------------------------------------------------
    def __init__(self, /, **values: Any) -> None:
        """Validate ``values``; anything invalid is one :class:`ParameterError` line (not pydantic's report)."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ParameterError(_one_line(exc)) from None

    @classmethod
    def make(cls, base: Params | Mapping[str, Any] | None = None, **overrides: Any) -> Params:
        """Build from defaults (or ``base``: a :class:`Params`, or a mapping of parameter values over the
        defaults) and overrides, raising :class:`ParameterError`."""
        if base is None:
            values: dict[str, Any] = {}
        elif isinstance(base, Params):
            values = base.model_dump()
        elif isinstance(base, Mapping) and all(isinstance(k, str) for k in base):
            values = {k: _plain(v) for k, v in base.items()}
        else:
            shown = repr(base) if len(repr(base)) <= 80 else repr(base)[:77] + "..."
            raise ParameterError(f"params = {shown} is invalid; allowed: a Params object, a dict of parameter values "
                                 "(names as in `abm params`) or None")
        values.update({k: _plain(v) for k, v in overrides.items()})
        return cls(**values)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One dict per parameter: name, default, range, unit, description, source."""
        rows = []
        for name, f in cls.model_fields.items():
            lo = next((m.ge for m in f.metadata if hasattr(m, "ge")), None)
            hi = next((m.le for m in f.metadata if hasattr(m, "le")), None)
            rows.append({"name": name, "default": f.default, "min": lo, "max": hi, "unit": _extra(name, "unit"),
                         "description": f.description, "source": _extra(name, "source")})
        return rows


def _plain(v: Any) -> Any:
    """numpy scalars → Python scalars (so strict validation accepts values from arrays)."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def _extra(name: str, key: str) -> str:
    """A parameter's unit or source (the extra metadata of its field)."""
    extra = Params.model_fields[name].json_schema_extra
    return str(extra.get(key, "")) if isinstance(extra, dict) else ""


def _allowed(name: str) -> str:
    f = Params.model_fields.get(name)
    if f is None:
        return ""
    lo = next((m.ge for m in f.metadata if hasattr(m, "ge")), None)
    hi = next((m.le for m in f.metadata if hasattr(m, "le")), None)
    kind = f.annotation.__name__ if isinstance(f.annotation, type) else str(f.annotation)
    rng = f" in [{lo}, {hi}]" if lo is not None and hi is not None else ""
    unit = _extra(name, "unit")
    return f"{kind}{rng}" + (f" ({unit})" if unit else "")


def _one_line(exc: ValidationError) -> str:
    msgs = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "params"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(loc, Params.model_fields, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            msgs.append(f"unknown parameter '{loc}' = {value!r}{hint}; see Params.describe() or docs/parameters.md for the allowed names")
        elif loc == "params":
            msgs.append(f"impossible combination: {err['msg'].removeprefix('Value error, ')}")
        else:
            msgs.append(f"parameter '{loc}' = {value!r} is invalid ({err['msg']}); allowed: {_allowed(loc)}")
    return "; ".join(msgs)


def load_scenario(ref: str | Path) -> tuple[dict[str, Any], Params]:
    """Read a scenario file or a shipped scenario by name: see :func:`abm.files.load_scenario`."""
    from abm.files import load_scenario as load  # abm.files builds on this module

    return load(ref)
